package credential

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/jose"
)

// fixedDocs resolves the DIDs of one method to fixed documents, such as a
// did:weid document that references a verification method of another DID
// (Controlled Identifiers 1.0 §2.3), which no ledger transaction writes.
type fixedDocs map[string]*did.Document

func (f fixedDocs) Resolve(_ context.Context, d did.DIDURL, _ did.Options) (*did.ResolutionResult, error) {
	doc, ok := f[d.DID]
	if !ok {
		return nil, fmt.Errorf("%w: %s", did.ErrNotFound, d.DID)
	}
	return &did.ResolutionResult{Document: doc}, nil
}

// declaredWorld is a signer, a did:weid that lists the signer's key in
// its assertionMethod by reference (delegating), one that does not
// (unrelated), and a resolver of did:key and those did:weid documents.
type declaredWorld struct {
	signer, other         *keyIssuer
	delegating, unrelated string
	resolver              *did.Resolver
}

func newDeclaredWorld(t *testing.T) *declaredWorld {
	w := &declaredWorld{signer: newKeyIssuer(t), other: newKeyIssuer(t),
		delegating: "did:weid:1:0x00000000000000000000000000000000000000d1",
		unrelated:  "did:weid:1:0x00000000000000000000000000000000000000d2"}
	own := func(id string) did.VerificationMethod {
		return did.VerificationMethod{ID: id + "#key-1", Type: did.MultikeyType, Controller: id, PublicKeyMultibase: w.other.key.Public().Multibase()}
	}
	docs := fixedDocs{
		w.delegating: {Context: []string{did.ContextDIDv1}, ID: w.delegating, VerificationMethod: []did.VerificationMethod{own(w.delegating)},
			AssertionMethod: []string{w.delegating + "#key-1", w.signer.vm()}},
		w.unrelated: {Context: []string{did.ContextDIDv1}, ID: w.unrelated, VerificationMethod: []did.VerificationMethod{own(w.unrelated)},
			AssertionMethod: []string{w.unrelated + "#key-1"}},
	}
	w.resolver = did.NewResolver(map[string]did.MethodResolver{"key": did.KeyMethod{}, "weid": docs})
	return w
}

// declared is the signer under the declared issuer policy.
func (w *declaredWorld) declared() Signer {
	s := w.signer.signer()
	s.Declared = w.resolver
	return s
}

var declaredFormats = []string{"vc+jwt", "dc+sd-jwt", CryptosuiteEdDSARDFC2022, CryptosuiteEdDSAJCS2022, ProofTypeEd25519Signature2020}

// issueIn secures cred in format (a securing mechanism of weid's issuer
// instances) with s and returns the secured credential for the verifier.
func issueIn(s Signer, format string, cred json.RawMessage, resolver *did.Resolver) (*secured, error) {
	now := time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)
	switch format {
	case "vc+jwt":
		tok, err := IssueJWT(s, cred, now, IssueOptions{})
		return &secured{token: tok}, err
	case "dc+sd-jwt":
		tok, err := IssueSDJWT(context.Background(), s, cred, now, IssueOptions{}, nil, resolver)
		return &secured{token: tok}, err
	}
	out, err := SignDataIntegrity(s, cred, format, now)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	err = json.Unmarshal(out, &m)
	return &secured{doc: m}, err
}

func errCode(err error) string {
	if e, ok := errs.As(err); ok {
		return e.Code
	}
	return fmt.Sprint(err)
}

// VC Data Model 2.0 §4.7: the issuer "selects this URL to identify
// itself". Under the declared policy a signer issues a credential naming
// an https URL (as a string or an object's id) or a DID of a method weid
// does not resolve offline, in every securing mechanism; under the
// default policy the same is refused.
func TestIssue_DeclaredIssuerInEveryFormat(t *testing.T) {
	w := newDeclaredWorld(t)
	issuers := []any{"https://dsaj.gov.mo", map[string]any{"id": "https://dsaj.gov.mo", "name": "Macao DSAJ"}, "did:example:bureau", "did:web:bureau.gov.mo"}
	for _, format := range declaredFormats {
		for _, iss := range issuers {
			t.Run(fmt.Sprintf("%s/%v", format, iss), func(t *testing.T) {
				cred := diCredential(t, "")
				var m map[string]any
				_ = json.Unmarshal(cred, &m)
				m["issuer"] = iss
				cred, _ = json.Marshal(m)
				s, err := issueIn(w.declared(), format, cred, w.resolver)
				if err != nil {
					t.Fatalf("declared: %v", err)
				}
				if got := issuerOf(t, s); got != issuerID(iss) {
					t.Errorf("issued with issuer %q, want %q", got, issuerID(iss))
				}
				if _, err := issueIn(w.signer.signer(), format, cred, w.resolver); errCode(err) != "credential.issuerMismatch" {
					t.Errorf("default policy: %v, want credential.issuerMismatch", err)
				}
			})
		}
	}
}

func issuerID(iss any) string {
	if m, ok := iss.(map[string]any); ok {
		return m["id"].(string)
	}
	return iss.(string)
}

// issuerOf is the issuer a secured credential names (an SD-JWT VC's iss).
func issuerOf(t *testing.T, s *secured) string {
	t.Helper()
	doc := s.doc
	if s.token != "" {
		compact, _, _ := strings.Cut(s.token, "~")
		j, err := jose.Parse(compact)
		if err != nil {
			t.Fatal(err)
		}
		_ = json.Unmarshal(j.Payload, &doc)
		if iss, ok := doc["iss"].(string); ok {
			return iss
		}
	}
	c, err := FromDocument(doc)
	if err != nil {
		t.Fatal(err)
	}
	return c.Issuer
}

// Even under the declared policy, a DID issuer weid resolves offline must
// authorize the signing key (Controlled Identifiers 1.0 §2.3): a did:key
// other than the signer's never does, a did:weid whose document does not
// list the key in assertionMethod does not, an unknown did:weid cannot;
// one that lists it by reference does.
func TestIssue_DeclaredIssuerMustAuthorizeTheKey(t *testing.T) {
	w := newDeclaredWorld(t)
	for _, format := range declaredFormats {
		for _, tc := range []struct {
			issuer, code string
		}{
			{w.other.did, "credential.issuerNotAuthorized"},
			{w.unrelated, "credential.issuerNotAuthorized"},
			{"did:weid:1:0x00000000000000000000000000000000000000d3", "credential.issuerNotAuthorized"},
			{w.delegating, ""},
			{w.signer.did, ""},
		} {
			t.Run(format+"/"+tc.issuer, func(t *testing.T) {
				_, err := issueIn(w.declared(), format, diCredential(t, tc.issuer), w.resolver)
				if tc.code == "" && err != nil {
					t.Fatalf("refused: %v", err)
				}
				if tc.code != "" && errCode(err) != tc.code {
					t.Fatalf("got %v, want %s", err, tc.code)
				}
			})
		}
	}
}

// The verifier's issuerBinding passes for an issuer DID whose document
// lists the signing key in assertionMethod by reference (Controlled
// Identifiers 1.0 §2.3), and still fails for one that does not or for a
// DID it cannot resolve — the latter saying so (issuerBinding.unresolved),
// not calling the credential forged.
func TestVerify_IssuerBindingByReference(t *testing.T) {
	w := newDeclaredWorld(t)
	v := &Verifier{Resolver: w.resolver, Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }}
	for _, format := range declaredFormats {
		for _, tc := range []struct {
			issuer, code string
		}{
			{w.delegating, ReasonBindingByReference},
			{w.signer.did, ReasonBindingOK},
			{"did:example:bureau", ReasonBindingUnresolved},
		} {
			t.Run(format+"/"+tc.issuer, func(t *testing.T) {
				s, err := issueIn(w.declared(), format, diCredential(t, tc.issuer), w.resolver)
				if err != nil {
					t.Fatal(err)
				}
				var r *Result
				switch {
				case format == "dc+sd-jwt":
					r = v.VerifySDJWT(context.Background(), s.token, Policy{})
				case s.token != "":
					r = v.VerifyJWT(context.Background(), s.token, Policy{})
				default:
					b, _ := json.Marshal(s.doc)
					r = v.VerifyDataIntegrity(context.Background(), b, Policy{})
				}
				var got Check
				for _, c := range r.Checks {
					if c.Name == CheckIssuerBinding {
						got = c
					}
				}
				if got.Code != tc.code {
					t.Fatalf("issuerBinding %s (%s), want %s; checks: %s", got.Code, got.Detail, tc.code, diDump(r))
				}
				if want := tc.code != ReasonBindingMismatch && tc.code != ReasonBindingUnresolved; r.Verified != want {
					t.Errorf("verified %v, want %v: %s", r.Verified, want, diDump(r))
				}
			})
		}
	}
}
