package ldproof

import (
	"bytes"
	"crypto/sha256"
	"testing"
	"unicode/utf8"

	"github.com/weidgo/weid/internal/strictjson"
)

var jcsSeeds = []string{
	`{}`, `{"b":1,"a":[true,false,null,"x"]}`, `{"a":"q\"\\\/\b\f\n\r\t\u0001\u001f\u007f\u2028é😀"}`,
	`{"\ue000":1,"😀":2,"a":3,"":4,"ab":5,"b":{"z":[],"y":{}}}`, `{"n":[0,-0,1.0,1e21,1e-7,123456789012345678901234567890,0.1,-1.5E+300,5e-324]}`,
	`{"big":1e400}`, `{"s":"\ud800"}`, `{"@context":["https://www.w3.org/ns/credentials/v2"],"x":{"y":[1,{"z":"w"}]}}`,
}

// FuzzCanonicalJSON checks appendJCS against encoding/json and
// jcs.Transform on strictly decoded documents.
func FuzzCanonicalJSON(f *testing.F) {
	for _, s := range jcsSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := strictjson.DecodeObject(b, strictjson.Limits{Depth: 16, Array: 64, Members: 64})
		if err != nil {
			return
		}
		want, werr := transformJCS(doc)
		got, ok := appendJCS(nil, doc)
		if !ok {
			if werr == nil {
				t.Logf("%q: appendJCS declined what jcs.Transform took", b)
			}
			return
		}
		if werr != nil {
			t.Fatalf("%q: appendJCS took what jcs.Transform refuses (%v)", b, werr)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%q:\n got %s\nwant %s", b, got, want)
		}
	})
}

// FuzzCompareUTF16 checks compareUTF16's byte shortcut against the
// rune-by-rune comparison on valid UTF-8 (the only strings whose order
// appendJCS keeps).
func FuzzCompareUTF16(f *testing.F) {
	for _, p := range [][2]string{{"a", "b"}, {"ab", "a"}, {"\ue000", "😀"}, {"xé", "xz"}, {"x😀", "x\uffff"}, {"", ""}, {"é", "è"}} {
		f.Add(p[0], p[1])
	}
	sign := func(n int) int { return min(max(n, -1), 1) }
	f.Fuzz(func(t *testing.T, a, b string) {
		if !utf8.ValidString(a) || !utf8.ValidString(b) {
			return
		}
		if got, want := sign(compareUTF16(a, b)), sign(compareUTF16Runes(a, b)); got != want {
			t.Fatalf("compareUTF16(%q, %q) = %d, want %d", a, b, got, want)
		}
	})
}

// contextPrefixJCS is contextPrefix comparing every item's JCS form: the
// reference for FuzzContextPrefix.
func contextPrefixJCS(full, prefix any) bool {
	f, ok1 := contextItems(full)
	pr, ok2 := contextItems(prefix)
	if !ok1 || !ok2 || len(pr) > len(f) {
		return false
	}
	for i := range pr {
		a, err1 := canonicalJSON(pr[i])
		b, err2 := canonicalJSON(f[i])
		if err1 != nil || err2 != nil || string(a) != string(b) {
			return false
		}
	}
	return true
}

// FuzzContextPrefix checks contextPrefix's shortcut for strings against
// comparing JCS forms, on pairs of decoded @context values, and jcsSum
// against hashing canonicalJSON.
func FuzzContextPrefix(f *testing.F) {
	for _, p := range [][2]string{
		{`["https://www.w3.org/ns/credentials/v2","https://w3id.org/x"]`, `["https://www.w3.org/ns/credentials/v2"]`},
		{`{"c":["a",{"x":"y"}]}`, `{"c":["a",{"x":"y"}]}`}, {`{"c":"a"}`, `{"c":["a"]}`},
		{"{\"c\":[\"x\\ufffd\"]}", "{\"c\":[\"x\xff\"]}"}, {`{"c":[1]}`, `{"c":["1"]}`}, {`{"c":["\u00e9"]}`, `{"c":"é"}`},
	} {
		f.Add([]byte(p[0]), []byte(p[1]))
	}
	lim := strictjson.Limits{Depth: 8, Array: 16, Members: 16}
	decode := func(b []byte) (any, bool) {
		if len(b) > 0 && b[0] == '[' {
			v, err := strictjson.DecodeArray(b, lim)
			return v, err == nil
		}
		m, err := strictjson.DecodeObject(b, lim)
		if err != nil {
			return nil, false
		}
		return m["c"], true
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		full, ok1 := decode(a)
		prefix, ok2 := decode(b)
		if !ok1 || !ok2 {
			return
		}
		if got, want := contextPrefix(full, prefix), contextPrefixJCS(full, prefix); got != want {
			t.Fatalf("contextPrefix(%q, %q) = %v, want %v", a, b, got, want)
		}
		want, werr := canonicalJSON(full)
		got, gerr := jcsSum(full)
		if (werr == nil) != (gerr == nil) || werr == nil && got != sha256.Sum256(want) {
			t.Fatalf("jcsSum(%q) = %x, %v; canonicalJSON gives %q, %v", a, got, gerr, want, werr)
		}
	})
}
