package strictjson

import (
	"encoding/json"
	"unicode/utf8"
)

// decodeFast decodes b as DecodeObject (open '{') or DecodeArray ('[')
// does, in one pass over b, and reports ok false for any input it does not
// accept: malformed JSON, a duplicate member name, a limit exceeded, or a
// string with escapes or invalid UTF-8 that it cannot hand to
// encoding/json's unquoting. Strings without escapes are substrings of one
// copy of b (one allocation for all of them).
func decodeFast(b []byte, lim Limits, open byte) (any, bool) {
	d := fastDecoder{s: string(b), lim: lim}
	d.space()
	if d.i >= len(d.s) || d.s[d.i] != open {
		return nil, false
	}
	v, ok := d.value(0)
	if !ok {
		return nil, false
	}
	d.space()
	if d.i != len(d.s) {
		return nil, false
	}
	return v, true
}

type fastDecoder struct {
	s   string
	i   int
	lim Limits
}

// space skips JSON whitespace.
func (d *fastDecoder) space() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// value decodes the value at d.i (after whitespace), nested depth deep
// (the top-level object is at depth 0).
func (d *fastDecoder) value(depth int) (any, bool) {
	if d.i >= len(d.s) {
		return nil, false
	}
	switch c := d.s[d.i]; {
	case c == '{':
		if depth >= d.lim.Depth {
			return nil, false
		}
		return d.object(depth)
	case c == '[':
		if depth >= d.lim.Depth {
			return nil, false
		}
		return d.array(depth)
	case c == '"':
		s, ok := d.str()
		if !ok {
			return nil, false
		}
		return s, true
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	}
	return nil, false
}

func (d *fastDecoder) literal(lit string) bool {
	if len(d.s)-d.i < len(lit) || d.s[d.i:d.i+len(lit)] != lit {
		return false
	}
	d.i += len(lit)
	return true
}

func (d *fastDecoder) object(depth int) (any, bool) {
	d.i++ // '{'
	obj := map[string]any{}
	d.space()
	if d.i < len(d.s) && d.s[d.i] == '}' {
		d.i++
		return obj, true
	}
	for {
		if d.i >= len(d.s) || d.s[d.i] != '"' {
			return nil, false
		}
		k, ok := d.str()
		if !ok {
			return nil, false
		}
		if _, dup := obj[k]; dup || len(obj) >= d.lim.Members {
			return nil, false
		}
		d.space()
		if d.i >= len(d.s) || d.s[d.i] != ':' {
			return nil, false
		}
		d.i++
		d.space()
		v, ok := d.value(depth + 1)
		if !ok {
			return nil, false
		}
		obj[k] = v
		d.space()
		if d.i >= len(d.s) {
			return nil, false
		}
		switch d.s[d.i] {
		case ',':
			d.i++
			d.space()
		case '}':
			d.i++
			return obj, true
		default:
			return nil, false
		}
	}
}

func (d *fastDecoder) array(depth int) (any, bool) {
	d.i++ // '['
	arr := []any{}
	d.space()
	if d.i < len(d.s) && d.s[d.i] == ']' {
		d.i++
		return arr, true
	}
	for {
		if len(arr) >= d.lim.Array {
			return nil, false
		}
		v, ok := d.value(depth + 1)
		if !ok {
			return nil, false
		}
		arr = append(arr, v)
		d.space()
		if d.i >= len(d.s) {
			return nil, false
		}
		switch d.s[d.i] {
		case ',':
			d.i++
			d.space()
		case ']':
			d.i++
			return arr, true
		default:
			return nil, false
		}
	}
}

// str decodes the string literal at d.i. One without escapes whose bytes
// are valid UTF-8 is its own content; one with escapes or invalid UTF-8
// is unquoted by encoding/json (the rules of the token reader: replacement
// characters for invalid UTF-8 and lone surrogates).
func (d *fastDecoder) str() (string, bool) {
	start := d.i + 1
	plain := true
	j := start
	for ; j < len(d.s); j++ {
		c := d.s[j]
		if c == '"' {
			break
		}
		if c < 0x20 {
			return "", false
		}
		if c == '\\' {
			plain = false
			j++ // the escaped byte cannot end the string
		} else if c >= utf8.RuneSelf {
			plain = false
		}
	}
	if j >= len(d.s) {
		return "", false
	}
	d.i = j + 1
	if plain {
		return d.s[start:j], true
	}
	if utf8.ValidString(d.s[start:j]) && !hasByte(d.s[start:j], '\\') {
		return d.s[start:j], true
	}
	var out string
	if json.Unmarshal([]byte(d.s[start-1:j+1]), &out) != nil {
		return "", false
	}
	return out, true
}

func hasByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

// number reads a JSON number (RFC 8259 §6) as a json.Number of its
// literal.
func (d *fastDecoder) number() (any, bool) {
	s, i := d.s, d.i
	if s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return nil, false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return nil, false
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return nil, false
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	n := json.Number(s[d.i:i])
	d.i = i
	return n, true
}
