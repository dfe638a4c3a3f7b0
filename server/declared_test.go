package server

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/weidgo/weid/api"
)

// TestAPI_DeclaredIssuerInstance: an issuer instance created with
// issuerPolicy "declared" (the way an implementer registers weid for the
// vc-data-model-2.0 suite) issues over VCALM a credential naming the
// issuer it declares (VC Data Model 2.0 §4.7) and refuses a did:key that
// is not its signer; an unknown policy is a 400 problem naming it.
func TestAPI_DeclaredIssuerInstance(t *testing.T) {
	tn := startNode(t)
	acct := tn.account(t, `{"name":"bureau","didKey":true}`)
	if r := tn.do(t, "POST", "/v1/issuer-instances", acct.Token, []byte(`{"name":"odd","issuer":"`+acct.DIDKey+`","issuerPolicy":"sometimes"}`)); r.status != 400 || r.ctype != "application/problem+json" || !strings.Contains(string(r.body), "sometimes") {
		t.Errorf("unknown policy: %d %s", r.status, r.body)
	}
	if r := tn.do(t, "POST", "/v1/issuer-instances", acct.Token, []byte(`{"name":"cert","issuer":"`+acct.DIDKey+`","issuerPolicy":"declared"}`)); r.status != 201 {
		t.Fatalf("instance: %d %s", r.status, r.body)
	}
	var in api.IssuerInstance
	if r := tn.do(t, "GET", "/v1/issuer-instances/cert", acct.Token, nil); json.Unmarshal(r.body, &in) != nil || in.IssuerPolicy != api.IssuerPolicyDeclared {
		t.Errorf("instance read back: %d %s", r.status, r.body)
	}
	issue := func(issuer string) response {
		return tn.do(t, "POST", "/issuers/cert/credentials/issue", acct.Token, []byte(`{"credential":{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"],`+
			`"type":["VerifiableCredential"],"issuer":`+issuer+`,"credentialSubject":{"id":"did:example:alice","licence":"B"}}}`))
	}
	for _, iss := range []string{`"https://dsaj.gov.mo"`, `{"id":"did:example:issuer","name":"Bureau"}`} {
		if r := issue(iss); r.status != 201 {
			t.Errorf("declared issuer %s: %d %s", iss, r.status, r.body)
		}
	}
	if r := issue(`"did:key:z6MktKwz7Ge1Yxzr4JHavN33wiwa8y81QdcMRLXQsrH9T53b"`); r.status != 400 || !strings.Contains(string(r.body), "credential.issuerNotAuthorized") {
		t.Errorf("foreign did:key: %d %s", r.status, r.body)
	}
}
