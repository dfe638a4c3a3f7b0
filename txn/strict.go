package txn

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// encoding/json matches member names case-insensitively and lets a repeated
// member overwrite an earlier one. A ledger must not: {"DID": …} or a second
// "did" would be read one way here and another way by a stricter verifier in
// another language. checkMembers walks the JSON and the Go type together and
// refuses repeated members and member names that are not exactly a field's
// JSON name.

var fieldNames sync.Map // reflect.Type → map[string]reflect.Type

var rawMessageType = reflect.TypeFor[json.RawMessage]()

func structFields(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldNames.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = f.Type
	}
	fieldNames.Store(t, m)
	return m
}

// checkMembers runs on JSON that encoding/json has already accepted, so it
// scans bytes without re-validating the grammar; on anything else it still
// returns (an error or nil) without panicking or looping, which
// FuzzCheckMembers checks.
func checkMembers(b []byte, t reflect.Type) error {
	sc := &memberScanner{b: b}
	return sc.value(t, "")
}

type memberScanner struct {
	b []byte
	i int
}

func (s *memberScanner) ws() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

// str reads a string starting at its opening quote and returns its value.
func (s *memberScanner) str() (string, error) {
	start := s.i
	s.i++
	escaped := false
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '\\':
			escaped = true
			s.i += 2
			continue
		case '"':
			s.i++
			if !escaped {
				return string(s.b[start+1 : s.i-1]), nil
			}
			var v string
			err := json.Unmarshal(s.b[start:s.i], &v)
			return v, err
		}
		s.i++
	}
	return "", fmt.Errorf("unterminated string")
}

func (s *memberScanner) value(t reflect.Type, path string) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == rawMessageType {
		t = nil // any JSON; only repeated members are checked
	}
	s.ws()
	if s.i >= len(s.b) {
		return fmt.Errorf("truncated JSON")
	}
	switch s.b[s.i] {
	case '{':
		s.i++
		var fields map[string]reflect.Type
		var elem reflect.Type
		if t != nil {
			switch t.Kind() {
			case reflect.Struct:
				fields = structFields(t)
			case reflect.Map:
				elem = t.Elem()
			}
		}
		seen := map[string]struct{}{}
		for {
			s.ws()
			if s.i < len(s.b) && s.b[s.i] == '}' {
				s.i++
				return nil
			}
			if s.i < len(s.b) && s.b[s.i] == ',' {
				s.i++
				s.ws()
			}
			if s.i >= len(s.b) || s.b[s.i] != '"' {
				return errMalformed
			}
			k, err := s.str()
			if err != nil {
				return err
			}
			if _, dup := seen[k]; dup {
				return fmt.Errorf("member %q appears twice in %s", k, orRoot(path))
			}
			seen[k] = struct{}{}
			ft := elem
			if fields != nil {
				var ok bool
				if ft, ok = fields[k]; !ok {
					return fmt.Errorf("unknown member %q in %s (member names are case-sensitive)", k, orRoot(path))
				}
			}
			s.ws()
			if s.i >= len(s.b) || s.b[s.i] != ':' {
				return errMalformed
			}
			s.i++
			if err := s.value(ft, path+"."+k); err != nil {
				return err
			}
		}
	case '[':
		s.i++
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for {
			s.ws()
			if s.i < len(s.b) && s.b[s.i] == ']' {
				s.i++
				return nil
			}
			if s.i < len(s.b) && s.b[s.i] == ',' {
				s.i++
			}
			start := s.i
			if err := s.value(elem, path+"[]"); err != nil {
				return err
			}
			if s.i == start {
				return errMalformed
			}
		}
	case '"':
		_, err := s.str()
		return err
	default: // number, true, false, null
		start := s.i
		for s.i < len(s.b) && !strings.ContainsRune(",]} \t\n\r", rune(s.b[s.i])) {
			s.i++
		}
		if s.i == start {
			return errMalformed
		}
		return nil
	}
}

var errMalformed = fmt.Errorf("malformed JSON")

func orRoot(path string) string {
	if path == "" {
		return "the object"
	}
	return strings.TrimPrefix(path, ".")
}
