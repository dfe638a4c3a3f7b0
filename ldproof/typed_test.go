package ldproof

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestExpandTypedMatchesJSONGold checks the expansion that starts from
// the cached context of the top-level types (expandTyped) against
// json-gold's own expansion of the same document: the same expanded
// document, or the same error, for the spec vectors, their proof
// configurations and thousands of random credential-like documents.
func TestExpandTypedMatchesJSONGold(t *testing.T) {
	docs, err := embeddedContexts()
	if err != nil {
		t.Fatal(err)
	}
	var inputs [][]byte
	for _, dir := range []string{"testdata", "../credential/testdata"} {
		_ = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() && strings.HasSuffix(p, ".json") {
				if b, err := os.ReadFile(p); err == nil && strings.Contains(string(b), `"@context"`) {
					inputs = append(inputs, b)
				}
			}
			return nil
		})
	}
	inputs = append(inputs, diploma)
	rng := rand.New(rand.NewSource(14))
	for range 3000 {
		inputs = append(inputs, randomLD(rng))
	}
	fast, checked, scoped := 0, 0, 0
	compare := func(name string, doc map[string]any) {
		checked++
		want, wantErr := expandWith(doc, docs, false)
		got, gotErr := expandWith(doc, docs, true)
		if fmt.Sprint(wantErr) != fmt.Sprint(gotErr) || !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: typed expansion differs from json-gold's:\n got %v %v\nwant %v %v", name, got, gotErr, want, wantErr)
		}
		if wantErr == nil {
			if _, ok := typedPathTaken(doc); ok {
				fast++
				if _, isStr := doc["proofPurpose"].(string); isStr && strings.Contains(fmt.Sprint(doc["type"]), "DataIntegrityProof") {
					scoped++ // scopedString's path, for a proof configuration
				}
			}
		}
	}
	for i, b := range inputs {
		d, err := decodeDocument(b)
		if err != nil {
			continue
		}
		name := fmt.Sprintf("input %d %.200s", i, b)
		compare(name, d)
		// Each proof's configuration, as hashData builds it.
		if proofs, ok, _ := proofList(d); ok {
			for _, p := range proofs {
				config := map[string]any{"@context": d["@context"]}
				for k, v := range p {
					if k != "proofValue" {
						config[k] = v
					}
				}
				compare(name+" (proof configuration)", config)
			}
		}
		compare(name+" (without proof)", withoutProof(d))
	}
	t.Logf("%d documents, %d expanded through the typed context, %d with a property-scoped string", checked, fast, scoped)
	if fast < 250 || scoped < 5 {
		t.Fatalf("only %d of %d documents took the typed path: the test no longer covers it", fast, checked)
	}
}

// typedPathTaken reports whether expand takes expandTyped's path for doc.
func typedPathTaken(doc map[string]any) (any, bool) {
	docs, _ := embeddedContexts()
	opts := expandOptions(docs)
	input := forJSONLD(doc).(map[string]any)
	active, err := topContext(input["@context"], docs, opts)
	if err != nil || active == nil {
		return nil, false
	}
	delete(input, "@context")
	return expandTyped(active, input, opts)
}

// randomLD returns a random credential-like JSON-LD document: known and
// unknown contexts and types, scoped-context types at the top and below,
// keyword members and aliases, values of every JSON kind.
func randomLD(rng *rand.Rand) []byte {
	pick := func(xs ...any) any { return xs[rng.Intn(len(xs))] }
	contexts := []any{
		[]any{"https://www.w3.org/ns/credentials/v2"},
		[]any{"https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"},
		"https://www.w3.org/ns/credentials/v2",
		[]any{"https://www.w3.org/2018/credentials/v1", "https://www.w3.org/2018/credentials/examples/v1"},
		[]any{"https://www.w3.org/2018/credentials/v1", "https://w3id.org/security/suites/ed25519-2020/v1"},
		[]any{"https://www.w3.org/ns/credentials/v2", "https://w3id.org/security/data-integrity/v2"},
		[]any{"https://www.w3.org/ns/credentials/v2", map[string]any{"@vocab": "https://example.org/#"}},
		[]any{"https://www.w3.org/ns/credentials/v2", "https://example.org/unknown"},
	}
	typeNames := []any{"VerifiableCredential", "VerifiablePresentation", "DataIntegrityProof", "JsonSchema",
		"BitstringStatusList", "BitstringStatusListEntry", "UniversityDegreeCredential", "Ed25519Signature2020",
		"ex:Foo", "Foo", "https://example.org/T", "", "@json", "_:b1"}
	clean := rng.Intn(2) == 0
	if clean {
		contexts, typeNames = contexts[:3], typeNames[:8]
	}
	types := func() any {
		if clean {
			return []any{pick(typeNames...), pick(typeNames...)}
		}
		switch rng.Intn(6) {
		case 0:
			return pick(typeNames...)
		case 1:
			return []any{}
		case 2:
			return []any{pick(typeNames...), 5}
		}
		n := 1 + rng.Intn(3)
		out := make([]any, n)
		for i := range out {
			out[i] = pick(typeNames...)
		}
		return out
	}
	var value func(depth int) any
	object := func(depth int) map[string]any {
		m := map[string]any{}
		names := []string{"id", "type", "name", "description", "issuer", "validFrom", "credentialSubject",
			"degree", "givenName", "cryptosuite", "created", "verificationMethod", "proofPurpose", "proofValue",
			"@id", "@type", "@value", "@language", "@included", "@graph", "@list", "credentialSchema",
			"credentialStatus", "termsOfUse", "evidence", "jsonSchema", "holder", "verifiableCredential",
			"proof", "previousProof", "domain", "challenge", "https://example.org/p", "ex:q", "unknownTerm"}
		if clean {
			names = names[:14]
		}
		for range 1 + rng.Intn(7) {
			k := names[rng.Intn(len(names))]
			if k == "type" || k == "@type" {
				m[k] = types()
			} else {
				m[k] = value(depth + 1)
			}
		}
		if depth > 0 && rng.Intn(8) == 0 {
			m["@context"] = pick(contexts...)
		}
		return m
	}
	value = func(depth int) any {
		k := rng.Intn(9)
		if clean && k < 3 {
			k = 0
		}
		switch k {
		case 0:
			return pick("urn:uuid:1", "did:example:123", "relative", "_:b0", "2024-06-30T00:00:00Z", "x y", "", "assertionMethod", "authentication")
		case 1:
			return pick(1, 2.5, -3, 1e21, true, false, nil)
		case 2:
			return map[string]any{"@value": pick("v", 1, true), "@language": pick("en", "EN-us", nil)}
		case 3:
			return []any{value(depth + 1), value(depth + 1)}
		}
		if depth > 3 {
			return "leaf"
		}
		return object(depth)
	}
	doc := object(0)
	doc["@context"] = pick(contexts...)
	if rng.Intn(4) > 0 {
		doc["type"] = types()
	}
	if rng.Intn(3) == 0 {
		delete(doc, "@value")
		delete(doc, "@list")
		delete(doc, "@graph")
		delete(doc, "@language")
		delete(doc, "@included")
		delete(doc, "@type")
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return b
}
