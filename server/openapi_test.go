package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/batch"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/evidence"
	"github.com/weidgo/weid/grants"
	"github.com/weidgo/weid/keystore"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/oid4vci"
	schemareg "github.com/weidgo/weid/schemas"
	statusreg "github.com/weidgo/weid/status"
)

// openAPIMethods are the operation keys of an OpenAPI path item.
var openAPIMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

func loadOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(OpenAPI()))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	return doc
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// resolvePointer resolves a local JSON reference ("#/components/schemas/Tx").
func resolvePointer(doc map[string]any, ref string) (any, bool) {
	p, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil, false
	}
	var cur any = doc
	for _, tok := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[tok]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// deref follows $ref until it reaches an object without one.
func deref(t *testing.T, doc map[string]any, v any) map[string]any {
	t.Helper()
	m := obj(v)
	for i := 0; m != nil && i < 10; i++ {
		r, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		target, ok := resolvePointer(doc, r)
		if !ok {
			t.Fatalf("$ref %q does not resolve", r)
		}
		m = obj(target)
	}
	return m
}

// operations calls f for every operation of the document.
func operations(doc map[string]any, f func(method, path string, op map[string]any)) {
	paths := obj(doc["paths"])
	keys := make([]string, 0, len(paths))
	for p := range paths {
		keys = append(keys, p)
	}
	sort.Strings(keys)
	for _, p := range keys {
		item := obj(paths[p])
		for _, m := range openAPIMethods {
			if op := obj(item[m]); op != nil {
				f(strings.ToUpper(m), p, op)
			}
		}
	}
}

func TestOpenAPI_ValidJSONAndVersion(t *testing.T) {
	doc := loadOpenAPI(t)
	if v := doc["openapi"]; v != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", v)
	}
	info := obj(doc["info"])
	if info["title"] != "weid" || info["version"] != "0.1.0" || info["description"] == "" || info["description"] == nil {
		t.Errorf("info = %v, want title weid, version 0.1.0 and a description", info)
	}
	if len(obj(doc["paths"])) == 0 {
		t.Fatal("the document has no paths")
	}

	ids := map[string]string{}
	operations(doc, func(method, path string, op map[string]any) {
		where := method + " " + path
		id, _ := op["operationId"].(string)
		switch {
		case id == "":
			t.Errorf("%s: no operationId", where)
		case ids[id] != "":
			t.Errorf("%s: operationId %q is also used by %s", where, id, ids[id])
		default:
			ids[id] = where
		}
		if s, _ := op["summary"].(string); s == "" {
			t.Errorf("%s: no summary", where)
		}
		ok2xx := false
		for code := range obj(op["responses"]) {
			if len(code) == 3 && code[0] == '2' {
				ok2xx = true
			}
		}
		if !ok2xx {
			t.Errorf("%s: no 2xx response", where)
		}
		// Every {param} of the path is declared as a path parameter, and
		// every declared path parameter is in the path.
		declared := map[string]bool{}
		params, _ := op["parameters"].([]any)
		for _, p := range params {
			pm := deref(t, doc, p)
			if pm["in"] == "path" {
				declared[pm["name"].(string)] = true
				if pm["required"] != true {
					t.Errorf("%s: path parameter %v is not required", where, pm["name"])
				}
			}
		}
		for _, seg := range strings.Split(path, "/") {
			if name, ok := strings.CutPrefix(seg, "{"); ok {
				name = strings.TrimSuffix(name, "}")
				if !declared[name] {
					t.Errorf("%s: path parameter {%s} is not declared", where, name)
				}
				delete(declared, name)
			}
		}
		for name := range declared {
			t.Errorf("%s: declares path parameter %q that is not in the path", where, name)
		}
	})

	// Every $ref resolves.
	var walk func(at string, v any)
	walk = func(at string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if r, ok := v["$ref"].(string); ok {
				if !strings.HasPrefix(r, "#/components/") {
					t.Errorf("%s: $ref %q does not point into #/components", at, r)
				} else if _, ok := resolvePointer(doc, r); !ok {
					t.Errorf("%s: $ref %q does not resolve", at, r)
				}
			}
			for k, e := range v {
				walk(at+"/"+k, e)
			}
		case []any:
			for i, e := range v {
				walk(at+"/"+strconv.Itoa(i), e)
			}
		}
	}
	walk("#", doc)

	// Error responses are problems.
	operations(doc, func(method, path string, op map[string]any) {
		for code, r := range obj(op["responses"]) {
			if code[0] != '4' && code[0] != '5' {
				continue
			}
			resp := deref(t, doc, r)
			content := obj(resp["content"])
			if _, ok := content["application/problem+json"]; !ok {
				if code == "410" && content["application/did-resolution"] != nil {
					continue // a deactivated DID resolves to its result
				}
				if content["application/json"] != nil && strings.HasPrefix(path, "/issuers/{account}/{instance}/") {
					continue // OpenID4VCI's token and credential endpoints answer OAuth errors ({error, error_description})
				}
				if content["application/json"] != nil && path == "/oid4vp/responses/{id}" {
					continue // so does OpenID4VP's response endpoint (§8.5)
				}
				t.Errorf("%s %s: response %s is not application/problem+json", method, path, code)
			}
		}
	})
}

// routerRoutes lists "METHOD /path" of every route of the router, with
// chi's mount artifacts normalized away.
func routerRoutes(t *testing.T) map[string]bool {
	t.Helper()
	h := (&Server{}).routes()
	rt, ok := h.(chi.Routes)
	if !ok {
		t.Fatalf("routes() returned %T, not a chi.Routes", h)
	}
	got := map[string]bool{}
	err := chi.Walk(rt, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if method == http.MethodHead || method == http.MethodOptions {
			return nil
		}
		got[method+" "+normalizeRoute(route)] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// normalizeRoute maps a chi route pattern to its OpenAPI path: a mounted
// subrouter's "/" ("/v1/dids/") is served without the slash too, and
// "/*" marks a mount point.
func normalizeRoute(route string) string {
	route = strings.ReplaceAll(route, "/*/", "/")
	route = strings.TrimSuffix(route, "/*")
	if len(route) > 1 {
		route = strings.TrimSuffix(route, "/")
	}
	return route
}

func TestOpenAPI_MatchesRouter(t *testing.T) {
	doc := loadOpenAPI(t)
	router := routerRoutes(t)
	documented := map[string]bool{}
	operations(doc, func(method, path string, _ map[string]any) {
		if method != http.MethodHead && method != http.MethodOptions {
			documented[method+" "+path] = true
		}
	})
	var undocumented, unrouted []string
	for r := range router {
		if !documented[r] {
			undocumented = append(undocumented, r)
		}
	}
	for r := range documented {
		if !router[r] {
			unrouted = append(unrouted, r)
		}
	}
	sort.Strings(undocumented)
	sort.Strings(unrouted)
	if len(undocumented) > 0 {
		t.Errorf("routes in server/routes.go missing from server/openapi.json:\n\t%s", strings.Join(undocumented, "\n\t"))
	}
	if len(unrouted) > 0 {
		t.Errorf("operations in server/openapi.json with no route in server/routes.go:\n\t%s", strings.Join(unrouted, "\n\t"))
	}

	// The documented paths, with sample parameters and exactly as written
	// (no trailing slash), reach the route they document.
	rt := (&Server{}).routes().(chi.Routes)
	for r := range documented {
		method, path, _ := strings.Cut(r, " ")
		concrete := samplePath(path)
		if strings.Contains(concrete, "{") {
			t.Errorf("%s: no sample value for a parameter of %s", r, concrete)
			continue
		}
		pattern := rt.Find(chi.NewRouteContext(), method, concrete)
		if pattern == "" {
			t.Errorf("%s: the router does not match %s %s", r, method, concrete)
		} else if normalizeRoute(pattern) != path {
			t.Errorf("%s: %s %s is routed to %s", r, method, concrete, pattern)
		}
	}
}

// samplePath is path with sample values for its parameters.
func samplePath(path string) string {
	samples := map[string]string{
		"{did}":      "did:weid:1:0x5b2c3e0f4b9d2a51c6b0c8e1f7a4d3e2b1c0a9f8",
		"{hash}":     strings.Repeat("ab", 32),
		"{height}":   "latest",
		"{id}":       "key-2",
		"{version}":  "2",
		"{name}":     "diploma",
		"{account}":  "example-university",
		"{instance}": "diploma",
		"{key}":      strings.Repeat("cd", 32),
		"{nodeId}":   strings.Repeat("ef", 20),
		"{file}":     "app.css",
	}
	for k, v := range samples {
		path = strings.ReplaceAll(path, k, v)
	}
	return path
}

// TestOpenAPI_OversizedBodiesAre413AsDocumented keeps the 413s in step
// with the operations that read a body: every operation with a
// requestBody lists 413 (the node caps every body, server.MaxBodyBytes,
// and answers request.tooLarge), and every operation the running node
// answers 413 for a body one byte over the cap — with the admin token,
// at sample paths — lists it too.
func TestOpenAPI_OversizedBodiesAre413AsDocumented(t *testing.T) {
	doc := loadOpenAPI(t)
	tn := startNode(t)
	huge := bytes.Repeat([]byte("a"), MaxBodyBytes+1)
	operations(doc, func(method, path string, op map[string]any) {
		listed := obj(op["responses"])["413"] != nil
		if op["requestBody"] != nil && !listed {
			t.Errorf("%s %s reads a body but does not list 413", method, path)
		}
		if method == http.MethodGet || method == http.MethodHead {
			return
		}
		if r := tn.do(t, method, samplePath(path), tn.token, huge); r.status == http.StatusRequestEntityTooLarge && !listed {
			t.Errorf("%s %s answers 413 for a body over %d bytes but does not list it: %s", method, path, MaxBodyBytes, r.body)
		}
	})
}

// TestOpenAPI_TxTypesAreTheRegistrys: Tx.type's enum is exactly the types
// node.NewRegistry registers, and each has one if/then rule giving its
// payload's schema, so every transaction the node serves (GET
// /v1/txs/{hash}, the proofs of GET /v1/evidence/{hash}) conforms to the
// document.
func TestOpenAPI_TxTypesAreTheRegistrys(t *testing.T) {
	doc := loadOpenAPI(t)
	tx := obj(obj(obj(doc["components"])["schemas"])["Tx"])
	var enum []string
	for _, v := range obj(obj(tx["properties"])["type"])["enum"].([]any) {
		enum = append(enum, v.(string))
	}
	sort.Strings(enum)
	if want := node.NewRegistry().Types(); !slices.Equal(enum, want) {
		t.Errorf("Tx.type enum is %v,\nthe registry's types are %v", enum, want)
	}
	rules := map[string]int{}
	for _, r := range tx["allOf"].([]any) {
		rule := obj(r)
		typ, _ := obj(obj(obj(rule["if"])["properties"])["type"])["const"].(string)
		rules[typ]++
		ref, _ := obj(obj(obj(rule["then"])["properties"])["payload"])["$ref"].(string)
		if _, ok := resolvePointer(doc, ref); !ok {
			t.Errorf("Tx rule for %q: payload $ref %q does not resolve", typ, ref)
		}
	}
	for _, typ := range enum {
		if rules[typ] != 1 {
			t.Errorf("Tx.type %q has %d if/then payload rules, want 1", typ, rules[typ])
		}
	}
}

func TestOpenAPI_Served(t *testing.T) {
	rec := httptest.NewRecorder()
	(&Server{}).routes().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/openapi.json", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /openapi.json: %d", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	file, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(rec.Body.Bytes(), file) {
		t.Error("GET /openapi.json does not serve server/openapi.json")
	}
}

// jsonFields returns the JSON member names of struct type typ, and those
// always present (no omitempty), flattening untagged embedded structs as
// encoding/json does.
func jsonFields(typ reflect.Type) (all, always []string) {
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			a, al := jsonFields(f.Type)
			all, always = append(all, a...), append(always, al...)
			continue
		}
		if name == "" {
			name = f.Name
		}
		all = append(all, name)
		if !slices.Contains(strings.Split(opts, ","), "omitempty") {
			always = append(always, name)
		}
	}
	return all, always
}

func TestOpenAPI_SchemasMatchGoTypes(t *testing.T) {
	doc := loadOpenAPI(t)
	schemas := obj(obj(doc["components"])["schemas"])
	types := map[string]any{
		"EvidenceRequest":             api.EvidenceRequest{},
		"EvidenceBatchRequest":        api.EvidenceBatchRequest{},
		"EvidenceBatchEntry":          api.EvidenceBatchEntry{},
		"EvidenceReceipt":             api.EvidenceReceipt{},
		"EvidenceResponse":            api.EvidenceResponse{},
		"Evidence":                    evidence.Evidence{},
		"EvidenceSignature":           evidence.Signature{},
		"EvidenceChange":              evidence.Change{},
		"EvidenceLog":                 evidence.Log{},
		"EvidenceCreatePayload":       evidence.CreatePayload{},
		"EvidenceSignPayload":         evidence.SignPayload{},
		"EvidenceRevokePayload":       evidence.RevokePayload{},
		"EvidenceLogPayload":          evidence.LogPayload{},
		"EvidenceBatchPayload":        evidence.BatchPayload{},
		"EvidenceBatchItem":           evidence.BatchItem{},
		"TxWithProof":                 chain.TxWithProof{},
		"Tx":                          chain.Tx{},
		"Block":                       chain.Block{},
		"BlockSummary":                api.BlockSummary{},
		"BlockList":                   api.BlockList{},
		"Event":                       api.Event{},
		"EventPage":                   api.EventPage{},
		"Subscription":                api.Subscription{},
		"SubscriptionRequest":         api.SubscriptionRequest{},
		"StateProofRequest":           api.StateProofRequest{},
		"SubscriptionList":            api.SubscriptionList{},
		"Header":                      chain.Header{},
		"InclusionProof":              chain.InclusionProof{},
		"InitPayload":                 chain.InitPayload{},
		"TxReceipt":                   api.Receipt{},
		"TxResponse":                  api.TxResponse{},
		"StatusResponse":              api.StatusResponse{},
		"ConsensusStatus":             chain.ConsensusStatus{},
		"CommitProof":                 chain.CommitProof{},
		"DIDRequest":                  api.DIDRequest{},
		"DIDResponse":                 api.DIDResponse{},
		"Problem":                     Problem{},
		"DIDDocument":                 did.Document{},
		"VerificationMethod":          did.VerificationMethod{},
		"Service":                     did.Service{},
		"ResolutionResult":            did.ResolutionResult{},
		"DereferencingResult":         did.DereferencingResult{},
		"ResolutionMetadata":          did.ResolutionMetadata{},
		"DocumentMetadata":            did.DocumentMetadata{},
		"CreatePayload":               did.CreatePayload{},
		"AddMethodPayload":            did.AddMethodPayload{},
		"RemoveMethodPayload":         did.RemoveMethodPayload{},
		"AddServicePayload":           did.AddServicePayload{},
		"RemoveServicePayload":        did.RemoveServicePayload{},
		"RotateKeyPayload":            did.RotateKeyPayload{},
		"DeactivatePayload":           did.DeactivatePayload{},
		"ReportCompromisedPayload":    did.ReportCompromisedPayload{},
		"CompromisedKey":              did.CompromisedKey{},
		"Issuer":                      authz.Issuer{},
		"Member":                      authz.Member{},
		"GovRequest":                  api.GovRequest{},
		"GovResponse":                 api.GovResponse{},
		"IssuerResponse":              api.IssuerResponse{},
		"IssuerList":                  api.IssuerList{},
		"MemberPayload":               authz.MemberPayload{},
		"RecognizePayload":            authz.RecognizePayload{},
		"DerecognizePayload":          authz.DerecognizePayload{},
		"NodeRequest":                 api.NodeRequest{},
		"RulesRequest":                api.RulesRequest{},
		"Validator":                   authz.Validator{},
		"Observer":                    authz.Observer{},
		"ValidatorList":               api.ValidatorList{},
		"AddValidatorPayload":         authz.AddValidatorPayload{},
		"RemoveValidatorPayload":      authz.RemoveValidatorPayload{},
		"AddObserverPayload":          authz.AddObserverPayload{},
		"RemoveObserverPayload":       authz.RemoveObserverPayload{},
		"AccountRequest":              api.AccountRequest{},
		"NewAccount":                  api.NewAccount{},
		"Account":                     keystore.Account{},
		"SchemaRecord":                schemareg.Record{},
		"SchemaRequest":               api.SchemaRequest{},
		"SchemaResponse":              api.SchemaResponse{},
		"SchemaList":                  api.SchemaList{},
		"StatusCreateListPayload":     statusreg.CreatePayload{},
		"StatusUpdatePayload":         statusreg.UpdatePayload{},
		"RegisterSchemaPayload":       schemareg.RegisterPayload{},
		"UpdateSchemaPayload":         schemareg.UpdatePayload{},
		"EnvelopedCredential":         api.EnvelopedCredential{},
		"IssueRequest":                api.IssueRequest{},
		"IssueOptions":                api.IssueOptions{},
		"IssueResponse":               api.IssueResponse{},
		"VerifyRequest":               api.VerifyRequest{},
		"VerifyResult":                api.VerifyResult{},
		"Check":                       credential.Check{},
		"IssuerInstanceRequest":       api.IssuerInstanceRequest{},
		"IssuerInstance":              api.IssuerInstance{},
		"IssuerInstanceList":          api.IssuerInstanceList{},
		"UpdateStatusRequest":         api.UpdateStatusRequest{},
		"StatusEntryUpdate":           api.StatusEntryUpdate{},
		"UpdateStatusResponse":        api.UpdateStatusResponse{},
		"ChallengeResponse":           api.ChallengeResponse{},
		"VerifyPresentationRequest":   api.VerifyPresentationRequest{},
		"PresentationResult":          api.PresentationVerifyResult{},
		"VerifyBatchRequest":          api.VerifyBatchRequest{},
		"VerifyBatchResponse":         api.VerifyBatchResponse{},
		"VerifyBatchTrailer":          api.VerifyBatchTrailer{},
		"VerifyBatchResult":           batch.Result{},
		"VerifyBatchSummary":          batch.Summary{},
		"VerifyBatchOptions":          batch.Options{},
		"GrantRequest":                api.GrantRequest{},
		"GrantWriteRequest":           api.GrantWriteRequest{},
		"GrantReceipt":                api.GrantReceipt{},
		"GrantView":                   api.GrantView{},
		"GrantList":                   api.GrantList{},
		"AccessList":                  api.AccessList{},
		"GrantAccess":                 grants.Access{},
		"GrantEvent":                  grants.Event{},
		"GrantRecordPayload":          grants.RecordPayload{},
		"GrantRevokePayload":          grants.RevokePayload{},
		"GrantAccessPayload":          grants.AccessPayload{},
		"OfferRequest":                api.OfferRequest{},
		"OfferTxCode":                 api.OfferTxCode{},
		"OfferResponse":               api.OfferResponse{},
		"OfferStatus":                 api.OfferStatus{},
		"PresentationRequestBody":     api.PresentationRequestBody{},
		"PresentationRequestCreated":  api.PresentationRequestCreated{},
		"VPQRLinks":                   api.VPQRLinks{},
		"PresentationRequestStatus":   api.PresentationRequestStatus{},
		"PresentationRequestResult":   api.PresentationRequestResult{},
		"PresentationQueryVerdict":    api.PresentationQueryVerdict{},
		"PresentedCredential":         api.PresentedCredential{},
		"CredentialStatusFacts":       api.CredentialStatusFacts{},
		"CredentialOffer":             oid4vci.CredentialOffer{},
		"OfferGrants":                 oid4vci.Grants{},
		"PreAuthorizedCodeGrant":      oid4vci.PreAuthorizedCodeGrant{},
		"TxCode":                      oid4vci.TxCode{},
		"IssuerMetadata":              oid4vci.IssuerMetadata{},
		"VCIDisplay":                  oid4vci.Display{},
		"CredentialConfiguration":     oid4vci.CredentialConfiguration{},
		"AuthorizationServerMetadata": oid4vci.AuthorizationServerMetadata{},
		"TokenResponse":               oid4vci.TokenResponse{},
		"NonceResponse":               oid4vci.NonceResponse{},
		"CredentialRequest":           oid4vci.CredentialRequest{},
		"CredentialResponse":          oid4vci.CredentialResponse{},
		"OAuthError":                  oid4vci.Error{},
	}
	for name, v := range types {
		s := obj(schemas[name])
		if s == nil {
			t.Errorf("components/schemas/%s is missing", name)
			continue
		}
		all, always := jsonFields(reflect.TypeOf(v))
		props := obj(s["properties"])
		var doc []string
		for p := range props {
			doc = append(doc, p)
		}
		sort.Strings(all)
		sort.Strings(doc)
		if !slices.Equal(all, doc) {
			t.Errorf("schema %s has properties %v, the Go type %T has JSON members %v", name, doc, v, all)
		}
		var required []string
		req, _ := s["required"].([]any)
		for _, r := range req {
			required = append(required, r.(string))
		}
		for _, f := range always {
			if !slices.Contains(required, f) {
				t.Errorf("schema %s: %q is always present in %T but not required", name, f, v)
			}
		}
		for _, r := range required {
			if props[r] == nil {
				t.Errorf("schema %s: required %q is not a property", name, r)
			}
		}
	}
}

// statusNames maps net/http status constant names to their values.
var statusNames = map[string]int{
	"StatusAccepted": 202, "StatusBadRequest": 400, "StatusUnauthorized": 401, "StatusForbidden": 403,
	"StatusNotFound": 404, "StatusMethodNotAllowed": 405, "StatusConflict": 409, "StatusGone": 410,
	"StatusRequestEntityTooLarge": 413, "StatusUnprocessableEntity": 422, "StatusTooManyRequests": 429,
	"StatusInternalServerError": 500, "StatusNotImplemented": 501, "StatusBadGateway": 502,
	"StatusServiceUnavailable": 503, "StatusGatewayTimeout": 504,
}

// sourceErrorCodes finds the stable codes of errs.New, errs.Wrap and
// errs.BadRequest calls in the module's non-test sources, with their status
// (0 if not a known constant), and the codes declared as constants named
// Code… (status 0).
func sourceErrorCodes(t *testing.T) map[string]map[int][]string {
	t.Helper()
	codes := map[string]map[int][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != ".." && (strings.HasPrefix(n, ".") || n == "testdata" || n == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return nil // another engineer's file mid-edit; the compiler will say
		}
		ast.Inspect(f, func(n ast.Node) bool {
			// Packages that pass codes through a helper name them as
			// constants Code… = "area.reason" (status 0: not checked).
			if vs, ok := n.(*ast.ValueSpec); ok {
				for i, name := range vs.Names {
					if !strings.HasPrefix(name.Name, "Code") || i >= len(vs.Values) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						code, _ := strconv.Unquote(lit.Value)
						if strings.Contains(code, ".") {
							if codes[code] == nil {
								codes[code] = map[int][]string{}
							}
							pos := fset.Position(vs.Pos())
							codes[code][0] = append(codes[code][0], fmt.Sprintf("%s:%d", pos.Filename, pos.Line))
						}
					}
				}
				return true
			}
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "errs" {
				return true
			}
			var statusArg, codeArg ast.Expr
			switch sel.Sel.Name {
			case "New", "Wrap":
				if len(call.Args) >= 2 {
					statusArg, codeArg = call.Args[0], call.Args[1]
				}
			case "BadRequest":
				if len(call.Args) >= 1 {
					codeArg = call.Args[0]
				}
			}
			lit, ok := codeArg.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			code, _ := strconv.Unquote(lit.Value)
			status := 0
			if sel.Sel.Name == "BadRequest" {
				status = 400
			} else if s, ok := statusArg.(*ast.SelectorExpr); ok {
				status = statusNames[s.Sel.Name]
			} else if b, ok := statusArg.(*ast.BasicLit); ok {
				status, _ = strconv.Atoi(b.Value)
			}
			if codes[code] == nil {
				codes[code] = map[int][]string{}
			}
			pos := fset.Position(call.Pos())
			codes[code][status] = append(codes[code][status], fmt.Sprintf("%s:%d", pos.Filename, pos.Line))
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return codes
}

func TestOpenAPI_ErrorCodesDocumented(t *testing.T) {
	doc := loadOpenAPI(t)
	problem := obj(obj(obj(doc["components"])["schemas"])["Problem"])
	documented := map[string]int{}
	for _, e := range problem["x-error-codes"].([]any) {
		m := obj(e)
		st, _ := m["status"].(json.Number).Int64()
		documented[m["code"].(string)] = int(st)
	}
	var enum []string
	for _, c := range obj(obj(problem["properties"])["code"])["enum"].([]any) {
		enum = append(enum, c.(string))
	}
	sort.Strings(enum)
	var listed []string
	for c := range documented {
		listed = append(listed, c)
	}
	sort.Strings(listed)
	for _, c := range enum {
		if _, ok := documented[c]; !ok {
			t.Errorf("Problem.code enum has %q, x-error-codes does not", c)
		}
	}
	for _, c := range listed {
		if !slices.Contains(enum, c) {
			t.Errorf("x-error-codes has %q, the Problem.code enum does not", c)
		}
	}

	src := sourceErrorCodes(t)
	for code, byStatus := range src {
		want, ok := documented[code]
		if !ok {
			t.Errorf("error code %q (%v) is not documented in openapi.json's Problem x-error-codes", code, byStatus)
			continue
		}
		for status, where := range byStatus {
			if status != 0 && status != want {
				t.Errorf("error code %q: documented with status %d, %v uses %d", code, want, where, status)
			}
		}
	}
	// Codes made outside errs calls: the resolution codes ("did." + the
	// DID Resolution error) and the problems server/problem.go builds itself.
	other := map[string]bool{"did.invalidDid": true, "did.methodNotSupported": true, "did.invalidPublicKey": true, "did.invalidDidUrl": true, "did.invalidPublicKeyLength": true, "did.invalidPublicKeyType": true, "did.representationNotSupported": true, "internal": true, "ledger.unavailable": true}
	for code := range documented {
		if src[code] == nil && !other[code] {
			t.Errorf("documented error code %q is not used by any errs.New/Wrap/BadRequest call", code)
		}
	}
}
