package credential

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/errs"
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

// v2OnlyCredential is undefinedTermsCredential without the
// undefined-terms context: what weid issued with vc+jwt and
// eddsa-jcs-2022 while its term check gave the base context the drafts'
// @vocab.
func v2OnlyCredential(t testing.TB, issuer string) json.RawMessage {
	t.Helper()
	m := mustObject(t, undefinedTermsCredential(t, issuer))
	m["@context"] = []any{ContextV2}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestUndefinedTermsRefusedAtIssuance: every mechanism refuses to issue a
// credential using terms its contexts do not define (VC Data Model 2.0
// §5.2; the base context has no @vocab, Appendix E), with a 400 naming
// them and saying how to conform.
func TestUndefinedTermsRefusedAtIssuance(t *testing.T) {
	iss := newKeyIssuer(t)
	doc := v2OnlyCredential(t, iss.did)
	wantErr := func(mech string, err error) {
		t.Helper()
		if e, ok := errs.As(err); !ok || e.Status != 400 || e.Code != "credential.invalid" && e.Code != ldproof.CodeUndefinedTerm {
			t.Fatalf("%s: %v, want a 400 credential.invalid", mech, err)
		}
		wants := []string{`"FirstAidCertificate"`, `"Instructor"`, `"course"`, `"fullName"`, `"hours"`, "6 terms", ContextUndefinedTerms, "§5.2"}
		if mech == CryptosuiteEdDSARDFC2022 {
			wants = []string{ContextUndefinedTerms, "§5.2"} // ldproof's expansion names one term
		}
		for _, want := range wants {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %v, want it to name %s", mech, err, want)
			}
		}
	}
	for _, suite := range []string{CryptosuiteEdDSARDFC2022, CryptosuiteEdDSAJCS2022} {
		_, err := SignDataIntegrity(iss.signer(), doc, suite, time.Time{})
		wantErr(suite, err)
	}
	_, err := IssueJWT(iss.signer(), doc, time.Now(), IssueOptions{})
	wantErr("vc+jwt", err)
}

// TestUndefinedTermsContextNotLast: VC Data Model 2.0 §5.2 has the
// undefined-terms context as the last value of @context; every mechanism
// refuses to issue a credential that names it before another context,
// with a 400 saying where it stands, and issues the same credential with
// it moved last.
func TestUndefinedTermsContextNotLast(t *testing.T) {
	iss := newKeyIssuer(t)
	inline := map[string]any{"ex": "https://example.org/vocab#"}
	with := func(ctx ...any) json.RawMessage {
		m := mustObject(t, undefinedTermsCredential(t, iss.did))
		m["@context"] = ctx
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	notLast, last := with(ContextV2, ContextUndefinedTerms, inline), with(ContextV2, inline, ContextUndefinedTerms)
	issue := map[string]func(json.RawMessage) error{
		"vc+jwt": func(doc json.RawMessage) error {
			_, err := IssueJWT(iss.signer(), doc, time.Now(), IssueOptions{})
			return err
		},
	}
	for _, suite := range []string{CryptosuiteEdDSARDFC2022, CryptosuiteEdDSAJCS2022} {
		issue[suite] = func(doc json.RawMessage) error {
			_, err := SignDataIntegrity(iss.signer(), doc, suite, time.Time{})
			return err
		}
	}
	for mech, f := range issue {
		err := f(notLast)
		if e, ok := errs.As(err); !ok || e.Status != 400 || e.Code != "credential.invalid" || !strings.Contains(err.Error(), "value 2 of 3") || !strings.Contains(err.Error(), "§5.2") {
			t.Errorf("%s, undefined-terms second of three: %v, want a 400 credential.invalid saying where it stands", mech, err)
		}
		if err := f(last); err != nil {
			t.Errorf("%s, undefined-terms last: %v", mech, err)
		}
	}
}

// TestUndefinedTermsVerifiedWithWarning: a vc+jwt or eddsa-jcs-2022
// credential issued under the drafts' reading (v2 only, undefined terms)
// still verifies — its signature covers its JSON, not a JSON-LD reading
// of it — with the named warning structure.undefinedTerms (VC Data Model
// 2.0 §5.2); an explicit "@vocab": null, whose type maps to no URL under
// either reading, still fails.
func TestUndefinedTermsVerifiedWithWarning(t *testing.T) {
	ctx := t.Context()
	iss := newKeyIssuer(t)
	v := keyVerifier()
	doc := v2OnlyCredential(t, iss.did)
	tok, err := SignJWS(iss.key, iss.vm(), doc)
	if err != nil {
		t.Fatal(err)
	}
	jcs := forge(t, iss.key, doc, iss.vm())
	for mech, r := range map[string]*Result{"vc+jwt": v.VerifyJWT(ctx, tok, Policy{}), "eddsa-jcs-2022": v.VerifyDataIntegrity(ctx, jcs, Policy{})} {
		c := r.Checks[0]
		if !r.Verified || c.Name != CheckStructure || c.Status != StatusWarning || c.Code != ReasonStructureUndefinedTerms ||
			c.Params["terms"] != "FirstAidCertificate, Instructor, course, fullName, hours, …" || !strings.Contains(c.Detail, "§5.2") {
			t.Errorf("%s:\n%s", mech, diDump(r))
		}
	}
	m := mustObject(t, doc)
	m["@context"] = []any{ContextV2, map[string]any{"@vocab": nil}}
	b, _ := json.Marshal(m)
	if tok, err = SignJWS(iss.key, iss.vm(), b); err != nil {
		t.Fatal(err)
	}
	if r := v.VerifyJWT(ctx, tok, Policy{}); r.Verified || r.Checks[0].Status != StatusFailed {
		t.Errorf("@vocab null:\n%s", diDump(r))
	}
	if r := v.VerifyDataIntegrity(ctx, forge(t, iss.key, b, iss.vm()), Policy{}); r.Verified || r.Checks[0].Status != StatusFailed {
		t.Errorf("@vocab null, eddsa-jcs-2022:\n%s", diDump(r))
	}
}
