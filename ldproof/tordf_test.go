package ldproof

import (
	"strings"
	"testing"
)

// absoluteIRIBefore is absoluteIRI as it was before its ASCII table: the
// reference of FuzzAbsoluteIRI.
func absoluteIRIBefore(s string) bool {
	colon, ok := schemeColon(s)
	if !ok {
		return false
	}
	for _, r := range s[colon+1:] {
		if r <= 0x20 || r == 0x7f || strings.ContainsRune("<>\"{}|^`\\", r) || r == 0x85 || r == 0xa0 || r == 0x2028 || r == 0x2029 || r == 0xfffd {
			return false
		}
	}
	return true
}

// FuzzAbsoluteIRI checks that absoluteIRI answers every string as it did
// before its ASCII table.
func FuzzAbsoluteIRI(f *testing.F) {
	for _, s := range []string{
		"https://www.w3.org/2018/credentials#VerifiableCredential", "did:key:z6Mk#z6Mk", "urn:uuid:3f1c7a52",
		"a:b c", "a:<b>", "a:\x7f", "a:é", "a:\u00a0", "a:\u0085", "a:b\u2028", "a:\xff", "a:中\"", "1a:b", ":b", "ab", "a+b-c.d:x|y", "a:`", "a:\\",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := absoluteIRI(s), absoluteIRIBefore(s); got != want {
			t.Fatalf("absoluteIRI(%q) = %v, was %v", s, got, want)
		}
	})
}
