package events

import (
	"strings"
	"testing"

	"github.com/weidgo/weid/errs"
)

// FuzzParseCursor: a cursor parses to one that prints the same text, or
// fails with 400 events.badCursor.
func FuzzParseCursor(f *testing.F) {
	for _, s := range []string{"0.0.0", "12.3.4", "01.2.3", "1.2", "18446744073709551615.4294967295.4294967295", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCursor(s)
		if err != nil {
			if errs.Code(err) != "events.badCursor" || httpStatusOf(err) != 400 {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if c.String() != s {
			t.Fatalf("%q parsed to %v", s, c)
		}
	})
}

// FuzzParseFilter: a filter parses or fails with a 400 events.* code.
func FuzzParseFilter(f *testing.F) {
	f.Add("did.*,grant.revoked", "did:weid:1:0x00000000000000000000000000000000000000aa", "list-1")
	f.Add("*", "", "")
	f.Add("did.", "did:", "A")
	f.Fuzz(func(t *testing.T, types, d, list string) {
		var ts []string
		if types != "" {
			ts = strings.Split(types, ",")
		}
		_, err := ParseFilter(ts, d, list)
		if err != nil && (httpStatusOf(err) != 400 || !strings.HasPrefix(errs.Code(err), "events.")) {
			t.Fatalf("ParseFilter(%q, %q, %q): %v", types, d, list, err)
		}
	})
}
