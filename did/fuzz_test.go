package did

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// didURLSeeds are valid DID URLs and near-misses of each rule of
// DID Core 1.0 §3.1 and §3.2.
var didURLSeeds = []string{
	"did:example:123",
	"did:example:123456789abcdefghi#keys-1",
	"did:example:123?versionId=1&versionTime=2021-05-10T17:00:00Z",
	"did:example:123/path/to?q=1#frag/x?y",
	"did:web:example.com%3A3000:user:alice",
	"did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
	"did:jwk:eyJrdHkiOiJPS1AiLCJjcnYiOiJYMjU1MTkiLCJ1c2UiOiJlbmMiLCJ4IjoiM3A3YmZYdDl3YlRUVzJIQzdPUTFOei1EUThoYmVHZE5yZngtRkctSUswOCJ9#0",
	"did:example::a:b",
	"did:example:123?",
	"did:example:123/",
	"did:Example:123",
	"did:example:",
	"did:example:123:",
	"did:example:%4",
	"did:example:123#",
	"did:example:123#a#b",
	"did:example:123?%zz",
	"did:example:123/\x00",
	"did::",
	"did:",
	"",
}

func FuzzParseDIDURL(f *testing.F) {
	for _, s := range didURLSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseDIDURL(s)
		if err != nil {
			return
		}
		again, err := ParseDIDURL(u.String())
		if err != nil {
			t.Fatalf("ParseDIDURL(%q) = %+v, whose String %q does not parse: %v", s, u, u.String(), err)
		}
		if again != u {
			t.Fatalf("ParseDIDURL(%q) = %+v; String %q re-parses to %+v", s, u, u.String(), again)
		}
		if u.DID != "did:"+u.Method+":"+u.ID || !strings.HasPrefix(s, u.DID) {
			t.Fatalf("ParseDIDURL(%q) = %+v: inconsistent DID", s, u)
		}
		if d, err := ParseDID(u.DID); err != nil || d.DID != u.DID {
			t.Fatalf("the DID %q of %q is not a DID: %v", u.DID, s, err)
		}
	})
}

// documentSeeds are DID documents DecodeDocument must accept (ok) or
// refuse, each refusal one step from a valid document.
var documentSeeds = []struct {
	name string
	ok   bool
	doc  string
}{
	{"minimal", true, `{"@context":["https://www.w3.org/ns/did/v1"],"id":"did:example:123"}`},
	{"full", true, `{
  "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
  "id": "did:example:123",
  "controller": ["did:example:123", "did:example:other"],
  "alsoKnownAs": ["https://example.com/alice"],
  "verificationMethod": [
    {"id": "#key-1", "type": "Multikey", "controller": "did:example:123", "publicKeyMultibase": "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"},
    {"id": "did:example:123#key-2", "type": "JsonWebKey", "controller": "did:example:123",
     "publicKeyJwk": {"kty": "OKP", "crv": "X25519", "x": "3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"}}
  ],
  "authentication": ["#key-1"],
  "assertionMethod": ["did:example:123#key-1"],
  "keyAgreement": ["#key-2"],
  "capabilityInvocation": ["#key-1"],
  "capabilityDelegation": ["#key-1"],
  "service": [
    {"id": "#hub", "type": "LinkedDomains", "serviceEndpoint": "https://example.com"},
    {"id": "did:example:123#map", "type": "X", "serviceEndpoint": {"origins": ["https://a.example"]}},
    {"id": "#set", "type": "X", "serviceEndpoint": ["https://a.example", {"uri": "https://b.example"}]}
  ]
}`},
	// DID Core 1.0 §6.3.1 and §5.1.2 allow a single string.
	{"string @context", true, `{"@context":"https://www.w3.org/ns/did/v1","id":"did:example:123"}`},
	{"string controller", true, `{"@context":["https://www.w3.org/ns/did/v1"],"id":"did:example:123","controller":"did:example:456"}`},
	{"null controller", true, `{"@context":["https://www.w3.org/ns/did/v1"],"id":"did:example:123","controller":null}`},
	// DID Core 1.0 §5.3: a relationship may reference another DID's method.
	{"reference to another DID's method", true, `{"@context":["https://www.w3.org/ns/did/v1"],"id":"did:example:123","assertionMethod":["did:example:456#key-1"]}`},
	{"trailing whitespace", true, "{\"@context\":[\"https://www.w3.org/ns/did/v1\"],\"id\":\"did:example:123\"}\n\t "},

	{"empty", false, ``},
	{"not an object", false, `["https://www.w3.org/ns/did/v1"]`},
	{"no @context", false, `{"id":"did:example:123"}`},
	{"wrong first context", false, `{"@context":["https://w3id.org/security/multikey/v1","https://www.w3.org/ns/did/v1"],"id":"did:example:123"}`},
	{"context map", false, `{"@context":["https://www.w3.org/ns/did/v1",{"@vocab":"https://example.com#"}],"id":"did:example:123"}`},
	{"context number", false, `{"@context":1,"id":"did:example:123"}`},
	{"id is a DID URL", false, `{"@context":["https://www.w3.org/ns/did/v1"],"id":"did:example:123#x"}`},
	{"id uppercase method", false, `{"@context":["https://www.w3.org/ns/did/v1"],"id":"did:EXAMPLE:123"}`},
	{"bad controller", false, `{"@context":["https://www.w3.org/ns/did/v1"],"id":"did:example:123","controller":"https://example.com"}`},
	{"unknown member", false, `{"@context":["https://www.w3.org/ns/did/v1"],"id":"did:example:123","publicKey":[]}`},
	{"trailing data", false, `{"@context":["https://www.w3.org/ns/did/v1"],"id":"did:example:123"}{}`},
	{"trailing bracket", false, `{"@context":["https://www.w3.org/ns/did/v1"],"id":"did:example:123"}]`},
	{"duplicate method", false, `{"@context":["https://www.w3.org/ns/did/v1"],"id":"did:example:123","verificationMethod":[
    {"id":"#k","type":"Multikey","controller":"did:example:123","publicKeyMultibase":"z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"},
    {"id":"did:example:123#k","type":"Multikey","controller":"did:example:123","publicKeyMultibase":"z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"}]}`},
	{"method without fragment", false, `{"@context":["https://www.w3.org/ns/did/v1"],"id":"did:example:123","verificationMethod":[
    {"id":"did:example:123","type":"Multikey","controller":"did:example:123","publicKeyMultibase":"z6Mk"}]}`},
	{"method without type", false, `{"@context":["https://www.w3.org/ns/did/v1"],"id":"did:example:123","verificationMethod":[
    {"id":"#k","controller":"did:example:123","publicKeyMultibase":"z6Mk"}]}`},
	{"method with two keys", false, `{"@context":["https://www.w3.org/ns/did/v1"],"id":"did:example:123","verificationMethod":[
    {"id":"#k","type":"Multikey","controller":"did:example:123","publicKeyMultibase":"z6Mk","publicKeyJwk":{"kty":"OKP"}}]}`},
	{"method without key", false, `{"@context":["https://www.w3.org/ns/did/v1"],"id":"did:example:123","verificationMethod":[
    {"id":"#k","type":"Multikey","controller":"did:example:123"}]}`},
	{"private JWK", false, `{"@context":["https://www.w3.org/ns/did/v1"],"id":"did:example:123","verificationMethod":[
    {"id":"#k","type":"JsonWebKey","controller":"did:example:123","publicKeyJwk":{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}}]}`},
	{"JWK not an object", false, `{"@context":["https://www.w3.org/ns/did/v1"],"id":"did:example:123","verificationMethod":[
    {"id":"#k","type":"JsonWebKey","controller":"did:example:123","publicKeyJwk":"eyJrdHkiOiJPS1AifQ"}]}`},
	{"null JWK", false, `{"@context":["https://www.w3.org/ns/did/v1"],"id":"did:example:123","verificationMethod":[
    {"id":"#k","type":"JsonWebKey","controller":"did:example:123","publicKeyJwk":null}]}`},
	{"JWK without kty", false, `{"@context":["https://www.w3.org/ns/did/v1"],"id":"did:example:123","verificationMethod":[
    {"id":"#k","type":"JsonWebKey","controller":"did:example:123","publicKeyJwk":{"crv":"X25519","x":"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"}}]}`},
	{"dangling relationship", false, `{"@context":["https://www.w3.org/ns/did/v1"],"id":"did:example:123","authentication":["#nope"]}`},
	{"reference to another DID", false, `{"@context":["https://www.w3.org/ns/did/v1"],"id":"did:example:123","assertionMethod":["did:example:456"]}`},
	{"reference with a path", false, `{"@context":["https://www.w3.org/ns/did/v1"],"id":"did:example:123","assertionMethod":["did:example:456/p#k"]}`},
	{"embedded relationship", false, `{"@context":["https://www.w3.org/ns/did/v1"],"id":"did:example:123","authentication":[
    {"id":"#k","type":"Multikey","controller":"did:example:123","publicKeyMultibase":"z6Mk"}]}`},
	{"service without endpoint", false, `{"@context":["https://www.w3.org/ns/did/v1"],"id":"did:example:123","service":[{"id":"#s","type":"X"}]}`},
	{"service null endpoint", false, `{"@context":["https://www.w3.org/ns/did/v1"],"id":"did:example:123","service":[{"id":"#s","type":"X","serviceEndpoint":null}]}`},
	{"service number endpoint", false, `{"@context":["https://www.w3.org/ns/did/v1"],"id":"did:example:123","service":[{"id":"#s","type":"X","serviceEndpoint":5}]}`},
	{"duplicate service", false, `{"@context":["https://www.w3.org/ns/did/v1"],"id":"did:example:123","service":[
    {"id":"#s","type":"X","serviceEndpoint":"https://a.example"},{"id":"did:example:123#s","type":"X","serviceEndpoint":"https://b.example"}]}`},
	{"oversized", false, `{"@context":["https://www.w3.org/ns/did/v1"],"id":"did:example:123"}` + strings.Repeat(" ", MaxDocumentBytes)},
}

// TestDecodeDocument checks the seeds of FuzzDecodeDocument against their
// expected outcome.
func TestDecodeDocument(t *testing.T) {
	for _, s := range documentSeeds {
		d, err := DecodeDocument([]byte(s.doc))
		if s.ok != (err == nil) {
			t.Errorf("%s: DecodeDocument = %v, want ok=%v", s.name, err, s.ok)
			continue
		}
		if err == nil {
			checkDocumentRoundTrip(t, d)
		}
	}
	d, err := DecodeDocument([]byte(`{"@context":"https://www.w3.org/ns/did/v1","id":"did:example:123","controller":"did:example:456"}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Context) != 1 || d.Context[0] != ContextDIDv1 || len(d.Controller) != 1 || d.Controller[0] != "did:example:456" {
		t.Errorf("string forms decoded as %q, %q", d.Context, d.Controller)
	}
}

// checkDocumentRoundTrip checks that a decoded document encodes to JSON that
// decodes to a document that validates.
func checkDocumentRoundTrip(t *testing.T, d *Document) {
	t.Helper()
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatalf("json.Marshal(%+v): %v", d, err)
	}
	again, err := DecodeDocument(b)
	if err != nil {
		t.Fatalf("re-decoding %s: %v", b, err)
	}
	if err := again.Validate(); err != nil {
		t.Fatalf("re-decoded document does not validate: %v", err)
	}
	b2, err := json.Marshal(again)
	if err != nil || string(b2) != string(b) {
		t.Fatalf("encoding is not stable:\n%s\n%s", b, b2)
	}
}

func FuzzDecodeDocument(f *testing.F) {
	for _, s := range documentSeeds {
		f.Add([]byte(s.doc))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := DecodeDocument(b)
		if err != nil {
			return
		}
		if err := d.Validate(); err != nil {
			t.Fatalf("DecodeDocument accepted a document that does not validate: %v", err)
		}
		checkDocumentRoundTrip(t, d)
	})
}

// FuzzDereference dereferences arbitrary strings and did:key resolution
// options: no panic, and every failure is one of the DID Resolution errors
// (ErrorCode never "internalError"), every success a resource.
func FuzzDereference(f *testing.F) {
	for _, s := range didURLSeeds {
		f.Add(s, "", false)
	}
	f.Add("did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp?versionId=1#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", "JsonWebKey2020", false)
	f.Add("did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp#z6LSj72tK8brWgZja8NLRwPigth2T9QRiG1uH9oKZuKjdh9p", "Ed25519VerificationKey2018", true)
	f.Add("did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169?versionTime=2021-05-10T17:00:00Z#zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169", "X25519KeyAgreementKey2019", true)
	r := NewResolver(map[string]MethodResolver{"key": KeyMethod{}, "jwk": JWKMethod{}})
	f.Fuzz(func(t *testing.T, s, format string, experimental bool) {
		res, err := r.Dereference(context.Background(), s, Options{PublicKeyFormat: format, EnableExperimentalPublicKeyTypes: experimental})
		if err != nil {
			if code := ErrorCode(err); code == "internalError" && !errors.Is(err, ErrInvalidOptions) {
				t.Fatalf("Dereference(%q, %q): %v has no DID Resolution error code", s, format, err)
			}
			return
		}
		if res == nil || res.Content == nil {
			t.Fatalf("Dereference(%q, %q) = %+v and no error", s, format, res)
		}
	})
}
