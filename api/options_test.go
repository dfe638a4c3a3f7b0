package api

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestVerifyOptions_Types: VCALM tolerates unknown option members, but a
// member weid reads must have its type, or the request is refused naming
// it — requireAccreditation as the string "true" would otherwise verify
// without the accreditation asked for.
func TestVerifyOptions_Types(t *testing.T) {
	for _, tc := range []struct{ in, err string }{
		{`{"requireAccreditation":true,"requireBinding":false,"challenge":"c","domain":"d","expectedProofPurpose":"assertionMethod"}`, ""},
		{`{"unknownOption":[1,{"x":2}],"credentialId":"urn:x"}`, ""},
		{`{"requireAccreditation":null,"challenge":null}`, ""},
		{`null`, ""},
		{`{}`, ""},
		{`{"requireAccreditation":"true"}`, "options.requireAccreditation must be a boolean, not a string"},
		{`{"requireAccreditation":1}`, "options.requireAccreditation must be a boolean, not a number"},
		{`{"requireBinding":{}}`, "options.requireBinding must be a boolean, not an object"},
		{`{"challenge":5}`, "options.challenge must be a string, not a number"},
		{`{"domain":["a"]}`, "options.domain must be a string, not an array"},
		{`{"expectedProofPurpose":true}`, "options.expectedProofPurpose must be a string, not a boolean"},
		{`[]`, "options must be a JSON object, not an array"},
		{`"x"`, "options must be a JSON object, not a string"},
	} {
		var o VerifyOptions
		err := json.Unmarshal([]byte(tc.in), &o)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.in, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: %v, want %q", tc.in, err, tc.err)
		}
	}
	var r VerifyRequest
	if err := json.Unmarshal([]byte(`{"verifiableCredential":"x","options":{"requireAccreditation":"yes"}}`), &r); err == nil || !strings.Contains(err.Error(), "options.requireAccreditation") {
		t.Errorf("in a VerifyRequest: %v", err)
	}
}

// FuzzVerifyOptions: any bytes are read or refused with an error, never a
// panic; what is read has every member weid reads of its type.
func FuzzVerifyOptions(f *testing.F) {
	for _, s := range []string{`{"requireAccreditation":true}`, `{"challenge":5}`, `null`, `[]`, `{"a":{"b":[1,2]}}`, ` {"domain":"x"} `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var o VerifyOptions
		if err := o.UnmarshalJSON(b); err != nil {
			return
		}
		for _, ty := range verifyOptionTypes {
			switch v := o[ty.name].(type) {
			case nil:
			case bool:
				if ty.kind != "boolean" {
					t.Fatalf("%s read as a boolean", ty.name)
				}
			case string:
				if ty.kind != "string" {
					t.Fatalf("%s read as a string", ty.name)
				}
			default:
				t.Fatalf("%s read as %T", ty.name, v)
			}
		}
	})
}
