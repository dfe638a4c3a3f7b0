package server

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/sdjwt"
)

// TestE2E_DiplomaLifecycle is the credentials issue's "done when", over
// HTTP: an institution account registers a diploma schema; the admin
// recognizes it as an authority issuer; it issues a diploma in each
// securing mechanism; a holder presents the SD-JWT one with two claims
// disclosed and a challenge; the verify endpoints accept the valid ones and
// reject tampered, expired, revoked, schema-violating and unaccredited
// ones, each with the right named check.
func TestE2E_DiplomaLifecycle(t *testing.T) {
	tn := startNode(t)
	account := func(name, keyType string) node.NewAccount {
		t.Helper()
		return tn.account(t, `{"name":"`+name+`","keyType":"`+keyType+`"}`)
	}
	recognize := func(a node.NewAccount, name string) {
		t.Helper()
		if r := tn.do(t, "POST", "/v1/issuers", tn.token, []byte(`{"did":"`+a.DID+`","name":"`+name+`","types":["UniversityDegreeCredential"]}`)); r.status != 201 {
			t.Fatalf("recognize %s: %d %s", name, r.status, r.body)
		}
	}
	uni, p256uni, mill := account("example-university", "Ed25519"), account("p256-university", "P-256"), account("diploma-mill", "Ed25519")
	recognize(uni, "Example University")
	recognize(p256uni, "Another University")

	// The university registers its own diploma schema (authority range).
	schema := `{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","required":["degree","holderName"],` +
		`"properties":{"id":{"type":"string"},"holderName":{"type":"string"},"degree":{"type":"string"},"awardedDate":{"type":"string","format":"date"},"gpa":{"type":"number","maximum":4}}}`
	r := tn.do(t, "POST", "/v1/schemas", uni.Token, []byte(`{"signer":"`+uni.DID+`","name":"Example University diploma","schema":`+schema+`}`))
	var sch api.SchemaResponse
	if err := json.Unmarshal(r.body, &sch); err != nil || r.status != 201 || sch.ID < 1000 {
		t.Fatalf("register schema: %d %s", r.status, r.body)
	}
	if r := tn.do(t, "POST", "/v1/issuer-instances", uni.Token, []byte(fmt.Sprintf(`{"name":"diploma","issuer":"%s","schema":%d,"types":["UniversityDegreeCredential"],"status":["revocation"],"disclosable":[]}`, uni.DID, sch.ID))); r.status != 201 {
		t.Fatalf("instance: %d %s", r.status, r.body)
	}

	// The holder's wallet key never leaves the holder: a did:key.
	hk, _ := keys.Generate(keys.Ed25519)
	holder := did.KeyDID(hk.Public())
	cred := func(issuer, extra string) string {
		iss := `"issuer":"` + issuer + `",`
		return `{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"],"type":["VerifiableCredential"],` + iss + extra +
			`"credentialSubject":{"id":"` + holder + `","holderName":"Alice Chen","degree":"Bachelor of Engineering","awardedDate":"2026-07-01","gpa":3.7}}`
	}
	issue := func(path, token, credential, options string) (int, json.RawMessage) {
		t.Helper()
		r := tn.do(t, "POST", path, token, []byte(`{"credential":`+credential+`,"options":`+options+`}`))
		var out struct {
			VerifiableCredential json.RawMessage `json:"verifiableCredential"`
		}
		_ = json.Unmarshal(r.body, &out)
		if r.status != 201 {
			return r.status, r.body
		}
		return r.status, out.VerifiableCredential
	}
	verify := func(vc json.RawMessage) (int, credential.Result) {
		t.Helper()
		return tn.verifyVC(t, vc, `{"requireAccreditation":true}`)
	}
	failedCheck := func(what string, vc json.RawMessage, check string) {
		t.Helper()
		st, res := verify(vc)
		if st != notVerified || res.Verified || len(res.Errors) == 0 || res.Errors[0].Name != check {
			t.Errorf("%s: %d, errors %+v; want %d with %s failed", what, st, res.Errors, notVerified, check)
		}
	}

	// A diploma in each securing mechanism, all verify.
	issued := map[string]json.RawMessage{}
	for _, format := range []string{"vc+jwt", "dc+sd-jwt", "eddsa-rdfc-2022", "eddsa-jcs-2022"} {
		opts := `{"format":"` + format + `"}`
		if format == "dc+sd-jwt" {
			opts = `{"format":"dc+sd-jwt","disclosable":["/credentialSubject/holderName","/credentialSubject/degree","/credentialSubject/awardedDate","/credentialSubject/gpa"]}`
		}
		st, vc := issue("/issuers/diploma/credentials/issue", uni.Token, cred(uni.DID, ""), opts)
		if st != 201 {
			t.Fatalf("issue %s: %d %s", format, st, vc)
		}
		issued[format] = vc
	}
	st, vc := issue("/credentials/issue", p256uni.Token, cred(p256uni.DID, ""), fmt.Sprintf(`{"format":"ecdsa-rdfc-2019","schema":%d}`, sch.ID))
	if st != 201 {
		t.Fatalf("issue ecdsa-rdfc-2019: %d %s", st, vc)
	}
	issued["ecdsa-rdfc-2019"] = vc
	for format, vc := range issued {
		st, res := verify(vc)
		if st != 200 || !res.Verified {
			t.Fatalf("verify %s: %d %+v", format, st, res)
		}
		for _, c := range res.Checks {
			want := credential.StatusPassed
			switch {
			case c.Name == credential.CheckStatus && format == "ecdsa-rdfc-2019":
				want = credential.StatusSkipped // issued without status
			case c.Name == credential.CheckRelatedResource:
				want = credential.StatusSkipped // no relatedResource
			}
			if c.Status != want {
				t.Errorf("%s: check %s %s (%s), want %s", format, c.Name, c.Status, c.Detail, want)
			}
		}
	}

	// The holder presents the SD-JWT diploma to a bank: two claims, with
	// the bank's challenge.
	var env api.EnvelopedCredential
	_ = json.Unmarshal(issued["dc+sd-jwt"], &env)
	sd := strings.TrimPrefix(env.ID, credential.DataURLSDJWT)
	r = tn.do(t, "POST", "/challenges", "", nil)
	var ch api.ChallengeResponse
	_ = json.Unmarshal(r.body, &ch)
	pres, err := sdjwt.Present(sd, []string{"/degree", "/awardedDate"}, &sdjwt.KeyBinding{Key: hk, Audience: "https://bank.example", Nonce: ch.Challenge})
	if err != nil {
		t.Fatal(err)
	}
	presJSON, _ := json.Marshal(pres)
	verifyVP := func() (int, credential.PresentationResult) {
		r := tn.do(t, "POST", "/presentations/verify", "", []byte(`{"verifiablePresentation":`+string(presJSON)+`,"options":{"challenge":"`+ch.Challenge+`","domain":"https://bank.example","requireAccreditation":true}}`))
		var res credential.PresentationResult
		verdictOf(t, r, api.CodePresentationNotVerified, &res)
		return r.status, res
	}
	st, pr := verifyVP()
	if st != 200 || !pr.Verified || pr.Holder != holder {
		t.Fatalf("presentation: %d %+v", st, pr)
	}
	subject, _ := pr.Credentials[0].Credential["credentialSubject"].(map[string]any)
	if len(subject) != 3 || subject["degree"] != "Bachelor of Engineering" || subject["awardedDate"] != "2026-07-01" || subject["id"] != holder {
		t.Fatalf("disclosed subject %v, want id, degree and awardedDate only", subject)
	}
	if st, pr = verifyVP(); st != 200 || pr.Verified || pr.Errors[0].Name != credential.CheckChallenge {
		t.Fatalf("replayed presentation: %d %+v", st, pr.Errors)
	}

	// Tampered: a vc+jwt with a changed payload, a Data Integrity
	// credential with a changed claim.
	var jwtEnv api.EnvelopedCredential
	_ = json.Unmarshal(issued["vc+jwt"], &jwtEnv)
	tok := strings.TrimPrefix(jwtEnv.ID, credential.DataURLVCJWT)
	parts := strings.Split(tok, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	payload = []byte(strings.Replace(string(payload), "Bachelor of Engineering", "Doctor of Medicine", 1))
	tampered, _ := json.Marshal(parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2])
	failedCheck("tampered vc+jwt", tampered, credential.CheckProof)
	failedCheck("tampered eddsa-rdfc-2022", json.RawMessage(strings.Replace(string(issued["eddsa-rdfc-2022"]), "Bachelor of Engineering", "Doctor of Medicine", 1)), credential.CheckProof)

	// Expired.
	st, expired := issue("/issuers/diploma/credentials/issue", uni.Token, cred(uni.DID, `"validFrom":"2020-01-01T00:00:00Z","validUntil":"2021-01-01T00:00:00Z",`), `{}`)
	if st != 201 {
		t.Fatalf("issue expired: %d %s", st, expired)
	}
	failedCheck("expired", expired, credential.CheckValidityPeriod)

	// Revoked.
	var jwtDoc struct {
		ID string `json:"id"`
	}
	_, res := verify(issued["vc+jwt"])
	jwtDoc.ID, _ = res.Credential["id"].(string)
	if r := tn.do(t, "POST", "/credentials/status", uni.Token, []byte(`{"credentialId":"`+jwtDoc.ID+`","credentialStatus":{"type":"BitstringStatusListEntry","statusPurpose":"revocation"},"status":true}`)); r.status != 200 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	failedCheck("revoked", issued["vc+jwt"], credential.CheckStatus)

	// Schema-violating: refused at issuance; one signed elsewhere fails
	// the schema check.
	bad := strings.Replace(cred(uni.DID, ""), `"gpa":3.7`, `"gpa":9.9`, 1)
	if st, body := issue("/issuers/diploma/credentials/issue", uni.Token, bad, `{}`); st != 400 || !strings.Contains(string(body), "schema.violation") {
		t.Fatalf("issuing a schema-violating diploma: %d %s", st, body)
	}
	outsider, _ := keys.Generate(keys.Ed25519)
	od := did.KeyDID(outsider.Public())
	violating := strings.Replace(cred(od, fmt.Sprintf(`"credentialSchema":{"id":"https://anywhere.example/v1/schemas/%d","type":"JsonSchema"},`, sch.ID)), `"gpa":3.7`, `"gpa":9.9`, 1)
	jwt, err := credential.IssueJWT(credential.Signer{DID: od, VerificationMethod: od + "#" + outsider.Public().Multibase(), Key: outsider}, []byte(violating), time.Now(), credential.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	jwtJSON, _ := json.Marshal(jwt)
	r = tn.do(t, "POST", "/credentials/verify", "", []byte(`{"verifiableCredential":`+string(jwtJSON)+`}`))
	var vres credential.Result
	verdictOf(t, r, api.CodeCredentialNotVerified, &vres)
	if r.status != notVerified || vres.Errors[0].Name != credential.CheckSchema {
		t.Fatalf("schema-violating credential: %d %+v", r.status, vres.Errors)
	}

	// Unaccredited: the diploma mill's diploma verifies on its proof but
	// not when accreditation is required.
	st, millVC := issue("/credentials/issue", mill.Token, cred(mill.DID, `"type":["VerifiableCredential","UniversityDegreeCredential"],`), `{}`)
	if st != 400 { // the duplicate "type" member is the caller's mistake
		t.Fatalf("duplicate type member: %d %s", st, millVC)
	}
	st, millVC = issue("/credentials/issue", mill.Token, strings.Replace(cred(mill.DID, ""), `"type":["VerifiableCredential"]`, `"type":["VerifiableCredential","UniversityDegreeCredential"]`, 1), `{}`)
	if st != 201 {
		t.Fatalf("mill issue: %d %s", st, millVC)
	}
	failedCheck("unaccredited", millVC, credential.CheckAccreditation)
	r = tn.do(t, "POST", "/credentials/verify", "", []byte(`{"verifiableCredential":`+string(millVC)+`}`))
	if r.status != 200 {
		t.Fatalf("mill diploma without requireAccreditation: %d %s", r.status, r.body)
	}
}

// TestE2E_VC11 issues a VC 1.1 credential with an Ed25519Signature2020
// proof (for aries-framework-go-era verifiers) and verifies it.
func TestE2E_VC11(t *testing.T) {
	tn := startNode(t)
	uni := tn.account(t, `{"name":"legacy-university"}`)
	cred := `{"@context":["https://www.w3.org/2018/credentials/v1","https://w3id.org/security/suites/ed25519-2020/v1","https://www.w3.org/ns/credentials/examples/v2"],` +
		`"type":["VerifiableCredential","UniversityDegreeCredential"],"issuer":"` + uni.DID + `","issuanceDate":"2026-07-01T00:00:00Z",` +
		`"credentialSubject":{"id":"did:example:alice","degree":"Bachelor of Engineering"}}`
	r := tn.do(t, "POST", "/credentials/issue", uni.Token, []byte(`{"credential":`+cred+`,"options":{"format":"Ed25519Signature2020"}}`))
	if r.status != 201 {
		t.Fatalf("issue: %d %s", r.status, r.body)
	}
	var out struct {
		VerifiableCredential json.RawMessage `json:"verifiableCredential"`
	}
	_ = json.Unmarshal(r.body, &out)
	if !strings.Contains(string(out.VerifiableCredential), `"type":"Ed25519Signature2020"`) {
		t.Fatalf("issued %s", out.VerifiableCredential)
	}
	r = tn.do(t, "POST", "/credentials/verify", "", []byte(`{"verifiableCredential":`+string(out.VerifiableCredential)+`}`))
	if r.status != 200 {
		t.Fatalf("verify: %d %s", r.status, r.body)
	}
	// vc+jwt is VC 2.0 only.
	if r := tn.do(t, "POST", "/credentials/issue", uni.Token, []byte(`{"credential":`+cred+`}`)); r.status != 400 {
		t.Fatalf("VC 1.1 as vc+jwt: %d %s", r.status, r.body)
	}
}
