package oid4vci

import (
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/keys"
)

// FuzzParseProof: no input panics, and a proof that parses names exactly
// one key and the audience, within the time window.
func FuzzParseProof(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	const aud = "https://weid.example/issuers/acme/diploma"
	k, _ := keys.Generate(keys.Ed25519)
	good, _ := SignProof(k, "", aud, "n0nce", now)
	kid, _ := SignProof(k, did.KeyDID(k.Public())+"#"+k.Public().Multibase(), aud, "n0nce", now)
	f.Add(good)
	f.Add(kid)
	f.Add(strings.Replace(good, ".", "x.", 1))
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Fuzz(func(t *testing.T, tok string) {
		p, err := ParseProof(tok, ProofCheck{Audience: aud, Now: now, MaxAge: 5 * time.Minute, Skew: time.Minute})
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("%T is not an *Error", err)
			}
			return
		}
		if (p.Kid == "") == (len(p.JWK) == 0) || p.Nonce == "" || p.IssuedAt.Before(now.Add(-5*time.Minute)) || p.IssuedAt.After(now.Add(time.Minute)) {
			t.Fatalf("accepted %+v", p)
		}
		if p.Kid == "" && p.Key.IsZero() {
			t.Fatal("a jwk proof without its key")
		}
	})
}

// FuzzParseOfferURI: no input panics; an offer read by value names an
// https (or loopback http) issuer and 1 to MaxConfigurations ids, and a
// reference is such a URL.
func FuzzParseOfferURI(f *testing.F) {
	o := &CredentialOffer{CredentialIssuer: "https://weid.example/issuers/acme/diploma", CredentialConfigurationIDs: []string{"diploma"},
		Grants: &Grants{PreAuthorizedCode: &PreAuthorizedCodeGrant{PreAuthorizedCode: "abc", TxCode: &TxCode{Length: 6}}}}
	byValue, _ := OfferURI(o)
	f.Add(byValue)
	f.Add(OfferRefURI("https://weid.example/issuers/acme/diploma/offers/x"))
	f.Add(`{"credential_issuer":"http://127.0.0.1:8080/issuers/a/b","credential_configuration_ids":["b"]}`)
	f.Add("openid-credential-offer://?credential_offer=%7B%7D&credential_offer_uri=x")
	f.Fuzz(func(t *testing.T, s string) {
		offer, ref, err := ParseOfferURI(s)
		if err != nil {
			return
		}
		switch {
		case offer != nil && ref == "":
			if CheckURL(offer.CredentialIssuer) != nil || len(offer.CredentialConfigurationIDs) == 0 || len(offer.CredentialConfigurationIDs) > MaxConfigurations {
				t.Fatalf("accepted offer %+v", offer)
			}
		case offer == nil && ref != "":
			if CheckURL(ref) != nil {
				t.Fatalf("accepted reference %q", ref)
			}
		default:
			t.Fatalf("offer %v and reference %q", offer, ref)
		}
	})
}

// FuzzParseTokenRequest: no input panics; a request that parses has a
// pre-authorized code, and every failure is an OAuth *Error.
func FuzzParseTokenRequest(f *testing.F) {
	f.Add("grant_type=" + GrantPreAuthorizedCode + "&pre-authorized_code=abc&tx_code=493817")
	f.Add("grant_type=" + GrantPreAuthorizedCode + "&pre-authorized_code=abc&pre-authorized_code=def")
	f.Add("grant_type=authorization_code&code=x")
	f.Add("%zz")
	f.Fuzz(func(t *testing.T, body string) {
		req, err := ParseTokenRequest([]byte(body))
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("%T is not an *Error", err)
			}
			return
		}
		if req.PreAuthorizedCode == "" {
			t.Fatalf("accepted %q without a code", body)
		}
	})
}

// FuzzParseCredentialRequest: no input panics, and every failure is an
// OAuth *Error.
func FuzzParseCredentialRequest(f *testing.F) {
	f.Add(`{"credential_configuration_id":"diploma","proofs":{"jwt":["a.b.c"]}}`)
	f.Add(`{"proof":{"proof_type":"jwt"}}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, body string) {
		if _, err := ParseCredentialRequest([]byte(body)); err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("%T is not an *Error", err)
			}
		}
	})
}
