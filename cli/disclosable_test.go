package cli

import (
	"bytes"
	"strings"
	"testing"
)

// A dc+sd-jwt with nothing selectively disclosable is issued, with a
// warning: every verifier will see every claim.
func TestWarnNothingDisclosable_OnlyForAnSDJWTWithNone(t *testing.T) {
	for _, tc := range []struct {
		format      string
		disclosable []string
		warns       bool
	}{
		{"dc+sd-jwt", nil, true},
		{"dc+sd-jwt", []string{"/credentialSubject/degree"}, false},
		{"vc+jwt", nil, false},
		{"", nil, false},
	} {
		var b bytes.Buffer
		warnNothingDisclosable(&b, tc.format, tc.disclosable)
		if got := strings.Contains(b.String(), "--disclose"); got != tc.warns {
			t.Errorf("%s %v: warned %q, want a warning %v", tc.format, tc.disclosable, b.String(), tc.warns)
		}
	}
}
