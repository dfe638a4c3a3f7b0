package strictjson

import (
	"encoding/binary"
	"encoding/json"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// decodeFast decodes b as DecodeObject (open '{') or DecodeArray ('[')
// does, in one pass over b, and reports ok false for any input it does not
// accept: malformed JSON, a duplicate member name, a limit exceeded, or a
// string with escapes or invalid UTF-8 that it cannot hand to
// encoding/json's unquoting. Strings without escapes are substrings of one
// copy of b (one allocation for all of them).
func decodeFast(b []byte, lim Limits, open byte) (any, bool) {
	return decodeFastString(string(b), lim, open)
}

// decodeFastString is decodeFast on the JSON text s, whose strings without
// escapes are substrings of s.
func decodeFastString(s string, lim Limits, open byte) (any, bool) {
	st := scratch.Get().(*stacks)
	d := fastDecoder{s: s, lim: lim, stack: st.elems[:0], members: st.members[:0]}
	defer func() {
		// What a refused input left behind, then the stacks, kept for
		// the next decode.
		clear(d.stack)
		clear(d.members)
		st.elems, st.members = d.stack[:0], d.members[:0]
		scratch.Put(st)
	}()
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
	// boxes holds the string and number values put into interfaces, a
	// block at a time (box); stack and members hold the elements of the
	// arrays and the members of the objects being read (array, object).
	boxes   []string
	stack   []any
	members []member
}

// stacks are a decoder's stack and members, kept between decodes.
type stacks struct {
	elems   []any
	members []member
}

var scratch = sync.Pool{New: func() any { return new(stacks) }}

// member is an object member read and not yet in its map.
type member struct {
	name  string
	value any
}

// Interface values of strings and numbers are made by hand from a block
// of strings: an interface holding a string (or a json.Number, a string
// type) points to its value, which here is an element of d.boxes, written
// once and never again. One allocation then holds many values, instead
// of one allocation per value.
type eface struct {
	typ, data unsafe.Pointer
}

var (
	stringType = typeOf("")
	numberType = typeOf(json.Number(""))
)

func typeOf(v any) unsafe.Pointer { return (*eface)(unsafe.Pointer(&v)).typ }

// box returns s as an interface value of the type typ (stringType or
// numberType).
func (d *fastDecoder) box(s string, typ unsafe.Pointer) any {
	if len(d.boxes) == cap(d.boxes) {
		// The first block is sized for the text (each value takes a byte
		// of it at least; a small text, such as an SD-JWT disclosure,
		// holds a few), the next ones double up to 256.
		n := min(max(2*cap(d.boxes), 16), 256)
		if cap(d.boxes) == 0 {
			n = min(max(len(d.s)/8, 4), 16)
		}
		d.boxes = make([]string, 0, n)
	}
	d.boxes = append(d.boxes, s)
	var v any
	e := (*eface)(unsafe.Pointer(&v))
	e.typ, e.data = typ, unsafe.Pointer(&d.boxes[len(d.boxes)-1])
	return v
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
		return d.box(s, stringType), true
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
	d.space()
	if d.i < len(d.s) && d.s[d.i] == '}' {
		d.i++
		return map[string]any{}, true
	}
	// The members go on d.members (above those of the objects this one
	// is in) and into a map made for their number at the end, which
	// refuses a duplicate name.
	base := len(d.members)
	for {
		d.space() // after '{' again, or after ','
		if d.i >= len(d.s) || d.s[d.i] != '"' {
			return nil, false
		}
		k, ok := d.str()
		if !ok {
			return nil, false
		}
		if len(d.members)-base >= d.lim.Members {
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
		d.members = append(d.members, member{k, v})
		end, ok := d.separator('}')
		if !ok {
			return nil, false
		}
		if end {
			ms := d.members[base:]
			obj := make(map[string]any, len(ms))
			for _, m := range ms {
				obj[m.name] = m.value
			}
			if len(obj) != len(ms) {
				return nil, false // a duplicate member name
			}
			clear(ms)
			d.members = d.members[:base]
			return obj, true
		}
	}
}

// separator reads what follows a member or an element (RFC 8259 §4, §5):
// white space, then a comma (end false) or close, the end of the object or
// array (end true). Anything else is not JSON (ok false).
func (d *fastDecoder) separator(close byte) (end, ok bool) {
	d.space()
	if d.i >= len(d.s) {
		return false, false
	}
	c := d.s[d.i]
	d.i++
	return c == close, c == close || c == ','
}

func (d *fastDecoder) array(depth int) (any, bool) {
	d.i++ // '['
	d.space()
	if d.i < len(d.s) && d.s[d.i] == ']' {
		d.i++
		return []any{}, true
	}
	// The elements go on d.stack (above those of the arrays this one is
	// in) and into an array of their number at the end.
	base := len(d.stack)
	for {
		if len(d.stack)-base >= d.lim.Array {
			return nil, false
		}
		d.space() // after '[' again, or after ','
		v, ok := d.value(depth + 1)
		if !ok {
			return nil, false
		}
		d.stack = append(d.stack, v)
		end, ok := d.separator(']')
		if !ok {
			return nil, false
		}
		if end {
			arr := make([]any, len(d.stack)-base)
			copy(arr, d.stack[base:])
			clear(d.stack[base:])
			d.stack = d.stack[:base]
			return arr, true
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
	j := skipPlain(d.s, start)
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

// skipPlain returns the index of the first of the eight-byte words of s
// from i on that holds a byte str must look at (a quote, a backslash, a
// control character, DEL or a byte of 0x80 and above), or of the last
// bytes of s that make no whole word: every byte before it is plain
// printable ASCII.
func skipPlain(s string, i int) int {
	b := unsafe.Slice(unsafe.StringData(s), len(s)) // read, never written
	for ; i+8 <= len(b); i += 8 {
		if !plain8(binary.LittleEndian.Uint64(b[i:])) {
			return i
		}
	}
	return i
}

// PlainASCII reports whether every byte of b is printable ASCII other
// than '"' and '\\': the content of a JSON string literal that is its own
// value, with no escape to read (RFC 8259 §7), as a compact JWS's is. It
// looks at 32 bytes at a time, with one branch.
func PlainASCII(b []byte) bool {
	i := 0
	for ; i+32 <= len(b); i += 32 {
		w := b[i : i+32 : i+32]
		if bad8(binary.LittleEndian.Uint64(w))|bad8(binary.LittleEndian.Uint64(w[8:]))|
			bad8(binary.LittleEndian.Uint64(w[16:]))|bad8(binary.LittleEndian.Uint64(w[24:])) != 0 {
			return false
		}
	}
	for ; i+8 <= len(b); i += 8 {
		if !plain8(binary.LittleEndian.Uint64(b[i:])) {
			return false
		}
	}
	for _, c := range b[i:] {
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// plain8 reports whether none of the eight bytes of x is below 0x20, 0x7f
// or above, '"' or '\\' (the classic SWAR tests: a byte less than n, a
// zero byte after XOR with the byte sought; exact for the word as a whole).
func plain8(x uint64) bool { return bad8(x) == 0 }

// bad8 is zero when plain8(x) holds.
func bad8(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	del, quote, slash := x^0x7f*ones, x^'"'*ones, x^'\\'*ones
	bad := x | // 0x80 and above
		(x-0x20*ones)&^x | // below 0x20
		(del-ones)&^del | (quote-ones)&^quote | (slash-ones)&^slash // zero bytes
	return bad & highs
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
	n := s[d.i:i]
	d.i = i
	return d.box(n, numberType), true
}
