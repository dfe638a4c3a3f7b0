package ldproof

import (
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/gowebpki/jcs"

	"github.com/weidgo/weid/internal/strictjson"
)

// appendJCS appends the JCS form (RFC 8785) of the decoded JSON value v
// to out, exactly as jcs.Transform writes that of v's JSON: members
// sorted by the UTF-16 code units of their names, strings with only '"',
// '\\' and control characters escaped (\b \t \n \f \r, others \u00xx),
// numbers in ECMAScript form. ok is false for anything it does not take:
// a value of another type, a string that is not valid UTF-8, a number
// that is not a JSON number or not a finite double.
func appendJCS(out []byte, v any) ([]byte, bool) {
	switch v := v.(type) {
	case nil:
		return append(out, "null"...), true
	case bool:
		if v {
			return append(out, "true"...), true
		}
		return append(out, "false"...), true
	case string:
		return appendJCSString(out, v)
	case json.Number:
		if !isJSONNumber(string(v)) {
			return out, false
		}
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return out, false
		}
		n, err := jcs.NumberToJSON(f)
		if err != nil {
			return out, false
		}
		return append(out, n...), true
	case []any:
		out = append(out, '[')
		for i, e := range v {
			if i > 0 {
				out = append(out, ',')
			}
			var ok bool
			if out, ok = appendJCS(out, e); !ok {
				return out, false
			}
		}
		return append(out, ']'), true
	case map[string]any:
		var buf [16]jcsMember
		members := buf[:0]
		for k, e := range v {
			members = append(members, jcsMember{k, e})
		}
		slices.SortFunc(members, func(a, b jcsMember) int { return compareUTF16(a.name, b.name) })
		out = append(out, '{')
		for i, m := range members {
			if i > 0 {
				out = append(out, ',')
			}
			var ok bool
			if out, ok = appendJCSString(out, m.name); !ok {
				return out, false
			}
			out = append(out, ':')
			if out, ok = appendJCS(out, m.value); !ok {
				return out, false
			}
		}
		return append(out, '}'), true
	}
	return out, false
}

// jcsMember is an object member being sorted.
type jcsMember struct {
	name  string
	value any
}

func appendJCSString(out []byte, s string) ([]byte, bool) {
	if !utf8.ValidString(s) {
		return out, false
	}
	out = append(out, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		out = append(out, s[start:i]...)
		start = i + 1
		out = strictjson.AppendEscape(out, c)
	}
	out = append(out, s[start:]...)
	return append(out, '"'), true
}

// compareUTF16 orders strings by their UTF-16 code units (RFC 8785 §3.2.3):
// in valid UTF-8, from a first differing byte that is ASCII in either
// string, as their bytes; otherwise rune by rune.
func compareUTF16(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	if i == n {
		return len(a) - len(b)
	}
	if a[i] < utf8.RuneSelf || b[i] < utf8.RuneSelf {
		// An ASCII byte is a whole rune, so both strings start a rune at
		// i: an ASCII one is below every other rune's first code unit.
		return int(a[i]) - int(b[i])
	}
	return compareUTF16Runes(a, b)
}

// compareUTF16Runes is compareUTF16, decoding every rune.
func compareUTF16Runes(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			ua, ub := firstUnit(ra), firstUnit(rb)
			if ua != ub {
				return int(ua) - int(ub)
			}
			return int(ra) - int(rb) // both supplementary: code point order
		}
		a, b = a[na:], b[nb:]
	}
	return len(a) - len(b)
}

// firstUnit is the first UTF-16 code unit of r.
func firstUnit(r rune) rune {
	if r < 0x10000 {
		return r
	}
	return 0xD800 + (r-0x10000)>>10
}

// isJSONNumber reports whether s is a number of RFC 8259 §6's grammar.
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		digits()
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}
