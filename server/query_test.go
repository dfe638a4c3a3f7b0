package server

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
)

// pathParam matches a {param} of a route or OpenAPI path.
var pathParam = regexp.MustCompile(`\{[^}]+\}`)

// problemDetail returns the detail of a problem+json answer.
func problemDetail(r response) string {
	var p struct{ Detail string }
	_ = json.Unmarshal(r.body, &p)
	return p.Detail
}

// TestV1_UnknownQueryParameterIs400: every /v1 route, read or write,
// refuses a query parameter it does not take with 400 request.badQuery
// naming it, before it reads a token or a body (api.CheckQuery: a typo
// would silently widen the answer), while DID resolution's standard path
// keeps ignoring options it does not know (DID Resolution test suite).
func TestV1_UnknownQueryParameterIs400(t *testing.T) {
	tn := startNode(t)
	rt := (&Server{}).routes().(chi.Routes)
	n := 0
	err := chi.Walk(rt, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		route = normalizeRoute(route)
		if method == http.MethodOptions || !strings.HasPrefix(route, "/v1/") {
			return nil
		}
		n++
		path := pathParam.ReplaceAllString(route, "x") + "?zzUnknown=1"
		r := tn.do(t, method, path, tn.token, nil)
		wantProblem(t, method+" "+path, r, http.StatusBadRequest, "request.badQuery")
		if d := problemDetail(r); !strings.Contains(d, `"zzUnknown"`) {
			t.Errorf("%s %s: detail %q does not name the parameter", method, path, d)
		}
		return nil
	})
	if err != nil || n < 60 {
		t.Fatalf("walked %d /v1 routes: %v", n, err)
	}
	if r := tn.do(t, "GET", "/1.0/identifiers/"+tn.newDID(t)+"?zzUnknown=1", "", nil); r.status != http.StatusOK {
		t.Errorf("DID resolution with an unknown option: %d, want 200: %s", r.status, r.body)
	}
}

// TestV1_RepeatedQueryParameterIs400: a parameter given twice is a 400
// request.badQuery naming it, not the first value silently winning.
func TestV1_RepeatedQueryParameterIs400(t *testing.T) {
	tn := startNode(t)
	d := tn.newDID(t)
	for _, c := range []struct{ method, path string }{
		{"GET", "/v1/blocks?limit=1&limit=abc"},
		{"GET", "/v1/schemas?limit=2&limit=-5"},
		{"GET", "/v1/issuers/" + d + "?schema=1000&schema=zz"},
		{"GET", "/v1/dids/" + d + "?versionId=1&versionId=2"},
		{"GET", "/v1/events?from=0&from=1"},
		{"POST", "/v1/txs?async=true&async=false"},
		{"POST", "/v1/dids?async=true&async=false"},
	} {
		r := tn.do(t, c.method, c.path, tn.token, nil)
		wantProblem(t, c.method+" "+c.path, r, http.StatusBadRequest, "request.badQuery")
		if d := problemDetail(r); !strings.Contains(d, "given 2 times") {
			t.Errorf("%s %s: detail %q, want it to name the repeated parameter", c.method, c.path, d)
		}
	}
	// The repeatable ones stay repeatable.
	if r := tn.do(t, "GET", "/v1/state/proof?key=chain/init&key=chain/init", "", nil); r.status != http.StatusOK {
		t.Errorf("two state keys: %d: %s", r.status, r.body)
	}
	if r := tn.do(t, "GET", "/v1/events?types=did.created&types=block.committed&from=0", "", nil); r.status != http.StatusOK {
		t.Errorf("two types: %d: %s", r.status, r.body)
	}
}

// TestV1_DocumentedQueryParametersAreTaken: every query parameter
// openapi.json documents for a /v1 operation is one its route takes (a
// bad value may still be a 400, but never an unknown parameter), so the
// contract and the routes' declarations stay in step.
func TestV1_DocumentedQueryParametersAreTaken(t *testing.T) {
	tn := startNode(t)
	doc := loadOpenAPI(t)
	operations(doc, func(method, path string, op map[string]any) {
		if !strings.HasPrefix(path, "/v1/") || path == "/v1/credentials/verify-batch" {
			return // verify-batch checks its query by the request's form (api.CheckBatchQuery)
		}
		params, _ := op["parameters"].([]any)
		for _, p := range params {
			pm := deref(t, doc, p)
			if pm["in"] != "query" {
				continue
			}
			u := pathParam.ReplaceAllString(path, "x") + "?" + pm["name"].(string) + "=1"
			r := tn.do(t, strings.ToUpper(method), u, tn.token, nil)
			if d := problemDetail(r); strings.HasPrefix(d, "unknown query parameter") {
				t.Errorf("%s %s: %s", method, u, d)
			}
		}
	})
}

// TestResolve_BadOptionValuesAre400: ?proof= is true or false, like its
// sibling enableExperimentalPublicKeyTypes (400 did.invalidOptions, as a
// DID Resolution result), not silently a resolution without its proof; a
// publicKeyFormat no method knows is unsupportedPublicKeyType for every
// method, as did:key v0.7 §3.1.2 step 7 has it for did:key, while a known
// one stays did:key's alone (did:weid's documents are Multikey).
func TestResolve_BadOptionValuesAre400(t *testing.T) {
	tn := startNode(t)
	d := tn.newDID(t)
	for _, base := range []string{"/1.0/identifiers/", "/v1/dids/"} {
		for q, code := range map[string]string{
			"proof=zz":                               "did.invalidOptions",
			"proof=":                                 "",
			"proof=yes":                              "did.invalidOptions",
			"proof=TRUE":                             "",
			"proof=1":                                "",
			"enableExperimentalPublicKeyTypes=maybe": "did.invalidOptions",
			"publicKeyFormat=zz":                     "did.unsupportedPublicKeyType",
			"publicKeyFormat=JsonWebKey2020":         "",
		} {
			r := tn.do(t, "GET", base+d+"?"+q, "", nil)
			if code == "" {
				if r.status != http.StatusOK {
					t.Errorf("%s?%s: %d, want 200: %s", base, q, r.status, r.body)
				}
				continue
			}
			wantProblem(t, base+"?"+q, r, http.StatusBadRequest, code)
			var res struct {
				Meta struct{ Error string } `json:"didResolutionMetadata"`
			}
			if json.Unmarshal(r.body, &res) != nil || "did."+res.Meta.Error != code {
				t.Errorf("%s?%s: not a resolution result with error %s: %s", base, q, code, r.body)
			}
		}
	}
	// proof=TRUE is proof=true: the answer carries the state proof.
	if r := tn.do(t, "GET", "/1.0/identifiers/"+d+"?proof=TRUE", "", nil); !strings.Contains(string(r.body), `"stateProof"`) {
		t.Errorf("proof=TRUE: no stateProof: %s", r.body)
	}
}
