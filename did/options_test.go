package did

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/weidgo/weid/errs"
)

// TestParseOptions: each option read, each bad value a 400 with the DID
// Resolution error's code, unknown names ignored.
func TestParseOptions(t *testing.T) {
	for q, code := range map[string]string{
		"":                                 "",
		"zz=1":                             "",
		"versionId=3":                      "",
		"versionTime=2026-01-02T03:04:05Z": "",
		"versionTime=yesterday":            "did.invalidOptions",
		"versionId=1&versionTime=2026-01-02T03:04:05Z": "did.invalidOptions",
		"publicKeyFormat=JsonWebKey2020":               "",
		"publicKeyFormat=":                             "did.unsupportedPublicKeyType",
		"publicKeyFormat=zz":                           "did.unsupportedPublicKeyType",
		"enableExperimentalPublicKeyTypes=1":           "",
		"enableExperimentalPublicKeyTypes=maybe":       "did.invalidOptions",
	} {
		v, _ := url.ParseQuery(q)
		_, err := ParseOptions(v)
		if code == "" && err != nil || code != "" && errs.Code(err) != code {
			t.Errorf("%q: %v, want %q", q, err, code)
		}
	}
}

// FuzzParseOptions: any query gives options or a 400 problem coded "did.",
// never a panic, and options that parsed hold what the query said.
func FuzzParseOptions(f *testing.F) {
	for _, s := range []string{"", "versionId=2", "versionTime=2026-01-02T03:04:05Z", "publicKeyFormat=Ed25519VerificationKey2018&enableExperimentalPublicKeyTypes=true", "publicKeyFormat=", "enableExperimentalPublicKeyTypes=%ff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		o, err := ParseOptions(q)
		if err != nil {
			if e, ok := errs.As(err); !ok || e.Status != http.StatusBadRequest || (e.Code != "did.invalidOptions" && e.Code != "did.unsupportedPublicKeyType") {
				t.Fatalf("%q: %v", raw, err)
			}
			return
		}
		if o.VersionID != q.Get("versionId") || o.PublicKeyFormat != q.Get("publicKeyFormat") || o.VersionID != "" && !o.VersionTime.IsZero() {
			t.Fatalf("%q: %+v", raw, o)
		}
	})
}
