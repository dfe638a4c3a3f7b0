package credential

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/weidgo/weid/ldproof"
)

// undefinedTermsCredential is a VC 2.0 credential whose type and claims no
// context defines, made conforming as VC Data Model 2.0 §5.2 asks: the
// undefined-terms context named last.
func undefinedTermsCredential(t testing.TB, issuer string) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"@context":  []any{ContextV2, ContextUndefinedTerms},
		"id":        "urn:uuid:5c1d9f0e-3a2b-4c8d-9e7f-000000000001",
		"type":      []any{"VerifiableCredential", "FirstAidCertificate"},
		"issuer":    issuer,
		"validFrom": "2025-07-01T00:00:00Z",
		"credentialSubject": map[string]any{
			"id": "did:example:alice", "course": "First aid", "hours": 16,
			"instructor": map[string]any{"type": "Instructor", "fullName": "Bo Li"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestUndefinedTermsContext: a credential naming the undefined-terms
// context last (VC Data Model 2.0 §5.2) is issued and verifies with every
// mechanism alike — the RDF-canonicalized eddsa-rdfc-2022, eddsa-jcs-2022
// and vc+jwt — whose JSON-LD processing serves the context embedded.
func TestUndefinedTermsContext(t *testing.T) {
	ctx := t.Context()
	iss := newKeyIssuer(t)
	v := keyVerifier()
	doc := undefinedTermsCredential(t, iss.did)
	for _, suite := range []string{CryptosuiteEdDSARDFC2022, CryptosuiteEdDSAJCS2022} {
		signed, err := SignDataIntegrity(iss.signer(), doc, suite, time.Time{})
		if err != nil {
			t.Fatalf("%s: %v", suite, err)
		}
		if r := v.VerifyDataIntegrity(ctx, signed, Policy{}); !r.Verified || !onlyAccreditationWarning(r) {
			t.Fatalf("%s:\n%s", suite, diDump(r))
		}
	}
	tok, err := IssueJWT(iss.signer(), doc, time.Now(), IssueOptions{})
	if err != nil {
		t.Fatalf("vc+jwt: %v", err)
	}
	if r := v.VerifyJWT(ctx, tok, Policy{}); !r.Verified || !onlyAccreditationWarning(r) {
		t.Fatalf("vc+jwt:\n%s", diDump(r))
	}
}

// onlyAccreditationWarning reports whether r warns of nothing but the
// missing trust registry (keyVerifier has none).
func onlyAccreditationWarning(r *Result) bool {
	for _, c := range r.Warnings {
		if c.Name != CheckAccreditation {
			return false
		}
	}
	return true
}

// TestUndefinedTermsEmbedded: the context is embedded byte for byte as
// @digitalbazaar/credentials-context 3.2.0 ships it (contexts/SOURCES.md),
// and a relatedResource digest of it is not checked: W3C publishes none,
// and the bytes it serves may not be the npm copy's.
func TestUndefinedTermsEmbedded(t *testing.T) {
	body, ok := ldproof.ContextBytes(ContextUndefinedTerms)
	if sum := sha256.Sum256(body); !ok || hex.EncodeToString(sum[:]) != "82dab514ba44eb18f5d1b0f638c5e140c6a556fbfb5089601bdc0fa5eb8b2581" {
		t.Fatalf("embedded %v, SHA-256 %x", ok, sum)
	}
	for alg := range hashes {
		if _, known := knownDigest(ContextUndefinedTerms, alg); known {
			t.Errorf("a %s digest of the undefined-terms context is checked", alg)
		}
	}
}
