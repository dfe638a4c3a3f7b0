package oid4vp

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/keys"
)

// FuzzParseDCQL: no input panics, a query that parses validates, survives
// a JSON round trip, and its matcher never panics on it.
func FuzzParseDCQL(f *testing.F) {
	f.Add(testQuery)
	f.Add(`{"credentials":[{"id":"a","format":"ldp_vc","meta":{"type_values":[["X"]]},"claims":[{"id":"c","path":["credentialSubject",null,0]}],"claim_sets":[["c"]]}],"credential_sets":[{"options":[["a"]]}]}`)
	f.Add(`{"credentials":[]}`)
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseDCQL([]byte(s))
		if err != nil {
			return
		}
		b, err := json.Marshal(q)
		if err != nil {
			t.Fatal(err)
		}
		q2, err := ParseDCQL(b)
		if err != nil {
			t.Fatalf("a parsed query does not parse again: %v\n%s", err, b)
		}
		for _, cq := range q2.Credentials {
			_, _ = cq.Match(&Credential{Format: cq.Format, Claims: map[string]any{"degree": "x", "credentialSubject": map[string]any{"a": []any{1.0, "b"}}}})
		}
	})
}

// FuzzParsePresentationDefinition: no input panics; what parses
// translates to a valid DCQL query with one credential query per input
// descriptor.
func FuzzParsePresentationDefinition(f *testing.F) {
	f.Add(testPD)
	f.Add(`{"id":"x","input_descriptors":[{"id":"a","format":{"ldp_vc":{}},"constraints":{"fields":[{"path":["$['credentialSubject']['a'][0]","$.b"],"filter":{"enum":["x",1]}}]}}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		pd, q, err := ParsePresentationDefinition([]byte(s))
		if err != nil {
			return
		}
		if len(q.Credentials) != len(pd.InputDescriptors) || q.Validate() != nil {
			t.Fatalf("translation %+v of %+v", q, pd)
		}
	})
}

// FuzzParseResponseForm: no form panics; a parsed response either is a
// wallet's error or sorts into presentations of the query's ids.
func FuzzParseResponseForm(f *testing.F) {
	q, _ := ParseDCQL([]byte(testQuery))
	f.Add("vp_token=" + url.QueryEscape(`{"diploma":["a~b~"]}`) + "&state=s")
	f.Add("vp_token=eyJ&presentation_submission=%7B%7D")
	f.Add("error=access_denied&state=s")
	f.Add("response=a.b.c.d.e")
	f.Fuzz(func(t *testing.T, body string) {
		for _, mode := range []string{ResponseModeDirectPost, ResponseModeDirectPostJWT} {
			r, err := ParseResponseForm([]byte(body), mode, func(string) ([]byte, error) { return []byte(`{"vp_token":{"diploma":["x"]},"state":"s"}`), nil })
			if err != nil {
				if _, ok := err.(*Error); !ok {
					t.Fatalf("%T is not an *Error", err)
				}
				continue
			}
			if r.Error != "" {
				continue
			}
			byID, err := r.Presentations(q, nil)
			if err != nil {
				continue
			}
			for id := range byID {
				if q.Query(id) == nil {
					t.Fatalf("presentations of an unknown query %q", id)
				}
			}
		}
	})
}

// FuzzParseRequestObject: no token panics; a request object that parses
// has a verifier DID, a response URI and a query.
func FuzzParseRequestObject(f *testing.F) {
	k, _ := keys.Generate(keys.Ed25519)
	d := did.KeyDID(k.Public())
	now := time.Unix(1_800_000_000, 0)
	ro := testRequestObject(d, now)
	good, _ := SignRequestObject(k, d+"#"+k.Public().Multibase(), ro)
	f.Add(good, ro.ClientID)
	f.Add("eyJhbGciOiJub25lIn0.e30.", "")
	f.Add("openid4vp://?client_id=x&request_uri=https%3A%2F%2Fa.example%2Fr", "x")
	f.Fuzz(func(t *testing.T, tok, clientID string) {
		_, _, _ = ParseRequestURI(tok)
		r, err := ParseRequestObject(tok, clientID, now)
		if err != nil {
			return
		}
		if r.VerifierDID == "" || r.ResponseURI == "" || r.DCQL == nil || r.Nonce == "" {
			t.Fatalf("accepted %+v", r)
		}
	})
}
