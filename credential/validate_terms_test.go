package credential

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// termCorpus is documents the term check is held to: the VC Data Model
// 2.0 suite's inputs and credentials of weid's own tests.
func termCorpus(t testing.TB) []map[string]any {
	t.Helper()
	var out []map[string]any
	dir := filepath.Join("testdata", "vc-data-model-2.0", "input")
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if m, err := decodeObject(b, credentialLimits); err == nil {
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The shortcut decides only lists of contexts with a @vocab: each of
	// the suite's VC 2.0 inputs is also held to it as an issuer of
	// undefined terms writes it (VC Data Model 2.0 §5.2).
	for _, doc := range out[:len(out):len(out)] {
		if list, ok := doc["@context"].([]any); ok && len(list) > 0 && list[0] == ContextV2 {
			d := clone(doc)
			d["@context"] = append(slices.Clone(list), ContextUndefinedTerms)
			out = append(out, d)
		}
	}
	out = append(out, mustObject(t, diCredential(t, "did:example:issuer")), mustObject(t, benchDiploma), mustObject(t, undefinedTermsCredential(t, "did:example:issuer")), mustObject(t, statusListCredential))
	out = append(out, mustObject(t, []byte(`{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"],
		"id":"urn:uuid:1","type":["VerifiableCredential","UniversityDegreeCredential"],"issuer":{"id":"did:example:u","name":{"@value":"Uni","@language":"en"}},
		"validFrom":"2026-01-01T00:00:00Z","credentialSchema":{"id":"https://weid.example/v1/schemas/2","type":"JsonSchema"},
		"credentialStatus":{"id":"https://weid.example/status/1#5","type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListIndex":"5","statusListCredential":"https://weid.example/status/1"},
		"credentialSubject":{"id":"did:example:alice","degree":{"type":"BachelorDegree","name":"Bachelor of Science"},"gpa":3.5,"tags":["a","b"]}}`)))
	out = append(out, mustObject(t, []byte(`{"@context":["https://www.w3.org/2018/credentials/v1","https://www.w3.org/2018/credentials/examples/v1"],
		"type":["VerifiableCredential","UniversityDegreeCredential"],"issuer":"did:example:u","issuanceDate":"2026-01-01T00:00:00Z",
		"credentialSubject":{"id":"did:example:alice","degree":{"type":"BachelorDegree","name":"BSc"}}}`)))
	return out
}

// mutate returns doc with one random change of the kinds the shortcut
// must either follow or leave to the expansion.
func mutate(r *rand.Rand, doc map[string]any) map[string]any {
	doc = clone(doc)
	names := []string{"degree", "a:b", "@foo", "a b", "", "é", "x#y", "id", "type", "name", "proof", "issuer", "credentialStatus",
		"VerifiableCredential", "@id", "@value", "_:b", "http://ex.org/p", "cred:issuer", "verifiableCredential", "statusMessage", "kid", "_sd"}
	values := []func() any{
		func() any { return "plain" },
		func() any { return "relative" },
		func() any { return "did:example:x" },
		func() any { return "https ://bad" },
		func() any { return "_:b0" },
		func() any { return json.Number("1.5") },
		func() any { return nil },
		func() any { return true },
		func() any { return []any{"a", []any{"b"}} },
		func() any { return map[string]any{"@value": "v", "@language": "en"} },
		func() any { return map[string]any{"@value": "v", "@language": "e n"} },
		func() any { return map[string]any{"@value": 5} },
		func() any { return map[string]any{"type": "BitstringStatusListEntry", "statusPurpose": "revocation"} },
		func() any { return map[string]any{"type": []any{"DataIntegrityProof", "BitstringStatusListEntry"}} },
		func() any { return map[string]any{"type": "VerifiablePresentation", "verifiableCredential": "x"} },
		func() any { return map[string]any{"@context": map[string]any{"x": "https://ex.org/x"}, "x": 1} },
		func() any { return map[string]any{"id": "rel", "type": "T"} },
		func() any { return map[string]any{"type": "a:b"} },
		func() any { return map[string]any{"type": "id"} },
	}
	target := doc
	if s, ok := doc["credentialSubject"].(map[string]any); ok && r.IntN(2) == 0 {
		target = s
	}
	switch r.IntN(4) {
	case 0:
		target[names[r.IntN(len(names))]] = values[r.IntN(len(values))]()
	case 1:
		types := []any{"VerifiableCredential", []any{"VerifiableCredential", "X"}, []any{"VerifiableCredential", "https://ex.org/T"},
			[]any{"VerifiableCredential", "a:b"}, []any{"VerifiableCredential", "a b"}, []any{"VerifiableCredential", "_:t"},
			[]any{"VerifiableCredential", "BitstringStatusListEntry"}, []any{"VerifiableCredential", "DataIntegrityProof", "JsonSchema"}, 5}
		target["type"] = types[r.IntN(len(types))]
	case 2:
		ctxs := []any{
			[]any{ContextV2},
			[]any{ContextV2, "https://www.w3.org/ns/credentials/examples/v2"},
			[]any{ContextV2, ContextUndefinedTerms},
			[]any{ContextV2, "https://w3id.org/security/data-integrity/v2", ContextUndefinedTerms},
			[]any{ContextV2, ContextUndefinedTerms, map[string]any{"@vocab": nil}},
			[]any{ContextV2, "https://w3id.org/security/data-integrity/v2"},
			[]any{ContextV2, "https://www.w3.org/2018/credentials/v1"},
			[]any{ContextV2, "https://w3id.org/vc/status-list/2021/v1"},
			[]any{ContextV2, "https://w3id.org/security/suites/ed25519-2020/v1"},
			[]any{ContextV2, map[string]any{"@vocab": nil}},
			[]any{ContextV2, map[string]any{"id": "https://ex.org/id"}},
			[]any{ContextV1, "https://www.w3.org/2018/credentials/examples/v1"},
		}
		doc["@context"] = ctxs[r.IntN(len(ctxs))]
	case 3:
		target["id"] = values[r.IntN(len(values))]()
	}
	return doc
}

// draftsAgree holds draftsCertain (the proof skipped) to the expansion:
// the terms it finds undefined are the ones the expansion names, and they
// pass under the drafts' reading; none, and the expansion passes. n is
// how many it found.
func draftsAgree(doc map[string]any) (n int, err error) {
	seen := map[string]bool{}
	if !draftsCertain(doc, true, seen) {
		return 0, nil
	}
	err = termsExpand(withoutProof(doc))
	var ut *undefinedTermsError
	want := slices.Sorted(maps.Keys(seen))
	if len(seen) == 0 && err != nil || len(seen) > 0 && (!errors.As(err, &ut) || !ut.draftsValid || !slices.Equal(ut.names, want)) {
		return 0, fmt.Errorf("the shortcut read as the drafts did finds %q undefined, the expansion: %v", want, err)
	}
	return len(seen), nil
}

// TestTermCheckDifferential holds the shortcut to the expansion: whatever
// termsCertain accepts, the JSON-LD expansion accepts too, and what it
// finds undefined reading it as the drafts did (draftsCertain), the
// expansion does; and the shortcut does take the common credentials, or
// it would not save anything.
func TestTermCheckDifferential(t *testing.T) {
	corpus := termCorpus(t)
	r := rand.New(rand.NewPCG(19, 2026))
	certain, drafts, docs := 0, 0, 0
	check := func(doc map[string]any) {
		docs++
		if termsCertain(doc, true) {
			if err := termsExpand(withoutProof(doc)); err != nil {
				b, _ := json.Marshal(doc)
				t.Fatalf("the shortcut (proof skipped) accepts what the expansion refuses (%v):\n%s", err, b)
			}
		}
		if n, err := draftsAgree(doc); err != nil {
			b, _ := json.Marshal(doc)
			t.Fatalf("%v\n%s", err, b)
		} else if n > 0 {
			drafts++
		}
		if !termsCertain(doc, false) {
			return
		}
		certain++
		if err := termsExpand(doc); err != nil {
			b, _ := json.Marshal(doc)
			t.Fatalf("the shortcut accepts what the expansion refuses (%v):\n%s", err, b)
		}
	}
	for _, doc := range corpus {
		check(doc)
		for range 60 {
			d := mutate(r, doc)
			check(d)
			check(mutate(r, d))
		}
	}
	t.Logf("%d of %d documents (most of them mutated to odd forms) decided by the shortcut; %d found to use undefined terms by it, reading them as the drafts did", certain, docs, drafts)
	for _, doc := range []map[string]any{corpus[len(corpus)-2], mustObject(t, diCredential(t, "did:example:issuer")), mustObject(t, benchDiploma), mustObject(t, undefinedTermsCredential(t, "did:example:issuer")), mustObject(t, statusListCredential)} {
		if !termsCertain(doc, false) {
			b, _ := json.Marshal(doc)
			t.Fatalf("a plain VC 2.0 credential goes to the expansion:\n%s", b)
		}
	}
}

// TestCheckTerms: the term check's verdicts on the suite's inputs (VC
// Data Model 2.0 §4.3, §4.5, §5.2).
func TestCheckTerms(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		want string // "" to pass, else a part of the error
	}{
		{`{"@context":["https://www.w3.org/ns/credentials/v2",{"@vocab":null}],"type":["VerifiableCredential","ExampleTestCredential"],"issuer":"did:example:i","credentialSubject":{"id":"did:example:s"}}`, `"ExampleTestCredential" does not map to a URL`},
		{`{"@context":["https://www.w3.org/ns/credentials/v2",{"ExampleTestCredential":"https ://not-a-url#ExampleTestCredential"}],"type":["VerifiableCredential","ExampleTestCredential"],"issuer":"did:example:i","credentialSubject":{"id":"did:example:s"}}`, "not a URL"},
		{`{"@context":["https://www.w3.org/ns/credentials/v2",{"VerifiableCredential":"https://example.org/#BadVerifiableCredential"}],"type":["VerifiableCredential"],"issuer":"did:example:i","credentialSubject":{"id":"did:example:s"}}`, "protected term"},
		{`{"@context":["https://www.w3.org/ns/credentials/v2",{"@protected":true,"X":"https://example.org/#X"},{"X":"https://example.org/#Y"}],"type":["VerifiableCredential","X"],"issuer":"did:example:i","credentialSubject":{"id":"did:example:s"}}`, "protected term"},
		{`{"@context":["https://www.w3.org/ns/credentials/v2",{"@vocab":null}],"type":["VerifiableCredential"],"issuer":"did:example:i","credentialSubject":{"id":"did:example:s","degree":"x"}}`, `the term "degree", which its @context does not define`},
		// The base context has no @vocab (VC Data Model 2.0 Appendix E):
		// undefined terms are named, with how to conform (§5.2).
		{`{"@context":["https://www.w3.org/ns/credentials/v2",{"X":"https://example.org/#X"}],"type":["VerifiableCredential","X"],"issuer":"did:example:i","credentialSubject":{"id":"did:example:s","anything":"issuer-dependent"}}`, `the term "anything", which its @context does not define; define them in a context it names, or name "https://www.w3.org/ns/credentials/undefined-terms/v2" as the last value of @context (VC Data Model 2.0 §5.2)`},
		{`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential","UniversityDegreeCredential"],"issuer":"did:example:i","credentialSubject":{"id":"did:example:s","degree":{"type":"BachelorDegree"}}}`, `the terms "BachelorDegree", "UniversityDegreeCredential", "degree", which`},
		{`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential","UniversityDegreeCredential"],"issuer":"did:example:i","credentialSubject":{"id":"did:example:s"}}`, `the term "UniversityDegreeCredential"`},
		{`{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/undefined-terms/v2"],"type":["VerifiableCredential","UniversityDegreeCredential"],"issuer":"did:example:i","credentialSubject":{"id":"did:example:s","degree":{"type":"BachelorDegree"}}}`, ""},
		{`{"@context":["https://www.w3.org/ns/credentials/v2",{"X":"https://example.org/#X"},"https://www.w3.org/ns/credentials/undefined-terms/v2"],"type":["VerifiableCredential","X"],"issuer":"did:example:i","credentialSubject":{"id":"did:example:s","anything":"issuer-dependent"}}`, ""},
		{`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"issuer":"did:example:i","credentialSubject":{"id":"did:example:s","name":"Alice"}}`, ""},
	} {
		err := checkTerms(mustObject(t, []byte(tc.doc)), true)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.doc, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want an error with %q", tc.doc, err, tc.want)
		}
	}
}

// FuzzTermCheck: no document makes the term check panic, and the
// shortcut never accepts what the expansion refuses nor, reading a
// document as the drafts did, finds other undefined terms than it.
func FuzzTermCheck(f *testing.F) {
	for _, doc := range termCorpus(f) {
		b, _ := json.Marshal(doc)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := decodeObject(b, credentialLimits)
		if err != nil {
			return
		}
		_ = checkTerms(doc, false)
		_, _ = verifiedTerms(doc, false, false)
		if _, err := draftsAgree(doc); err != nil {
			t.Fatalf("%v: %s", err, b)
		}
		if termsCertain(doc, true) && termsExpand(withoutProof(doc)) != nil {
			t.Fatalf("the shortcut (proof skipped) accepts what the expansion refuses: %s", b)
		}
		if termsCertain(doc, false) {
			if err := termsExpand(doc); err != nil {
				t.Fatalf("the shortcut accepts what the expansion refuses (%v): %s", err, b)
			}
		}
	})
}

// statusListCredential is a VC 2.0 credential every term of which the base
// context defines (Bitstring Status List v1.0 §2.2), which the shortcut
// decides without a @vocab.
var statusListCredential = []byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"id":"https://weid.example/status-lists/1","type":["VerifiableCredential","BitstringStatusListCredential"],"issuer":"did:example:i","validFrom":"2026-01-01T00:00:00Z","credentialSubject":{"id":"https://weid.example/status-lists/1#list","type":"BitstringStatusList","statusPurpose":"revocation","encodedList":"uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"}}`)

// benchDiploma is the shape of the batch benchmark's credential
// (interop.DiplomaV2).
var benchDiploma = []byte(`{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"],"id":"urn:uuid:3f1c7a52-8e0b-4c1e-9a35-2d6f0e000001","type":["VerifiableCredential","UniversityDegreeCredential"],"issuer":"did:key:z6MkpJySvETLnxhQG9DzEdmKJtysBDjuuTeDfUj1uNNCUqcj","validFrom":"2025-07-01T00:00:00Z","validUntil":"2035-07-01T00:00:00Z","credentialSubject":{"id":"did:example:h","holderName":"Alice Chen","degree":"Bachelor of Engineering","degreeLevel":"bachelor","fieldOfStudy":"Computer Science","institution":"Example University","awardedDate":"2025-07-01","diplomaNumber":"EU-2025-000001","studentId":"S-2021-00001","gpa":"3.87","honors":"magna cum laude"},"credentialSchema":{"id":"https://weid.example/v1/schemas/2","type":"JsonSchema"}}`)

// BenchmarkCheckTerms: the term check of a batch credential, decided by
// the shortcut, and the expansion it saves.
func BenchmarkCheckTerms(b *testing.B) {
	doc := mustObject(b, benchDiploma)
	b.Run("shortcut", func(b *testing.B) {
		for b.Loop() {
			if err := checkTerms(doc, true); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("expansion", func(b *testing.B) {
		for b.Loop() {
			if err := termsExpand(doc); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestOneStructuralValidator: the VC 2.0 rules (issue 19 items 1–5 and
// the term check) hold for every securing mechanism, at issuance, and for
// a vc+jwt signed without weid's issuance checks, at verification.
func TestOneStructuralValidator(t *testing.T) {
	iss := newKeyIssuer(t)
	v := keyVerifier()
	ctx := t.Context()
	for name, extra := range map[string]map[string]any{
		"language object with an extra member (§11.1)": {"name": map[string]any{"@value": "x", "@language": "en", "url": "did:example:x"}},
		"evidence without a type (§5.6)":               {"evidence": map[string]any{"id": "https://ex.org/e/1"}},
		"termsOfUse without a type (§5.5)":             {"termsOfUse": map[string]any{}},
		"explicit null issuer (§4.7)":                  {"issuer": nil},
		"relatedResource without a digest (§5.3)":      {"relatedResource": []any{map[string]any{"id": "https://ex.org/r"}}},
		"a number in @context (§4.3)":                  {"@context": []any{ContextV2, json.Number("5")}},
		"a type that maps to no URL (§4.5)":            {"@context": []any{ContextV2, map[string]any{"@vocab": nil}}},
		"a protected term redefined (§4.3, §5.2)":      {"@context": []any{ContextV2, map[string]any{"VerifiableCredential": "https://ex.org/#VC"}}},
	} {
		m := mustObject(t, diCredential(t, iss.did))
		for k, x := range extra {
			m[k] = x
		}
		if _, ok := extra["@context"]; ok {
			m["credentialSubject"] = map[string]any{"id": "did:example:alice"}
			m["type"] = []any{"VerifiableCredential", "ExampleDegreeCredential"}
		}
		doc, _ := json.Marshal(m)
		if _, err := IssueJWT(iss.signer(), doc, time.Now(), IssueOptions{}); err == nil {
			t.Errorf("%s: vc+jwt issued", name)
		}
		for _, suite := range []string{CryptosuiteEdDSARDFC2022, CryptosuiteEdDSAJCS2022} {
			if _, err := SignDataIntegrity(iss.signer(), doc, suite, time.Now()); err == nil {
				t.Errorf("%s: %s issued", name, suite)
			}
		}
		if _, ok := extra["@context"]; !ok { // an SD-JWT VC carries no @context of the issuer's
			if _, err := IssueSDJWT(ctx, iss.signer(), doc, time.Now(), IssueOptions{}, nil, v.Resolver); err == nil {
				t.Errorf("%s: dc+sd-jwt issued", name)
			}
		}
		tok, err := SignJWS(iss.key, iss.vm(), doc)
		if err != nil {
			t.Fatal(err)
		}
		if r := v.VerifyJWT(ctx, tok, Policy{}); r.Verified || r.Checks[0].Status != StatusFailed {
			t.Errorf("%s: a vc+jwt signed without the checks verifies:\n%s", name, diDump(r))
		}
	}
}
