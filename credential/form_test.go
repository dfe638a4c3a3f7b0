package credential

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/weidgo/weid/errs"
)

// classifyBefore is Classify as it was before objects skipped the string
// attempt (with the later rule that null is no credential, which
// TestClassify_NotACredential holds): the reference for FuzzClassify.
func classifyBefore(raw json.RawMessage) (Secured, error) {
	if len(raw) == 0 {
		return Secured{}, errs.BadRequest("credential.invalid", "verifiableCredential is required")
	}
	if strings.TrimSpace(string(raw)) == "null" {
		return Secured{}, errs.BadRequest("credential.invalid", "verifiableCredential is null: it must be a JSON object or a compact JWT string")
	}
	if s, ok := plainString(raw); ok {
		return compact(s)
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return compact(s)
	}
	return classifyObject(raw)
}

// FuzzClassify checks that Classify answers every input as it did when it
// tried each one as a JSON string first: the same form, or the same error.
func FuzzClassify(f *testing.F) {
	for _, s := range []string{`"a.b.c"`, `"a\u002eb.c~"`, `null`, ` "x.y.z" `, `{"proof":{}}`, ` {"type":"EnvelopedVerifiableCredential","id":"data:application/vc+jwt,a.b.c"}`, `{bad`, `[1]`, `42`, "\t{}", `""`,
		`{"proof":null}`, `{"Proof":{}}`, `{"proof":null,"PROOF":{}}`, `{"proof":{},"proof":null}`, `{"type":1e400,"proof":{}}`, `{"type":["x",1],"proof":{}}`,
		`{"tYpe":"EnvelopedVerifiableCredential","proof":1}`, `{"type":["EnvelopedVerifiableCredential"],"@context":["https://www.w3.org/ns/credentials/v2"],"id":"data:application/dc+sd-jwt,a.b.c~"}`,
		`{"proof":{},"x":"\ud800"}`, "{\"proof\":{},\"x\":\"\xff\"}", `{"a":{"b":1e400},"proof":[]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, gotErr := Classify(raw)
		want, wantErr := classifyBefore(raw)
		decoded := got.decoded
		got.decoded = nil
		if (gotErr == nil) != (wantErr == nil) || (gotErr != nil && gotErr.Error() != wantErr.Error()) || !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: %+v, %v; before %+v, %v", raw, got, gotErr, want, wantErr)
		}
		// What Classify decoded is what Parse decodes.
		if decoded != nil {
			doc, err := decodeObject(raw, credentialLimits)
			if err != nil || !reflect.DeepEqual(decoded, doc) {
				t.Fatalf("%q: Classify decoded %#v; Parse decodes %#v, %v", raw, decoded, doc, err)
			}
		}
	})
}

// TestClassify_NotACredential: what is no credential at all is a 400 that
// says what a credential must be, null included (it was read as an empty
// compact string: "the compact credential is empty").
func TestClassify_NotACredential(t *testing.T) {
	for in, want := range map[string]string{
		``:       "verifiableCredential is required",
		`null`:   "verifiableCredential is null: it must be a JSON object or a compact JWT string",
		` null `: "verifiableCredential is null: it must be a JSON object or a compact JWT string",
		`5`:      "verifiableCredential must be a JSON object or a compact JWT string",
		`""`:     "the compact credential is empty",
	} {
		_, err := Classify(json.RawMessage(in))
		if e, ok := errs.As(err); !ok || e.Status != 400 || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want a 400 saying %q", in, err, want)
		}
	}
}

// TestVerifyPresentation_Null: a null verifiablePresentation is a 400 that
// says what a presentation must be (it was read as an empty compact
// string and answered as a presentation that failed).
func TestVerifyPresentation_Null(t *testing.T) {
	_, err := keyVerifier().VerifyPresentation(t.Context(), json.RawMessage(` null`), PresentationOptions{})
	if e, ok := errs.As(err); !ok || e.Status != 400 || !strings.Contains(err.Error(), "verifiablePresentation is null") {
		t.Errorf("null: %v, want a 400 presentation.invalid", err)
	}
}

// TestLegacyPresentationClaimsNameAPresentation: a VC-JWT 1.1
// presentation whose jti or iss disagrees with its "vp" is refused as an
// invalid presentation, not an invalid credential (its error is what the
// structure check of a verdict shows as its detail).
func TestLegacyPresentationClaimsNameAPresentation(t *testing.T) {
	for name, payload := range map[string]string{
		"jti differs":    `{"jti":"urn:uuid:a","vp":{"id":"urn:uuid:b","type":["VerifiablePresentation"]}}`,
		"iss differs":    `{"iss":"did:example:a","vp":{"holder":"did:example:b","type":["VerifiablePresentation"]}}`,
		"jti not string": `{"jti":7,"vp":{"type":["VerifiablePresentation"]}}`,
		"no vp":          `{"iss":"did:example:a"}`,
	} {
		_, _, err := legacyPresentation([]byte(payload))
		if !errors.Is(err, ErrInvalidPresentation) || !strings.HasPrefix(err.Error(), "invalid presentation: ") || strings.Contains(err.Error(), "credential") {
			t.Errorf("%s: %v, want an invalid presentation", name, err)
		}
	}
}
