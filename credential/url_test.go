package credential

import (
	"net/url"
	"testing"
)

// FuzzOpaqueURL checks that opaqueURL says true only of what url.Parse
// reads as an absolute URL.
func FuzzOpaqueURL(f *testing.F) {
	for _, s := range []string{"did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "urn:uuid:3f1c7a52-8e0b", "did:weid:1#key-1",
		"https://example.com/x", "a:", ":x", "a:/x", "a:?q", "a:#f", "1a:b", "a:b%zz", "a:b#%zz", "a:b?x#y", "a b:c", "a:b c", "did:x:\x7f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !opaqueURL(s) {
			return
		}
		u, err := url.Parse(s)
		if err != nil || u.Scheme == "" {
			t.Fatalf("%q: opaqueURL true, url.Parse %v %+v", s, err, u)
		}
	})
}
