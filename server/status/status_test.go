package status

import "testing"

func TestEtagMatch_ListsWeakAndAny(t *testing.T) {
	const etag = `"abc"`
	cases := []struct {
		header string
		want   bool
	}{
		{"", false},
		{`"abc"`, true},
		{`W/"abc"`, true},
		{`"x", "abc"`, true},
		{` "x" ,W/"abc" `, true},
		{"*", true},
		{`"abd"`, false},
		{`abc`, false},
	}
	for _, tc := range cases {
		if got := etagMatch(tc.header, etag); got != tc.want {
			t.Errorf("etagMatch(%q) = %v, want %v", tc.header, got, tc.want)
		}
	}
}
