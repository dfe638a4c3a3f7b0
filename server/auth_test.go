package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestAuthorization_SchemeInAnyCase: the Bearer scheme is matched in any
// case (RFC 9110 §11.1: auth schemes are case-insensitive), and two
// Authorization headers are a 400 naming it (RFC 6750 §3.1: a request
// that repeats a parameter or uses more than one method is
// invalid_request, 400), not the first silently used.
func TestAuthorization_SchemeInAnyCase(t *testing.T) {
	tn := startNode(t)
	get := func(auth ...string) response {
		req, _ := http.NewRequest("GET", tn.url+"/v1/accounts", nil)
		for _, a := range auth {
			req.Header.Add("Authorization", a)
		}
		return send(t, req)
	}
	for _, scheme := range []string{"Bearer", "bearer", "BEARER", "bEaReR"} {
		if r := get(scheme + " " + tn.token); r.status != http.StatusOK {
			t.Errorf("%s <token>: %d, want 200: %s", scheme, r.status, r.body)
		}
	}
	wantProblem(t, "Basic", get("Basic "+tn.token), http.StatusUnauthorized, "auth.required")
	r := get("Bearer "+tn.token, "Bearer "+tn.token)
	wantProblem(t, "two Authorization headers", r, http.StatusBadRequest, "request.malformed")
	if d := problemDetail(r); !strings.Contains(d, "Authorization") {
		t.Errorf("two Authorization headers: detail %q does not name the header", d)
	}
}

// TestOID4VCI_CredentialAuthorizationScheme: the credential endpoint reads
// the access token with the same rule (api.BearerToken): "bearer" in lower
// case is a token (here an unknown one: invalid_token, not "required"),
// and two Authorization headers are OAuth's invalid_request.
func TestOID4VCI_CredentialAuthorizationScheme(t *testing.T) {
	tn, _ := vciSetup(t)
	post := func(auth ...string) (int, map[string]string) {
		req, _ := http.NewRequest("POST", tn.url+"/issuers/example-university/diploma-jwt/credential", strings.NewReader(`{"credential_configuration_id":"diploma-jwt"}`))
		req.Header.Set("Content-Type", "application/json")
		for _, a := range auth {
			req.Header.Add("Authorization", a)
		}
		r := send(t, req)
		var e map[string]string
		_ = json.Unmarshal(r.body, &e)
		return r.status, e
	}
	if st, e := post("bearer forged"); st != http.StatusUnauthorized || e["error"] != "invalid_token" || !strings.Contains(e["error_description"], "not valid") {
		t.Errorf("bearer forged: %d %v, want 401 invalid_token for a token that is not valid", st, e)
	}
	if st, e := post("Bearer a", "Bearer b"); st != http.StatusBadRequest || e["error"] != "invalid_request" || !strings.Contains(e["error_description"], "Authorization") {
		t.Errorf("two Authorization headers: %d %v, want 400 invalid_request naming the header", st, e)
	}
}
