package events

import (
	"slices"
	"testing"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/errs"
)

func TestCursor_TextRoundTripsAndOrders(t *testing.T) {
	cs := []Cursor{{0, 0, 0}, {0, 0, 1}, {0, 1, 0}, {1, 0, 0}, {18446744073709551615, 4294967295, 4294967295}}
	for i, c := range cs {
		got, err := ParseCursor(c.String())
		if err != nil || got != c {
			t.Fatalf("%v → %q → %v, %v", c, c.String(), got, err)
		}
		if i > 0 && !cs[i-1].Less(c) {
			t.Fatalf("%v is not before %v", cs[i-1], c)
		}
	}
}

func TestParseCursor_RefusesOtherTexts(t *testing.T) {
	for _, s := range []string{"", "1", "1.2", "1.2.3.4", "01.2.3", "1.02.3", "+1.2.3", "1.2.-3", " 1.2.3", "1.4294967296.0", "a.b.c", "1..3"} {
		if _, err := ParseCursor(s); errs.Code(err) != "events.badCursor" {
			t.Errorf("ParseCursor(%q): %v", s, err)
		}
	}
}

func TestParseFilter_TypesWildcardsAndCodes(t *testing.T) {
	f, err := ParseFilter([]string{"did.*", "grant.revoked"}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	for typ, want := range map[string]bool{api.EventDIDCreated: true, api.EventDIDDeactivated: true, api.EventGrantRevoked: true, api.EventGrantCreated: false, api.EventBlockCommitted: false} {
		if got := f.Match(&api.Event{Type: typ}); got != want {
			t.Errorf("%s: match %v, want %v", typ, got, want)
		}
	}
	all, _ := ParseFilter([]string{"*"}, "", "")
	for _, typ := range api.EventTypes {
		if !all.Match(&api.Event{Type: typ}) {
			t.Errorf("* does not match %s", typ)
		}
	}
	for _, c := range []struct {
		types     []string
		did, list string
		wantCode  string
	}{
		{types: []string{"did.born"}, wantCode: "events.unknownType"},
		{types: []string{"weather.*"}, wantCode: "events.unknownType"},
		{types: []string{"did"}, wantCode: "events.badType"},
		{types: []string{"*.created"}, wantCode: "events.badType"},
		{types: []string{"did.*.x"}, wantCode: "events.badType"},
		{types: []string{"did.cre*"}, wantCode: "events.badType"},
		{types: []string{""}, wantCode: "events.badType"},
		{types: slices.Repeat([]string{"*"}, MaxTypePatterns+1), wantCode: "events.badType"},
		{did: "not-a-did", wantCode: "events.badDid"},
		{list: "Bad List", wantCode: "events.badStatusList"},
	} {
		_, err := ParseFilter(c.types, c.did, c.list)
		if errs.Code(err) != c.wantCode || httpStatusOf(err) != 400 {
			t.Errorf("ParseFilter(%q, %q, %q): %v, want 400 %s", c.types, c.did, c.list, err, c.wantCode)
		}
	}
}

func TestFilter_DIDMatchesSubjectSignerAndParties(t *testing.T) {
	d := "did:weid:1:0x00000000000000000000000000000000000000aa"
	f, err := ParseFilter(nil, d, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []api.Event{{DID: d}, {Signer: d + "#key-1"}, {Grantor: d}, {Grantee: d}} {
		if !f.Match(&e) {
			t.Errorf("%+v not matched", e)
		}
	}
	if f.Match(&api.Event{DID: d + "1"}) {
		t.Error("another DID matched")
	}
}

// httpStatusOf is the HTTP status an error carries (0: none).
func httpStatusOf(err error) int {
	if e, ok := errs.As(err); ok {
		return e.Status
	}
	return 0
}
