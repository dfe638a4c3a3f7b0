package authz

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"testing"
)

// FuzzParseValidatorKey: any input either fails with a 400 or yields 32
// bytes that every accepted spelling of them parses back to.
func FuzzParseValidatorKey(f *testing.F) {
	f.Add("q3vNYMi0y7vYk2pQe3n0mN6iC2xJw4vW5Zq0a1b2c3d=")
	f.Add(hex.EncodeToString(make([]byte, 32)))
	f.Add("AAAA")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseValidatorKey(s)
		if err != nil {
			return
		}
		if len(b) != 32 {
			t.Fatalf("%q parsed to %d bytes", s, len(b))
		}
		for _, enc := range []string{base64.StdEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b), hex.EncodeToString(b)} {
			if b2, err := ParseValidatorKey(enc); err != nil || !bytes.Equal(b, b2) {
				t.Fatalf("%q: %v", enc, err)
			}
		}
	})
}
