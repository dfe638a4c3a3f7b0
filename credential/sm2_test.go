package credential_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/sdjwt"
)

// TestSDJWT_SM2IssuerAndHolder: an SM2 issuer's SD-JWT VC binds an SM2
// holder's key as cnf ({"kty":"EC","crv":"SM2"}); the holder presents it
// with an SM2 key-binding JWT, and the verifier accepts it like any other.
func TestSDJWT_SM2IssuerAndHolder(t *testing.T) {
	e := newLedger(t)
	uni := e.issuer(t, keys.SM2, "国密 University")
	alice := e.User(t, keys.SM2)
	at := e.Now.Add(time.Hour)
	v := e.verifier(at)
	tok := issueSD(t, e, uni, alice.DID, nil, "/credentialSubject/holderName", "/credentialSubject/degree")
	j, err := jose.Parse(strings.SplitN(tok, "~", 2)[0])
	if err != nil || j.Header.Alg != jose.AlgSM2 {
		t.Fatalf("issuer JWS: alg %q, %v", j.Header.Alg, err)
	}
	var claims map[string]any
	_ = json.Unmarshal(j.Payload, &claims)
	cnf, _ := claims["cnf"].(map[string]any)
	jwk, _ := cnf["jwk"].(map[string]any)
	if jwk["kty"] != "EC" || jwk["crv"] != "SM2" {
		t.Fatalf("cnf %v", cnf)
	}
	want(t, v.VerifySDJWT(ctx, tok, credential.Policy{RequireAccreditation: true}), true,
		with(credential.CheckProof, "passed", credential.CheckAccreditation, "passed", credential.CheckSchema, "passed"))

	presentToBank(t, "SM2 key binding", v, tok, []string{"/degree"}, alice.Key, at, "n-sm2", challenges{"n-sm2": false})

	// Another SM2 key cannot bind the presentation.
	mallory := e.User(t, keys.SM2)
	if _, err := sdjwt.Present(tok, []string{"/degree"}, &sdjwt.KeyBinding{Key: mallory.Key, Audience: bankDomain, Nonce: "n-2", IssuedAt: at}); err == nil {
		t.Fatal("another SM2 key made the key binding")
	}
}

// TestDataIntegrity_SM2KeyRefusedNamingFormats: Data Integrity has no SM2
// cryptosuite; asking for one with an SM2 key is a 400 naming vc+jwt and
// dc+sd-jwt. A P-256 key asking for an EdDSA suite is told its formats too.
func TestDataIntegrity_SM2KeyRefusedNamingFormats(t *testing.T) {
	e := newLedger(t)
	uni := e.issuer(t, keys.SM2, "国密 University")
	for _, suite := range []string{credential.CryptosuiteEdDSARDFC2022, credential.CryptosuiteEdDSAJCS2022, credential.CryptosuiteECDSARDFC2019} {
		_, err := credential.SignDataIntegrity(signerOf(uni), diploma(t, uni.DID, "did:example:alice", nil), suite, e.Now)
		ee, ok := errs.As(err)
		if !ok || ee.Status != http.StatusBadRequest || ee.Code != "credential.invalidSigner" {
			t.Fatalf("%s: %v", suite, err)
		}
		for _, w := range []string{"no cryptosuite for SM2", "vc+jwt", "dc+sd-jwt", "an SM2 key signs"} {
			if suite == credential.CryptosuiteECDSARDFC2019 {
				w = strings.Replace(w, "an SM2 key signs", "needs a P-256 key", 1)
			}
			if !strings.Contains(ee.Detail, w) {
				t.Errorf("%s: %q does not say %q", suite, ee.Detail, w)
			}
		}
	}
	err := credential.CheckDataIntegrityKey(credential.CryptosuiteEdDSARDFC2022, keys.P256)
	if ee, ok := errs.As(err); !ok || !strings.Contains(ee.Detail, "ecdsa-rdfc-2019") || !strings.Contains(ee.Detail, "vc+jwt") {
		t.Fatalf("P-256 for eddsa: %v", err)
	}
	if err := credential.CheckDataIntegrityKey(credential.CryptosuiteECDSARDFC2019, keys.P256); err != nil {
		t.Fatal(err)
	}
}

// TestBatch_SM2: a batch of SM2 vc+jwt and SD-JWT VCs mixed with Ed25519
// ones verifies each SM2 signature on its own and gives the single
// endpoint's verdicts, a tampered SM2 credential failing alone.
func TestBatch_SM2(t *testing.T) {
	e := newLedger(t)
	sm := e.issuer(t, keys.SM2, "国密 University")
	ed := e.issuer(t, keys.Ed25519, "Example University")
	alice := e.User(t, keys.SM2)
	var items []credential.Secured
	for i := range 6 {
		uni := sm
		if i%3 == 2 {
			uni = ed
		}
		items = append(items, credential.Secured{Format: credential.FormatJWT, Token: issue(t, e, signerOf(uni), diploma(t, uni.DID, alice.DID, nil))})
	}
	sd := issueSD(t, e, sm, alice.DID, nil, "/credentialSubject/degree")
	items = append(items, credential.Secured{Format: credential.FormatSDJWT, Token: sd})
	items = append(items, credential.Secured{Format: credential.FormatJWT, Token: tamperJWT(items[0].Token)})
	v := e.verifier(e.Now.Add(time.Hour))
	res := v.NewBatch(credential.Policy{}).VerifyChunk(ctx, items)
	for i, r := range res {
		single := v.VerifySecured(ctx, items[i], credential.Policy{})
		if r.Verified != single.Verified {
			t.Errorf("item %d: batch %v, single %v", i, r.Verified, single.Verified)
		}
		if wantOK := i != len(items)-1; r.Verified != wantOK {
			t.Errorf("item %d: verified %v, want %v (%v)", i, r.Verified, wantOK, r.Errors)
		}
	}
}

// tamperJWT changes one character of a compact JWS's payload.
func tamperJWT(tok string) string {
	parts := strings.Split(tok, ".")
	p := []byte(parts[1])
	if p[10] == 'A' {
		p[10] = 'B'
	} else {
		p[10] = 'A'
	}
	parts[1] = string(p)
	return strings.Join(parts, ".")
}
