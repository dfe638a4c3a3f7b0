package txn

import (
	"bytes"
	"unicode/utf8"
)

// The fast paths below read the form in which clients send transactions —
// the envelope members once each, strings without escapes, a payload
// object already in canonical form — in one pass and without allocating
// more than the result. They accept nothing the general path (encoding/json
// with the strict member checks, jcs.Transform) refuses and give the same
// result; on anything else they decline, and the general path decodes and
// says what is wrong. FuzzDecodeTx checks both claims.

// decodeTxFast is DecodeTx's fast path.
func decodeTxFast(raw []byte) (*Tx, bool) {
	s := memberScanner{b: raw}
	s.ws()
	if !s.eat('{') {
		return nil, false
	}
	var tx Tx
	var seen [7]bool
	for n := 0; ; n++ {
		s.ws()
		if n > 0 {
			if s.eat('}') {
				break
			}
			if !s.eat(',') {
				return nil, false
			}
			s.ws()
		}
		name, ok := s.memberName()
		if !ok {
			return nil, false
		}
		var f int
		switch name {
		case "chainId":
			f = 0
			tx.ChainID, ok = s.plainString()
		case "type":
			f = 1
			tx.Type, ok = s.plainString()
		case "from":
			f = 2
			tx.From, ok = s.plainString()
		case "nonce":
			f = 3
			tx.Nonce, ok = s.uint()
		case "payload":
			f = 4
			tx.Payload, ok = s.object()
		case "signature":
			f = 5
			tx.Signature, ok = s.plainString()
		case "validUntil":
			f = 6
			tx.ValidUntil, ok = s.plainString()
			ok = ok && tx.ValidUntil != ""
		default:
			return nil, false
		}
		if !ok || seen[f] {
			return nil, false
		}
		seen[f] = true
	}
	s.ws()
	if s.i != len(s.b) || !seen[4] || tx.Signature == "" {
		return nil, false
	}
	if checkEnvelopeStrings(&tx) != nil || !utf8.Valid(tx.Payload) || !canonicalJSON(tx.Payload) {
		return nil, false
	}
	tx.Payload = bytes.Clone(tx.Payload) // the caller may reuse raw
	return &tx, true
}

// TxMember returns the value of a request body of the form {"tx": {…}}:
// one member, "tx", whose value is an object, checked only for its JSON
// syntax: repeated members and the rest are DecodeTx's to refuse. It
// returns false for any other body.
func TxMember(body []byte) ([]byte, bool) {
	s := memberScanner{b: body}
	s.ws()
	if !s.eat('{') {
		return nil, false
	}
	s.ws()
	if name, ok := s.memberName(); !ok || name != "tx" {
		return nil, false
	}
	tx, ok := s.object()
	if !ok {
		return nil, false
	}
	s.ws()
	if !s.eat('}') {
		return nil, false
	}
	s.ws()
	if s.i != len(s.b) {
		return nil, false
	}
	return tx, true
}

func (s *memberScanner) eat(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// memberName reads a member's name, a plainString, and the colon after it,
// with the white space before and after the colon.
func (s *memberScanner) memberName() (string, bool) {
	name, ok := s.plainString()
	if !ok {
		return "", false
	}
	s.ws()
	if !s.eat(':') {
		return "", false
	}
	s.ws()
	return name, true
}

// object reads an object, checked as objectEnd checks it, and returns it.
func (s *memberScanner) object() ([]byte, bool) {
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return nil, false
	}
	end, ok := objectEnd(s.b, s.i)
	if !ok {
		return nil, false
	}
	v := s.b[s.i:end]
	s.i = end
	return v, true
}

// plainString reads a string of printable ASCII characters without
// escapes (the only strings an envelope may hold).
func (s *memberScanner) plainString() (string, bool) {
	if !s.eat('"') {
		return "", false
	}
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return string(s.b[start : s.i-1]), true
		case c < 0x20 || c > 0x7e || c == '\\':
			return "", false
		}
		s.i++
	}
	return "", false
}

// uint reads a JSON integer of at most 16 digits without sign, fraction or
// exponent (nonces are below 2^53).
func (s *memberScanner) uint() (uint64, bool) {
	start := s.i
	var v uint64
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		v = v*10 + uint64(s.b[s.i]-'0')
		s.i++
	}
	n := s.i - start
	if n == 0 || n > 16 || (n > 1 && s.b[start] == '0') {
		return 0, false
	}
	return v, true
}

// objectEnd returns the index just past the JSON object that starts at
// b[i] == '{', checking its syntax (strings, escapes, nesting up to 64
// levels; numbers and literals only as runs of their characters, which the
// caller's full decode checks), or false.
func objectEnd(b []byte, i int) (int, bool) {
	var stack [64]byte
	depth := 0
	for i < len(b) {
		c := b[i]
		switch c {
		case '{', '[':
			if depth == len(stack) {
				return 0, false
			}
			stack[depth] = c + 2 // '}' or ']'
			depth++
			i++
		case '}', ']':
			if depth == 0 || stack[depth-1] != c {
				return 0, false
			}
			depth--
			i++
			if depth == 0 {
				return i, true
			}
		case '"':
			i++
			for {
				if i >= len(b) {
					return 0, false
				}
				c := b[i]
				if c == '"' {
					i++
					break
				}
				if c < 0x20 {
					return 0, false
				}
				if c == '\\' {
					if i+1 >= len(b) {
						return 0, false
					}
					switch b[i+1] {
					case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
						i += 2
					case 'u':
						if i+6 > len(b) || !isHex4(b[i+2:i+6]) {
							return 0, false
						}
						i += 6
					default:
						return 0, false
					}
					continue
				}
				i++
			}
		default:
			if depth == 0 {
				return 0, false
			}
			i++
		}
	}
	return 0, false
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// canonicalJSON reports whether p, valid UTF-8, is already in RFC 8785
// (JCS) form, conservatively: no whitespace; members in ascending order of
// their names, which must be ASCII without escapes (byte order is then
// UTF-16 order); strings without escapes or control characters; numbers
// that are integers of at most 15 digits (printed alike by every double
// serializer), not -0; nesting up to 64 levels. False means "not known to
// be canonical", and the caller canonicalizes with jcs.Transform.
func canonicalJSON(p []byte) bool {
	s := memberScanner{b: p}
	return s.canonicalValue(0) && s.i == len(p)
}

func (s *memberScanner) canonicalValue(depth int) bool {
	if s.i >= len(s.b) || depth > 64 {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '{':
		s.i++
		if s.eat('}') {
			return true
		}
		var prev []byte
		for n := 0; ; n++ {
			if n > 0 {
				if s.eat('}') {
					return true
				}
				if !s.eat(',') {
					return false
				}
			}
			start := s.i
			if _, ok := s.plainString(); !ok {
				return false
			}
			name := s.b[start+1 : s.i-1]
			if n > 0 && bytes.Compare(prev, name) >= 0 {
				return false
			}
			prev = name
			if !s.eat(':') || !s.canonicalValue(depth+1) {
				return false
			}
		}
	case c == '[':
		s.i++
		if s.eat(']') {
			return true
		}
		for n := 0; ; n++ {
			if n > 0 {
				if s.eat(']') {
					return true
				}
				if !s.eat(',') {
					return false
				}
			}
			if !s.canonicalValue(depth + 1) {
				return false
			}
		}
	case c == '"':
		s.i++
		for s.i < len(s.b) {
			c := s.b[s.i]
			if c == '"' {
				s.i++
				return true
			}
			if c < 0x20 || c == '\\' {
				return false
			}
			s.i++
		}
		return false
	case c == '-' || c >= '0' && c <= '9':
		start := s.i
		s.eat('-')
		digits := s.i
		for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
			s.i++
		}
		n := s.i - digits
		if n == 0 || n > 15 || (n > 1 && s.b[digits] == '0') {
			return false
		}
		if s.b[start] == '-' && n == 1 && s.b[digits] == '0' {
			return false // -0 is serialized 0
		}
		return true
	default:
		for _, lit := range [...]string{"true", "false", "null"} {
			if bytes.HasPrefix(s.b[s.i:], []byte(lit)) {
				s.i += len(lit)
				return true
			}
		}
		return false
	}
}
