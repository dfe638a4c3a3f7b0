package sdjwt_test

// Differential tests against github.com/trustbloc/vc-go v1.3.5 (its
// sdjwt/issuer, sdjwt/holder and sdjwt/verifier packages, SD-JWT draft 05
// with -v5 options). vc-go's own signature code is not under test here: it
// signs and checks issuer JWTs through the adapters below, which use
// package keys; it checks key-binding JWTs itself, from "cnf".

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	kmsjose "github.com/trustbloc/kms-go/doc/jose"
	"github.com/trustbloc/kms-go/doc/jose/jwk"
	"github.com/trustbloc/vc-go/sdjwt/common"
	"github.com/trustbloc/vc-go/sdjwt/holder"
	"github.com/trustbloc/vc-go/sdjwt/issuer"
	"github.com/trustbloc/vc-go/sdjwt/verifier"

	josejson "github.com/go-jose/go-jose/v3/json"
	"github.com/go-jose/go-jose/v3/jwt"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/sdjwt"
)

var allAlgs = []string{jose.AlgEdDSA, jose.AlgES256, jose.AlgES256K}

// vcSigner signs for vc-go with a keys.PrivateKey.
type vcSigner struct {
	k       *keys.PrivateKey
	headers kmsjose.Headers
}

func (s vcSigner) Sign(data []byte) ([]byte, error) { return s.k.Sign(data) }
func (s vcSigner) Headers() kmsjose.Headers {
	alg, _ := jose.AlgFor(s.k.Type())
	h := kmsjose.Headers{"alg": alg}
	for k, v := range s.headers {
		h[k] = v
	}
	return h
}

// vcChecker checks issuer JWT signatures for vc-go with a keys.PublicKey.
type vcChecker struct{ pk keys.PublicKey }

func (c vcChecker) CheckJWTProof(h kmsjose.Headers, _ string, msg, sig []byte) error {
	alg, _ := h.Algorithm()
	if want, _ := jose.AlgFor(c.pk.Type); alg != want {
		return errors.New("alg mismatch")
	}
	if !c.pk.Verify(msg, sig) {
		return errors.New("bad signature")
	}
	return nil
}

// generic re-encodes v as generic JSON (float64 numbers). vc-go's claims
// hold numbers as go-jose's json.Number, which encoding/json would write
// as strings: they become numbers first.
func generic(t *testing.T, v any) any {
	t.Helper()
	return sdjwt.Normalize(t, joseNumbers(v))
}

// dropEmpty removes, at any depth, object members that are null or empty
// arrays.
func dropEmpty(v any) any {
	return sdjwt.RewriteJSON(v, func(_ string, v any) (any, bool, bool) {
		a, isArray := v.([]any)
		return v, true, v == nil || isArray && len(a) == 0
	})
}

func vcgoVerify(t *testing.T, pres string, issuerKey keys.PublicKey, opts ...verifier.ParseOpt) (map[string]any, error) {
	t.Helper()
	opts = append([]verifier.ParseOpt{
		verifier.WithSignatureVerifier(vcChecker{issuerKey}),
		verifier.WithIssuerSigningAlgorithms(allAlgs),
		verifier.WithHolderSigningAlgorithms(allAlgs),
		verifier.WithExpectedTypHeader(sdjwt.TypVC),
	}, opts...)
	return verifier.Parse(pres, opts...)
}

func joseNumbers(v any) any {
	return sdjwt.RewriteJSON(v, func(_ string, v any) (any, bool, bool) {
		if n, ok := v.(josejson.Number); ok {
			return json.Number(n), false, false
		}
		return v, true, false
	})
}

const diffClaims = `{
  "iss": "did:example:issuer",
  "iat": 1700000000,
  "vct": "https://example.com/pid",
  "given_name": "Erika",
  "family_name": "Mustermann",
  "age": 61,
  "address": {"street_address": "Heidestraße 17", "locality": "Köln", "country": "DE"},
  "nationalities": ["DE", "FR", "NL"],
  "degree": {"type": "BSc", "year": 2010, "honours": true}
}`

// TestOursVerifiedByVCGo: SD-JWTs weid issues and presents verify with
// vc-go's verifier, which finds the same claims.
func TestOursVerifiedByVCGo(t *testing.T) {
	disclosable := []string{"/given_name", "/family_name", "/age", "/address/street_address", "/address/locality", "/nationalities/0", "/nationalities/2", "/degree", "/degree/year", "/degree/honours"}
	for _, typ := range []keys.Type{keys.Ed25519, keys.P256, keys.Secp256k1} {
		ik, hk := keytest.New(t, typ), keytest.New(t, keys.Ed25519)
		hpub := hk.Public()
		s, err := sdjwt.Issue(ik, "did:example:issuer#k", json.RawMessage(diffClaims), sdjwt.IssueOptions{Disclosable: disclosable, HolderKey: &hpub, Decoys: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, reveal := range [][]string{disclosable, {"/given_name", "/degree/year"}, {"/nationalities/2", "/address/locality"}} {
			p, err := sdjwt.Present(s, reveal, nil)
			if err != nil {
				t.Fatal(err)
			}
			j, err := sdjwt.Parse(p)
			if err != nil {
				t.Fatal(err)
			}
			ours, err := j.Verify(ik.Public(), sdjwt.VerifyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			theirs, err := vcgoVerify(t, p, ik.Public())
			if err != nil {
				t.Fatalf("%s %q: vc-go: %v", typ, reveal, err)
			}
			// vc-go drops an array none of whose elements is disclosed
			// (we keep it empty, RFC 9901 §7.1): compare without those.
			if a, b := dropEmpty(generic(t, ours.Claims)), dropEmpty(generic(t, theirs)); !reflect.DeepEqual(a, b) {
				t.Errorf("%s %q:\n ours  %v\n vc-go %v", typ, reveal, a, b)
			}
		}
		// Key binding: vc-go checks our KB-JWT's signature with the cnf
		// key, its aud and nonce (it does not check sd_hash).
		kb := &sdjwt.KeyBinding{Key: hk, Audience: "https://verifier.example", Nonce: "abc123"}
		p, err := sdjwt.Present(s, []string{"/given_name"}, kb)
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := vcgoVerify(t, p, ik.Public(), verifier.WithHolderVerificationRequired(true),
			verifier.WithExpectedAudienceForHolderVerification(kb.Audience), verifier.WithExpectedNonceForHolderVerification(kb.Nonce))
		if err != nil {
			t.Fatalf("vc-go rejects our KB-JWT: %v", err)
		}
		j, _ := sdjwt.Parse(p)
		ours, err := j.Verify(ik.Public(), sdjwt.VerifyOptions{RequireKeyBinding: true, Audience: kb.Audience, Nonce: kb.Nonce})
		if err != nil {
			t.Fatal(err)
		}
		if a, b := generic(t, ours.Claims), generic(t, theirs); !reflect.DeepEqual(a, b) {
			t.Errorf("with KB:\n ours  %v\n vc-go %v", a, b)
		}
		if _, err := vcgoVerify(t, p, ik.Public(), verifier.WithHolderVerificationRequired(true),
			verifier.WithExpectedAudienceForHolderVerification(kb.Audience), verifier.WithExpectedNonceForHolderVerification("other")); err == nil {
			t.Error("vc-go accepts our KB-JWT with another nonce")
		}
	}
}

// TestEmptyArrayDivergence documents one difference: when no element of
// an array is disclosed, RFC 9901 §7.1 removes the elements and weid
// keeps the empty array; vc-go v1.3.5 drops the member.
func TestEmptyArrayDivergence(t *testing.T) {
	ik := keytest.New(t, keys.Ed25519)
	s, err := sdjwt.Issue(ik, "", json.RawMessage(`{"iss":"did:example:issuer","vct":"v","n":["DE"]}`), sdjwt.IssueOptions{Disclosable: []string{"/n/0"}})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := sdjwt.Present(s, nil, nil)
	j, _ := sdjwt.Parse(p)
	ours, err := j.Verify(ik.Public(), sdjwt.VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := vcgoVerify(t, p, ik.Public())
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := ours.Claims["n"].([]any); !ok || len(n) != 0 {
		t.Errorf("ours: n = %v", ours.Claims["n"])
	}
	if _, ok := theirs["n"]; ok {
		t.Logf("vc-go now keeps the empty array: %v", theirs["n"])
	}
}

// vcgoIssue issues diffClaims-like claims with vc-go (SD-JWT v5 rules).
func vcgoIssue(t *testing.T, ik *keys.PrivateKey, holderKey keys.PublicKey, decoys bool) string {
	t.Helper()
	var claims map[string]any
	if err := json.Unmarshal([]byte(diffClaims), &claims); err != nil {
		t.Fatal(err)
	}
	delete(claims, "iss")
	delete(claims, "iat")
	raw, err := jose.PublicJWK(holderKey)
	if err != nil {
		t.Fatal(err)
	}
	var hj jwk.JWK
	if err := hj.UnmarshalJSON(raw); err != nil {
		t.Fatal(err)
	}
	tok, err := issuer.New("did:example:issuer", claims,
		kmsjose.Headers{"typ": sdjwt.TypVC, "kid": "did:example:issuer#k"},
		vcSigner{k: ik},
		issuer.WithSDJWTVersion(common.SDJWTVersionV5),
		issuer.WithIssuedAt(jwt.NewNumericDate(time.Unix(1700000000, 0))),
		issuer.WithHolderPublicKey(&hj),
		issuer.WithNonSelectivelyDisclosableClaims([]string{"vct", "family_name"}),
		issuer.WithAlwaysIncludeObjects([]string{"address"}),
		issuer.WithRecursiveClaimsObjects([]string{"degree"}),
		issuer.WithDecoyDigests(decoys),
	)
	if err != nil {
		t.Fatal(err)
	}
	s, err := tok.Serialize(false)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestVCGoVerifiedByOurs: SD-JWTs vc-go issues, presented with vc-go's
// holder, verify with weid and give the claims vc-go's verifier gives.
func TestVCGoVerifiedByOurs(t *testing.T) {
	for _, typ := range []keys.Type{keys.Ed25519, keys.P256, keys.Secp256k1} {
		ik, hk := keytest.New(t, typ), keytest.New(t, keys.P256)
		s := vcgoIssue(t, ik, hk.Public(), false)
		// vc-go serializes an issuance without the final '~' RFC 9901
		// requires: its last disclosure reads as a (malformed) KB-JWT.
		if strings.HasSuffix(s, "~") {
			t.Log("vc-go now ends issuances with '~'")
		} else if _, err := sdjwt.Parse(s); errs.Code(err) != sdjwt.CodeMalformed {
			t.Errorf("vc-go issuance without the final '~': %v", err)
		}
		all := common.ParseCombinedFormatForIssuance(s).Disclosures
		if len(all) < 8 {
			t.Fatalf("vc-go made only %d disclosures", len(all))
		}
		for _, subset := range [][]string{all, all[:1], all[len(all)/2:]} {
			p, err := holder.CreatePresentation(s, subset)
			if err != nil {
				t.Fatal(err)
			}
			theirs, theirErr := vcgoVerify(t, p, ik.Public())
			j, err := sdjwt.Parse(p)
			if err != nil {
				t.Fatalf("%s: parse vc-go presentation: %v", typ, err)
			}
			ours, ourErr := j.Verify(ik.Public(), sdjwt.VerifyOptions{})
			if theirErr != nil || ourErr != nil {
				// A subset may leave a recursive child without its parent:
				// both must then reject.
				if (theirErr == nil) != (ourErr == nil) {
					t.Errorf("%s %d disclosures: vc-go %v, ours %v", typ, len(subset), theirErr, ourErr)
				}
				continue
			}
			// vc-go drops an array none of whose elements is disclosed
			// (we keep it empty, RFC 9901 §7.1): compare without those.
			if a, b := dropEmpty(generic(t, ours.Claims)), dropEmpty(generic(t, theirs)); !reflect.DeepEqual(a, b) {
				t.Errorf("%s %d disclosures:\n ours  %v\n vc-go %v", typ, len(subset), a, b)
			}
			if len(subset) == len(all) {
				var want map[string]any
				_ = json.Unmarshal([]byte(diffClaims), &want)
				want["cnf"] = generic(t, ours.Claims["cnf"])
				if got := generic(t, ours.Claims); !reflect.DeepEqual(got, generic(t, want)) {
					t.Errorf("all disclosed:\n got  %v\n want %v", got, want)
				}
				if len(ours.Disclosed) != len(all) {
					t.Errorf("disclosed %q", ours.Disclosed)
				}
			}
		}

		// vc-go's KB-JWT (draft 05 form) has no sd_hash: vc-go's verifier
		// accepts it, weid refuses it.
		kbIat := time.Now()
		p, err := holder.CreatePresentation(s, all[:2], holder.WithHolderVerification(&holder.BindingInfo{
			Payload: holder.BindingPayload{Nonce: "abc123", Audience: "https://verifier.example", IssuedAt: jwt.NewNumericDate(kbIat)},
			Signer:  vcSigner{k: hk},
			Headers: kmsjose.Headers{"typ": sdjwt.TypKB},
		}))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := vcgoVerify(t, p, ik.Public(), verifier.WithHolderVerificationRequired(true),
			verifier.WithExpectedAudienceForHolderVerification("https://verifier.example"), verifier.WithExpectedNonceForHolderVerification("abc123")); err != nil {
			t.Errorf("vc-go rejects its own KB-JWT: %v", err)
		}
		j, err := sdjwt.Parse(p)
		if err != nil {
			t.Fatal(err)
		}
		_, err = j.Verify(ik.Public(), sdjwt.VerifyOptions{RequireKeyBinding: true, Audience: "https://verifier.example", Nonce: "abc123"})
		if errs.Code(err) != sdjwt.CodeBadKeyBinding || !strings.Contains(err.Error(), "sd_hash") {
			t.Errorf("vc-go KB-JWT without sd_hash: %v", err)
		}
	}
}

// TestVCGoDecoys documents that vc-go v1.3.5 with decoy digests also
// emits each decoy's salt as if it were a disclosure; weid refuses such an
// SD-JWT as malformed.
func TestVCGoDecoys(t *testing.T) {
	ik, hk := keytest.New(t, keys.Ed25519), keytest.New(t, keys.Ed25519)
	s := vcgoIssue(t, ik, hk.Public(), true)
	p, err := holder.CreatePresentation(s, common.ParseCombinedFormatForIssuance(s).Disclosures)
	if err != nil {
		t.Fatal(err)
	}
	_, err = sdjwt.Parse(p)
	if err == nil {
		t.Log("vc-go decoys no longer leak into the disclosures")
		return
	}
	if errs.Code(err) != sdjwt.CodeMalformed {
		t.Errorf("got %v", err)
	}
	t.Logf("weid: %v", err)
}
