package did

import (
	"errors"
	"strings"
	"testing"
)

// TestNegotiate_AcceptChoosesRepresentation checks the representation each
// Accept gets, by DID Resolution v1.0 §12.1 (application/did-resolution
// asks for the whole result, application/did-url-dereferencing for a DID
// URL's; the accept option's media type — DID Core 1.0 §6.2.1
// application/did+json, §6.3.1 application/did+ld+json — for the document
// alone; REPRESENTATION_NOT_SUPPORTED otherwise) and RFC 9110 §12.5.1
// (weights, wildcards, the most specific range).
func TestNegotiate_AcceptChoosesRepresentation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, accept string
		deref        bool
		want         Representation // zero: representationNotSupported
	}{
		{"no Accept: the result (§12.1)", "", false, Representation{MediaResolution, true}},
		{"blank Accept", "  ", false, Representation{MediaResolution, true}},
		{"*/*", "*/*", false, Representation{MediaResolution, true}},
		{"application/*", "application/*", false, Representation{MediaResolution, true}},
		{"application/did-resolution (§12.1)", "application/did-resolution", false, Representation{MediaResolution, true}},
		{"types are case-insensitive", "Application/DID-Resolution", false, Representation{MediaResolution, true}},
		{"the did:key suite's profile", `application/ld+json;profile="https://w3id.org/did-resolution"`, false, Representation{MediaResolutionLD, true}},
		{"the profile with spaces and a charset", `application/ld+json ; charset=utf-8; profile="https://w3id.org/did-resolution"`, false, Representation{MediaResolutionLD, true}},
		{"a URI is no token: unquoted, the range is malformed", `application/ld+json;profile=https://w3id.org/did-resolution`, false, Representation{}},
		{"another profile is not the result", `application/ld+json;profile="https://example.com/x"`, false, Representation{}},
		{"weid's former type", "application/did-resolution+json", false, Representation{MediaResolutionJSON, true}},
		{"application/json (the web pages)", "application/json", false, Representation{MediaJSON, true}},
		{"DID Core §6.3.1 document", "application/did+ld+json", false, Representation{MediaDIDLD, false}},
		{"DID Core §6.2.1 document", "application/did+json", false, Representation{MediaDIDJSON, false}},
		{"DID 1.1 document", "application/did", false, Representation{MediaDID, false}},
		{"bare JSON-LD is the document", "application/ld+json", false, Representation{MediaJSONLD, false}},
		{"a browser's Accept falls to */*", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false, Representation{MediaResolution, true}},
		{"q-values rank", "application/did+json;q=0.5, application/did-resolution;q=0.9", false, Representation{MediaResolution, true}},
		{"q-values rank the other way", "application/did+json;q=0.9, application/did-resolution;q=0.5", false, Representation{MediaDIDJSON, false}},
		{"a named type beats */* at the same weight", "*/*, application/did+json", false, Representation{MediaDIDJSON, false}},
		{"q=0 refuses, the most specific range decides", "application/did-resolution;q=0, */*", false, Representation{MediaDIDLD, false}},
		{"the profile range is more specific than the bare type", `application/ld+json;q=0.1, application/ld+json;profile="https://w3id.org/did-resolution"`, false, Representation{MediaResolutionLD, true}},
		{"ld+json and json: JSON-LD first", "application/ld+json, application/json", false, Representation{MediaJSONLD, false}},
		{"nothing matches", "text/html", false, Representation{}},
		{"everything refused", "*/*;q=0", false, Representation{}},
		{"malformed ranges are skipped", "garbage, application/did+json;q=2, application/did+ld+json", false, Representation{MediaDIDLD, false}},
		{"only malformed ranges", `nonsense;;"`, false, Representation{}},
		{"dereferencing: no Accept (§12.1)", "", true, Representation{MediaDereferencing, true}},
		{"dereferencing: application/did-url-dereferencing", "application/did-url-dereferencing", true, Representation{MediaDereferencing, true}},
		{"dereferencing: the suite's profile", `application/ld+json;profile="https://w3id.org/did-resolution"`, true, Representation{MediaResolutionLD, true}},
		{"dereferencing: the content alone", "application/did+ld+json", true, Representation{MediaDIDLD, false}},
		{"dereferencing: a resolution result is not a dereferencing result", "application/did-resolution", true, Representation{}},
	}
	for _, c := range cases {
		got, err := Negotiate(c.accept, c.deref)
		if c.want == (Representation{}) {
			if !errors.Is(err, ErrRepresentationNotSupported) || ErrorCode(err) != "representationNotSupported" {
				t.Errorf("%s: Negotiate(%q) = %+v, %v; want representationNotSupported", c.name, c.accept, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s: Negotiate(%q) = %+v, %v; want %+v", c.name, c.accept, got, err, c.want)
		}
	}
}

// TestParseQ checks the qvalue grammar of RFC 9110 §12.4.2.
func TestParseQ(t *testing.T) {
	t.Parallel()
	for v, want := range map[string]int{"0": 0, "0.5": 500, "0.125": 125, "1": 1000, "1.000": 1000, "0.": 0, "1.": 1000} {
		if got, ok := parseQ(v); !ok || got != want {
			t.Errorf("parseQ(%q) = %d, %v; want %d", v, got, ok, want)
		}
	}
	for _, v := range []string{"", "2", "1.5", "0.1234", "-1", "0.x", ".5", "01"} {
		if _, ok := parseQ(v); ok {
			t.Errorf("parseQ(%q) accepted", v)
		}
	}
}

// FuzzNegotiate feeds arbitrary Accept values to Negotiate: no panic; an
// answer is one of the offers, a refusal is representationNotSupported.
func FuzzNegotiate(f *testing.F) {
	for _, s := range []string{"", "*/*", MediaResolutionLD, "application/did+json;q=0.5, application/did-resolution;q=0.9",
		`application/ld+json;profile="a\"b,c";q=0.1`, "text/html,*/*;q=0.8", `x/y;p="`, ";;,,", "*/x", "a/b;q=1.0000"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, accept string, deref bool) {
		rep, err := Negotiate(accept, deref)
		if err != nil {
			if !errors.Is(err, ErrRepresentationNotSupported) {
				t.Fatalf("Negotiate(%q): %v", accept, err)
			}
			return
		}
		offers := resolutionOffers
		if deref {
			offers = dereferencingOffers
		}
		found := false
		for _, o := range offers {
			found = found || o == rep
		}
		if !found || !strings.HasPrefix(rep.MediaType, "application/") {
			t.Fatalf("Negotiate(%q) = %+v, not an offer", accept, rep)
		}
	})
}
