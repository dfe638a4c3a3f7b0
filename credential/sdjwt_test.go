package credential_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/sdjwt"
)

// bankDomain is the verifier the SD-JWT presentations are made for.
const bankDomain = "https://bank.example"

// presentToBank has holder disclose the claims at paths of the SD-JWT VC
// tok in a presentation key-bound (at time at) to bankDomain and its
// challenge nonce, has v verify it (consuming the challenge from store)
// and fails the test named name unless it verified with every
// presentation check passed. It returns the presentation and the result.
func presentToBank(t *testing.T, name string, v *credential.Verifier, tok string, paths []string, holder *keys.PrivateKey, at time.Time, nonce string, store challenges) (string, *credential.PresentationResult) {
	t.Helper()
	pres, err := sdjwt.Present(tok, paths, &sdjwt.KeyBinding{Key: holder, Audience: bankDomain, Nonce: nonce, IssuedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(pres)
	pr, err := v.VerifyPresentation(context.Background(), b, credential.PresentationOptions{Challenge: nonce, Domain: bankDomain, Challenges: store, Policy: credential.Policy{RequireAccreditation: true}})
	if err != nil {
		t.Fatal(err)
	}
	wantPresentation(t, name, pr, true, map[string]string{"holderProof": "passed", "challenge": "passed", "domain": "passed", "credentials": "passed"})
	return pres, pr
}

func TestSDJWTIssueVerifyPresent(t *testing.T) {
	e := newLedger(t)
	uni := e.issuer(t, keys.P256, "Example University")
	alice := e.User(t, keys.Ed25519)
	at := e.Now.Add(time.Hour)
	v := e.verifier(at)
	tok := issueSD(t, e, uni, alice.DID, nil, "/credentialSubject/holderName", "/credentialSubject/degree", "/credentialSubject/diplomaNumber", "/credentialSubject/awardedDate")
	// The credential alone, with every disclosure: every check, the
	// claims validated against the schema (none is withheld).
	r := v.VerifySDJWT(ctx, tok, credential.Policy{RequireAccreditation: true})
	want(t, r, true, with(credential.CheckProof, "passed", credential.CheckAccreditation, "passed", credential.CheckSchema, "passed"))
	// Nothing selectively disclosable: every claim is in the clear.
	want(t, v.VerifySDJWT(ctx, issueSD(t, e, uni, alice.DID, nil), credential.Policy{RequireAccreditation: true}), true, with(credential.CheckSchema, "passed"))
	subj, _ := r.Credential["credentialSubject"].(map[string]any)
	if subj["degree"] != "Bachelor of Engineering" || subj["id"] != alice.DID {
		t.Fatalf("subject %v", subj)
	}

	// Alice discloses two claims to a verifier, with its challenge.
	store := challenges{"n-1": false}
	pres, pr := presentToBank(t, "two claims", v, tok, []string{"/degree", "/awardedDate"}, alice.Key, at, "n-1", store)
	str := func(s string) json.RawMessage { b, _ := json.Marshal(s); return b }
	got, _ := pr.Credentials[0].Credential["credentialSubject"].(map[string]any)
	for _, hidden := range []string{"holderName", "diplomaNumber"} {
		if _, ok := got[hidden]; ok {
			t.Errorf("%s was disclosed", hidden)
		}
	}
	if got["degree"] != "Bachelor of Engineering" || got["awardedDate"] != "2025-07-01" || got["fieldOfStudy"] != "Computer Science" {
		t.Errorf("disclosed subject %v", got)
	}
	// Two claims withheld: the schema cannot be checked on them, and the
	// warning says how many digests name no disclosure.
	want(t, pr.Credentials[0], true, with(credential.CheckSchema, "warning"))
	var c credential.Check
	for _, c = range pr.Credentials[0].Checks {
		if c.Name == credential.CheckSchema {
			break
		}
	}
	if c.Code != credential.ReasonSchemaDisclosed || !strings.Contains(c.Detail, "2 of the SD-JWT's digests") {
		t.Errorf("schema check of the presented credential: %+v", c)
	}
	if !strings.Contains(pr.Checks[1].Detail, "/awardedDate, /degree") {
		t.Errorf("holder proof detail %q", pr.Checks[1].Detail)
	}
	// Replayed; wrong audience; no key binding; a stranger's key binding.
	pr, _ = v.VerifyPresentation(ctx, str(pres), credential.PresentationOptions{Challenge: "n-1", Domain: bankDomain, Challenges: store})
	wantPresentation(t, "replay", pr, false, map[string]string{"challenge": "failed"})
	pr, _ = v.VerifyPresentation(ctx, str(pres), credential.PresentationOptions{Challenge: "n-1", Domain: "https://other.example"})
	wantPresentation(t, "audience", pr, false, map[string]string{"domain": "failed"})
	bare, _ := sdjwt.Present(tok, []string{"/degree"}, nil)
	pr, _ = v.VerifyPresentation(ctx, str(bare), credential.PresentationOptions{Challenge: "n-1"})
	wantPresentation(t, "no key binding", pr, false, map[string]string{"holderProof": "failed"})
	mallory, _ := keys.Generate(keys.Ed25519)
	if _, err := sdjwt.Present(tok, []string{"/degree"}, &sdjwt.KeyBinding{Key: mallory, Audience: "a", Nonce: "n", IssuedAt: at}); err == nil {
		t.Error("a key binding by a key other than cnf's was made")
	}

	// Tampered: a disclosure swapped for one the issuer did not sign.
	parts := strings.Split(tok, "~")
	forged := parts[0] + "~" + "WyJzYWx0IiwgImRlZ3JlZSIsICJQaEQiXQ" + "~"
	r = v.VerifySDJWT(ctx, forged, credential.Policy{})
	if r.Verified {
		t.Fatal("a forged disclosure verified")
	}
	// Through the dispatcher, as /credentials/verify sees it.
	if r, err := v.Verify(ctx, str(tok), credential.Policy{}); err != nil || !r.Verified {
		t.Fatalf("Verify: %v %v", err, r)
	}
	// Expired.
	r = e.verifier(e.Now.AddDate(10, 0, 0)).VerifySDJWT(ctx, issueSD(t, e, uni, alice.DID, map[string]any{"validUntil": e.Now.Add(24 * time.Hour).UTC().Format(time.RFC3339)}, "/credentialSubject/degree"), credential.Policy{})
	if r.Verified {
		t.Fatal("an expired SD-JWT verified")
	}
}

// issueSD issues a's diploma (extra as diploma takes it) to holder as an
// SD-JWT VC on e's ledger, the claims at the pointers disclosable.
func issueSD(t testing.TB, e *ledger, a *actor, holder string, extra map[string]any, disclosable ...string) string {
	t.Helper()
	tok, err := credential.IssueSDJWT(ctx, signerOf(a), diploma(t, a.DID, holder, extra), e.Now, credential.IssueOptions{State: e.l}, disclosable, e.resolver)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestDataIntegritySuitesOnLedger(t *testing.T) {
	e := newLedger(t)
	v := e.verifier(e.Now.Add(time.Hour))
	for _, tc := range []struct {
		suite string
		kt    keys.Type
	}{{credential.CryptosuiteEdDSARDFC2022, keys.Ed25519}, {credential.CryptosuiteECDSARDFC2019, keys.P256}, {credential.CryptosuiteEdDSAJCS2022, keys.Ed25519}} {
		t.Run(tc.suite, func(t *testing.T) {
			uni := e.issuer(t, tc.kt, "University "+tc.suite)
			alice := e.User(t, keys.Ed25519)
			signed, err := credential.SignDataIntegrity(signerOf(uni), diploma(t, uni.DID, alice.DID, nil), tc.suite, e.Now)
			if err != nil {
				t.Fatal(err)
			}
			want(t, v.VerifyDataIntegrity(ctx, signed, credential.Policy{RequireAccreditation: true}), true, with(credential.CheckValidityPeriod, "skipped"))
			// Tampered.
			bad := []byte(strings.Replace(string(signed), "Bachelor of Engineering", "Doctor of Philosophy", 1))
			want(t, v.VerifyDataIntegrity(ctx, bad, credential.Policy{}), false, with(credential.CheckProof, "failed", credential.CheckValidityPeriod, "skipped"))
			// Presented by alice with a Data Integrity proof.
			vpDoc := vp(t, "", json.RawMessage(signed))
			pres, err := credential.SignPresentationDataIntegrity(signerOf(alice), vpDoc, credential.CryptosuiteEdDSARDFC2022, "ch-"+tc.suite, "https://verifier.example", e.Now)
			if err != nil {
				t.Fatal(err)
			}
			store := challenges{"ch-" + tc.suite: false}
			pr, err := v.VerifyPresentation(ctx, pres, credential.PresentationOptions{Challenge: "ch-" + tc.suite, Domain: "https://verifier.example", Challenges: store})
			if err != nil {
				t.Fatal(err)
			}
			wantPresentation(t, "DI presentation", pr, true, map[string]string{"holderProof": "passed", "challenge": "passed", "domain": "passed", "credentials": "passed"})
			pr, _ = v.VerifyPresentation(ctx, pres, credential.PresentationOptions{Challenge: "ch-" + tc.suite, Challenges: store})
			wantPresentation(t, "DI replay", pr, false, map[string]string{"challenge": "failed"})
			// The issuer's key cannot authenticate as alice.
			forged, _ := credential.SignPresentationDataIntegrity(credential.Signer{DID: alice.DID, VerificationMethod: alice.VM(), Key: uni.Key}, vpDoc, suiteFor(uni.Key), "x", "", e.Now)
			if forged != nil {
				pr, _ = v.VerifyPresentation(ctx, forged, credential.PresentationOptions{Challenge: "x"})
				wantPresentation(t, "forged DI presentation", pr, false, map[string]string{"holderProof": "failed"})
			}
		})
	}
}

func suiteFor(k *keys.PrivateKey) string {
	if k.Type() == keys.P256 {
		return credential.CryptosuiteECDSARDFC2019
	}
	return credential.CryptosuiteEdDSARDFC2022
}

// TestSDJWTEverySchemaExists: a selectively disclosed credential is not
// re-validated, but each schema it names must exist — not just the first.
func TestSDJWTEverySchemaExists(t *testing.T) {
	e := newLedger(t)
	uni := e.issuer(t, keys.Ed25519, "Example University")
	missing := strings.Replace(schemaURL, "/2", "/4000000", 1)
	two := []any{map[string]any{"id": schemaURL, "type": "JsonSchema"}, map[string]any{"id": missing, "type": "JsonSchema"}}
	// Issued without a ledger, so issuance does not refuse the missing one.
	tok, err := credential.IssueSDJWT(ctx, signerOf(uni), diploma(t, uni.DID, "did:example:alice", map[string]any{"credentialSchema": two}), e.Now, credential.IssueOptions{}, []string{"/credentialSubject/degree"}, e.resolver)
	if err != nil {
		t.Fatal(err)
	}
	r := e.verifier(e.Now.Add(time.Hour)).VerifySDJWT(ctx, tok, credential.Policy{})
	want(t, r, false, with(credential.CheckSchema, "failed", credential.CheckAccreditation, "warning"))
	if !strings.Contains(r.Errors[0].Detail, "4000000") {
		t.Errorf("schema error %q", r.Errors[0].Detail)
	}
}
