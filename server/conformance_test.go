package server

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestConformance_IssueVC11DataIntegrityAndExplicitIssuer: VCALM's issue
// endpoints secure a VC 1.1 credential with Data Integrity (the suite's
// context is added, VC Data Integrity §2.4.1) and answer 201; an issuer
// instance fills in no issuer — an absent one, "issuer": null, or any
// value that is not a URL or an object with an id, is a 400 (VC DM 2.0
// §4.7). TestVCAPI_IssuerSuite replays the VC-API issuer suite itself.
func TestConformance_IssueVC11DataIntegrityAndExplicitIssuer(t *testing.T) {
	tn := startNode(t)
	uni := tn.account(t, `{"name":"example-university"}`)
	v11 := func(issuer string) string {
		return `{"@context":["https://www.w3.org/2018/credentials/v1"],"type":["VerifiableCredential"],` + issuer +
			`"issuanceDate":"2025-01-01T00:00:00Z","credentialSubject":{"id":"did:example:ebfeb1f712ebc6f1c276e12ec21"}}`
	}
	for _, format := range []string{"eddsa-rdfc-2022", "eddsa-jcs-2022", "Ed25519Signature2020"} {
		r := tn.do(t, "POST", "/credentials/issue", uni.Token, []byte(`{"credential":`+v11(`"issuer":"`+uni.DID+`",`)+`,"options":{"format":"`+format+`"}}`))
		if r.status != 201 {
			t.Fatalf("%s: %d %s", format, r.status, r.body)
		}
		var out struct {
			VerifiableCredential json.RawMessage `json:"verifiableCredential"`
		}
		_ = json.Unmarshal(r.body, &out)
		v := tn.do(t, "POST", "/credentials/verify", "", []byte(`{"verifiableCredential":`+string(out.VerifiableCredential)+`}`))
		if v.status != 200 {
			t.Fatalf("%s: verify: %d %s", format, v.status, v.body)
		}
	}

	if r := tn.do(t, "POST", "/v1/issuer-instances", uni.Token, []byte(`{"name":"v11","issuer":"`+uni.DID+`","format":"eddsa-rdfc-2022"}`)); r.status != 201 {
		t.Fatalf("instance: %d %s", r.status, r.body)
	}
	// An absent issuer is not filled in (VC DM 2.0 §4.7: issuer MUST be
	// present); the problem says what to put there.
	r := tn.do(t, "POST", "/issuers/v11/credentials/issue", uni.Token, []byte(`{"credential":`+v11("")+`}`))
	wantProblem(t, "absent issuer", r, 400, "credential.invalid")
	if !strings.Contains(string(r.body), uni.DID) {
		t.Errorf("absent issuer: the problem does not name the instance's DID: %s", r.body)
	}
	for name, issuer := range map[string]string{
		"null":          `"issuer":null,`,
		"number":        `"issuer":5,`,
		"not a URL":     `"issuer":"example university",`,
		"object no id":  `"issuer":{"name":"Example University"},`,
		"empty string":  `"issuer":"",`,
		"array":         `"issuer":["` + uni.DID + `"],`,
		"object id nul": `"issuer":{"id":null},`,
	} {
		r := tn.do(t, "POST", "/issuers/v11/credentials/issue", uni.Token, []byte(`{"credential":`+v11(issuer)+`}`))
		if r.status != 400 || !strings.Contains(string(r.body), "issuer") {
			t.Errorf("issuer %s: %d %s", name, r.status, r.body)
		}
	}
}
