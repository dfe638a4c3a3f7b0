package api

import (
	"net/http"
	"strings"
	"testing"
)

// TestBearerToken: the scheme in any case, another scheme or none is no
// token, and two fields are an error naming the header.
func TestBearerToken(t *testing.T) {
	for _, c := range []struct {
		fields []string
		tok    string
		err    bool
	}{
		{nil, "", false},
		{[]string{"Bearer abc"}, "abc", false},
		{[]string{"bearer abc"}, "abc", false},
		{[]string{"BEARER  abc "}, "abc", false},
		{[]string{"Basic abc"}, "", false},
		{[]string{"Bearer"}, "", false},
		{[]string{"Bearerabc"}, "", false},
		{[]string{"Bearer a", "Bearer b"}, "", true},
	} {
		h := http.Header{}
		for _, f := range c.fields {
			h.Add("Authorization", f)
		}
		tok, err := BearerToken(h)
		if tok != c.tok || (err != nil) != c.err || err != nil && !strings.Contains(err.Error(), "Authorization") {
			t.Errorf("%q: %q, %v; want %q (error %v)", c.fields, tok, err, c.tok, c.err)
		}
	}
}

// FuzzBearerToken: any Authorization field gives a token without spaces
// at its ends, or none, and never a panic.
func FuzzBearerToken(f *testing.F) {
	for _, s := range []string{"", "Bearer abc", "bearer  abc", "Basic x", "Bearer", " Bearer\tx"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, field string) {
		tok, err := BearerToken(http.Header{"Authorization": {field}})
		if err != nil || tok != strings.TrimSpace(tok) {
			t.Fatalf("%q: %q, %v", field, tok, err)
		}
	})
}
