package hsm_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/weidgo/weid/hsm"
)

func TestParseURI(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		uri  string
		want hsm.Config
		err  string
	}{
		{"pkcs11:token=weid%20node?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/etc/weid/pin",
			hsm.Config{Token: "weid node", Module: "/usr/lib/softhsm/libsofthsm2.so", PINFile: "/etc/weid/pin"}, ""},
		{"pkcs11:token=t;serial=42;manufacturer=SoftHSM%20project;object=k;id=%01%02;type=private?pin-source=/run/pin&module-path=/m.so",
			hsm.Config{Token: "t", Serial: "42", Module: "/m.so", PINFile: "/run/pin"}, ""},
		{"pkcs11:token=t?pin-value=1234&x-vendor=1", hsm.Config{Token: "t", PIN: "1234"}, ""},
		{"pkcs11:token=t?pin-source=file://localhost/run/pin", hsm.Config{Token: "t", PINFile: "/run/pin"}, ""},
		{"pkcs11:", hsm.Config{}, ""},
		{"pkcs12:token=t", hsm.Config{}, "starts with \"pkcs11:\""},
		{"pkcs11:token=a;token=b", hsm.Config{}, "repeated"},
		{"pkcs11:tokn=a", hsm.Config{}, "unknown URI attribute \"tokn\""},
		{"pkcs11:token=a%2", hsm.Config{}, "percent-encoding"},
		{"pkcs11:token=a%zz", hsm.Config{}, "percent-encoding"},
		{"pkcs11:slot-id=3", hsm.Config{}, "not by slot"},
		{"pkcs11:token", hsm.Config{}, "not name=value"},
		{"pkcs11:token=t?module-name=softhsm2", hsm.Config{}, "module-path"},
		{"pkcs11:token=t?pin-source=file://host.example/pin", hsm.Config{}, "not a local file"},
		{"pkcs11:token=t?pin-sauce=x", hsm.Config{}, "unknown URI query attribute"},
	} {
		got, err := hsm.ParseURI(tc.uri)
		if tc.err != "" {
			if !errors.Is(err, hsm.ErrConfig) || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err = %v, want %q", tc.uri, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: got %+v, %v; want %+v", tc.uri, got, err, tc.want)
		}
	}
}

func FuzzParseURI(f *testing.F) {
	f.Add("pkcs11:token=weid%20node;serial=1?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/etc/weid/pin")
	f.Add("pkcs11:token=t?pin-value=1234&x-vendor=1")
	f.Add("pkcs11:object=a;id=%01")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := hsm.ParseURI(s)
		if err != nil {
			if !errors.Is(err, hsm.ErrConfig) {
				t.Fatalf("an error that is not ErrConfig: %v", err)
			}
			return
		}
		if !strings.HasPrefix(s, "pkcs11:") || len(s) > hsm.MaxURILength {
			t.Fatalf("accepted %q as %+v", s, c)
		}
	})
}
