package server

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/weidgo/weid/node"
)

// TestConformance_IssueVC11DataIntegrityAndExplicitIssuer: VCALM's issue
// endpoints secure a VC 1.1 credential with Data Integrity (the suite's
// context is added, VC Data Integrity §2.4.1) and answer 201; an issuer
// instance fills in only an absent issuer — "issuer": null, or any value
// that is not a URL or an object with an id, is a 400 (VC DM 2.0 §4.7).
func TestConformance_IssueVC11DataIntegrityAndExplicitIssuer(t *testing.T) {
	tn := startNode(t)
	r := tn.do(t, "POST", "/v1/accounts", tn.token, []byte(`{"name":"example-university"}`))
	var uni node.NewAccount
	if err := json.Unmarshal(r.body, &uni); err != nil || r.status != 201 {
		t.Fatalf("account: %d %s", r.status, r.body)
	}
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
	if r := tn.do(t, "POST", "/issuers/v11/credentials/issue", uni.Token, []byte(`{"credential":`+v11("")+`}`)); r.status != 201 {
		t.Fatalf("absent issuer filled in: %d %s", r.status, r.body)
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

	// The W3C VC-API issuer suite's credential, through /credentials/issue
	// with options naming a Data Integrity format: VC 1.1 with its examples
	// context (201), and its malformed variants refused (400), an absent
	// issuer too (no instance fills it in).
	suiteVC := func(change map[string]any) []byte {
		c := map[string]any{
			"@context":          []any{"https://www.w3.org/2018/credentials/v1", "https://www.w3.org/2018/credentials/examples/v1"},
			"type":              []any{"VerifiableCredential", "UniversityDegreeCredential"},
			"id":                "urn:uuid:8e7a4c1e-2b7f-4c44-9d0a-6c4e1b2d3f55",
			"issuer":            uni.DID,
			"issuanceDate":      "2026-01-01T00:00:00Z",
			"credentialSubject": map[string]any{"id": "did:key:z6MktKwz7Ge1Yxzr4JHavN33wiwa8y81QdcMRLXQsrH9T53b", "degree": map[string]any{"type": "BachelorDegree", "name": "Bachelor of Science and Arts"}},
		}
		for k, v := range change {
			if v == "-" {
				delete(c, k)
			} else {
				c[k] = v
			}
		}
		b, _ := json.Marshal(map[string]any{"credential": c, "options": map[string]any{"format": "eddsa-rdfc-2022"}})
		return b
	}
	for name, change := range map[string]map[string]any{
		"as is":          nil,
		"expirationDate": {"expirationDate": "2030-01-01T00:00:00Z"},
		"issuer object":  {"issuer": map[string]any{"id": uni.DID, "name": "Example University"}},
	} {
		r := tn.do(t, "POST", "/credentials/issue", uni.Token, suiteVC(change))
		if r.status != 201 {
			t.Fatalf("VC-API suite credential, %s: %d %s", name, r.status, r.body)
		}
		var out struct {
			VerifiableCredential json.RawMessage `json:"verifiableCredential"`
		}
		_ = json.Unmarshal(r.body, &out)
		if v := tn.do(t, "POST", "/credentials/verify", "", []byte(`{"verifiableCredential":`+string(out.VerifiableCredential)+`}`)); v.status != 200 {
			t.Fatalf("VC-API suite credential, %s: verify: %d %s", name, v.status, v.body)
		}
	}
	for member, bad := range map[string][]any{
		"@context":          {"-", 4, false, nil, []any{}},
		"type":              {"-", 4, nil, true, []any{}},
		"issuer":            {"-", nil, true, 4, []any{}},
		"credentialSubject": {"-", nil, true, 4, []any{}, "did:example:1234"},
	} {
		for _, v := range bad {
			r := tn.do(t, "POST", "/credentials/issue", uni.Token, suiteVC(map[string]any{member: v}))
			if r.status != 400 {
				t.Errorf("%s = %v: %d %s", member, v, r.status, r.body)
			}
		}
	}
}
