package credential_test

import (
	"testing"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/errs"
)

func TestPresentationOptionsFrom_ReadsKnownOptionsAndToleratesOthers(t *testing.T) {
	cases := []struct {
		name    string
		options map[string]any
		want    credential.PresentationOptions
		code    string
	}{
		{"none", nil, credential.PresentationOptions{}, ""},
		{"unknown keys tolerated", map[string]any{"foo": 1, "requireBinding": "yes"}, credential.PresentationOptions{}, ""},
		{"policy", map[string]any{"requireAccreditation": true, "requireBinding": true},
			credential.PresentationOptions{Policy: credential.Policy{RequireAccreditation: true, RequireBinding: true}}, ""},
		{"challenge and domain", map[string]any{"challenge": "c1", "domain": "https://v.example"},
			credential.PresentationOptions{Challenge: "c1", Domain: "https://v.example"}, ""},
		{"challenge not a string", map[string]any{"challenge": 7}, credential.PresentationOptions{}, "request.malformed"},
		{"domain not a string", map[string]any{"domain": nil}, credential.PresentationOptions{}, "request.malformed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := credential.PresentationOptionsFrom(tc.options)
			if errs.Code(err) != tc.code || (tc.code == "") != (err == nil) {
				t.Fatalf("error %v, want code %q", err, tc.code)
			}
			if tc.code != "" {
				return
			}
			if got.Challenge != tc.want.Challenge || got.Domain != tc.want.Domain || got.Policy != tc.want.Policy {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			// A credential's verification reads challenge and domain too,
			// for its own Data Integrity proofs (VC Data Integrity §4.4).
			want := tc.want.Policy
			want.Challenge, want.Domain = tc.want.Challenge, tc.want.Domain
			if p := credential.PolicyFrom(tc.options); p != want {
				t.Errorf("PolicyFrom: %+v, want %+v", p, want)
			}
		})
	}
}
