package server

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/weidgo/weid/did"
)

// The did:key test suite's fixtures (w3c-ccg/did-key-test-suite,
// tests/mock.data.js): an Ed25519 did:key, its two verification methods and
// a did:key whose Ed25519 key is 3 bytes long.
const (
	suiteDIDKey       = "did:key:z6MktKwz7Ge1Yxzr4JHavN33wiwa8y81QdcMRLXQsrH9T53b"
	suiteMultibase    = "z6MktKwz7Ge1Yxzr4JHavN33wiwa8y81QdcMRLXQsrH9T53b"
	suiteKeyAgreement = suiteDIDKey + "#z6LSfHfAMAopsuBxaBzvp51GXrPf38Az13j2fmwqadbwwrzJ"
	suiteShortKeyDID  = "did:key:zTjsVPtY"
)

// resolutionBody is the part of a DID Resolution or dereferencing result
// every answer must have (DID Resolution §4.1, §5.1).
type resolutionBody struct {
	Context          *string                    `json:"@context"`
	Document         map[string]json.RawMessage `json:"didDocument"`
	DocumentMetadata *map[string]any            `json:"didDocumentMetadata"`
	Resolution       *struct{ Error string }    `json:"didResolutionMetadata"`
	Dereferencing    *struct{ Error string }    `json:"didDereferencingMetadata"`
}

// TestResolve_DIDKeyConformance sends the did:key test suite's requests to
// the DID Resolution binding, as the suite does (the DID URL-encoded in one
// path segment, options in the query): every answer, success or error, is a
// resolution result with the DID Resolution @context, and errors carry the
// codes of did:key v0.7 §3.1 and DID Resolution §7.1.
func TestResolve_DIDKeyConformance(t *testing.T) {
	tn := startNode(t)
	get := func(id, query string) (response, resolutionBody) {
		t.Helper()
		p := "/1.0/identifiers/" + url.QueryEscape(id)
		if query != "" {
			p += "?" + query
		}
		r := tn.do(t, "GET", p, "", nil)
		var b resolutionBody
		if err := json.Unmarshal(r.body, &b); err != nil {
			t.Fatalf("%s: body is not JSON: %v: %s", id, err, r.body)
		}
		if b.Context == nil || *b.Context != did.ContextResolution || b.Document == nil || b.DocumentMetadata == nil || (b.Resolution == nil) == (b.Dereferencing == nil) {
			t.Errorf("%s?%s: not a resolution result: %s", id, query, r.body)
		}
		return r, b
	}
	errCases := []struct {
		name, id, query string
		status          int
		deref           bool
		code            string
	}{
		{"scheme is not did", strings.Replace(suiteDIDKey, "did:", "notDid:", 1), "", 400, false, "invalidDid"},
		{"method is not supported", "did:experimental:" + suiteMultibase, "", 501, false, "methodNotSupported"},
		{"version is not a positive integer", "did:key:-4:" + suiteMultibase, "", 400, false, "invalidDid"},
		{"multibase value does not start with z", "did:key:" + suiteMultibase[1:], "", 400, false, "invalidDid"},
		{"invalid character", "did:key:@", "", 400, false, "invalidDid"},
		{"key of the wrong length", suiteShortKeyDID, "", 400, false, "invalidPublicKeyLength"},
		{"invalid DID URL", suiteDIDKey + "/^bar^/?query=`#" + suiteMultibase, "", 400, true, "invalidDidUrl"},
		{"unknown publicKeyFormat", suiteDIDKey, "publicKeyFormat=unknown", 400, false, "unsupportedPublicKeyType"},
		{"experimental signature type without the option", suiteDIDKey + "#" + suiteMultibase, "publicKeyFormat=Ed25519VerificationKey2018&enableExperimentalPublicKeyTypes=false", 400, true, "invalidPublicKeyType"},
		{"experimental encryption type without the option", suiteKeyAgreement, "publicKeyFormat=Ed25519VerificationKey2018&enableExperimentalPublicKeyTypes=false", 400, true, "invalidPublicKeyType"},
		{"type of another curve", "did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169", "publicKeyFormat=Ed25519VerificationKey2020", 400, false, "invalidPublicKeyType"},
		{"no such verification method", suiteDIDKey + "#nope", "", 404, true, "notFound"},
	}
	for _, c := range errCases {
		r, b := get(c.id, c.query)
		wantProblem(t, c.name, r, c.status, "did."+c.code)
		meta := b.Resolution
		if c.deref {
			meta = b.Dereferencing
		}
		if meta == nil || meta.Error != c.code {
			t.Errorf("%s: metadata error %+v, want %s in %s: %s", c.name, meta, c.code, map[bool]string{false: "didResolutionMetadata", true: "didDereferencingMetadata"}[c.deref], r.body)
		}
	}

	// A DID resolves to its document; a DID URL with a fragment dereferences
	// to the verification method, whose controller is the DID.
	if r, b := get(suiteDIDKey, ""); r.status != 200 || b.Resolution == nil || string(b.Document["id"]) != `"`+suiteDIDKey+`"` {
		t.Errorf("resolve: %d %s", r.status, r.body)
	}
	for _, id := range []string{suiteDIDKey + "#" + suiteMultibase, suiteKeyAgreement} {
		r, b := get(id, "")
		if r.status != 200 || b.Dereferencing == nil || string(b.Document["controller"]) != `"`+suiteDIDKey+`"` || string(b.Document["id"]) != `"`+id+`"` {
			t.Errorf("dereference %s: %d %s", id, r.status, r.body)
		}
	}
}

// TestResolve_DIDKeyPublicKeyFormats checks each publicKeyFormat of did:key
// v0.7 §3.1.2 and §3.1.5: the method type, its key member and the context
// that defines the type (§3.1.7).
func TestResolve_DIDKeyPublicKeyFormats(t *testing.T) {
	tn := startNode(t)
	cases := []struct {
		id, format      string
		experimental    bool
		types           []string
		member, context string
	}{
		{suiteDIDKey, "Multikey", false, []string{"Multikey", "Multikey"}, "publicKeyMultibase", did.ContextMultikey},
		{suiteDIDKey, "JsonWebKey2020", false, []string{"JsonWebKey2020", "JsonWebKey2020"}, "publicKeyJwk", "https://w3id.org/security/suites/jws-2020/v1"},
		{suiteDIDKey, "Ed25519VerificationKey2020", false, []string{"Ed25519VerificationKey2020", "X25519KeyAgreementKey2020"}, "publicKeyMultibase", "https://w3id.org/security/suites/ed25519-2020/v1"},
		{suiteDIDKey, "Ed25519VerificationKey2018", true, []string{"Ed25519VerificationKey2018", "X25519KeyAgreementKey2019"}, "publicKeyBase58", "https://w3id.org/security/suites/ed25519-2018/v1"},
		{"did:key:z6LSeu9HkTHSfLLeUs2nnzUSNedgDUevfNQgQjQC23ZCit6F", "X25519KeyAgreementKey2020", false, []string{"X25519KeyAgreementKey2020"}, "publicKeyMultibase", "https://w3id.org/security/suites/x25519-2020/v1"},
		{"did:key:z6LSeu9HkTHSfLLeUs2nnzUSNedgDUevfNQgQjQC23ZCit6F", "X25519KeyAgreementKey2019", true, []string{"X25519KeyAgreementKey2019"}, "publicKeyBase58", "https://w3id.org/security/suites/x25519-2019/v1"},
		{"did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169", "JsonWebKey2020", false, []string{"JsonWebKey2020"}, "publicKeyJwk", "https://w3id.org/security/suites/jws-2020/v1"},
	}
	for _, c := range cases {
		q := "publicKeyFormat=" + c.format
		if c.experimental {
			q += "&enableExperimentalPublicKeyTypes=true"
		}
		r := tn.do(t, "GET", "/1.0/identifiers/"+url.QueryEscape(c.id)+"?"+q, "", nil)
		var res did.ResolutionResult
		if err := json.Unmarshal(r.body, &res); err != nil || r.status != 200 {
			t.Errorf("%s %s: %d %s", c.id, c.format, r.status, r.body)
			continue
		}
		doc := res.Document
		if len(doc.Context) < 2 || doc.Context[0] != did.ContextDIDv1 || doc.Context[1] != c.context {
			t.Errorf("%s %s: @context %v, want %s after the DID context", c.id, c.format, doc.Context, c.context)
		}
		if len(doc.VerificationMethod) != len(c.types) {
			t.Fatalf("%s %s: %d methods, want %d", c.id, c.format, len(doc.VerificationMethod), len(c.types))
		}
		for i, vm := range doc.VerificationMethod {
			var key string
			switch c.member {
			case "publicKeyMultibase":
				key = vm.PublicKeyMultibase
			case "publicKeyJwk":
				key = string(vm.PublicKeyJwk)
			case "publicKeyBase58":
				key = vm.PublicKeyBase58
			}
			if vm.Type != c.types[i] || key == "" || !strings.HasPrefix(vm.ID, c.id+"#z") {
				t.Errorf("%s %s: method %d = %+v, want type %s with %s", c.id, c.format, i, vm, c.types[i], c.member)
			}
		}
	}
}
