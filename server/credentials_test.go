package server

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/node"
)

func diploma(issuer, validUntil string, claims string) []byte {
	vu := ""
	if validUntil != "" {
		vu = `,"validUntil":"` + validUntil + `"`
	}
	return []byte(`{"credential":{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/undefined-terms/v2"],"type":["VerifiableCredential","UniversityDegreeCredential"],` +
		`"issuer":"` + issuer + `"` + vu + `,"credentialSchema":{"id":"https://node.example/v1/schemas/2","type":"JsonSchema"},` +
		`"credentialSubject":` + claims + `}}`)
}

const goodClaims = `{"id":"did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK","holderName":"Li Lei","degree":"Bachelor of Engineering","fieldOfStudy":"Computer Science","institution":"Example University","awardedDate":"2026-07-01","diplomaNumber":"EU-2026-0001"}`

func checkStatus(t *testing.T, res credential.Result, name, want string) {
	t.Helper()
	for _, c := range res.Checks {
		if c.Name == name {
			if c.Status != want {
				t.Errorf("check %s = %s (%s), want %s", name, c.Status, c.Detail, want)
			}
			return
		}
	}
	t.Errorf("no check %s in %+v", name, res.Checks)
}

func TestCredentials_IssueAndVerifyOverHTTP(t *testing.T) {
	tn := startNode(t)
	r := tn.do(t, "POST", "/v1/accounts", tn.token, []byte(`{"name":"example-university"}`))
	var uni node.NewAccount
	_ = json.Unmarshal(r.body, &uni)
	r = tn.do(t, "POST", "/v1/accounts", tn.token, []byte(`{"name":"diploma-mill"}`))
	var mill node.NewAccount
	_ = json.Unmarshal(r.body, &mill)
	if r = tn.do(t, "POST", "/v1/issuers", tn.token, []byte(`{"did":"`+uni.DID+`","name":"Example University","types":["UniversityDegreeCredential"],"schemas":[2]}`)); r.status != 201 {
		t.Fatalf("recognize: %d %s", r.status, r.body)
	}

	type enveloped struct {
		VerifiableCredential api.EnvelopedCredential `json:"verifiableCredential"`
	}
	issue := func(token string, body []byte) (int, enveloped, []byte) {
		r := tn.do(t, "POST", "/credentials/issue", token, body)
		var ir enveloped
		_ = json.Unmarshal(r.body, &ir)
		return r.status, ir, r.body
	}
	verify := func(vc any, opts string) (int, credential.Result) { return tn.verifyVC(t, vc, opts) }

	st, good, body := issue(uni.Token, diploma(uni.DID, "", goodClaims))
	if st != 201 || !strings.HasPrefix(good.VerifiableCredential.ID, "data:application/vc+jwt,ey") {
		t.Fatalf("issue: %d %s", st, body)
	}
	st, res := verify(good.VerifiableCredential, `{"requireAccreditation":true,"unknownOption":1}`)
	if st != 200 || !res.Verified {
		t.Fatalf("verify: %d %+v", st, res)
	}
	for _, c := range credential.CheckNames {
		if c == "status" || c == credential.CheckRelatedResource {
			continue
		}
		checkStatus(t, res, c, "passed")
	}
	// The compact JWT alone verifies too.
	jwt := strings.TrimPrefix(good.VerifiableCredential.ID, credential.DataURLVCJWT)
	if st, res = verify(jwt, ""); st != 200 || !res.Verified {
		t.Fatalf("compact: %d %+v", st, res)
	}
	// Tampered: one claim changed in the payload.
	parts := strings.Split(jwt, ".")
	tampered := parts[0] + "." + parts[1][:len(parts[1])-4] + "AAAA." + parts[2]
	if st, res = verify(tampered, ""); st != notVerified || res.Verified {
		t.Fatalf("tampered: %d %+v", st, res)
	}
	// Expired.
	st, expired, _ := issue(uni.Token, diploma(uni.DID, "2020-01-01T00:00:00Z", goodClaims))
	if st != 201 {
		// validFrom (now) after validUntil may be refused at issuance; either is right.
		t.Logf("expired credential refused at issuance: %d", st)
	} else if st, res = verify(expired.VerifiableCredential, ""); st != notVerified {
		t.Fatalf("expired: %d %+v", st, res)
	} else {
		checkStatus(t, res, "validityPeriod", "failed")
	}
	// Schema-violating claims are refused at issuance: a 400 (W3C VCALM
	// lists 201 and 400 for issuing) of code schema.violation.
	st, _, body = issue(uni.Token, diploma(uni.DID, "", `{"holderName":"Li Lei"}`))
	if st != 400 || !strings.Contains(string(body), "schema.violation") {
		t.Fatalf("schema violation: %d %s", st, body)
	}
	// Unaccredited issuer: verifies on its proof with a warning, fails when
	// the verifier requires accreditation.
	_, milled, _ := issue(mill.Token, diploma(mill.DID, "", goodClaims))
	if st, res = verify(milled.VerifiableCredential, ""); st != 200 || !res.Verified {
		t.Fatalf("unaccredited, lenient: %d %+v", st, res)
	}
	checkStatus(t, res, "accreditation", "warning")
	if st, res = verify(milled.VerifiableCredential, `{"requireAccreditation":true}`); st != notVerified {
		t.Fatalf("unaccredited, strict: %d %+v", st, res)
	}
	checkStatus(t, res, "accreditation", "failed")

	// An account issues only as its own DIDs.
	// An account issues only as its own DIDs: another account's is an
	// authorization failure (403, RFC 6750 §3.1 insufficient_scope); a DID
	// this node keeps no key for matches no issuer configured here, which
	// VCALM answers 400; so does a credentialSchema naming no schema.
	wantProblem(t, "issuer of another account", tn.do(t, "POST", "/credentials/issue", mill.Token, diploma(uni.DID, "", goodClaims)), 403, "auth.notOwner")
	wantProblem(t, "issuer without a key here", tn.do(t, "POST", "/credentials/issue", mill.Token, diploma("did:example:nokeyhere", "", goodClaims)), 400, "auth.notCustodian")
	noSchema := strings.Replace(string(diploma(uni.DID, "", goodClaims)), "/v1/schemas/2", "/v1/schemas/999999", 1)
	wantProblem(t, "credentialSchema naming no schema", tn.do(t, "POST", "/credentials/issue", uni.Token, []byte(noSchema)), 400, "schema.notFound")
	wantProblem(t, "no token", tn.do(t, "POST", "/credentials/issue", "", diploma(uni.DID, "", goodClaims)), 401, "auth.required")
	wantProblem(t, "no credential", tn.do(t, "POST", "/credentials/issue", uni.Token, []byte(`{}`)), 400, "credential.invalid")
	wantProblem(t, "bad format", tn.do(t, "POST", "/credentials/issue", uni.Token, []byte(`{"credential":{},"options":{"format":"ldp_vc"}}`)), 400, "credential.unsupportedFormat")
	wantProblem(t, "verify nothing", tn.do(t, "POST", "/credentials/verify", "", []byte(`{}`)), 400, "credential.invalid")
	wantProblem(t, "verify an unsecured object", tn.do(t, "POST", "/credentials/verify", "", []byte(`{"verifiableCredential":{"type":"VerifiableCredential"}}`)), 400, "credential.unsupportedFormat")

	// Data Integrity (eddsa-jcs-2022): issued by the same account, verified
	// with the same named checks.
	body = diploma(uni.DID, "", goodClaims)
	body = append(body[:len(body)-1], []byte(`,"options":{"format":"eddsa-jcs-2022"}}`)...)
	r = tn.do(t, "POST", "/credentials/issue", uni.Token, body)
	if r.status != 201 {
		t.Fatalf("issue eddsa-jcs-2022: %d %s", r.status, r.body)
	}
	var di struct {
		VerifiableCredential map[string]any `json:"verifiableCredential"`
	}
	_ = json.Unmarshal(r.body, &di)
	if proof, _ := di.VerifiableCredential["proof"].(map[string]any); proof["cryptosuite"] != "eddsa-jcs-2022" {
		t.Fatalf("no eddsa-jcs-2022 proof: %s", r.body)
	}
	if st, res = verify(di.VerifiableCredential, `{"requireAccreditation":true}`); st != 200 || !res.Verified {
		t.Fatalf("verify eddsa-jcs-2022: %d %+v", st, res)
	}
	di.VerifiableCredential["credentialSubject"].(map[string]any)["degree"] = "Doctor of Everything"
	if st, res = verify(di.VerifiableCredential, ""); st != notVerified {
		t.Fatalf("tampered eddsa-jcs-2022: %d %+v", st, res)
	}
	checkStatus(t, res, "proof", "failed")
	wantProblem(t, "malformed body", tn.do(t, "POST", "/credentials/verify", "", []byte(`{"verifiableCredential":`)), 400, "request.malformed")
	// Garbage in the JWT is a failed structure check, not a 500.
	if st, res = verify("not.a.jwt", ""); st != notVerified {
		t.Fatalf("garbage: %d %+v", st, res)
	}
	checkStatus(t, res, "structure", "failed")
	bad := diploma(uni.DID, "", `{"holderName":"Li Lei"}`)
	bad = append(bad[:len(bad)-1], []byte(`,"options":{"format":"eddsa-jcs-2022"}}`)...)
	wantProblem(t, "eddsa-jcs-2022 schema violation", tn.do(t, "POST", "/credentials/issue", uni.Token, bad), 400, "schema.violation")
}

// TestVerify_OptionsOfTheWrongTypeRefused: an option weid reads given in
// another JSON type — requireAccreditation as the string "true" — is a
// 400 naming it on every verify endpoint that takes options in its body,
// never a verification run without the policy asked for (VCALM tolerates
// unknown option members; api.VerifyOptions).
func TestVerify_OptionsOfTheWrongTypeRefused(t *testing.T) {
	tn := startNode(t)
	for _, tc := range []struct{ path, body, want string }{
		{"/credentials/verify", `{"verifiableCredential":"x","options":{"requireAccreditation":"true"}}`, "options.requireAccreditation must be a boolean"},
		{"/credentials/verify", `{"verifiableCredential":"x","options":{"challenge":5}}`, "options.challenge must be a string"},
		{"/presentations/verify", `{"verifiablePresentation":{},"options":{"requireBinding":1}}`, "options.requireBinding must be a boolean"},
		{api.PathVerifyBatch, `{"credentials":["x"],"options":{"requireAccreditation":"true"}}`, "options.requireAccreditation must be a boolean"},
	} {
		r := tn.do(t, "POST", tc.path, "", []byte(tc.body))
		var p struct{ Code, Detail string }
		_ = json.Unmarshal(r.body, &p)
		if r.status != 400 || r.ctype != "application/problem+json" || !strings.Contains(p.Detail, tc.want) {
			t.Errorf("%s %s: %d %s %s, want a 400 problem naming %q", tc.path, tc.body, r.status, r.ctype, r.body, tc.want)
		}
	}
}
