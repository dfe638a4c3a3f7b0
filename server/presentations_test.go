package server

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/internal/credtest"
	"github.com/weidgo/weid/keys"
)

func TestPresentations_ChallengeOverHTTP(t *testing.T) {
	tn := startNode(t)
	uni := tn.account(t, `{"name":"example-university"}`)
	r := tn.do(t, "POST", "/credentials/issue", uni.Token, diploma(uni.DID, "", goodClaims))
	if r.status != 201 {
		t.Fatalf("issue: %d %s", r.status, r.body)
	}
	var issued struct {
		VerifiableCredential json.RawMessage `json:"verifiableCredential"`
	}
	_ = json.Unmarshal(r.body, &issued)

	// The holder's wallet key never leaves the test: a did:key.
	signer := credtest.Issuer(t, keys.Ed25519)
	holder := signer.DID

	r = tn.do(t, "POST", "/challenges", "", nil)
	var ch api.ChallengeResponse
	if err := json.Unmarshal(r.body, &ch); err != nil || r.status != 200 || len(ch.Challenge) < 20 {
		t.Fatalf("challenge: %d %s", r.status, r.body)
	}
	vp := []byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":"VerifiablePresentation","verifiableCredential":[` + string(issued.VerifiableCredential) + `]}`)
	tok, err := credential.SignPresentationJWT(signer, vp, ch.Challenge, "https://verifier.example", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	verify := func(opts string) (int, credential.PresentationResult) {
		b, _ := json.Marshal(tok)
		r := tn.do(t, "POST", "/presentations/verify", "", []byte(`{"verifiablePresentation":`+string(b)+`,"options":`+opts+`}`))
		var res credential.PresentationResult
		verdictOf(t, r, api.CodePresentationNotVerified, &res)
		return r.status, res
	}
	opts := `{"challenge":"` + ch.Challenge + `","domain":"https://verifier.example","requireAccreditation":false}`
	st, res := verify(opts)
	if st != 200 || !res.Verified || res.Holder != holder || len(res.Credentials) != 1 {
		t.Fatalf("verify: %d %+v", st, res)
	}
	// Accepted once. A presentation that fails a check is a 200 with the
	// verdict, as W3C VCALM has it for POST /presentations/verify ("a 200
	// status indicates the verification process itself succeeded,
	// regardless of whether the presentation and/or credentials were
	// determined to be valid or invalid").
	if st, res = verify(opts); st != 200 || res.Verified || res.Errors[0].Name != credential.CheckChallenge {
		t.Fatalf("replay: %d %+v", st, res)
	}
	// VCALM's ProoflessVerifyPresentationRequest: a presentation without
	// proof as "presentation", verified as the same as verifiablePresentation.
	for _, member := range []string{"verifiablePresentation", "presentation"} {
		r := tn.do(t, "POST", "/presentations/verify", "", []byte(`{"`+member+`":`+string(vp)+`}`))
		var res credential.PresentationResult
		verdictOf(t, r, api.CodePresentationNotVerified, &res)
		if r.status != 200 || !res.Verified || len(res.Credentials) != 1 || res.Holder != "" {
			t.Errorf("a presentation without proof as %s: %d %s", member, r.status, r.body)
		}
	}
	// Malformed requests are 400 problems.
	both := `{"verifiablePresentation":` + string(vp) + `,"presentation":` + string(vp) + `}`
	for _, body := range []string{`{`, `{"verifiablePresentation":[1]}`, `{"verifiablePresentation":"x","options":{"challenge":7}}`, `{}`, both} {
		if r := tn.do(t, "POST", "/presentations/verify", "", []byte(body)); r.status != 400 {
			t.Errorf("%s: %d %s", body, r.status, r.body)
		}
	}
}
