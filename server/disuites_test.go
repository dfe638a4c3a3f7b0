package server

// Offline replays of the W3C Data Integrity test suites (issue 19):
// w3c/vc-di-eddsa-test-suite (eddsa-rdfc-2022 and eddsa-jcs-2022),
// w3c/vc-di-ed25519signature2020-test-suite and the shared
// w3c-ccg/data-integrity-test-suite-assertion they run, read from their
// sources (test files, vc-generator mutations, fixtures) and replayed as a
// new implementer registers weid: issuer instances of one account's
// custodial did:key, VC 2.0 and 1.1 credentials, POST
// /issuers/{name}/credentials/issue and POST /credentials/verify with the
// suites' bodies and options. Each row is one test of a suite, titled as
// the suite titles it. These are replays of the suites' assertions, not a
// run of the suites themselves (they need GitHub and npm).
//
// A failed verification is asserted on the verdict (verified false, and
// the check that failed) with the status either 400 or 422: the suites
// accept both, and the endpoint's failure status is being moved to 400.

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mr-tron/base58"
	"github.com/piprate/json-gold/ld"

	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/ldproof"
	"github.com/weidgo/weid/node"
)

// Contexts the suites' credentials name.
const (
	suiteCtxV2      = "https://www.w3.org/ns/credentials/v2"
	suiteCtxV1      = "https://www.w3.org/2018/credentials/v1"
	suiteCtxDIV2    = "https://w3id.org/security/data-integrity/v2"
	suiteCtxEd25519 = "https://w3id.org/security/suites/ed25519-2020/v1"
)

// diSuiteEnv is a node with one account whose custodial did:key issues
// through an issuer instance per securing format, as a new implementer
// registers weid with the suites (the instance's id is the did:key).
type diSuiteEnv struct {
	tn   *testNode
	acct node.NewAccount
}

func newDISuiteEnv(t *testing.T) *diSuiteEnv {
	t.Helper()
	tn := startNode(t)
	acct := tn.account(t, `{"name":"suite-issuer","didKey":true}`)
	if acct.DIDKey == "" {
		t.Fatalf("account without a did:key: %+v", acct)
	}
	for _, format := range []string{"eddsa-rdfc-2022", "eddsa-jcs-2022", "Ed25519Signature2020"} {
		body, _ := json.Marshal(map[string]any{"name": instanceName(format), "issuer": acct.DIDKey, "format": format})
		if r := tn.do(t, "POST", "/v1/issuer-instances", acct.Token, body); r.status != 201 {
			t.Fatalf("instance %s: %d %s", format, r.status, r.body)
		}
	}
	return &diSuiteEnv{tn: tn, acct: acct}
}

// instanceName is the issuer instance of a format (instance names are
// lower case).
func instanceName(format string) string { return strings.ToLower(format) }

// issue is the suites' createInitialVc: the credential with a fresh
// urn:uuid id and the instance's issuer, posted with no options; 201 and
// the verifiable credential.
func (e *diSuiteEnv) issue(t *testing.T, instance string, credential map[string]any) map[string]any {
	t.Helper()
	c := clone(t, credential)
	c["id"] = "urn:uuid:" + uuid4()
	c["issuer"] = e.acct.DIDKey
	body, _ := json.Marshal(map[string]any{"credential": c})
	r := e.tn.do(t, "POST", "/issuers/"+instanceName(instance)+"/credentials/issue", e.acct.Token, body)
	if r.status != 201 {
		t.Fatalf("issue through %s: %d %s", instance, r.status, r.body)
	}
	var out struct {
		VerifiableCredential map[string]any `json:"verifiableCredential"`
	}
	if err := json.Unmarshal(r.body, &out); err != nil || out.VerifiableCredential == nil {
		t.Fatalf("issue through %s: %s", instance, r.body)
	}
	return out.VerifiableCredential
}

// verdict is the answer of POST /credentials/verify.
type verdict struct {
	status   int
	verified bool
	failed   []string // the checks that failed
	problem  string   // the code of a problem+json answer
	body     []byte
}

// verify posts the suites' verify body: the credential and options with
// checks ["proof"] and any others given.
func (e *diSuiteEnv) verify(t *testing.T, vc any, options map[string]any) verdict {
	t.Helper()
	o := map[string]any{"checks": []any{"proof"}}
	for k, v := range options {
		o[k] = v
	}
	body, err := json.Marshal(map[string]any{"verifiableCredential": vc, "options": o})
	if err != nil {
		t.Fatal(err)
	}
	r := e.tn.do(t, "POST", "/credentials/verify", "", body)
	v := verdict{status: r.status, body: r.body}
	var res struct {
		Verified *bool `json:"verified"`
		Checks   []struct {
			Name   string `json:"name"`
			Status string `json:"status"`
		} `json:"checks"`
		Code string `json:"code"`
	}
	_ = json.Unmarshal(r.body, &res)
	if res.Verified != nil {
		v.verified = *res.Verified
	}
	for _, c := range res.Checks {
		if c.Status == "failed" {
			v.failed = append(v.failed, c.Name)
		}
	}
	// A failed verification is a 400 problem carrying its verdict (VCALM);
	// only a problem without a verdict is a request refused before any check.
	if strings.HasPrefix(r.ctype, "application/problem+json") && res.Verified == nil {
		v.problem = res.Code
	}
	return v
}

// wantSuccess is the suites' verificationSuccess: 200, verified.
func (v verdict) wantSuccess(t *testing.T) {
	t.Helper()
	if v.status != 200 || !v.verified {
		t.Errorf("want 200 and verified, got %d: %s", v.status, v.body)
	}
}

// wantFailure is the suites' verificationFail (400 or 422), asserted on
// the verdict: not verified, and check among the failed checks — or, for
// a request refused before any check (problem+json), the problem's code
// starts with problem.
func (v verdict) wantFailure(t *testing.T, check, problem string) {
	t.Helper()
	if v.status != 400 && v.status != 422 {
		t.Errorf("want 400 or 422, got %d: %s", v.status, v.body)
		return
	}
	if v.problem != "" {
		if problem == "" || !strings.HasPrefix(v.problem, problem) {
			t.Errorf("want the %s check failed, got the problem %s: %s", check, v.problem, v.body)
		}
		return
	}
	if v.verified || !slices.Contains(v.failed, check) {
		t.Errorf("want verified false with the %s check failed, got %v: %s", check, v.failed, v.body)
	}
}

// suiteKey is the key the suites' generators sign their test data with
// (a did:key of their own; here a fresh one).
type suiteKey struct {
	key *keys.PrivateKey
	did string
}

func newSuiteKey(t *testing.T) suiteKey {
	t.Helper()
	k := keytest.New(t, keys.Ed25519)
	return suiteKey{key: k, did: did.KeyDID(k.Public())}
}

func (k suiteKey) vm() string { return k.did + "#" + k.key.Public().Multibase() }

// proofOptions are the options of the suites' DataIntegrityProof (or
// Ed25519Signature2020) suite: type, cryptosuite, created to the second,
// verificationMethod and proofPurpose assertionMethod, in that order.
func (k suiteKey) proofOptions(proofType, cryptosuite string) map[string]any {
	p := map[string]any{
		"type":               proofType,
		"created":            time.Now().UTC().Format("2006-01-02T15:04:05Z"),
		"verificationMethod": k.vm(),
		"proofPurpose":       "assertionMethod",
	}
	if cryptosuite != "" {
		p["cryptosuite"] = cryptosuite
	}
	return p
}

// signAs adds proof to doc with its proofValue: the base58btc multibase
// signature of hash(canonical proof configuration) ‖ hash(canonical
// document), the canonical forms being those of canon (a cryptosuite name)
// or, when canon is nil, of transform. It is the suites' generators'
// DataIntegrityProof.createProof with whatever they mutated: the proof
// options, the canonicalization, the digest.
func (k suiteKey) signAs(t *testing.T, doc, proof map[string]any, canon string, hash func([]byte) []byte) map[string]any {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	canonDoc, canonConfig, err := ldproof.CanonicalForms(canon, b, proof)
	if err != nil {
		t.Fatalf("canonical forms (%s): %v", canon, err)
	}
	return k.signed(t, doc, proof, canonDoc, canonConfig, hash)
}

func (k suiteKey) signed(t *testing.T, doc, proof map[string]any, canonDoc, canonConfig []byte, hash func([]byte) []byte) map[string]any {
	t.Helper()
	sig, err := k.key.Sign(append(hash(canonConfig), hash(canonDoc)...))
	if err != nil {
		t.Fatal(err)
	}
	p := clone(t, proof)
	p["proofValue"] = "z" + base58.Encode(sig)
	out := clone(t, doc)
	out["proof"] = p
	return out
}

func sha256Sum(b []byte) []byte { s := sha256.Sum256(b); return s[:] }
func sha512Sum(b []byte) []byte { s := sha512.Sum512(b); return s[:] }

// clone deep-copies a JSON object.
func clone(t testing.TB, m map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// uuid4 is a fresh id in the form of a version 4 UUID (the suites'
// uuidv4()), unique within a test run.
func uuid4() string {
	n := uuidCounter.Add(1)
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", uint32(time.Now().Unix()), n>>48&0xffff, n>>36&0xfff, n>>24&0xfff, n&0xffffffffffff)
}

var uuidCounter atomic.Uint64

func proofsOf(vc map[string]any) []map[string]any {
	switch p := vc["proof"].(type) {
	case map[string]any:
		return []map[string]any{p}
	case []any:
		var out []map[string]any
		for _, e := range p {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

// The suites' credentials to issue.
var (
	// diAssertionValidVc is data-integrity-test-suite-assertion's validVc.json.
	diAssertionValidVc = map[string]any{
		"@context":          []any{suiteCtxV2},
		"type":              []any{"VerifiableCredential"},
		"credentialSubject": map[string]any{"name": "Alice"},
	}
	// eddsaValidVc is vc-di-eddsa-test-suite's tests/vc-generator/validVc.js.
	eddsaValidVc = map[string]any{
		"@context":          []any{suiteCtxV2},
		"id":                "urn:uuid:86294362-4254-4f36-854f-3952fe42555d",
		"type":              []any{"VerifiableCredential"},
		"credentialSubject": map[string]any{"id": "did:key:z6MktKwz7Ge1Yxzr4JHavN33wiwa8y81QdcMRLXQsrH9T53b", "name": "ExampleClaim"},
	}
	// unsecuredV11 is data-integrity-test-suite-assertion's
	// inputs/credentials/v1.1/unsecured.json: the VC 1.1 form the suites
	// issue too.
	unsecuredV11 = map[string]any{
		"@context":          []any{suiteCtxV1, map[string]any{"@context": map[string]any{"name": "https://schema.org/name"}}},
		"id":                "urn:uuid:86294362-4254-4f36-854f-3952fe42555d",
		"type":              []any{"VerifiableCredential"},
		"issuanceDate":      "2020-03-16T22:37:26.544Z",
		"credentialSubject": map[string]any{"id": "did:example:credentialSubject", "name": "Example"},
	}
)

// dateRegex is the suites' XML Schema 1.1 dateTimeStamp pattern.
var dateRegex = regexp.MustCompile(`-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|(24:00:00(\.0+)?))(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))`)

var bs58 = regexp.MustCompile(`^[123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz]+$`)

// expand is jsonld.expand with the embedded contexts (nothing fetched).
func expand(t *testing.T, doc map[string]any) []any {
	t.Helper()
	loader, err := ldproof.DocumentLoader()
	if err != nil {
		t.Fatal(err)
	}
	o := ld.NewJsonLdOptions("")
	o.DocumentLoader = loader
	out, err := ld.NewJsonLdProcessor().Expand(clone(t, doc), o)
	if err != nil {
		t.Fatalf("expand: %v", err)
	}
	return out
}

// isURL is the suites' shouldBeUrl: new URL(u) parses.
func isURL(u string) bool {
	p, err := url.Parse(u)
	return err == nil && p.Scheme != ""
}

// mapsToURL is the suites' shouldMapToUrl: every expanded node has term,
// each value's prop a URL.
func mapsToURL(t *testing.T, doc map[string]any, term, prop string) error {
	for _, n := range expand(t, doc) {
		vals, _ := n.(map[string]any)[term].([]any)
		if len(vals) == 0 {
			return fmt.Errorf("%s does not exist", term)
		}
		for _, v := range vals {
			s, _ := v.(map[string]any)[prop].(string)
			if !isURL(s) {
				return fmt.Errorf("%s %s %v is not a URL", term, prop, v)
			}
		}
	}
	return nil
}

// diCreateRows is suites/create.js of data-integrity-test-suite-assertion
// (runDataIntegrityProofFormatTests), each row checking the issued
// credential data; cryptosuiteName "" leaves out the cryptosuite rows.
func diCreateRows(t *testing.T, data map[string]any, expectedProofTypes []string, cryptosuiteName string) {
	proofs := proofsOf(data)
	ctx, _ := data["@context"].([]any)
	hasCtx := func(u string) bool { return slices.Contains(ctx, any(u)) }
	type row struct {
		title string
		check func() error
	}
	rows := []row{
		{"When expressing a data integrity proof on an object, a proof property MUST be used.", func() error {
			if data["proof"] == nil {
				return fmt.Errorf("no proof")
			}
			return nil
		}},
		{"If present (proof), its value MUST be either a single object, or an unordered set of objects", func() error {
			if len(proofs) == 0 {
				return fmt.Errorf("proof %v", data["proof"])
			}
			return nil
		}},
		{`("proof.id") An optional identifier for the proof, which MUST be a URL.`, func() error {
			for _, p := range proofs {
				if id, ok := p["id"]; ok && !isURL(fmt.Sprint(id)) {
					return fmt.Errorf("proof.id %v", id)
				}
			}
			return nil
		}},
		{"The specific proof type used for the cryptographic proof MUST be specified as a string that maps to a URL.", func() error {
			for _, p := range proofs {
				typ, ok := p["type"].(string)
				if !ok {
					return fmt.Errorf("proof.type %v", p["type"])
				}
				for _, n := range expand(t, map[string]any{"@context": data["@context"], "type": typ}) {
					types, _ := n.(map[string]any)["@type"].([]any)
					if len(types) == 0 {
						return fmt.Errorf("no @type")
					}
					for _, u := range types {
						if !isURL(fmt.Sprint(u)) {
							return fmt.Errorf("@type %v", u)
						}
					}
				}
			}
			return nil
		}},
		{fmt.Sprintf(`"proof.type" field MUST be "%s" and the associated document MUST include expected contexts.`, strings.Join(expectedProofTypes, ",")), func() error {
			for _, p := range proofs {
				typ, _ := p["type"].(string)
				if !slices.Contains(expectedProofTypes, typ) {
					return fmt.Errorf("proof.type %q", typ)
				}
				if typ == "DataIntegrityProof" && !hasCtx(suiteCtxV2) && !hasCtx(suiteCtxDIV2) {
					return fmt.Errorf("@context %v", ctx)
				}
				if typ == "Ed25519Signature2020" && !hasCtx(suiteCtxEd25519) {
					return fmt.Errorf("@context %v", ctx)
				}
			}
			return nil
		}},
		{"If the proof type is DataIntegrityProof, cryptosuite MUST be specified; otherwise, cryptosuite MAY be specified. If specified, its value MUST be a string.", func() error {
			for _, p := range proofs {
				if _, ok := p["cryptosuite"].(string); p["type"] == "DataIntegrityProof" && !ok {
					return fmt.Errorf("cryptosuite %v", p["cryptosuite"])
				}
			}
			return nil
		}},
		{`if "proof.created" field exists, it MUST be a valid XMLSCHEMA-11 dateTimeStamp value.`, func() error { return optionalDates(proofs, "created") }},
		{`if "proof.expires" field exists, it MUST be a valid XMLSCHEMA-11 dateTimeStamp value.`, func() error { return optionalDates(proofs, "expires") }},
		{"A verification method is the means and information needed to verify the proof. If included, the value MUST be a string that maps to a [URL]", func() error {
			for _, p := range proofs {
				if err := mapsToURL(t, proofDoc(t, data, p), "https://w3id.org/security#verificationMethod", "@id"); err != nil {
					return err
				}
			}
			return nil
		}},
		{`The reason the proof was created ("proof.proofPurpose") MUST be specified as a string that maps to a URL`, func() error {
			for _, p := range proofs {
				if _, ok := p["proofPurpose"].(string); !ok {
					return fmt.Errorf("proofPurpose %v", p["proofPurpose"])
				}
				if err := mapsToURL(t, proofDoc(t, data, p), "https://w3id.org/security#proofPurpose", "@id"); err != nil {
					return err
				}
			}
			return nil
		}},
		{`"proof.proofValue" field MUST exist and be a string.`, func() error {
			for _, p := range proofs {
				if _, ok := p["proofValue"].(string); !ok {
					return fmt.Errorf("proofValue %v", p["proofValue"])
				}
			}
			return nil
		}},
		{`The contents of the value ("proof.proofValue") MUST be expressed with a header and encoding as described in Section 2.4 Multibase.`, func() error {
			for _, p := range proofs {
				pv, _ := p["proofValue"].(string)
				if !strings.HasPrefix(pv, "z") || !bs58.MatchString(pv) {
					return fmt.Errorf("proofValue %q", pv)
				}
			}
			return nil
		}},
		{"The domain property is OPTIONAL. It conveys one or more security domains in which the proof is meant to be used. If specified, the associated value MUST be either a string, or an unordered set of strings. A verifier SHOULD use the value to ensure that the proof was intended to be used in the security domain in which the verifier is operating.", func() error {
			for _, p := range proofs {
				switch d := p["domain"].(type) {
				case nil, string:
				case []any:
					for _, e := range d {
						if _, ok := e.(string); !ok {
							return fmt.Errorf("domain %v", d)
						}
					}
				default:
					return fmt.Errorf("domain %v", d)
				}
			}
			return nil
		}},
		{`if "proof.challenge" field exists, it MUST be a string.`, func() error {
			for _, p := range proofs {
				if c, ok := p["challenge"]; ok {
					if _, isStr := c.(string); !isStr || p["domain"] == nil {
						return fmt.Errorf("challenge %v, domain %v", c, p["domain"])
					}
				}
			}
			return nil
		}},
		{`if "proof.previousProof" field exists, it MUST be a string.`, func() error { return optionalStrings(proofs, "previousProof") }},
		{`if "proof.nonce" field exists, it MUST be a string.`, func() error { return optionalStrings(proofs, "nonce") }},
	}
	if cryptosuiteName != "" {
		rows = append(rows,
			row{"The value of the cryptosuite property MUST be a string that identifies the cryptographic suite.", func() error {
				if !slices.ContainsFunc(proofs, func(p map[string]any) bool { return p["cryptosuite"] == cryptosuiteName }) {
					return fmt.Errorf("no proof with cryptosuite %s", cryptosuiteName)
				}
				return nil
			}},
			row{"The value of the cryptosuite property MUST be a string that identifies the cryptographic suite. If the processing environment supports subtypes of string, the type of the cryptosuite value MUST be the https://w3id.org/security#cryptosuiteString subtype of string.", func() error {
				for _, p := range proofs {
					for _, n := range expand(t, map[string]any{"@context": data["@context"], "cryptosuite": p["cryptosuite"], "type": p["type"]}) {
						vals, _ := n.(map[string]any)["https://w3id.org/security#cryptosuite"].([]any)
						if !slices.ContainsFunc(vals, func(v any) bool {
							m, _ := v.(map[string]any)
							return m["@type"] == "https://w3id.org/security#cryptosuiteString" && m["@value"] == cryptosuiteName
						}) {
							return fmt.Errorf("security#cryptosuite %v", vals)
						}
					}
				}
				return nil
			}},
		)
	}
	for _, r := range rows {
		t.Run(r.title, func(t *testing.T) {
			if err := r.check(); err != nil {
				t.Errorf("%v\n%s", err, mustJSON(data))
			}
		})
	}
}

// proofDoc is the suites' {'@context': data['@context'], ...proof}.
func proofDoc(t *testing.T, data, p map[string]any) map[string]any {
	d := clone(t, p)
	if _, ok := p["@context"]; !ok {
		d["@context"] = data["@context"]
	}
	return d
}

// optionalStrings: member, where a proof has it, is a string.
func optionalStrings(proofs []map[string]any, member string) error {
	for _, p := range proofs {
		if c, ok := p[member]; ok {
			if _, isStr := c.(string); !isStr {
				return fmt.Errorf("%s %v", member, c)
			}
		}
	}
	return nil
}

// optionalDates: member, where a proof has it, matches dateRegex.
func optionalDates(proofs []map[string]any, member string) error {
	for _, p := range proofs {
		if c, ok := p[member]; ok && !dateRegex.MatchString(fmt.Sprint(c)) {
			return fmt.Errorf("%s %v", member, c)
		}
	}
	return nil
}

func mustJSON(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// resolveVM dereferences a did:key verification method as the suites'
// documentLoader does: the method and its controller document.
func resolveVM(t *testing.T, vm string) (*did.VerificationMethod, *did.Document) {
	t.Helper()
	u, err := did.ParseDIDURL(vm)
	if err != nil {
		t.Fatalf("verificationMethod %q: %v", vm, err)
	}
	res, err := did.NewResolver(map[string]did.MethodResolver{"key": did.KeyMethod{}}).Resolve(context.Background(), u.DID, did.Options{})
	if err != nil || res.Document == nil {
		t.Fatalf("resolve %s: %v", u.DID, err)
	}
	m, ok := res.Document.Method(vm)
	if !ok {
		t.Fatalf("%s has no method %s", u.DID, vm)
	}
	return m, res.Document
}

// diVerifyData is the test data of data-integrity-test-suite-assertion's
// vc-generator (generators.js: mandatory, dates, authentication), made
// with proofType/cryptosuite (the generator's default suite is the legacy
// eddsa-2022, RDFC-1.0) by a did:key of the suite's own over its validVc
// (issuer: the key's controller).
func diVerifyData(t *testing.T, k suiteKey, proofType, cryptosuite string, validVc map[string]any) map[string]map[string]any {
	canon := cryptosuite
	if proofType != "DataIntegrityProof" {
		canon = proofType
	}
	if canon == "eddsa-2022" {
		canon = "eddsa-rdfc-2022"
	}
	cred := clone(t, validVc)
	cred["issuer"] = k.did
	sign := func(mutate func(p map[string]any), doc map[string]any) map[string]any {
		p := k.proofOptions(proofType, cryptosuite)
		if mutate != nil {
			mutate(p)
		}
		if doc == nil {
			doc = cred
		}
		if signed, ok := trySign(t, k, doc, p, canon); ok {
			return signed
		}
		// What such a proof signs cannot be computed in safe mode (a
		// relative IRI would be dropped): it gets a signature over
		// nothing, and a verifier refuses it before any signature check.
		p["proofValue"] = "z" + base58.Encode(make([]byte, 64))
		out := clone(t, doc)
		out["proof"] = p
		return out
	}
	now := time.Now().UTC()
	out := map[string]map[string]any{
		"issuedVc":             sign(nil, nil),
		"noVerificationMethod": sign(func(p map[string]any) { delete(p, "verificationMethod") }, nil),
		"noProofPurpose":       sign(func(p map[string]any) { delete(p, "proofPurpose") }, nil),
		"invalidProofPurpose":  sign(func(p map[string]any) { p["proofPurpose"] = "invalidPurpose" }, nil),
		"invalidProofType":     sign(func(p map[string]any) { p["type"] = "UnknownProofType" }, nil),
		"invalidCryptosuite":   sign(func(p map[string]any) { p["cryptosuite"] = "UnknownCryptosuite" }, nil),
		"invalidVm":            sign(func(p map[string]any) { p["verificationMethod"] = "did:key:invalidVm" }, nil),
		"invalidCreated":       sign(func(p map[string]any) { p["created"] = "invalidDate" }, nil),
		"invalidExpires":       sign(func(p map[string]any) { p["expires"] = "invalidDate" }, nil),
		"noCreated":            sign(func(p map[string]any) { delete(p, "created") }, nil),
		"createdOneYearAgo":    sign(func(p map[string]any) { p["created"] = now.AddDate(0, 0, -365).Format("2006-01-02T15:04:05Z") }, nil),
		"noOffsetCreated":      sign(func(p map[string]any) { p["created"] = now.Format("2006-01-02T15:04:05") }, nil),
		"noOffsetExpires":      sign(func(p map[string]any) { p["expires"] = now.Format("2006-01-02T15:04:05") }, nil),
		// AuthenticationProofPurpose({challenge, domain}).
		"invalidDomain": sign(func(p map[string]any) {
			p["proofPurpose"], p["challenge"], p["domain"] = "authentication", "1235abcd6789", "invalid-vc-domain.example.com"
		}, nil),
		"invalidChallenge": sign(func(p map[string]any) {
			p["proofPurpose"], p["challenge"], p["domain"] = "authentication", "invalid-challenge", "domain.example"
		}, nil),
	}
	// undefinedTerm: credentialSubject.undefinedTerm, signed the way a
	// JSON-LD processor that drops it would sign: over the credential
	// without it (the dropped data is not in the canonical form).
	undef := clone(t, out["issuedVc"])
	undef["credentialSubject"].(map[string]any)["undefinedTerm"] = "undefinedTerm"
	out["undefinedTerm"] = undef
	// invalidBaseUrl: signed with {"@base": …} in @context and a relative
	// type, then the @base context dropped (cleanups.invalidBaseUrl).
	based := clone(t, cred)
	based["@context"] = append(slices.Clone(based["@context"].([]any)), map[string]any{"@base": "https://invalid.example.com/"})
	based["type"] = append(slices.Clone(based["type"].([]any)), "UndefinedCredential")
	if signed, ok := trySign(t, k, based, k.proofOptions(proofType, cryptosuite), canon); ok {
		signed["@context"] = cred["@context"]
		out["invalidBaseUrl"] = signed
	}
	return out
}

// trySign is signAs that reports a canonicalization error (weid's own
// RDFC-1.0 refuses some inputs the suites' JavaScript signs) instead of
// failing.
func trySign(t *testing.T, k suiteKey, doc, proof map[string]any, canon string) (map[string]any, bool) {
	b, _ := json.Marshal(doc)
	canonDoc, canonConfig, err := ldproof.CanonicalForms(canon, b, proof)
	if err != nil {
		t.Logf("not signed (%v): the row's credential is left out", err)
		return nil, false
	}
	return k.signed(t, doc, proof, canonDoc, canonConfig, sha256Sum), true
}

// diVerifyRows is suites/verify.js of data-integrity-test-suite-assertion
// (runDataIntegrityProofVerifyTests, optional tests created and
// authentication), run against POST /credentials/verify.
func diVerifyRows(t *testing.T, e *diSuiteEnv, data map[string]map[string]any, expectedProofType string) {
	get := func(name string) map[string]any { return clone(t, data[name]) }
	fail := func(vc any, options map[string]any) { e.verify(t, vc, options).wantFailure(t, "proof", "") }
	rows := []struct {
		title string
		run   func(t *testing.T)
	}{
		{"Conforming processors MUST produce errors when non-conforming documents are consumed.", func(t *testing.T) {
			e.verify(t, get("invalidProofType"), nil).wantFailure(t, "proof", "")
		}},
		{`If the "proof" field is missing, an error MUST be raised.`, func(t *testing.T) {
			vc := get("issuedVc")
			delete(vc, "proof")
			e.verify(t, vc, nil).wantFailure(t, "proof", "credential.")
		}},
		{`If the "proof" field is invalid, an error MUST be raised.`, func(t *testing.T) {
			vc := get("issuedVc")
			vc["proof"] = nil
			e.verify(t, vc, nil).wantFailure(t, "proof", "credential.")
		}},
		{`If the "proof.type" field is missing, an error MUST be raised.`, func(t *testing.T) {
			vc := get("issuedVc")
			delete(vc["proof"].(map[string]any), "type")
			e.verify(t, vc, nil).wantFailure(t, "proof", "credential.")
		}},
		{fmt.Sprintf(`If the "proof.type" field is not the string "%s", an error MUST be raised.`, expectedProofType), func(t *testing.T) {
			e.verify(t, get("invalidProofType"), nil).wantFailure(t, "proof", "")
		}},
		{`If the "proof.verificationMethod" field is missing, an error MUST be raised.`, func(t *testing.T) {
			fail(get("noVerificationMethod"), nil)
		}},
		{`If the "proof.verificationMethod" field is invalid, an error MUST be raised.`, func(t *testing.T) {
			fail(get("invalidVm"), nil)
		}},
		{`If the "proof.proofPurpose" field is missing, an error MUST be raised.`, func(t *testing.T) {
			fail(get("noProofPurpose"), nil)
		}},
		{`If the "proof.proofPurpose" field is invalid, an error MUST be raised.`, func(t *testing.T) {
			fail(get("invalidProofPurpose"), nil)
		}},
		{`If the "proof.proofPurpose" value does not match "options.expectedProofPurpose", an error MUST be raised.`, func(t *testing.T) {
			fail(get("issuedVc"), map[string]any{"expectedProofPurpose": "authentication"})
		}},
		{"The proofValue property MUST be used, as specified in 2.1 Proofs.", func(t *testing.T) {
			vc := get("issuedVc")
			delete(vc["proof"].(map[string]any), "proofValue")
			fail(vc, nil)
			vc = get("issuedVc")
			vc["proof"].(map[string]any)["proofValue"] = nil
			fail(vc, nil)
			vc = get("issuedVc")
			p := vc["proof"].(map[string]any)
			p["proofValue"] = p["proofValue"].(string)[1:]
			fail(vc, nil)
		}},
		{`If the "proof.proofValue" field is not multibase-encoded, an error MUST be raised.`, func(t *testing.T) {
			vc := get("issuedVc")
			p := vc["proof"].(map[string]any)
			p["proofValue"] = p["proofValue"].(string)[1:]
			fail(vc, nil)
		}},
		{"Implementations that use JSON-LD processing, such as RDF Dataset Canonicalization [RDF-CANON], MUST throw an error, which SHOULD be DATA_LOSS_DETECTION_ERROR, when data is dropped by a JSON-LD processor, such as when an undefined term is detected in an input document.", func(t *testing.T) {
			fail(get("undefinedTerm"), nil)
			vc := get("issuedVc")
			vc["credentialSubject"].(map[string]any)["undefinedTerm"] = "IfDroppedWillVerify"
			fail(vc, nil)
			vc = get("issuedVc")
			vc["type"] = append(vc["type"].([]any), "UndefinedType")
			fail(vc, nil)
			if data["invalidBaseUrl"] != nil {
				fail(get("invalidBaseUrl"), nil)
			}
		}},
		{"The date and time the proof was created is OPTIONAL and, if included, MUST be specified as an [XMLSCHEMA11-2] dateTimeStamp string, either in Universal Coordinated Time (UTC), denoted by a Z at the end of the value, or with a time zone offset relative to UTC.", func(t *testing.T) {
			fail(get("invalidCreated"), nil)
			fail(get("invalidExpires"), nil)
			e.verify(t, get("noCreated"), nil).wantSuccess(t)
			e.verify(t, get("createdOneYearAgo"), nil).wantSuccess(t)
		}},
		// An earlier verify.js asserted failure for both rows below; the
		// newest dropped them. VC Data Integrity §2.1: "Time values that
		// are incorrectly serialized without an offset MUST be interpreted
		// as UTC" — so the created one verifies, and the expires one (now,
		// as UTC) has expired.
		{"(created) Time values that are incorrectly serialized without an offset MUST be interpreted as UTC.", func(t *testing.T) {
			e.verify(t, get("noOffsetCreated"), nil).wantSuccess(t)
		}},
		{"(expires) Time values that are incorrectly serialized without an offset MUST be interpreted as UTC.", func(t *testing.T) {
			fail(get("noOffsetExpires"), nil)
		}},
		{"The value of the cryptosuite property MUST be a string that identifies the cryptographic suite. If the processing environment supports subtypes of string, the type of the cryptosuite value MUST be the https://w3id.org/security#cryptosuiteString subtype of string.", func(t *testing.T) {
			fail(get("invalidCryptosuite"), nil)
		}},
		{"If options has a non-null domain item, it MUST be equal to proof.domain or an error MUST be raised and SHOULD convey an error type of PROOF_GENERATION_ERROR.", func(t *testing.T) {
			fail(get("invalidDomain"), map[string]any{"domain": "domain.example"})
			// The same with the proof purpose it has asked for: only the
			// domain is wrong (VC Data Integrity §4.4).
			fail(get("invalidDomain"), map[string]any{"domain": "domain.example", "expectedProofPurpose": "authentication"})
			e.verify(t, get("invalidDomain"), map[string]any{"domain": "invalid-vc-domain.example.com", "challenge": "1235abcd6789", "expectedProofPurpose": "authentication"}).wantSuccess(t)
		}},
		{"If options has a non-null challenge item, it MUST be equal to proof.challenge or an error MUST be raised and SHOULD convey an error type of PROOF_GENERATION_ERROR.", func(t *testing.T) {
			fail(get("invalidChallenge"), map[string]any{"domain": "domain.example", "challenge": "1235abcd6789"})
			fail(get("invalidChallenge"), map[string]any{"domain": "domain.example", "challenge": "1235abcd6789", "expectedProofPurpose": "authentication"})
		}},
		// The generator's valid credential verifies, and with the proof
		// purpose it has asked for.
		{"(sanity) the generator's issuedVc verifies", func(t *testing.T) {
			e.verify(t, get("issuedVc"), nil).wantSuccess(t)
			e.verify(t, get("issuedVc"), map[string]any{"expectedProofPurpose": "assertionMethod"}).wantSuccess(t)
		}},
	}
	for _, r := range rows {
		t.Run(r.title, r.run)
	}
}

// withProofValue returns vc with its proof's proofValue replaced by the
// base58btc multibase of f(the decoded signature).
func withProofValue(t *testing.T, vc map[string]any, f func([]byte) []byte) map[string]any {
	out := clone(t, vc)
	p := out["proof"].(map[string]any)
	sig, err := base58.Decode(p["proofValue"].(string)[1:])
	if err != nil {
		t.Fatal(err)
	}
	p["proofValue"] = "z" + base58.Encode(f(sig))
	return out
}

func plus32(sig []byte) []byte {
	extra := make([]byte, 32)
	_, _ = rand.Read(extra)
	return append(slices.Clone(sig), extra...)
}

// TestDISuite_EdDSA replays w3c/vc-di-eddsa-test-suite for eddsa-rdfc-2022
// and eddsa-jcs-2022 (VC DI EdDSA 1.0 §3): the Data Integrity assertion
// suite's issuer rows (05-di-rdfc-create.js, 35-di-jcs-create.js) on VC
// 2.0 and 1.1 credentials, the suite's own issuer rows (10-rdfc-create.js,
// 70-data-model.js, 80-algorithms-*.js), the assertion suite's verifier
// rows (15-di-rdfc-verify.js, 45-di-jcs-verify.js) and the suite's
// verifier rows (20-rdfc-verify.js, 50-jcs-verify.js).
func TestDISuite_EdDSA(t *testing.T) {
	e := newDISuiteEnv(t)
	for _, cryptosuite := range []string{"eddsa-rdfc-2022", "eddsa-jcs-2022"} {
		t.Run(cryptosuite, func(t *testing.T) {
			t.Run("create", func(t *testing.T) {
				e.issuedRows(t, cryptosuite, []namedVC{{"VC 2.0 validVc.json", diAssertionValidVc}, {"VC 2.0 vc-generator/validVc.js", eddsaValidVc}, {"VC 1.1 unsecured.json", unsecuredV11}},
					func(t *testing.T, issued map[string]any) {
						diCreateRows(t, issued, []string{"DataIntegrityProof"}, cryptosuite)
						eddsaIssuerRows(t, e, issued, cryptosuite)
					})
			})
			t.Run("verify", func(t *testing.T) {
				k := newSuiteKey(t)
				// 15-di-rdfc-verify.js, 45-di-jcs-verify.js: the assertion
				// suite's generator, its default cryptosuite (eddsa-2022).
				t.Run("Data Integrity ("+cryptosuite+" verifiers)", func(t *testing.T) {
					diVerifyRows(t, e, diVerifyData(t, k, "DataIntegrityProof", "eddsa-2022", diAssertionValidVc), "DataIntegrityProof")
				})
				t.Run(cryptosuite+" (verifier)", func(t *testing.T) {
					eddsaVerifierRows(t, e, k, cryptosuite)
				})
			})
		})
	}
}

// eddsaIssuerRows are the eddsa suite's issuer rows on a credential an
// instance issued: 10-rdfc-create.js (and 40-jcs-create.js),
// 70-data-model.js, 80-algorithms-rdfc.js and 80-algorithms-jcs.js.
// namedVC is a suite's input credential and the name its rows go under.
type namedVC struct {
	name string
	vc   map[string]any
}

// issuedRows runs rows, under each input's name, on the credential
// instance issues from it.
func (e *diSuiteEnv) issuedRows(t *testing.T, instance string, inputs []namedVC, rows func(t *testing.T, issued map[string]any)) {
	t.Helper()
	for _, in := range inputs {
		t.Run(in.name, func(t *testing.T) { rows(t, e.issue(t, instance, in.vc)) })
	}
}

// rowCreatedProofValueLength is the proofValue length row of the
// eddsa-rdfc-2022, eddsa-jcs-2022 and Ed25519Signature2020 issuer suites.
const rowCreatedProofValueLength = `"proofValue" field when decoded to raw bytes, MUST be 64 bytes in length if the associated public key is 32 bytes or 114 bytes in length if the public key is 57 bytes.`

// ed25519ProofValue checks that proof p's proofValue is an Ed25519
// signature, 64 bytes, by a 32-byte key (RFC 8032 §5.1.5, §5.1.6).
func ed25519ProofValue(t *testing.T, p map[string]any) error {
	b, err := base58.Decode(strings.TrimPrefix(fmt.Sprint(p["proofValue"]), "z"))
	m, _ := resolveVM(t, fmt.Sprint(p["verificationMethod"]))
	pk, _ := m.PublicKey()
	if err != nil || len(b) != 64 || len(pk.Bytes) != 32 {
		return fmt.Errorf("proofValue of %d bytes (%v), key of %d", len(b), err, len(pk.Bytes))
	}
	return nil
}

func eddsaIssuerRows(t *testing.T, e *diSuiteEnv, issued map[string]any, cryptosuite string) {
	proofs := slices.DeleteFunc(proofsOf(issued), func(p map[string]any) bool { return p["cryptosuite"] != cryptosuite })
	if len(proofs) == 0 {
		t.Fatalf("no %s proof: %s", cryptosuite, mustJSON(issued))
	}
	type row struct {
		title string
		check func(p map[string]any) error
	}
	rows := []row{
		// 10-rdfc-create.js
		{fmt.Sprintf(`The field "cryptosuite" MUST be "%s".`, cryptosuite), func(p map[string]any) error {
			if p["cryptosuite"] != cryptosuite {
				return fmt.Errorf("cryptosuite %v", p["cryptosuite"])
			}
			return nil
		}},
		{`Dereferencing the "verificationMethod" MUST result in an object containing a type property with "Multikey" value.`, func(p map[string]any) error {
			if m, _ := resolveVM(t, p["verificationMethod"].(string)); m.Type != "Multikey" {
				return fmt.Errorf("type %s", m.Type)
			}
			return nil
		}},
		{`The "proof.proofPurpose" field MUST match the verification relationship expressed by the verification method controller.`, func(p map[string]any) error {
			_, doc := resolveVM(t, p["verificationMethod"].(string))
			b, _ := json.Marshal(doc)
			var m map[string]any
			_ = json.Unmarshal(b, &m)
			if _, ok := m[p["proofPurpose"].(string)]; !ok {
				return fmt.Errorf("the controller document has no %v", p["proofPurpose"])
			}
			return nil
		}},
		{`The "publicKeyMultibase" value of the verification method MUST be 34 bytes in length and starts with the base-58-btc prefix (z).`, func(p map[string]any) error {
			m, _ := resolveVM(t, p["verificationMethod"].(string))
			b, err := base58.Decode(strings.TrimPrefix(m.PublicKeyMultibase, "z"))
			if !strings.HasPrefix(m.PublicKeyMultibase, "z") || err != nil || len(b) != 34 {
				return fmt.Errorf("publicKeyMultibase %q (%d bytes)", m.PublicKeyMultibase, len(b))
			}
			return nil
		}},
		{rowCreatedProofValueLength, func(p map[string]any) error { return ed25519ProofValue(t, p) }},
		// 70-data-model.js (Verification Methods, Proof Representations)
		{"The publicKeyMultibase value of the verification method MUST start with the base-58-btc prefix (z), as defined in the Multibase section of Controller Documents 1.0.", func(p map[string]any) error {
			m, _ := resolveVM(t, p["verificationMethod"].(string))
			if !strings.HasPrefix(m.PublicKeyMultibase, "z") || !bs58.MatchString(m.PublicKeyMultibase) {
				return fmt.Errorf("publicKeyMultibase %q", m.PublicKeyMultibase)
			}
			return nil
		}},
		{"The type property MUST be DataIntegrityProof.", func(p map[string]any) error {
			if p["type"] != "DataIntegrityProof" {
				return fmt.Errorf("type %v", p["type"])
			}
			return nil
		}},
		{"The cryptosuite property of the proof MUST be eddsa-rdfc-2022 or eddsa-jcs-2022.", func(p map[string]any) error {
			if p["cryptosuite"] != "eddsa-rdfc-2022" && p["cryptosuite"] != "eddsa-jcs-2022" {
				return fmt.Errorf("cryptosuite %v", p["cryptosuite"])
			}
			return nil
		}},
		{"The proofValue property of the proof MUST be a detached EdDSA signature produced according to [RFC8032], encoded using the base-58-btc header and alphabet as described in the Multibase section of Controller Documents 1.0.", func(p map[string]any) error {
			m, _ := resolveVM(t, p["verificationMethod"].(string))
			pk, err := keys.ParseMultibase(m.PublicKeyMultibase)
			if err != nil {
				return err
			}
			b, _ := json.Marshal(issued)
			canonDoc, canonConfig, err := ldproof.CanonicalForms(cryptosuite, b, p)
			if err != nil {
				return err
			}
			sig, err := base58.Decode(strings.TrimPrefix(p["proofValue"].(string), "z"))
			if err != nil || !pk.Verify(append(sha256Sum(canonConfig), sha256Sum(canonDoc)...), sig) {
				return fmt.Errorf("the Ed25519 signature does not verify over the canonical forms (%v)", err)
			}
			return nil
		}},
		// 80-algorithms-*.js (Transformation, Proof Configuration, Proof
		// Serialization)
		{"The transformation options MUST contain a type identifier for the cryptographic suite (type) and a cryptosuite identifier (cryptosuite).", func(p map[string]any) error {
			if p["type"] == nil || p["cryptosuite"] == nil {
				return fmt.Errorf("type %v, cryptosuite %v", p["type"], p["cryptosuite"])
			}
			return nil
		}},
		{"Whenever this algorithm encodes strings, it MUST use UTF-8 encoding.", func(p map[string]any) error {
			if _, ok := p["proofValue"].(string); !ok {
				return fmt.Errorf("proofValue %v", p["proofValue"])
			}
			return nil
		}},
		{fmt.Sprintf("If options.type is not set to the string DataIntegrityProof and options.cryptosuite is not set to the string %s, an error MUST be raised.", cryptosuite), func(p map[string]any) error {
			if p["type"] != "DataIntegrityProof" || p["cryptosuite"] != cryptosuite {
				return fmt.Errorf("type %v, cryptosuite %v", p["type"], p["cryptosuite"])
			}
			return nil
		}},
		{"If proofConfig.created is present and set to a value that is not a valid [XMLSCHEMA11-2] datetime, an error MUST be raised and SHOULD convey an error type of PROOF_GENERATION_ERROR.", func(p map[string]any) error {
			if c, ok := p["created"].(string); ok && !dateRegex.MatchString(c) {
				return fmt.Errorf("created %q", c)
			}
			return nil
		}},
		{"The proof options MUST contain a type identifier for the cryptographic suite (type) and MAY contain a cryptosuite identifier (cryptosuite).", func(p map[string]any) error {
			if p["type"] == nil {
				return fmt.Errorf("no type")
			}
			return nil
		}},
	}
	for _, r := range rows {
		t.Run(r.title, func(t *testing.T) {
			for _, p := range proofs {
				if err := r.check(p); err != nil {
					t.Errorf("%v\n%s", err, mustJSON(issued))
				}
			}
		})
	}
	t.Run(`"proof" MUST verify when using a conformant verifier.`, func(t *testing.T) {
		e.verify(t, issued, nil).wantSuccess(t)
	})
}

// eddsaVerifierRows are 20-rdfc-verify.js and 50-jcs-verify.js with the
// suite's vc-generator (generators.js: eddsa-rdfc-2022 over its validVc,
// issuer the signing did:key).
func eddsaVerifierRows(t *testing.T, e *diSuiteEnv, k suiteKey, cryptosuite string) {
	cred := clone(t, eddsaValidVc)
	cred["issuer"] = k.did
	rdfc := func(mutate func(p map[string]any), canon string, hash func([]byte) []byte) map[string]any {
		p := k.proofOptions("DataIntegrityProof", "eddsa-rdfc-2022")
		if mutate != nil {
			mutate(p)
		}
		return k.signAs(t, cred, p, canon, hash)
	}
	issuedVc := rdfc(nil, "eddsa-rdfc-2022", sha256Sum)
	fail := func(vc map[string]any) { e.verify(t, vc, nil).wantFailure(t, "proof", "") }
	if cryptosuite == "eddsa-rdfc-2022" {
		t.Run("MUST verify a valid VC with an eddsa-rdfc-2022 proof", func(t *testing.T) {
			e.verify(t, issuedVc, nil).wantSuccess(t)
		})
		e.urdnaRows(t, issuedVc, rdfc(nil, "eddsa-jcs-2022", sha256Sum), rdfc(nil, "eddsa-rdfc-2022", sha512Sum),
			"If a canonicalization data hashing other than algorithm SHA-2-256 is used, an error MUST be raised.")
		t.Run(`If the "cryptosuite" field is not the string "eddsa-rdfc-2022", an error MUST be raised.`, func(t *testing.T) {
			fail(rdfc(func(p map[string]any) { p["cryptosuite"] = "unknown-cryptosuite-2017" }, "eddsa-rdfc-2022", sha256Sum))
		})
		return
	}
	t.Run("verifies a valid eddsa-jcs-2022 proof.", func(t *testing.T) {
		// 50-jcs-verify.js issues validVc through a registered
		// eddsa-jcs-2022 issuer and verifies it.
		e.verify(t, e.issue(t, "eddsa-jcs-2022", eddsaValidVc), nil).wantSuccess(t)
	})
	t.Run(rowProofValueLength, func(t *testing.T) {
		fail(withProofValue(t, issuedVc, plus32))
		jcs := k.signAs(t, cred, withContext(k.proofOptions("DataIntegrityProof", "eddsa-jcs-2022"), cred), "eddsa-jcs-2022", sha256Sum)
		e.verify(t, jcs, nil).wantSuccess(t)
		fail(withProofValue(t, jcs, plus32))
	})
	t.Run("fails verification when credential is not canonicalized correctly.", func(t *testing.T) {
		// canonizeUnknown: JSON.stringify of each object with its keys
		// prefixed "unknown-".
		p := withContext(k.proofOptions("DataIntegrityProof", "eddsa-jcs-2022"), cred)
		config := clone(t, p)
		canonDoc, _ := json.Marshal(prefixKeys(cred))
		canonConfig, _ := json.Marshal(prefixKeys(config))
		fail(k.signed(t, cred, p, canonDoc, canonConfig, sha256Sum))
	})
	t.Run(`If the "cryptosuite" field is not the string "eddsa-jcs-2022", an error MUST be raised.`, func(t *testing.T) {
		fail(rdfc(func(p map[string]any) { p["cryptosuite"] = "unknown-cryptosuite-2017" }, "eddsa-rdfc-2022", sha256Sum))
		p := withContext(k.proofOptions("DataIntegrityProof", "unknown-cryptosuite-2017"), cred)
		fail(k.signAs(t, cred, p, "eddsa-jcs-2022", sha256Sum))
	})
}

// rowProofValueLength is the proofValue length row of the eddsa-rdfc-2022,
// eddsa-jcs-2022 and Ed25519Signature2020 verifier suites (an Ed25519
// signature is 64 bytes, RFC 8032 §5.1.6).
const rowProofValueLength = `If the "proofValue" field, when decoded to raw bytes, is not 64 bytes in length if the associated public key is 32 bytes in length, or 114 bytes in length if the public key is 57 bytes in length, an error MUST be raised.`

// urdnaRows runs the rows the eddsa-rdfc-2022 and Ed25519Signature2020
// verifier suites share: issued with a proofValue 32 bytes too long, jcs
// (signed over JCS instead of URDNA2015: the suites' canonizeJcs) and
// sha512 (hashed with SHA-512: digestSha512) all fail the proof check.
// hashRow is the last row's name as each suite words it.
func (e *diSuiteEnv) urdnaRows(t *testing.T, issued, jcs, sha512 map[string]any, hashRow string) {
	t.Helper()
	t.Run(rowProofValueLength, func(t *testing.T) {
		e.verify(t, withProofValue(t, issued, plus32), nil).wantFailure(t, "proof", "")
	})
	t.Run("If a canonicalization algorithm other than URDNA2015 is used, an error MUST be raised.", func(t *testing.T) {
		e.verify(t, jcs, nil).wantFailure(t, "proof", "")
	})
	t.Run(hashRow, func(t *testing.T) {
		e.verify(t, sha512, nil).wantFailure(t, "proof", "")
	})
}

// withContext adds the document's @context to a proof, as eddsa-jcs-2022
// proofs carry it (VC DI EdDSA §3.3.1).
func withContext(p, doc map[string]any) map[string]any {
	p["@context"] = doc["@context"]
	return p
}

func prefixKeys(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out["unknown-"+k] = v
	}
	return out
}

// TestDISuite_ProofChains replays the proof-chain fixtures of
// data-integrity-test-suite-assertion (inputs/eddsa-rdfc-2022, the
// proofChain optional tests of eddsa-rdfc-2022; VC Data Integrity §4.5
// Verify Proof Sets and Chains): previousProof as a string or an array
// naming a proof of the set verifies; naming no proof of the set, or a
// previousProof that is not a string, fails.
func TestDISuite_ProofChains(t *testing.T) {
	e := newDISuiteEnv(t)
	dir := filepath.Join("testdata", "di-assertion", "eddsa-rdfc-2022")
	for _, c := range []struct {
		file, title string
		ok          bool
	}{
		{"2.0-previousProofStringOk", "previousProof is a string naming a proof of the set (VC 2.0)", true},
		{"2.0-previousProofArrayOk", "previousProof is an array naming proofs of the set (VC 2.0)", true},
		{"1.1-previousProofArrayOk", "previousProof is an array naming proofs of the set (VC 1.1)", true},
		{"2.0-previousProofStringMissingFail", "If a proof with id equal to previousProof does not exist in allProofs, an error MUST be raised. (VC 2.0)", false},
		{"1.1-previousProofStringMissingFail", "If a proof with id equal to previousProof does not exist in allProofs, an error MUST be raised. (VC 1.1)", false},
		{"2.0-previousProofArrayMissingFail", "If any element of previousProof array has an id attribute that does not match the id attribute of any element of allProofs, an error MUST be raised. (VC 2.0)", false},
		{"1.1-previousProofArrayMissingFail", "If any element of previousProof array has an id attribute that does not match the id attribute of any element of allProofs, an error MUST be raised. (VC 1.1)", false},
		{"2.0-previousProofNotStringFail", "previousProof that is not a string or an array of strings fails (VC 2.0)", false},
		{"1.1-previousProofNotStringFail", "previousProof that is not a string or an array of strings fails (VC 1.1)", false},
		// The stored 1.1 versions of StringOk, StringMissingFail and
		// NotStringFail (older commits than the 1.1 Array ones) lack the
		// Data Integrity context, so the VC 1.1 context leaves their
		// proofs' terms (verificationMethod…) undefined, which VC Data
		// Integrity §2.4.1 and safe mode make an error; StringOk also types
		// the credential AlumniCredential, which none of its contexts
		// defines. They fail on that, the two Fail rows before their chain
		// is looked at; the suite's newer fixtures add the context, as the
		// 1.1 Array ones here do.
		{"1.1-previousProofStringOk", "previousProof is a string naming a proof of the set (VC 1.1; without the Data Integrity context)", false},
	} {
		t.Run(c.title, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(dir, c.file+"-SimpleSigned2.json"))
			if err != nil {
				t.Fatal(err)
			}
			v := e.verify(t, json.RawMessage(b), nil)
			if c.ok {
				v.wantSuccess(t)
			} else {
				v.wantFailure(t, "proof", "")
			}
		})
	}
}

// ed25519TestVc is vc-di-ed25519signature2020-test-suite's
// tests/vc-generator/testVc.js: a VC 1.1 credential whose issuer is the
// did:key of Digital Bazaar's CLIENT_SECRET_DB, which a new implementer
// does not have.
var ed25519TestVc = map[string]any{
	"@context":          []any{suiteCtxV1, suiteCtxEd25519},
	"id":                "urn:uuid:86294362-4254-4f36-854f-3952fe42555d",
	"type":              []any{"VerifiableCredential"},
	"issuer":            "did:key:z6MkptjaoxjyKQFSqf1dHXswP6EayYhPQBYzprVCPmGBHz9S",
	"issuanceDate":      "2020-03-16T22:37:26.544Z",
	"credentialSubject": map[string]any{"id": "did:key:z6MktKwz7Ge1Yxzr4JHavN33wiwa8y81QdcMRLXQsrH9T53b"},
}

// TestDISuite_Ed25519Signature2020 replays
// w3c/vc-di-ed25519signature2020-test-suite: the Data Integrity assertion
// suite's issuer rows with proof type Ed25519Signature2020
// (05-di-ed25519-create.js) on VC 2.0 and 1.1 credentials, the suite's
// issuer rows (10-ed25519-create.js), the assertion suite's verifier rows
// with Ed25519Signature2020 test data (15-di-ed25519-verify.js) and the
// suite's verifier rows (20-ed25519-verify.js, and the mutations of its
// older 20-verify.js: incorrectCodec, rsaSigned). One row fails by weid's
// policy, as the issue allows: the suite's valid credential names an
// issuer DID that did not sign it, and a DID issuer must be its signer —
// its proof verifies and the issuerBinding check fails.
func TestDISuite_Ed25519Signature2020(t *testing.T) {
	e := newDISuiteEnv(t)
	const instance = "Ed25519Signature2020"
	t.Run("create", func(t *testing.T) {
		e.issuedRows(t, instance, []namedVC{{"VC 2.0 validVc.json", diAssertionValidVc}, {"VC 1.1 testVc.js", ed25519TestVc}, {"VC 1.1 unsecured.json", unsecuredV11}},
			func(t *testing.T, issued map[string]any) {
				diCreateRows(t, issued, []string{"Ed25519Signature2020"}, "")
				proofs := proofsOf(issued)
				t.Run(rowCreatedProofValueLength, func(t *testing.T) {
					for _, p := range proofs {
						if p["type"] != "Ed25519Signature2020" {
							continue
						}
						if err := ed25519ProofValue(t, p); err != nil {
							t.Error(err)
						}
					}
				})
				t.Run(`"proof" MUST verify when using a conformant verifier.`, func(t *testing.T) {
					e.verify(t, issued, nil).wantSuccess(t)
				})
			})
	})
	t.Run("verify", func(t *testing.T) {
		k := newSuiteKey(t)
		t.Run("Data Integrity (verifier)", func(t *testing.T) {
			valid := clone(t, diAssertionValidVc)
			valid["@context"] = []any{suiteCtxV2, suiteCtxEd25519}
			diVerifyRows(t, e, diVerifyData(t, k, "Ed25519Signature2020", "", valid), "Ed25519Signature2020")
		})
		t.Run("Ed25519Signature2020 (verifier)", func(t *testing.T) {
			sign := func(doc map[string]any, canon string, hash func([]byte) []byte) map[string]any {
				return k.signAs(t, doc, k.proofOptions("Ed25519Signature2020", ""), canon, hash)
			}
			ownIssuer := clone(t, ed25519TestVc)
			ownIssuer["issuer"] = k.did
			issuedVc := sign(ownIssuer, "Ed25519Signature2020", sha256Sum)
			fail := func(vc map[string]any) { e.verify(t, vc, nil).wantFailure(t, "proof", "") }
			t.Run("MUST verify a valid VC with an Ed25519Signature2020 proof", func(t *testing.T) {
				// As the suite runs it: testVc's fixed issuer, signed by
				// the runner's own key. weid's policy refuses it (a DID
				// issuer must be its signer): the proof verifies and the
				// issuerBinding check fails.
				v := e.verify(t, sign(ed25519TestVc, "Ed25519Signature2020", sha256Sum), nil)
				v.wantFailure(t, "issuerBinding", "")
				if slices.Contains(v.failed, "proof") {
					t.Errorf("the proof check failed too: %s", v.body)
				}
				// With the signer as its issuer it verifies.
				e.verify(t, issuedVc, nil).wantSuccess(t)
			})
			e.urdnaRows(t, issuedVc, sign(ownIssuer, "eddsa-jcs-2022", sha256Sum), sign(ownIssuer, "Ed25519Signature2020", sha512Sum),
				"If a canonicalization data hashing algorithm SHA-2-256 is used, an error MUST be raised.")
			t.Run("(20-verify.js) incorrectCodec: the verificationMethod's multibase header removed", func(t *testing.T) {
				vc := clone(t, issuedVc)
				p := vc["proof"].(map[string]any)
				parts := strings.Split(p["verificationMethod"].(string), ":")
				parts[len(parts)-1] = parts[len(parts)-1][1:]
				p["verificationMethod"] = strings.Join(parts, ":")
				fail(vc)
			})
			t.Run("(20-verify.js) rsaSigned: a 4096-bit RSA signature as proofValue", func(t *testing.T) {
				fail(withProofValue(t, issuedVc, func([]byte) []byte {
					b := make([]byte, 512)
					_, _ = rand.Read(b)
					return b
				}))
			})
		})
	})
}
