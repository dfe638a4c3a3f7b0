package credential

// VC Data Model 2.0 conformance (issue 19): each test names the section
// whose rule it checks.

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/mr-tron/base58"

	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/jsontest"
	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/ldproof"
)

// withMembers is diCredential with members replaced (nil deletes).
func withMembers(t testing.TB, issuer string, extra map[string]any) json.RawMessage {
	t.Helper()
	return jsontest.MergePatch(t, mustObject(t, diCredential(t, issuer)), extra)
}

// TestInlineContexts: VC Data Model 2.0 §4.3 — @context items after the
// base context may be objects; the terms and types they define are then
// valid (§4.5); protected terms stay protected, keywords and the VC
// vocabulary cannot be aliased, and unknown context URLs are refused
// (nothing is fetched).
func TestInlineContexts(t *testing.T) {
	ctx := context.Background()
	v := keyVerifier()
	iss := newKeyIssuer(t)
	inline := map[string]any{
		"ExampleAwardCredential": "https://example.org/vocab#ExampleAwardCredential",
		"award":                  "https://example.org/vocab#award",
		"Scoped":                 map[string]any{"@id": "https://example.org/vocab#Scoped", "@context": map[string]any{"level": "https://example.org/vocab#level"}},
	}
	good := withMembers(t, iss.did, map[string]any{
		"@context":          []any{ContextV2, inline},
		"type":              []any{"VerifiableCredential", "ExampleAwardCredential"},
		"credentialSubject": map[string]any{"id": "did:example:alice", "award": "gold", "type": "Scoped", "level": "3"},
	})
	for _, suite := range []string{CryptosuiteEdDSARDFC2022, CryptosuiteEdDSAJCS2022} {
		signed, err := SignDataIntegrity(iss.signer(), good, suite, time.Time{})
		if err != nil {
			t.Fatalf("%s: sign with an inline context: %v", suite, err)
		}
		if r := v.VerifyDataIntegrity(ctx, signed, Policy{}); !r.Verified {
			t.Fatalf("%s: verify with an inline context:\n%s", suite, diDump(r))
		}
	}
	// A presentation with an inline context.
	vp := []byte(`{"@context":["` + ContextV2 + `",{"note":"https://example.org/vocab#note"}],"type":"VerifiablePresentation","note":"hi"}`)
	signedVP, err := SignPresentationDataIntegrity(iss.signer(), vp, CryptosuiteEdDSARDFC2022, "c1", "https://v.example", time.Time{})
	if err != nil {
		t.Fatalf("sign a presentation with an inline context: %v", err)
	}
	pr, err := v.VerifyPresentation(ctx, signedVP, PresentationOptions{Challenge: "c1", Domain: "https://v.example"})
	if err != nil || !pr.Verified {
		t.Fatalf("verify a presentation with an inline context: %v %+v", err, pr)
	}

	for name, c := range map[string]struct {
		ctx  any
		want string
	}{
		"protected term":     {[]any{ContextV2, map[string]any{"VerifiableCredential": "https://example.org/#Bad"}}, "protected"},
		"keyword alias":      {[]any{ContextV2, map[string]any{"ident": "@id"}}, "keyword"},
		"vc vocabulary":      {[]any{ContextV2, map[string]any{"until": "https://www.w3.org/2018/credentials#validUntil"}}, "credentials#"},
		"compact vc iri":     {[]any{ContextV2, map[string]any{"c": "https://www.w3.org/2018/credentials#", "until": "c:validUntil"}}, "credentials#"},
		"vocab":              {[]any{ContextV2, map[string]any{"@vocab": "https://w3id.org/security#"}}, "security#"},
		"import":             {[]any{ContextV2, map[string]any{"@import": "https://evil.example/ctx"}}, "@import"},
		"unknown url":        {[]any{ContextV2, "https://evil.example/ctx"}, "unknown context"},
		"scoped unknown url": {[]any{ContextV2, map[string]any{"X": map[string]any{"@id": "https://example.org/#X", "@context": "https://evil.example/ctx"}}}, "unknown context"},
		"null":               {[]any{ContextV2, nil}, "item 1"},
	} {
		doc := withMembers(t, iss.did, map[string]any{"@context": c.ctx})
		if _, err := SignDataIntegrity(iss.signer(), doc, CryptosuiteEdDSARDFC2022, time.Time{}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: sign: %v, want an error about %q", name, err, c.want)
		}
		if name == "protected term" {
			continue // found by JSON-LD processing, which eddsa-jcs-2022 does not do
		}
		forged := forge(t, iss.key, doc, iss.vm())
		if r := v.VerifyDataIntegrity(ctx, forged, Policy{}); r.Verified {
			t.Errorf("%s: verified", name)
		}
	}
}

// TestLanguageValueObjects: VC Data Model 2.0 §4.6 and §11.1 — name and
// description, of the credential and of its issuer, are strings, language
// value objects or arrays of them; anything else in them is refused, by
// every securing mechanism (the vc+jwt payload too).
func TestLanguageValueObjects(t *testing.T) {
	ctx := context.Background()
	v := keyVerifier()
	iss := newKeyIssuer(t)
	en := map[string]any{"@value": "Example University", "@language": "en"}
	rtl := map[string]any{"@value": "جامعة", "@language": "ar-EG", "@direction": "rtl"}
	for name, val := range map[string]any{
		"string":    "Example University",
		"language":  en,
		"direction": rtl,
		"languages": []any{en, map[string]any{"@value": "示例大学", "@language": "zh-Hans-CN"}},
	} {
		for _, where := range []string{"credential", "issuer"} {
			extra := map[string]any{"name": val, "description": val}
			if where == "issuer" {
				extra = map[string]any{"issuer": map[string]any{"id": iss.did, "name": val, "description": val}}
			}
			doc := withMembers(t, iss.did, extra)
			for _, suite := range []string{CryptosuiteEdDSARDFC2022, CryptosuiteEdDSAJCS2022} {
				signed, err := SignDataIntegrity(iss.signer(), doc, suite, time.Time{})
				if err != nil {
					t.Fatalf("%s %s %s: %v", where, name, suite, err)
				}
				if r := v.VerifyDataIntegrity(ctx, signed, Policy{}); !r.Verified {
					t.Fatalf("%s %s %s:\n%s", where, name, suite, diDump(r))
				}
			}
			if _, err := IssueJWT(iss.signer(), doc, time.Now(), IssueOptions{}); err != nil {
				t.Fatalf("%s %s vc+jwt: %v", where, name, err)
			}
		}
	}
	for name, val := range map[string]any{
		"extra member":   map[string]any{"@value": "x", "@language": "en", "url": "did:example:issuer"},
		"no value":       map[string]any{"@language": "en"},
		"bad language":   map[string]any{"@value": "x", "@language": "en_US"},
		"bad direction":  map[string]any{"@value": "x", "@direction": "up"},
		"typed value":    map[string]any{"@value": "x", "@type": "https://example.org/#T"},
		"number":         json.Number("5"),
		"empty array":    []any{},
		"array of junk":  []any{en, true},
		"nested objects": map[string]any{"@value": map[string]any{"@value": "x"}},
	} {
		for _, where := range []string{"credential", "issuer"} {
			extra := map[string]any{"name": val}
			if where == "issuer" {
				extra = map[string]any{"issuer": map[string]any{"id": iss.did, "description": val}}
			}
			doc := withMembers(t, iss.did, extra)
			if _, err := SignDataIntegrity(iss.signer(), doc, CryptosuiteEdDSARDFC2022, time.Time{}); err == nil {
				t.Errorf("%s %s: signed with Data Integrity", where, name)
			}
			if _, err := IssueJWT(iss.signer(), doc, time.Now(), IssueOptions{}); err == nil {
				t.Errorf("%s %s: signed as vc+jwt", where, name)
			}
			tok, err := SignJWS(iss.key, iss.vm(), doc)
			if err != nil {
				t.Fatal(err)
			}
			if r := v.VerifyJWT(ctx, tok, Policy{}); r.Verified {
				t.Errorf("%s %s: vc+jwt verified", where, name)
			}
		}
	}
}

// TestTypedObjects: VC Data Model 2.0 §4.10, §4.11, §5.4, §5.5, §5.6 —
// credentialStatus, credentialSchema, refreshService, termsOfUse and
// evidence are objects or sets of objects, each with a type (§4.5);
// credentialStatus.id is optional and, like any id (§4.4), a URL.
func TestTypedObjects(t *testing.T) {
	iss := newKeyIssuer(t)
	status := map[string]any{"type": "https://example.org/#ExampleStatus", "statusPurpose": "revocation"}
	for name, extra := range map[string]map[string]any{
		"status without id":   {"credentialStatus": status},
		"status with id":      {"credentialStatus": map[string]any{"id": "https://example.org/status/1#3", "type": "https://example.org/#ExampleStatus"}},
		"schema type array":   {"credentialSchema": map[string]any{"id": "https://example.org/schema/1", "type": []any{"JsonSchema"}}},
		"refresh service":     {"refreshService": map[string]any{"id": "https://example.org/refresh/1", "type": "https://example.org/#RefreshService"}},
		"refresh services":    {"refreshService": []any{map[string]any{"type": "https://example.org/#A"}, map[string]any{"type": "https://example.org/#B"}}},
		"terms of use":        {"termsOfUse": map[string]any{"type": "https://example.org/#IssuerPolicy", "id": "https://example.org/policies/1"}},
		"terms of use set":    {"termsOfUse": []any{map[string]any{"type": "https://example.org/#A"}, map[string]any{"type": "https://example.org/#B"}}},
		"evidence":            {"evidence": map[string]any{"type": []any{"https://example.org/#DocumentVerification"}}},
		"evidence set":        {"evidence": []any{map[string]any{"type": "https://example.org/#A"}, map[string]any{"id": "https://example.org/e/2", "type": "https://example.org/#B"}}},
		"evidence, VC 1.1":    {"@context": []any{ContextV1}, "issuanceDate": "2025-07-01T00:00:00Z", "validFrom": nil, "type": "VerifiableCredential", "credentialSubject": map[string]any{"id": "did:example:alice"}, "evidence": map[string]any{"type": "https://example.org/#A"}},
		"status, no id, v1.1": {"@context": []any{ContextV1}, "issuanceDate": "2025-07-01T00:00:00Z", "validFrom": nil, "type": "VerifiableCredential", "credentialSubject": map[string]any{"id": "did:example:alice"}, "credentialStatus": map[string]any{"type": "https://example.org/#ExampleStatus"}},
	} {
		doc := withMembers(t, iss.did, extra)
		if _, err := Parse(doc); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if _, err := SignDataIntegrity(iss.signer(), doc, CryptosuiteEdDSARDFC2022, time.Time{}); err != nil {
			t.Errorf("%s: sign: %v", name, err)
		}
	}
	for _, member := range []string{"credentialStatus", "credentialSchema", "refreshService", "termsOfUse", "evidence"} {
		for name, val := range map[string]any{
			"no type":      map[string]any{"id": "https://example.org/x/1"},
			"empty type":   map[string]any{"id": "https://example.org/x/1", "type": ""},
			"numeric type": map[string]any{"id": "https://example.org/x/1", "type": json.Number("1")},
			"non-URL id":   map[string]any{"id": "not a url", "type": "https://example.org/#T"},
			"id array":     map[string]any{"id": []any{"https://example.org/x/1", "https://example.org/x/2"}, "type": "https://example.org/#T"},
			"one untyped":  []any{map[string]any{"id": "https://example.org/x/1", "type": "https://example.org/#T"}, map[string]any{"id": "https://example.org/x/2"}},
			"string":       "https://example.org/x/1",
			"empty set":    []any{},
		} {
			doc := withMembers(t, iss.did, map[string]any{member: val})
			if _, err := Parse(doc); err == nil {
				t.Errorf("%s %s: accepted", member, name)
			}
		}
	}
}

// TestDataIntegrityVC11AddsSuiteContext: a VC 1.1 credential's base
// context does not define DataIntegrityProof, so issuing one with a Data
// Integrity cryptosuite adds the Data Integrity v2 context, and
// Ed25519Signature2020 adds its own context (VC Data Integrity §2.4.1,
// as the reference issuers do); a VC 2.0 credential keeps its @context.
func TestDataIntegrityVC11AddsSuiteContext(t *testing.T) {
	ctx := context.Background()
	v := keyVerifier()
	iss := newKeyIssuer(t)
	v11 := withMembers(t, iss.did, map[string]any{"@context": []any{ContextV1, "https://www.w3.org/ns/credentials/examples/v2"}, "validFrom": nil, "issuanceDate": "2025-07-01T00:00:00Z"})
	for suite, want := range map[string]string{
		CryptosuiteEdDSARDFC2022:      ContextDataIntegrityV2,
		CryptosuiteEdDSAJCS2022:       ContextDataIntegrityV2,
		ProofTypeEd25519Signature2020: ldproof.ContextEd25519Signature2020,
	} {
		signed, err := SignDataIntegrity(iss.signer(), v11, suite, time.Time{})
		if err != nil {
			t.Fatalf("%s: %v", suite, err)
		}
		got := Strings(mustObject(t, signed)["@context"])
		if len(got) != 3 || got[0] != ContextV1 || got[2] != want {
			t.Errorf("%s: @context %v", suite, got)
		}
		if r := v.VerifyDataIntegrity(ctx, signed, Policy{}); !r.Verified {
			t.Errorf("%s:\n%s", suite, diDump(r))
		}
		// A credential that names the context already is left as it is.
		again, err := SignDataIntegrity(iss.signer(), withMembers(t, iss.did, map[string]any{"@context": []any{ContextV1, want}, "type": "VerifiableCredential", "validFrom": nil, "issuanceDate": "2025-07-01T00:00:00Z", "credentialSubject": map[string]any{"id": "did:example:alice"}}), suite, time.Time{})
		if err != nil {
			t.Fatalf("%s with the context: %v", suite, err)
		}
		if got := Strings(mustObject(t, again)["@context"]); len(got) != 2 {
			t.Errorf("%s with the context: @context %v", suite, got)
		}
	}
	// Data Integrity v1 also defines DataIntegrityProof.
	withV1 := withMembers(t, iss.did, map[string]any{"@context": []any{ContextV1, ContextDataIntegrityV1}, "type": "VerifiableCredential", "validFrom": nil, "issuanceDate": "2025-07-01T00:00:00Z", "credentialSubject": map[string]any{"id": "did:example:alice"}})
	if signed, err := SignDataIntegrity(iss.signer(), withV1, CryptosuiteEdDSARDFC2022, time.Time{}); err != nil || len(Strings(mustObject(t, signed)["@context"])) != 2 {
		t.Errorf("data-integrity/v1: %v %s", err, signed)
	}
	// VC 2.0: unchanged, member order and form kept.
	v2 := diCredential(t, iss.did)
	signed, err := SignDataIntegrity(iss.signer(), v2, CryptosuiteEdDSARDFC2022, time.Time{})
	if err != nil || !strings.HasPrefix(string(signed), string(v2[:len(v2)-1])) {
		t.Errorf("VC 2.0: %v\n%s", err, signed)
	}
}

// TestRelatedResource: VC Data Model 2.0 §5.3 — relatedResource entries
// have an id URL, unique, and digestSRI or digestMultibase; weid checks
// the digests of the resources it has (its embedded contexts) in the
// named check relatedResource, for every securing mechanism.
func TestRelatedResource(t *testing.T) {
	ctx := context.Background()
	v := keyVerifier()
	iss := newKeyIssuer(t)
	// The v2 base context as W3C serves it: VC DM 2.0 §B.1's SHA-256, as
	// a bare digest in multibase, and its SHA-384 as SRI.
	sri := "sha384-l/HrjlBCNWyAX91hr6LFV2Y3heB5Tcr6IeE4/Tje8YyzYBM8IhqjHWiWpr8+ZbYU"
	mb := "uWZVc7WaX1h4D8rJVb-vlMIqxaEKEb1tYbX8fet7JJzQ"
	// Another embedded context, by its bytes, as a base58btc multihash.
	const examples = "https://www.w3.org/ns/credentials/examples/v2"
	body, ok := ldproof.ContextBytes(examples)
	if !ok {
		t.Fatal("no examples context")
	}
	s256 := sha256.Sum256(body)
	s512 := sha512.Sum512(body)
	mb58 := "z" + base58.Encode(append([]byte{0x12, 0x20}, s256[:]...))
	other := map[string]any{"id": "https://example.org/logo.png", "digestSRI": "sha256-" + base64.StdEncoding.EncodeToString(make([]byte, 32)), "mediaType": "image/png"}

	issueBoth := func(t *testing.T, related any) []*Result {
		t.Helper()
		doc := withMembers(t, iss.did, map[string]any{"relatedResource": related})
		signed, err := SignDataIntegrity(iss.signer(), doc, CryptosuiteEdDSARDFC2022, time.Time{})
		if err != nil {
			t.Fatalf("sign: %v", err)
		}
		tok, err := IssueJWT(iss.signer(), doc, time.Now(), IssueOptions{})
		if err != nil {
			t.Fatalf("vc+jwt: %v", err)
		}
		return []*Result{v.VerifyDataIntegrity(ctx, signed, Policy{}), v.VerifyJWT(ctx, tok, Policy{})}
	}
	for _, r := range issueBoth(t, map[string]any{"id": ContextV2, "digestSRI": sri, "digestMultibase": mb}) {
		if st := diStatuses(r); !r.Verified || st[CheckRelatedResource] != StatusPassed {
			t.Fatalf("matching digests:\n%s", diDump(r))
		}
	}
	for _, r := range issueBoth(t, []any{map[string]any{"id": examples, "digestMultibase": mb58, "digestSRI": "sha512-" + base64.StdEncoding.EncodeToString(s512[:])}, map[string]any{"id": ContextV2, "digestMultibase": mb}}) {
		if st := diStatuses(r); !r.Verified || st[CheckRelatedResource] != StatusPassed {
			t.Fatalf("embedded bytes, base58 multihash:\n%s", diDump(r))
		}
	}
	for _, r := range issueBoth(t, []any{map[string]any{"id": ContextV2, "digestSRI": sri}, other}) {
		if st := diStatuses(r); !r.Verified || st[CheckRelatedResource] != StatusWarning {
			t.Fatalf("unretrievable resource:\n%s", diDump(r))
		}
	}

	// The npm copy of the v2 context weid embeds is not what W3C serves:
	// a digest of the v2 context by an algorithm whose official digest
	// weid does not have cannot be checked.
	for _, r := range issueBoth(t, map[string]any{"id": ContextV2, "digestSRI": "sha512-" + base64.StdEncoding.EncodeToString(s512[:])}) {
		if st := diStatuses(r); !r.Verified || st[CheckRelatedResource] != StatusWarning {
			t.Fatalf("v2 by sha512:\n%s", diDump(r))
		}
	}

	// A mismatch is refused at issuance and fails the named check: a
	// stale digest of the v2 context (its July 2024 bytes), or one of
	// another document.
	for _, bad := range []map[string]any{
		{"id": ContextV2, "digestMultibase": "uJKGMkOmFbVJhEfKTduMC2XCyvRAYLjOVmZWwIH1wQ7k"},
		{"id": examples, "digestSRI": "sha256-" + base64.StdEncoding.EncodeToString(make([]byte, 32))},
	} {
		bad := bad
		doc := withMembers(t, iss.did, map[string]any{"relatedResource": bad})
		if _, err := SignDataIntegrity(iss.signer(), doc, CryptosuiteEdDSARDFC2022, time.Time{}); err == nil || !strings.Contains(err.Error(), "does not match") {
			t.Errorf("mismatch signed: %v", err)
		}
		if _, err := IssueJWT(iss.signer(), doc, time.Now(), IssueOptions{}); err == nil {
			t.Error("mismatch issued as vc+jwt")
		}
		for _, signed := range []json.RawMessage{forge(t, iss.key, doc, iss.vm())} {
			r := v.VerifyDataIntegrity(ctx, signed, Policy{})
			if st := diStatuses(r); r.Verified || st[CheckRelatedResource] != StatusFailed || st[CheckProof] != StatusPassed {
				t.Errorf("mismatch:\n%s", diDump(r))
			}
		}
		tok, _ := SignJWS(iss.key, iss.vm(), doc)
		if r := v.VerifyJWT(ctx, tok, Policy{}); r.Verified || diStatuses(r)[CheckRelatedResource] != StatusFailed {
			t.Errorf("vc+jwt mismatch:\n%s", diDump(r))
		}
	}

	// Malformed entries.
	for name, val := range map[string]any{
		"no id":          map[string]any{"digestSRI": sri},
		"non-URL id":     map[string]any{"id": "logo", "digestSRI": sri},
		"no digest":      map[string]any{"id": ContextV2},
		"duplicate id":   []any{map[string]any{"id": ContextV2, "digestSRI": sri}, map[string]any{"id": ContextV2, "digestMultibase": mb}},
		"SRI of nothing": map[string]any{"id": ContextV2, "digestSRI": "sha384-"},
		"bad SRI alg":    map[string]any{"id": ContextV2, "digestSRI": "md5-" + base64.StdEncoding.EncodeToString(make([]byte, 16))},
		"short SRI":      map[string]any{"id": ContextV2, "digestSRI": "sha384-AAAA"},
		"SRI not string": map[string]any{"id": ContextV2, "digestSRI": json.Number("1")},
		"bad multibase":  map[string]any{"id": ContextV2, "digestMultibase": "m" + base64.StdEncoding.EncodeToString(s256[:])},
		"odd size":       map[string]any{"id": ContextV2, "digestMultibase": "u" + base64.RawURLEncoding.EncodeToString(s256[:20])},
		"bad multihash":  map[string]any{"id": ContextV2, "digestMultibase": "u" + base64.RawURLEncoding.EncodeToString(append([]byte{0x12, 0x40}, s256[:]...))},
		"empty set":      []any{},
		"string":         ContextV2,
		"bad mediaType":  map[string]any{"id": ContextV2, "digestSRI": sri, "mediaType": json.Number("3")},
	} {
		doc := withMembers(t, iss.did, map[string]any{"relatedResource": val})
		if _, err := Parse(doc); err == nil {
			t.Errorf("%s: accepted", name)
		}
		tok, _ := SignJWS(iss.key, iss.vm(), doc)
		if r := v.VerifyJWT(ctx, tok, Policy{}); r.Verified {
			t.Errorf("%s: verified", name)
		}
	}
}

// p256KeyIssuer is a did:key issuer with a P-256 key.
func p256KeyIssuer(t testing.TB) *keyIssuer {
	t.Helper()
	k := keytest.New(t, keys.P256)
	return &keyIssuer{key: k, did: did.KeyDID(k.Public())}
}

// legacyToken signs claims as a VC-JWT of VC Data Model 1.1 §6.3.1.
func legacyToken(t testing.TB, iss *keyIssuer, typ string, claims map[string]any) string {
	t.Helper()
	b, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jose.Sign(iss.key, jose.Header{Typ: typ, Kid: iss.vm()}, b)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestVCJWT11: VC Data Model 1.1 §6.3.1 — a JWT ("typ" JWT or none) with
// a "vc" claim verifies, bare or in a data:application/jwt envelope, its
// iss, sub, jti, nbf and exp standing for issuer, credentialSubject.id,
// id, issuanceDate (validFrom) and expirationDate (validUntil); a "vp"
// claim likewise, its iss the holder, nonce and aud the challenge and
// domain.
func TestVCJWT11(t *testing.T) {
	ctx := context.Background()
	v := keyVerifier()
	iss := p256KeyIssuer(t)
	holder := newKeyIssuer(t)
	nbf := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC).Unix()
	v11 := map[string]any{
		"iss": iss.did, "sub": holder.did, "jti": "urn:uuid:6a3b0e1c-0b44-4f4e-8a31-6d2c4e0f9b11", "nbf": nbf,
		"vc": map[string]any{
			"@context":          []any{ContextV1},
			"type":              []any{"VerifiableCredential"},
			"credentialSubject": map[string]any{},
		},
	}
	v20 := map[string]any{
		"iss": iss.did, "sub": "did:example:alice",
		"vc": map[string]any{"@context": []any{ContextV2}, "type": []any{"VerifiableCredential"}, "issuer": iss.did, "credentialSubject": map[string]any{"id": "did:example:alice", "name": "Alice"}},
	}
	for name, c := range map[string]struct {
		claims map[string]any
		typ    string
	}{"VC 1.1, typ JWT": {v11, "JWT"}, "VC 2.0, no typ": {v20, ""}} {
		tok := legacyToken(t, iss, c.typ, c.claims)
		env, _ := json.Marshal(map[string]any{"@context": []any{ContextV2}, "type": "EnvelopedVerifiableCredential", "id": DataURLJWT + tok})
		bare, _ := json.Marshal(tok)
		for form, raw := range map[string][]byte{"bare": bare, "enveloped": env} {
			r, err := v.Verify(ctx, raw, Policy{})
			if err != nil || !r.Verified {
				t.Fatalf("%s, %s: %v\n%s", name, form, err, diDump(r))
			}
			if name == "VC 1.1, typ JWT" && (r.Credential["issuer"] != iss.did || r.Credential["id"] != v11["jti"] || r.Credential["issuanceDate"] != "2025-07-01T00:00:00Z" ||
				r.Credential["credentialSubject"].(map[string]any)["id"] != holder.did) {
				t.Errorf("%s: claims not mapped: %v", form, r.Credential)
			}
		}
		// Tampered: signed by another key.
		other := p256KeyIssuer(t)
		forged := legacyToken(t, &keyIssuer{key: other.key, did: iss.did}, c.typ, c.claims)
		if r := v.VerifyJWT(ctx, forged, Policy{}); r.Verified || diStatuses(r)[CheckProof] != StatusFailed {
			t.Errorf("%s forged:\n%s", name, diDump(r))
		}
	}
	// Claims that contradict the credential, a missing vc claim, and the
	// VC 2.0 structure rules, all fail the structure check.
	for name, claims := range map[string]map[string]any{
		"iss differs":           {"iss": "did:example:other", "vc": v20["vc"]},
		"no vc claim":           {"iss": iss.did, "credentialSubject": map[string]any{"id": "did:example:alice"}},
		"no issuanceDate":       {"iss": iss.did, "vc": map[string]any{"@context": []any{ContextV1}, "type": "VerifiableCredential", "credentialSubject": map[string]any{"id": "did:example:a"}}},
		"bad name":              {"iss": iss.did, "vc": map[string]any{"@context": []any{ContextV2}, "type": "VerifiableCredential", "name": map[string]any{"@value": "x", "x": 1}, "credentialSubject": map[string]any{"id": "did:example:a"}}},
		"evidence without type": {"iss": iss.did, "vc": map[string]any{"@context": []any{ContextV2}, "type": "VerifiableCredential", "evidence": map[string]any{"id": "https://x.example/e"}, "credentialSubject": map[string]any{"id": "did:example:a"}}},
	} {
		if r := v.VerifyJWT(ctx, legacyToken(t, iss, "JWT", claims), Policy{}); r.Verified || diStatuses(r)[CheckStructure] != StatusFailed {
			t.Errorf("%s:\n%s", name, diDump(r))
		}
	}

	// A VP-JWT 1.1 holding a VC-JWT 1.1 in a data:application/jwt envelope.
	inner := legacyToken(t, iss, "", v20)
	vpClaims := map[string]any{"iss": holder.did, "aud": "example.com", "nonce": "123456789", "vp": map[string]any{
		"@context": []any{ContextV2}, "type": []any{"VerifiablePresentation"},
		"verifiableCredential": []any{map[string]any{"@context": ContextV2, "type": "EnvelopedVerifiableCredential", "id": DataURLJWT + inner}},
	}}
	vp := legacyToken(t, holder, "JWT", vpClaims)
	for form, raw := range map[string]any{
		"bare":      vp,
		"enveloped": map[string]any{"@context": ContextV2, "type": "EnvelopedVerifiablePresentation", "id": DataURLJWT + vp},
		"vp+jwt":    map[string]any{"@context": []any{ContextV2}, "type": []any{"EnvelopedVerifiablePresentation"}, "id": DataURLVPJWT + vp},
	} {
		b, _ := json.Marshal(raw)
		pr, err := v.VerifyPresentation(ctx, b, PresentationOptions{Challenge: "123456789", Domain: "example.com"})
		if err != nil || !pr.Verified || pr.Holder != holder.did {
			t.Fatalf("VP-JWT 1.1 %s: %v %+v", form, err, pr)
		}
		if pr, _ := v.VerifyPresentation(ctx, b, PresentationOptions{Challenge: "other", Domain: "example.com"}); pr.Verified {
			t.Errorf("VP-JWT 1.1 %s: another challenge verified", form)
		}
	}
	// Its iss must be the signer.
	vpClaims["iss"] = iss.did
	b, _ := json.Marshal(legacyToken(t, holder, "JWT", vpClaims))
	if pr, err := v.VerifyPresentation(ctx, b, PresentationOptions{Challenge: "123456789", Domain: "example.com"}); err != nil || pr.Verified {
		t.Errorf("VP-JWT 1.1 with another holder: %v %+v", err, pr)
	}
}

// TestEnvelopeWellFormed: VC Data Model 2.0 §4.13 (and VC-JOSE-COSE) —
// an EnvelopedVerifiableCredential or EnvelopedVerifiablePresentation has
// an @context beginning with the base context, its type (a string or a
// one-element array), a data: URL id of a supported media type, and no
// other member; anything else is a 400 naming what is wrong.
func TestEnvelopeWellFormed(t *testing.T) {
	ctx := context.Background()
	v := keyVerifier()
	iss := newKeyIssuer(t)
	tok, err := IssueJWT(iss.signer(), withMembers(t, iss.did, nil), time.Now(), IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	holder := newKeyIssuer(t)
	vpTok, err := SignPresentationJWT(holder.signer(), []byte(`{"@context":["`+ContextV2+`"],"type":"VerifiablePresentation"}`), "c", "https://v.example", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []struct {
		typ, url string
		verify   func(b []byte) (bool, error)
	}{
		{TypeEnvelopedCredential, DataURLVCJWT + tok, func(b []byte) (bool, error) {
			r, err := v.Verify(ctx, b, Policy{})
			return err == nil && r.Verified, err
		}},
		{TypeEnvelopedPresentation, DataURLVPJWT + vpTok, func(b []byte) (bool, error) {
			pr, err := v.VerifyPresentation(ctx, b, PresentationOptions{})
			return err == nil && pr.Verified, err
		}},
	} {
		good := map[string]any{"@context": []any{ContextV2}, "type": kind.typ, "id": kind.url}
		for name, m := range map[string]map[string]any{
			"array context":  {},
			"string context": {"@context": ContextV2},
			"type array":     {"type": []any{kind.typ}},
		} {
			e := maps.Clone(good)
			maps.Copy(e, m)
			b, _ := json.Marshal(e)
			if ok, err := kind.verify(b); !ok {
				t.Errorf("%s %s: %v", kind.typ, name, err)
			}
		}
		for name, m := range map[string]map[string]any{
			"empty context":     {"@context": []any{}},
			"other context":     {"@context": "https://www.w3.org/ns/credentials/examples/v2"},
			"context not first": {"@context": []any{"https://www.w3.org/ns/credentials/examples/v2", ContextV2}},
			"no context":        {"@context": nil},
			"no type":           {"type": nil},
			"wrong type":        {"type": "VerifiableCredential"},
			"two types":         {"type": []any{kind.typ, "Other"}},
			"not a data URL":    {"id": strings.SplitN(kind.url, ",", 2)[1]},
			"other media type":  {"id": "data:application/json," + strings.SplitN(kind.url, ",", 2)[1]},
			"empty data URL":    {"id": DataURLVCJWT},
			"issuer member":     {"issuer": iss.did},
		} {
			e := maps.Clone(good)
			for k, val := range m {
				if val == nil {
					delete(e, k)
				} else {
					e[k] = val
				}
			}
			if name == "two types" {
				// Not an envelope of one type: not read as one.
				e["type"] = []any{kind.typ, "Other"}
			}
			b, _ := json.Marshal(e)
			ok, err := kind.verify(b)
			var pe *errs.Error
			if ok || (err != nil && (!errors.As(err, &pe) || pe.Status != 400)) {
				t.Errorf("%s %s: verified %v, %v", kind.typ, name, ok, err)
			}
		}
	}
}

// FuzzVerifyEnvelopes checks that no JSON value — envelopes, VC-JWT 1.1
// tokens, their presentations — makes Verify or VerifyPresentation panic,
// and that what Verify does not refuse gets every check reported.
func FuzzVerifyEnvelopes(f *testing.F) {
	v := keyVerifier()
	iss := p256KeyIssuer(f)
	vc := legacyToken(f, iss, "JWT", map[string]any{"iss": iss.did, "sub": "did:example:a", "nbf": 1700000000, "vc": map[string]any{"@context": []any{ContextV1}, "type": "VerifiableCredential", "credentialSubject": map[string]any{}}})
	vp := legacyToken(f, iss, "", map[string]any{"iss": iss.did, "nonce": "n", "vp": map[string]any{"@context": []any{ContextV2}, "type": "VerifiablePresentation", "verifiableCredential": []any{map[string]any{"@context": ContextV2, "type": "EnvelopedVerifiableCredential", "id": DataURLJWT + vc}}}})
	for _, s := range []string{
		`"` + vc + `"`, `"` + vp + `"`,
		`{"@context":["` + ContextV2 + `"],"type":"EnvelopedVerifiableCredential","id":"` + DataURLJWT + vc + `"}`,
		`{"@context":"` + ContextV2 + `","type":["EnvelopedVerifiablePresentation"],"id":"` + DataURLJWT + vp + `"}`,
		`{"@context":[],"type":"EnvelopedVerifiableCredential","id":"data:application/vc+jwt,a.b.c"}`,
		`{"type":["EnvelopedVerifiableCredential","X"],"id":7}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := v.Verify(context.Background(), b, Policy{}); err == nil && len(r.Checks) != len(CheckNames) {
			t.Fatalf("%d checks", len(r.Checks))
		}
		_, _ = v.VerifyPresentation(context.Background(), b, PresentationOptions{Challenge: "n"})
	})
}

// TestVC11OnlyWithDataIntegrity: VC-JOSE-COSE §3 secures VC 2.0, so
// vc+jwt and dc+sd-jwt refuse a VC 1.1 credential, naming Data Integrity,
// which issues it (as `weid vc issue --help` says).
func TestVC11OnlyWithDataIntegrity(t *testing.T) {
	iss := newKeyIssuer(t)
	v11 := withMembers(t, iss.did, map[string]any{"@context": []any{ContextV1}, "type": "VerifiableCredential", "validFrom": nil, "issuanceDate": "2025-07-01T00:00:00Z", "credentialSubject": map[string]any{"id": "did:example:alice"}})
	if _, err := IssueJWT(iss.signer(), v11, time.Now(), IssueOptions{}); err == nil || !strings.Contains(err.Error(), "Data Integrity") {
		t.Errorf("vc+jwt: %v", err)
	}
	if _, err := IssueSDJWT(context.Background(), iss.signer(), v11, time.Now(), IssueOptions{}, nil, keyVerifier().Resolver); err == nil || !strings.Contains(err.Error(), "Data Integrity") {
		t.Errorf("dc+sd-jwt: %v", err)
	}
	if _, err := SignDataIntegrity(iss.signer(), v11, CryptosuiteEdDSARDFC2022, time.Now()); err != nil {
		t.Errorf("eddsa-rdfc-2022: %v", err)
	}
}

// TestProofChainStringPreviousProof: VC Data Integrity §4.5 — a proof
// whose previousProof is a string naming another proof verifies, in
// either order in the proof set, with both cryptosuites, through the
// credential verifier; naming a missing proof fails.
func TestProofChainStringPreviousProof(t *testing.T) {
	ctx := context.Background()
	v := keyVerifier()
	iss, cosigner := newKeyIssuer(t), newKeyIssuer(t)
	for _, suite := range []string{CryptosuiteEdDSARDFC2022, CryptosuiteEdDSAJCS2022} {
		first, err := ldproof.Sign(diCredential(t, iss.did), ldproof.Options{Cryptosuite: suite, Key: iss.key, VerificationMethod: iss.vm(), ID: "urn:uuid:5d1e8f4a-6a53-4c5e-9a2b-3c7f0e9d8b21"})
		if err != nil {
			t.Fatal(err)
		}
		chained, err := ldproof.Sign(first, ldproof.Options{Cryptosuite: suite, Key: cosigner.key, VerificationMethod: cosigner.vm(), PreviousProof: []string{"urn:uuid:5d1e8f4a-6a53-4c5e-9a2b-3c7f0e9d8b21"}})
		if err != nil {
			t.Fatal(err)
		}
		d := mustObject(t, chained)
		proofs := d["proof"].([]any)
		if _, isStr := proofs[1].(map[string]any)["previousProof"].(string); !isStr {
			t.Fatalf("previousProof is not a string: %v", proofs[1])
		}
		reversed := maps.Clone(d)
		reversed["proof"] = []any{proofs[1], proofs[0]}
		for name, doc := range map[string]map[string]any{"in order": d, "reversed": reversed} {
			b, _ := json.Marshal(doc)
			if r := v.VerifyDataIntegrity(ctx, b, Policy{}); !r.Verified {
				t.Errorf("%s %s:\n%s", suite, name, diDump(r))
			}
		}
		broken := maps.Clone(d)
		broken["proof"] = []any{proofs[1]}
		b, _ := json.Marshal(broken)
		if r := v.VerifyDataIntegrity(ctx, b, Policy{}); r.Verified {
			t.Errorf("%s: a chain to a missing proof verified", suite)
		}
	}
}

// TestVerifyPolicy_ExpectedProofPurposeChallengeDomain: VC Data Integrity
// §4.4 Verify Proof — the verifier's expectedProofPurpose, challenge and
// domain (VCALM verify options, read by PolicyFrom) must match every Data
// Integrity proof of the credential; a presentation's options are its own
// proof's, not its credentials'.
func TestVerifyPolicy_ExpectedProofPurposeChallengeDomain(t *testing.T) {
	ctx := context.Background()
	v := keyVerifier()
	iss := newKeyIssuer(t)
	asserted, err := SignDataIntegrity(iss.signer(), diCredential(t, iss.did), CryptosuiteEdDSARDFC2022, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	authn, err := ldproof.Sign(diCredential(t, iss.did), ldproof.Options{Cryptosuite: CryptosuiteEdDSARDFC2022, Key: iss.key, VerificationMethod: iss.vm(),
		ProofPurpose: ldproof.PurposeAuthentication, Challenge: "c-1", Domain: "https://v.example"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		doc     json.RawMessage
		options map[string]any
		ok      bool
	}{
		{"assertionMethod, no options", asserted, nil, true},
		{"assertionMethod expected", asserted, map[string]any{"expectedProofPurpose": "assertionMethod"}, true},
		{"authentication expected of an assertionMethod proof", asserted, map[string]any{"expectedProofPurpose": "authentication"}, false},
		{"a purpose that is no relationship", asserted, map[string]any{"expectedProofPurpose": "invalidPurpose"}, false},
		{"a domain the proof lacks", asserted, map[string]any{"domain": "https://v.example"}, false},
		{"authentication proof, no options", authn, nil, false},
		{"authentication proof, its purpose, challenge and domain", authn, map[string]any{"expectedProofPurpose": "authentication", "challenge": "c-1", "domain": "https://v.example"}, true},
		{"authentication proof, another domain", authn, map[string]any{"expectedProofPurpose": "authentication", "domain": "https://other.example"}, false},
		{"authentication proof, another challenge", authn, map[string]any{"expectedProofPurpose": "authentication", "challenge": "c-2"}, false},
		{"options of other types are ignored", asserted, map[string]any{"expectedProofPurpose": 5, "domain": true}, true},
	} {
		r := v.VerifyDataIntegrity(ctx, tc.doc, PolicyFrom(tc.options))
		if r.Verified != tc.ok {
			t.Errorf("%s: verified %v:\n%s", tc.name, r.Verified, diDump(r))
		}
		if !tc.ok && diStatuses(r)[CheckProof] != StatusFailed {
			t.Errorf("%s: the proof check did not fail:\n%s", tc.name, diDump(r))
		}
	}
	o, err := PresentationOptionsFrom(map[string]any{"challenge": "c-1", "domain": "https://v.example", "expectedProofPurpose": "authentication", "requireBinding": true})
	if err != nil || o.Challenge != "c-1" || o.Domain != "https://v.example" || o.Policy != (Policy{RequireBinding: true}) {
		t.Errorf("presentation options: %+v %v", o, err)
	}
}

// TestInlineContexts_Wrapped: an inline context written as
// {"@context": {…}} (as the W3C Data Integrity suites' proof-chain
// fixtures write it) is the context inside, as jsonld.js and json-gold
// process it: its terms sign and verify, and it is held to the rules of
// an inline context (VC Data Model 2.0 §4.3). Beside "@context" nothing
// may be, since the processors would ignore it.
func TestInlineContexts_Wrapped(t *testing.T) {
	ctx := context.Background()
	v := keyVerifier()
	iss := newKeyIssuer(t)
	wrapped := map[string]any{"@context": map[string]any{"AlumniCredential": "https://www.example.org/AlumniCredential", "alumniOf": "https://www.example.org/alumniOf"}}
	good := withMembers(t, iss.did, map[string]any{
		"@context":          []any{ContextV2, wrapped},
		"type":              []any{"VerifiableCredential", "AlumniCredential"},
		"credentialSubject": map[string]any{"id": "did:example:alice", "alumniOf": "The School of Examples"},
	})
	for _, suite := range []string{CryptosuiteEdDSARDFC2022, CryptosuiteEdDSAJCS2022} {
		signed, err := SignDataIntegrity(iss.signer(), good, suite, time.Time{})
		if err != nil {
			t.Fatalf("%s: sign with a wrapped context: %v", suite, err)
		}
		if r := v.VerifyDataIntegrity(ctx, signed, Policy{}); !r.Verified {
			t.Fatalf("%s: verify with a wrapped context:\n%s", suite, diDump(r))
		}
	}
	for name, c := range map[string]any{
		"something beside": map[string]any{"@context": map[string]any{"alumniOf": "https://www.example.org/alumniOf"}, "@base": "https://evil.example/"},
		"not an object":    map[string]any{"@context": "https://www.w3.org/ns/credentials/v2"},
		"a protected term": map[string]any{"@context": map[string]any{"VerifiableCredential": "https://example.org/#Bad"}},
		"a keyword alias":  map[string]any{"@context": map[string]any{"ident": "@id"}},
		"wrapped twice":    map[string]any{"@context": map[string]any{"@context": map[string]any{"alumniOf": "https://www.example.org/alumniOf"}}},
		"an import inside": map[string]any{"@context": map[string]any{"@import": "https://evil.example/ctx"}},
		"a null inside":    map[string]any{"@context": nil},
		"an array inside":  map[string]any{"@context": []any{map[string]any{"alumniOf": "https://www.example.org/alumniOf"}}},
	} {
		doc := withMembers(t, iss.did, map[string]any{"@context": []any{ContextV2, c}})
		if _, err := SignDataIntegrity(iss.signer(), doc, CryptosuiteEdDSARDFC2022, time.Time{}); err == nil {
			t.Errorf("%s: signed", name)
		}
		if name == "a protected term" {
			continue // found by JSON-LD processing, which eddsa-jcs-2022 does not do
		}
		if r := v.VerifyDataIntegrity(ctx, forge(t, iss.key, doc, iss.vm()), Policy{}); r.Verified {
			t.Errorf("%s: verified", name)
		}
	}
}
