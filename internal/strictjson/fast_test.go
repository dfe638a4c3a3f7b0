package strictjson

import (
	"encoding/binary"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

var diffLimits = Limits{Depth: 4, Array: 3, Members: 3}

// diffSeeds are inputs on each side of every rule.
var diffSeeds = []string{
	`{}`, ` {} `, `{"a":1}`, `{"a":-0.5e+10,"b":[1,2,{}]}`, `{"a":"x\"y"}`, `{"a":"\u00e9\ud83d\ude00"}`,
	`{"a":"\ud800"}`, "{\"a\":\"\xff\"}", "{\"a\":\"caf\xc3\xa9\"}", `{"a":"\x"}`, "{\"a\":\"\x01\"}",
	`{"a":1,"a":2}`, `{"a\u0062":1,"ab":2}`, `{"a":1,"b":2,"c":3,"d":4}`, `{"a":[1,2,3,4]}`,
	`{"a":{"b":{"c":{"d":1}}}}`, `{"a":{"b":{"c":{}}}}`, `{"a":[[[[]]]]}`, `{"a":01}`, `{"a":1.}`,
	`{"a":.5}`, `{"a":-}`, `{"a":1e}`, `{"a":1E+2}`, `{"a":tru}`, `{"a":true,}`, `{"a":[1,]}`,
	`{"a" 1}`, `{a:1}`, `[]`, `"x"`, `{} {}`, `{}x`, `{`, ``, `{"a":null,"b":false}`, "{\"a\":\"\\\x01\"}",
	`{"a":"\\"}`, `{"a":"\/"}`, `{"a":"` + strings.Repeat("é", 10) + `"}`,
	`["s","n",1]`, ` ["s",{"a":[1]}] `, `[1,2,3,4]`, `[[[[[]]]]]`, `["\u00e9"]`, `[1,]`, `[] []`, `[]x`, `[`,
	"{ \"a\" : 1 ,\n\"b\"\t: [ 1 , { } ] }", `{"a":1 ,}`, `{"a":1 }`, `{"a":1 x}`, `[ 1 , 2 ]`, `[1 ,]`, `[ 1 ]`, `[1 2]`, `[1`, `{"a":1`,
}

// FuzzDecodeObject checks that the single-pass decoder and encoding/json's
// token reader agree: same value or same error.
func FuzzDecodeObject(f *testing.F) {
	for _, s := range diffSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, open := range []byte{'{', '['} {
			var fast any
			var ferr error
			if open == '{' {
				fast, ferr = DecodeObject(b, diffLimits)
			} else {
				fast, ferr = DecodeArray(b, diffLimits)
			}
			slow, serr := decodeSlow(b, diffLimits, open)
			if (ferr == nil) != (serr == nil) || ferr != nil && ferr.Error() != serr.Error() {
				t.Fatalf("%q (%c): errors differ: %v / %v", b, open, ferr, serr)
			}
			if ferr == nil && !reflect.DeepEqual(fast, slow) {
				t.Fatalf("%q (%c): values differ: %#v / %#v", b, open, fast, slow)
			}
			if open == '[' {
				owned, oerr := DecodeArrayOwned([]byte(string(b)), diffLimits)
				if (oerr == nil) != (ferr == nil) || oerr != nil && oerr.Error() != ferr.Error() || !reflect.DeepEqual(owned, fast) {
					t.Fatalf("%q: DecodeArrayOwned gives %#v, %v; DecodeArray %#v, %v", b, owned, oerr, fast, ferr)
				}
			}
			if v, ok := decodeFast(b, diffLimits, open); ok && serr != nil {
				t.Fatalf("%q (%c): the fast decoder accepts what encoding/json refuses (%v): %#v", b, open, serr, v)
			}
		}
	})
}

func TestSkipPlain(t *testing.T) {
	plain := func(c byte) bool { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\' }
	b := []byte("abcdefghijklmnopqrstuvwxyz")
	for c := 0; c < 256; c++ {
		for pos := range len(b) {
			s := []byte(string(b))
			s[pos] = byte(c)
			for from := range 3 {
				got := skipPlain(string(s), from)
				// want: the start of the first whole word from from that
				// holds a byte that is not plain, else the first byte of
				// the tail that makes no whole word.
				want := from
				for ; want+8 <= len(s); want += 8 {
					clean := true
					for _, x := range s[want : want+8] {
						clean = clean && plain(x)
					}
					if !clean {
						break
					}
				}
				if got != want {
					t.Fatalf("%q from %d: %d, want %d", s, from, got, want)
				}
			}
		}
	}
}

func TestPlain8(t *testing.T) {
	slow := func(b []byte) bool {
		for _, c := range b {
			if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
				return false
			}
		}
		return true
	}
	b := make([]byte, 8)
	for i := 0; i < 1<<20; i++ {
		for j := range b {
			b[j] = byte(rand.Uint32())
			if rand.IntN(3) > 0 {
				b[j] = byte(0x20 + rand.IntN(0x5f)) // mostly printable ASCII
			}
		}
		if plain8(binary.LittleEndian.Uint64(b)) != slow(b) {
			t.Fatalf("%q: plain8 %v", b, !slow(b))
		}
	}
	for c := 0; c < 256; c++ {
		for pos := range 8 {
			copy(b, "abcdefgh")
			b[pos] = byte(c)
			if plain8(binary.LittleEndian.Uint64(b)) != slow(b) {
				t.Fatalf("%q", b)
			}
		}
	}
}
