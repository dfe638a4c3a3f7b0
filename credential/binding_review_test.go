package credential

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/did"
)

// deactivatedDocs resolves every DID as deactivated (DID Resolution
// §7.1.3: the document metadata's deactivated).
type deactivatedDocs struct{}

func (deactivatedDocs) Resolve(_ context.Context, d did.DIDURL, _ did.Options) (*did.ResolutionResult, error) {
	return nil, fmt.Errorf("%w: %s", did.ErrDeactivated, d.DID)
}

// issuerBinding by reference (Controlled Identifiers 1.0 §2.3) passes
// only for an issuer document listing the signing key's exact DID URL in
// assertionMethod: not a relative reference that resolves against the
// issuer's own DID, nor the key under another relationship, in another
// case, with a query, or the signer's bare DID; and a deactivated issuer
// authorizes nothing.
func TestVerify_IssuerBindingByReferenceIsExact(t *testing.T) {
	w := newDeclaredWorld(t)
	kid := w.signer.vm()
	_, frag, _ := strings.Cut(kid, "#")
	signerDID, _, _ := strings.Cut(kid, "#")
	doc := func(id string, own bool, rel string, refs ...string) *did.Document {
		d := &did.Document{Context: []string{did.ContextDIDv1}, ID: id}
		if own {
			d.VerificationMethod = []did.VerificationMethod{{ID: id + "#" + frag, Type: did.MultikeyType, Controller: id, PublicKeyMultibase: w.other.key.Public().Multibase()}}
		}
		switch rel {
		case "authentication":
			d.Authentication = refs
		default:
			d.AssertionMethod = refs
		}
		return d
	}
	web := fixedDocs{
		"did:web:ok.example":       doc("did:web:ok.example", false, "assertionMethod", kid),
		"did:web:relative.example": doc("did:web:relative.example", true, "assertionMethod", "#"+frag),
		"did:web:auth.example":     doc("did:web:auth.example", false, "authentication", kid),
		"did:web:case.example":     doc("did:web:case.example", false, "assertionMethod", strings.ToUpper(kid[:4])+kid[4:]),
		"did:web:query.example":    doc("did:web:query.example", false, "assertionMethod", signerDID+"?versionId=1#"+frag),
		"did:web:bare.example":     doc("did:web:bare.example", false, "assertionMethod", signerDID),
	}
	resolver := did.NewResolver(map[string]did.MethodResolver{"key": did.KeyMethod{}, "weid": fixedDocs{}, "web": web, "example": deactivatedDocs{}})
	v := &Verifier{Resolver: resolver, Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }}
	for _, tc := range []struct{ issuer, code string }{
		{"did:web:ok.example", ReasonBindingByReference},
		{"did:web:relative.example", ReasonBindingMismatch},
		{"did:web:auth.example", ReasonBindingMismatch},
		{"did:web:case.example", ReasonBindingMismatch},
		{"did:web:query.example", ReasonBindingMismatch},
		{"did:web:bare.example", ReasonBindingMismatch},
		{"did:example:gone", ReasonBindingUnresolved},
	} {
		t.Run(tc.issuer, func(t *testing.T) {
			s, err := issueIn(w.declared(), "vc+jwt", diCredential(t, tc.issuer), w.resolver)
			if err != nil {
				t.Fatal(err)
			}
			r := v.VerifyJWT(context.Background(), s.token, Policy{})
			var got Check
			for _, c := range r.Checks {
				if c.Name == CheckIssuerBinding {
					got = c
				}
			}
			if got.Code != tc.code {
				t.Fatalf("issuerBinding %s (%s), want %s", got.Code, got.Detail, tc.code)
			}
			if want := tc.code == ReasonBindingByReference; r.Verified != want {
				t.Errorf("verified %v, want %v: %s", r.Verified, want, diDump(r))
			}
		})
	}
}
