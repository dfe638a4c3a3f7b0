package oid4vp

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwe"
	"github.com/lestrrat-go/jwx/v2/jwk"
)

// Two required type constraints (PE: both must hold) become one list of
// meta.type_values (DCQL: all of a list's types), not two alternatives.
func TestParsePresentationDefinition_TwoTypeFieldsBothRequired(t *testing.T) {
	pd := `{"id":"x","input_descriptors":[{"id":"a","format":{"jwt_vc_json":{}},"constraints":{"fields":[` +
		`{"path":["$.type"],"filter":{"type":"array","contains":{"const":"UniversityDegreeCredential"}}},` +
		`{"path":["$.type"],"filter":{"type":"array","contains":{"const":"GovernmentAccreditedDegree"}}}]}}]}`
	_, q, err := ParsePresentationDefinition([]byte(pd))
	if err != nil {
		t.Fatal(err)
	}
	c := &Credential{Format: FormatJWTVCJSON, Types: []string{"VerifiableCredential", "UniversityDegreeCredential"}, Claims: map[string]any{}}
	if _, err := q.Credentials[0].Match(c); err == nil {
		t.Errorf("a credential with only one of the two required types matches: type_values=%v", q.Credentials[0].Meta.TypeValues)
	}
	c.Types = append(c.Types, "GovernmentAccreditedDegree")
	if _, err := q.Credentials[0].Match(c); err != nil {
		t.Errorf("a credential with both types does not match: %v", err)
	}
	// An enum in one field and a const in another: one of the enum's types
	// and the const's.
	pd = `{"id":"x","input_descriptors":[{"id":"a","format":{"jwt_vc_json":{}},"constraints":{"fields":[` +
		`{"path":["$.type"],"filter":{"type":"array","contains":{"enum":["BachelorDegree","MasterDegree"]}}},` +
		`{"path":["$.vc.type"],"filter":{"type":"array","contains":{"const":"UniversityDegreeCredential"}}}]}}]}`
	if _, q, err = ParsePresentationDefinition([]byte(pd)); err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"BachelorDegree", "UniversityDegreeCredential"}, {"MasterDegree", "UniversityDegreeCredential"}}
	if !reflect.DeepEqual(q.Credentials[0].Meta.TypeValues, want) {
		t.Errorf("type_values %v, want %v", q.Credentials[0].Meta.TypeValues, want)
	}
}

// A JSON Schema keyword that DCQL cannot express (minimum) is refused, not
// dropped (which would make minimum 18 "age is present").
func TestParsePresentationDefinition_UntranslatedFilterKeywordRefused(t *testing.T) {
	pd := `{"id":"x","input_descriptors":[{"id":"a","format":{"jwt_vc_json":{}},"constraints":{"fields":[` +
		`{"path":["$.credentialSubject.age"],"filter":{"type":"number","minimum":18}}]}}]}`
	_, q, err := ParsePresentationDefinition([]byte(pd))
	if err != nil {
		if !strings.Contains(err.Error(), "minimum") {
			t.Errorf("refused, but not for minimum: %v", err)
		}
		return
	}
	c := &Credential{Format: FormatJWTVCJSON, Claims: map[string]any{"credentialSubject": map[string]any{"age": json.Number("5")}}}
	if _, err := q.Credentials[0].Match(c); err == nil {
		t.Errorf("age 5 satisfies a field filtered with minimum 18")
	}
}

// Integer values stay json.Number however a query is decoded: the server
// stores the query as JSON and reads it back.
func TestDCQL_IntegerValuesSurviveRoundTrip(t *testing.T) {
	q, err := ParseDCQL([]byte(`{"credentials":[{"id":"a","format":"jwt_vc_json","meta":{"type_values":[["VerifiableCredential"]]},"claims":[{"path":["credentialSubject","age"],"values":[18]}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(q)
	var back DCQL
	if err := json.Unmarshal(b, &back); err != nil { // as server/oid4vp.go:699 does
		t.Fatal(err)
	}
	c := &Credential{Format: FormatJWTVCJSON, Types: []string{"VerifiableCredential"}, Claims: map[string]any{"credentialSubject": map[string]any{"age": float64(18)}}}
	if _, err := q.Credentials[0].Match(c); err != nil {
		t.Fatalf("fresh query: %v", err)
	}
	if _, err := back.Credentials[0].Match(c); err != nil {
		t.Errorf("after the server's round trip the same credential no longer matches: %v", err)
	}
}

// A DEFLATE-compressed JWE, which would open to far more than
// MaxResponseBytes, is refused.
func TestDecrypt_CompressedJWERefused(t *testing.T) {
	ek, _ := NewEphemeralKey("k")
	pub, _ := ek.PublicJWK()
	key, _ := jwk.ParseKey(pub)
	big := []byte(`{"vp_token":{"a":["` + strings.Repeat("A", 8<<20) + `"]}}`)
	tok, err := jwe.Encrypt(big, jwe.WithKey(jwa.ECDH_ES, key), jwe.WithContentEncryption(jwa.A128GCM), jwe.WithCompress(jwa.Deflate))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := ek.Decrypt(string(tok))
	t.Logf("JWE %d bytes -> plaintext %d bytes (err %v)", len(tok), len(plain), err)
	if err == nil || !strings.Contains(err.Error(), "compressed") {
		t.Errorf("a compressed JWE opened to %d bytes (MaxResponseBytes %d): %v", len(plain), MaxResponseBytes, err)
	}
}

// An empty vp_token is refused, even when every credential set is
// optional (else the server would record "verified" with no credential).
func TestPresentations_EmptyVPTokenRefused(t *testing.T) {
	q, err := ParseDCQL([]byte(`{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["X"]}}],"credential_sets":[{"options":[["a"]],"required":false}]}`))
	if err != nil {
		t.Fatal(err)
	}
	r := &Response{VPToken: json.RawMessage(`{}`)}
	if byID, err := r.Presentations(q, nil); err == nil {
		t.Errorf("an empty vp_token is accepted (%d presentations)", len(byID))
	}
}

// A verifier key without alg is not used to encrypt a response (§8.3: the
// JWK's alg MUST be present).
func TestEncryptResponse_KeyWithoutAlgRefused(t *testing.T) {
	ek, _ := NewEphemeralKey("k")
	pub, _ := ek.PublicJWK()
	var m map[string]any
	if err := json.Unmarshal(pub, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "alg")
	noAlg, _ := json.Marshal(m)
	md := &ClientMetadata{JWKS: &JWKS{Keys: []json.RawMessage{noAlg}}}
	if _, err := EncryptResponse(md, &Response{VPToken: json.RawMessage(`{}`), State: "s"}); err == nil {
		t.Error("a key without alg was used")
	}
	md.JWKS.Keys = []json.RawMessage{pub}
	if _, err := EncryptResponse(md, &Response{VPToken: json.RawMessage(`{}`), State: "s"}); err != nil {
		t.Errorf("a key with alg ECDH-ES: %v", err)
	}
}

// An encrypted response whose plaintext names a member twice ("state",
// or a query id inside vp_token) is refused, naming it; so is one that is
// an error response and carries a vp_token.
func TestParseResponseForm_EncryptedAmbiguityRefused(t *testing.T) {
	for plain, want := range map[string]string{
		`{"vp_token":{"d":["x"]},"state":"attacker","state":"real"}`:      `member "state" appears twice`,
		`{"vp_token":{"d":["x"],"d":["y"]},"state":"real"}`:               `member "d" appears twice`,
		`{"error":"access_denied","vp_token":{"d":["x"]},"state":"real"}`: "vp_token",
	} {
		_, err := ParseResponseForm([]byte("response=a.b.c.d.e"), ResponseModeDirectPostJWT, func(string) ([]byte, error) { return []byte(plain), nil })
		var oe *Error
		if !errors.As(err, &oe) || oe.Code != ErrInvalidRequest || !strings.Contains(oe.Description, want) {
			t.Errorf("%s: %v, want invalid_request naming %q", plain, err, want)
		}
	}
}
