package credential

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// fuzzAbsoluteURL fuzzes pred, named name, from seeds: where it says
// true, url.Parse must read the input as an absolute URL (one with a
// scheme), which more, if not nil, checks further.
func fuzzAbsoluteURL(f *testing.F, name string, pred func(string) bool, seeds []string, more func(t *testing.T, s string, u *url.URL)) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !pred(s) {
			return
		}
		u, err := url.Parse(s)
		if err != nil || u.Scheme == "" {
			t.Fatalf("%q: %s true, url.Parse %v %+v", s, name, err, u)
		}
		if more != nil {
			more(t, s, u)
		}
	})
}

// FuzzOpaqueURL checks that opaqueURL says true only of what url.Parse
// reads as an absolute URL.
func FuzzOpaqueURL(f *testing.F) {
	fuzzAbsoluteURL(f, "opaqueURL", opaqueURL, []string{"did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "urn:uuid:3f1c7a52-8e0b", "did:weid:1#key-1",
		"https://example.com/x", "a:", ":x", "a:/x", "a:?q", "a:#f", "1a:b", "a:b%zz", "a:b#%zz", "a:b?x#y", "a b:c", "a:b c", "did:x:\x7f"}, nil)
}

// FuzzPlainHTTPURL checks that plainHTTPURL says true only of what
// url.Parse reads as an absolute URL, and schemaURLPath finds the path of
// those url.Parse reads as plain http(s) URLs.
func FuzzPlainHTTPURL(f *testing.F) {
	fuzzAbsoluteURL(f, "plainHTTPURL", plainHTTPURL, []string{"https://www.w3.org/ns/credentials/v2", "http://a", "https://", "https:///x", "https://a:1/x", "https://a/%zz", "https://a/b?c#d", "https://a b", "https://node.example/v1/schemas/2", "https://h/v1/schemas/2/versions/3", "https://h"},
		func(t *testing.T, s string, u *url.URL) {
			path, ok := schemaURLPath(s)
			wantOK := (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.RawQuery == "" && u.Fragment == "" && u.Opaque == ""
			if ok != wantOK || ok && path != u.EscapedPath() {
				t.Fatalf("%q: schemaURLPath %q %v, url.Parse %q %v", s, path, ok, u.EscapedPath(), wantOK)
			}
		})
}

// dateTimeStampRE is the regular expression isDateTimeStamp implements.
var dateTimeStampRE = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$`)

// FuzzDateTimeStamp checks isDateTimeStamp against the regular expression,
// and dateTimeStamp's fast path against time.Parse.
func FuzzDateTimeStamp(f *testing.F) {
	for _, s := range []string{"2026-01-02T15:04:05Z", "2026-02-29T00:00:00Z", "2024-02-29T23:59:59Z", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z",
		"2026-01-01T00:00:60Z", "2026-01-01T00:00:00.123456789+08:00", "2026-01-01T00:00:00.1234567890Z", "2026-01-01T00:00:00.Z", "0000-01-01T00:00:00Z",
		"2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00", "2026-04-31T00:00:00Z", "2026-01-00T00:00:00Z", "2026-1-01T00:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isDateTimeStamp(s), dateTimeStampRE.MatchString(s); got != want {
			t.Fatalf("%q: isDateTimeStamp %v, the regexp %v", s, got, want)
		}
		got, err := dateTimeStamp(map[string]any{"d": s}, "d")
		if !dateTimeStampRE.MatchString(s) {
			return
		}
		want, werr := time.Parse(time.RFC3339Nano, s)
		if (err == nil) != (werr == nil) || err == nil && !got.Equal(want) || err == nil && got.Location() != want.Location() && got.Location().String() != want.Location().String() {
			t.Fatalf("%q: %v %v, time.Parse %v %v", s, got, err, want, werr)
		}
		if err != nil && err.Error() != fmt.Sprintf("%q: %v", "d", werr) {
			t.Fatalf("%q: error %v, time.Parse %v", s, err, werr)
		}
	})
}

// TestPlainString puts each byte value at each position of strings of
// every length up to 80: plainString reads exactly the plain ones, as
// json.Unmarshal does.
func TestPlainString(t *testing.T) {
	base := strings.Repeat("eyJhbGciOiJFZERTQSJ9.", 4)
	for n := 0; n <= 80; n++ {
		for pos := range max(n, 1) {
			for c := 0; c < 256; c++ {
				body := []byte(base[:n])
				if n > 0 {
					body[pos] = byte(c)
				}
				raw := append(append([]byte{'"'}, body...), '"')
				plain := true
				for _, b := range body {
					plain = plain && b >= 0x20 && b < 0x7f && b != '"' && b != '\\'
				}
				s, ok := plainString(raw)
				if ok != plain {
					t.Fatalf("%q: ok %v", raw, ok)
				}
				var want string
				if ok && (json.Unmarshal(raw, &want) != nil || s != want) {
					t.Fatalf("%q: %q, json.Unmarshal %q", raw, s, want)
				}
			}
		}
	}
}

// FuzzIsURL checks isURL against its definition: a string within the
// length bound, without white space, that url.Parse reads as an absolute
// URL (opaqueURL and plainHTTPURL only shortcut url.Parse).
func FuzzIsURL(f *testing.F) {
	for _, s := range []string{"did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "urn:uuid:3f1c7a52-8e0b", "did:weid:1#key-1",
		"https://example.com/x", "a:", ":x", "a:/x", "a:?q", "a:#f", "1a:b", "a:b%zz", "a:b#%zz", "a:b?x#y", "a b:c", "a:b c", "a:b\t",
		"did:x:\x7f", "https://example.com/a b", "http://x", "https://"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := s != "" && len(s) <= maxURLLength && !strings.ContainsAny(s, " \t\r\n")
		if want {
			u, err := url.Parse(s)
			want = err == nil && u.Scheme != ""
		}
		if got := isURL(s); got != want {
			t.Fatalf("%q: isURL %v, want %v", s, got, want)
		}
	})
}
