package credential_test

// Attacks found in review, each kept as a regression test.

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/ldproof"
	"github.com/weidgo/weid/sdjwt"
)

// A captured Data Integrity presentation of Alice's (old challenge and
// domain) with Mallory's fresh proof added first must not pass as Alice's.
func TestAttackDIPresentationReplayWithAddedProof(t *testing.T) {
	e := newLedger(t)
	alice, mallory := e.User(t, keys.Ed25519), e.User(t, keys.Ed25519)
	alicePres, err := credential.SignPresentationDataIntegrity(signerOf(alice), vp(t, alice.DID), credential.CryptosuiteEdDSARDFC2022, "old-challenge", "https://old.example", e.Now)
	if err != nil {
		t.Fatal(err)
	}
	both, err := ldproof.Sign(alicePres, ldproof.Options{Cryptosuite: credential.CryptosuiteEdDSARDFC2022, Key: mallory.Key, VerificationMethod: mallory.VM(),
		ProofPurpose: ldproof.PurposeAuthentication, Created: e.Now, Challenge: "fresh", Domain: "https://verifier.example"})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(both, &m)
	ps := m["proof"].([]any)
	m["proof"] = []any{ps[1], ps[0]}
	forged, _ := json.Marshal(m)
	store := challenges{"fresh": false}
	r, err := e.verifier(e.Now).VerifyPresentation(ctx, forged, credential.PresentationOptions{Challenge: "fresh", Domain: "https://verifier.example", Challenges: store})
	if err != nil {
		t.Fatal(err)
	}
	if r.Verified || store["fresh"] {
		t.Fatalf("replayed presentation verified (holder %s) or consumed the challenge: %+v", r.Holder, r.Checks)
	}
}

type alwaysRevoked struct{}

func (alwaysRevoked) CheckStatus(chain.Reader, string, map[string]any) (credential.StatusOutcome, error) {
	return credential.StatusOutcome{Known: true, Purpose: credential.PurposeRevocation, Set: true, Where: "test"}, nil
}

// Renaming signed members to their full IRIs keeps an RDFC signature but
// hides them from the JSON checks: refused.
func TestAttackRDFCFullIRIMembers(t *testing.T) {
	e := newLedger(t)
	uni := e.issuer(t, keys.Ed25519, "Example University")
	alice := e.User(t, keys.Ed25519)
	st := map[string]any{"id": "https://n.example/status-lists/abc#5", "type": "BitstringStatusListEntry", "statusPurpose": "revocation", "statusListIndex": "5", "statusListCredential": "https://n.example/status-lists/abc"}
	signed, err := credential.SignDataIntegrity(signerOf(uni), diploma(t, uni.DID, alice.DID, map[string]any{"credentialStatus": st, "validUntil": e.Now.Add(24 * time.Hour).UTC().Format(time.RFC3339)}), credential.CryptosuiteEdDSARDFC2022, e.Now)
	if err != nil {
		t.Fatal(err)
	}
	v := e.verifier(e.Now.Add(48 * time.Hour))
	v.Status = alwaysRevoked{}
	var m map[string]any
	_ = json.Unmarshal(signed, &m)
	m["https://www.w3.org/2018/credentials#credentialStatus"] = m["credentialStatus"]
	delete(m, "credentialStatus")
	m["https://www.w3.org/2018/credentials#validUntil"] = map[string]any{"@value": m["validUntil"], "@type": "http://www.w3.org/2001/XMLSchema#dateTime"}
	delete(m, "validUntil")
	forged, _ := json.Marshal(m)
	r, err := v.Verify(ctx, forged, credential.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Verified || r.Checks[0].Status != credential.StatusFailed {
		t.Fatalf("renamed members: %+v", r.Checks)
	}
	// Inline contexts and numbers JSON-LD cannot carry exactly are
	// refused at signing.
	for name, doc := range map[string]string{
		"inline context": `{"@context":["https://www.w3.org/ns/credentials/v2",{"until":"https://www.w3.org/2018/credentials#validUntil"}],"type":"VerifiableCredential","issuer":"` + uni.DID + `","credentialSubject":{"id":"did:example:a"}}`,
		"big integer":    `{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"],"type":"VerifiableCredential","issuer":"` + uni.DID + `","credentialSubject":{"id":"did:example:a","n":9007199254740993}}`,
		"long array":     `{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"],"type":"VerifiableCredential","issuer":"` + uni.DID + `","credentialSubject":{"id":"did:example:a","n":[` + strings.Repeat(`"x",`, 400) + `"x"]}}`,
	} {
		if _, err := credential.SignDataIntegrity(signerOf(uni), []byte(doc), credential.CryptosuiteEdDSARDFC2022, e.Now); err == nil {
			t.Errorf("%s: signed", name)
		}
	}
}

// SD-JWT: the status and schema cannot be made withholdable; a holder-bound
// SD-JWT in another's presentation fails; "sub" is not the holder unless
// the bound key is the subject's.
func TestAttackSDJWTBinding(t *testing.T) {
	e := newLedger(t)
	uni := e.issuer(t, keys.P256, "Example University")
	alice, mallory := e.User(t, keys.Ed25519), e.User(t, keys.Ed25519)
	for _, p := range []string{"/credentialStatus", "/credentialSchema", "/issuer", "/credentialSubject/id", "/validUntil"} {
		if _, err := credential.IssueSDJWT(ctx, signerOf(uni), diploma(t, uni.DID, alice.DID, nil), e.Now, credential.IssueOptions{State: e.l}, []string{p}, e.resolver); err == nil {
			t.Errorf("%s made disclosable", p)
		}
	}
	tok := issueSD(t, e, uni, alice.DID, nil, "/credentialSubject/degree")
	at := e.Now.Add(time.Hour)
	vpJWT, err := credential.SignPresentationJWT(signerOf(mallory), vp(t, mallory.DID, tok), "ch", "https://v.example", at)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(vpJWT)
	r, err := e.verifier(at).VerifyPresentation(ctx, raw, credential.PresentationOptions{Challenge: "ch", Domain: "https://v.example"})
	if err != nil {
		t.Fatal(err)
	}
	wantPresentation(t, "alice's SD-JWT in mallory's vp+jwt", r, false, map[string]string{"holderProof": "passed", "credentials": "failed"})
	// Alice herself may carry it in her vp+jwt.
	own, _ := credential.SignPresentationJWT(signerOf(alice), vp(t, alice.DID, tok), "ch", "https://v.example", at)
	raw, _ = json.Marshal(own)
	r, _ = e.verifier(at).VerifyPresentation(ctx, raw, credential.PresentationOptions{Challenge: "ch", Domain: "https://v.example"})
	wantPresentation(t, "alice's own vp+jwt", r, true, map[string]string{"credentials": "passed"})

	// Mallory self-issues sub = Alice, cnf = Mallory's key.
	claims, _ := json.Marshal(map[string]any{"iss": mallory.DID, "iat": e.Now.Unix(), "vct": "Login", "sub": alice.DID, "name": "x"})
	mk := mallory.Key.Public()
	self, err := sdjwt.Issue(mallory.Key, mallory.VM(), claims, sdjwt.IssueOptions{Disclosable: []string{"/name"}, HolderKey: &mk})
	if err != nil {
		t.Fatal(err)
	}
	pres, _ := sdjwt.Present(self, []string{"/name"}, &sdjwt.KeyBinding{Key: mallory.Key, Audience: "https://v.example", Nonce: "ch", IssuedAt: at})
	raw, _ = json.Marshal(pres)
	r, _ = e.verifier(at).VerifyPresentation(ctx, raw, credential.PresentationOptions{Challenge: "ch", Domain: "https://v.example"})
	if r.Holder == alice.DID {
		t.Fatalf("holder reported as %s from sub alone", r.Holder)
	}
	// A status claim that weid does not read is a warning, not a pass.
	claims, _ = json.Marshal(map[string]any{"iss": mallory.DID, "iat": e.Now.Unix(), "vct": "Login", "status": map[string]any{"status_list": map[string]any{"idx": 1, "uri": "https://x.example/l"}}, "name": "x"})
	withStatus, _ := sdjwt.Issue(mallory.Key, mallory.VM(), claims, sdjwt.IssueOptions{})
	cr := e.verifier(at).VerifySDJWT(ctx, withStatus, credential.Policy{})
	if got := fmt.Sprint(statuses(t, cr)[credential.CheckStatus]); got != credential.StatusWarning {
		t.Fatalf("status claim: %s", got)
	}
}
