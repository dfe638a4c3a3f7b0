package server

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestLenientBodies_DuplicateMembersRefused: the W3C VCALM endpoints ignore
// unknown members but, as the rest of the API, refuse a member named twice
// at any depth: two readers must not see two different requests.
func TestLenientBodies_DuplicateMembersRefused(t *testing.T) {
	tn := startNode(t)
	uni := tn.account(t, `{"name":"example-university"}`)
	cred := `{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"issuer":"` + uni.DID + `","credentialSubject":{"id":"did:example:alice"}}`
	for _, tc := range []struct{ name, path, token, body, member string }{
		{"issue: options twice", "/credentials/issue", uni.Token, `{"credential":` + cred + `,"options":{"format":"vc+jwt"},"options":{"format":"dc+sd-jwt"}}`, `"options" appears twice`},
		{"issue: a member twice inside options", "/credentials/issue", uni.Token, `{"credential":` + cred + `,"options":{"format":"vc+jwt","format":"dc+sd-jwt"}}`, `"format" appears twice in options`},
		{"issue: a claim twice deep in the credential", "/credentials/issue", uni.Token, `{"credential":{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"issuer":"` + uni.DID + `","credentialSubject":{"id":"did:example:alice","degree":{"name":"BSc","name":"PhD"}}}}`, `"name" appears twice in credential.credentialSubject.degree`},
		{"verify: verifiableCredential twice", "/credentials/verify", "", `{"verifiableCredential":"garbage","verifiableCredential":"eyJhbGciOiJFUzI1NiJ9.e30.sig"}`, `"verifiableCredential" appears twice`},
		{"verify: a member twice in an array element", "/presentations/verify", "", `{"verifiablePresentation":{"type":["VerifiablePresentation"],"verifiableCredential":[{"id":"a","id":"b"}]}}`, `"id" appears twice in verifiablePresentation.verifiableCredential[]`},
		{"verify: one name twice in bytes that are not UTF-8", "/credentials/verify", "", "{\"verifiableCredential\":{\"a\xff\":1,\"a\xfe\":2}}", "not valid UTF-8"},
		{"verify-batch: credentials twice", "/v1/credentials/verify-batch", "", `{"credentials":[],"credentials":["x"]}`, `"credentials" appears twice`},
	} {
		r := tn.do(t, "POST", tc.path, tc.token, []byte(tc.body))
		wantProblem(t, tc.name, r, 400, "request.malformed")
		if !strings.Contains(string(r.body), strings.ReplaceAll(tc.member, `"`, `\"`)) {
			t.Errorf("%s: %s, want the detail to say %s", tc.name, r.body, tc.member)
		}
	}
}

// TestLenientBodies_TypeErrorsInCallersWords: a member of the wrong JSON
// type is named with the type expected, in JSON's words, never Go's.
func TestLenientBodies_TypeErrorsInCallersWords(t *testing.T) {
	tn := startNode(t)
	uni := tn.account(t, `{"name":"example-university"}`)
	for _, tc := range []struct{ name, path, token, body, want string }{
		{"issue: options.format a number", "/credentials/issue", uni.Token, `{"credential":{},"options":{"format":1}}`, "options.format must be a string, not JSON number"},
		{"verify-batch: an array body", "/v1/credentials/verify-batch", "", `[]`, "must be a JSON object, not JSON array"},
		{"verify: options an array", "/credentials/verify", "", `{"verifiableCredential":"x","options":[]}`, "options must be a JSON object"},
		{"presentation request: dcql_query an array", "/v1/presentation-requests", uni.Token, `{"dcql_query":[]}`, "dcql_query: value must be a JSON object, not JSON array"},
	} {
		r := tn.do(t, "POST", tc.path, tc.token, []byte(tc.body))
		if r.status != 400 {
			t.Errorf("%s: %d %s, want 400", tc.name, r.status, r.body)
			continue
		}
		var p Problem
		_ = json.Unmarshal(r.body, &p)
		if !strings.Contains(p.Detail, tc.want) || strings.Contains(p.Detail, "Go ") {
			t.Errorf("%s: detail %q, want it to say %q and name no Go type", tc.name, p.Detail, tc.want)
		}
	}
}

// TestRequestBodies_NullIsNotAnObject: a body null is refused as [], 1
// and "x" are, on every family of endpoints that decodes a JSON body,
// rather than taken as {} (which would create a DID, rotate a key or
// deactivate a DID with defaults).
func TestRequestBodies_NullIsNotAnObject(t *testing.T) {
	tn := startNode(t)
	uni := tn.account(t, `{"name":"example-university"}`)
	did := tn.do(t, "POST", "/v1/dids", tn.token, []byte(`{}`))
	var created struct{ DID string }
	if err := json.Unmarshal(did.body, &created); err != nil || did.status != 201 {
		t.Fatalf("create DID: %d %s", did.status, did.body)
	}
	for _, tc := range []struct{ name, path, token string }{
		{"submit a transaction", "/v1/txs", ""},
		{"create a DID", "/v1/dids", tn.token},
		{"rotate a key", "/v1/dids/" + created.DID + "/rotate", tn.token},
		{"deactivate a DID", "/v1/dids/" + created.DID + "/deactivate", tn.token},
		{"create an account", "/v1/accounts", tn.token},
		{"recognize an issuer", "/v1/issuers", tn.token},
		{"register a schema", "/v1/schemas", uni.Token},
		{"record an evidence", "/v1/evidence", uni.Token},
		{"issue (VCALM)", "/credentials/issue", uni.Token},
		{"verify (VCALM)", "/credentials/verify", ""},
		{"verify a presentation (VCALM)", "/presentations/verify", ""},
		{"verify a batch", "/v1/credentials/verify-batch", ""},
		{"request a presentation", "/v1/presentation-requests", uni.Token},
	} {
		for _, body := range []string{"null", " null\n", "[]", "1", `"x"`} {
			r := tn.do(t, "POST", tc.path, tc.token, []byte(body))
			code := "request.malformed"
			if tc.path == "/v1/txs" {
				code = "tx.malformed"
			}
			wantProblem(t, tc.name+" with body "+body, r, 400, code)
			if !strings.Contains(string(r.body), "must be a JSON object, not JSON") {
				t.Errorf("%s with body %s: %s, want it to say the body must be a JSON object", tc.name, body, r.body)
			}
		}
	}
	r := tn.do(t, "GET", "/1.0/identifiers/"+created.DID, "", nil)
	if r.status != 200 || strings.Contains(string(r.body), `"deactivated":true`) || strings.Contains(string(r.body), "key-2") {
		t.Errorf("the DID changed under null bodies: %d %s", r.status, r.body)
	}
}

// TestSignedBodies_TxComesAlone: a signed transaction's payload says what
// the write is, so a body carrying "tx" beside other members (custodial
// fields a client thought would count) is refused, naming them, instead of
// their being silently ignored.
func TestSignedBodies_TxComesAlone(t *testing.T) {
	tn := startNode(t)
	uni := tn.account(t, `{"name":"example-university"}`)
	for _, tc := range []struct{ name, path, token, body, ignored string }{
		{"create a DID", "/v1/dids", tn.token, `{"tx":{},"keyType":"P-256"}`, `\"keyType\" would be ignored`},
		{"add a service", "/v1/dids/" + uni.DID + "/services", tn.token, `{"id":"svc-1","tx":{"type":"did.update"}}`, `\"id\" would be ignored`},
		{"recognize an issuer", "/v1/issuers", tn.token, `{"tx":{},"did":"did:example:x","name":"X"}`, `\"did\", \"name\" would be ignored`},
		{"record an evidence", "/v1/evidence", uni.Token, `{"tx":{},"signer":"` + uni.DID + `"}`, `\"signer\" would be ignored`},
	} {
		r := tn.do(t, "POST", tc.path, tc.token, []byte(tc.body))
		wantProblem(t, tc.name, r, 400, "request.malformed")
		if !strings.Contains(string(r.body), tc.ignored) {
			t.Errorf("%s: %s, want the detail to say %s", tc.name, r.body, tc.ignored)
		}
	}
}
