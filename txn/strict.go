package txn

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"unicode"
)

// encoding/json matches member names case-insensitively and lets a repeated
// member overwrite an earlier one. A ledger must not: {"DID": …} or a second
// "did" would be read one way here and another way by a stricter verifier in
// another language. checkMembers walks the JSON and the Go type together and
// refuses repeated members and member names that are not exactly a field's
// JSON name.

var fieldNames sync.Map // reflect.Type → map[string]reflect.Type

var rawMessageType = reflect.TypeFor[json.RawMessage]()

// structFields returns the JSON member names of struct type t, each with
// its field's Go type: the names encoding/json reads and writes, by its
// rules for embedded structs (see Marshal). The fields of an embedded
// struct, or pointer to struct, without a JSON name are promoted; of the
// fields with one name the shallowest wins, then the one named by a JSON
// tag, and if that leaves more than one, none: encoding/json ignores the
// name, so the strict decoder refuses it as unknown. The walk is
// breadth-first, as encoding/json's, and runs once per type.
func structFields(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldNames.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	for name, candidates := range fieldCandidates(t) {
		if f, ok := dominantField(candidates); ok {
			m[name] = f.typ
		}
	}
	fieldNames.Store(t, m)
	return m
}

// A jsonField is a field that may carry a JSON member name: its type, how
// deep it is among embedded structs (0: a field of the type itself), and
// whether a JSON tag names it.
type jsonField struct {
	typ    reflect.Type
	depth  int
	tagged bool
}

// fieldCandidates walks t and the structs it embeds breadth-first, as
// encoding/json's typeFields does, and returns every field by the JSON
// name it would have. A struct type embedded more than once at one depth
// yields each of its fields twice, so that they cancel out as ambiguous.
func fieldCandidates(t reflect.Type) map[string][]jsonField {
	found := map[string][]jsonField{}
	visited := map[reflect.Type]bool{}
	next, nextCount := []reflect.Type{t}, map[reflect.Type]int{}
	for depth := 0; len(next) > 0; depth++ {
		current, count := next, nextCount
		next, nextCount = nil, map[reflect.Type]int{}
		for _, st := range current {
			if visited[st] {
				continue
			}
			visited[st] = true
			for i := 0; i < st.NumField(); i++ {
				f := st.Field(i)
				ft := f.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				// An unexported embedded struct may still have exported
				// fields to promote; any other unexported field is skipped.
				if !f.IsExported() && (!f.Anonymous || ft.Kind() != reflect.Struct) {
					continue
				}
				tag := f.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, _, _ := strings.Cut(tag, ",")
				if !validTagName(name) {
					name = ""
				}
				if name == "" && f.Anonymous && ft.Kind() == reflect.Struct {
					if nextCount[ft]++; nextCount[ft] == 1 {
						next = append(next, ft)
					}
					continue
				}
				jf := jsonField{typ: f.Type, depth: depth, tagged: name != ""}
				if name == "" {
					name = f.Name
				}
				found[name] = append(found[name], jf)
				if count[st] > 1 {
					found[name] = append(found[name], jf)
				}
			}
		}
	}
	return found
}

// dominantField picks among the fields of one JSON name the one
// encoding/json uses: the shallowest, then the tagged one; false if two
// remain.
func dominantField(fields []jsonField) (jsonField, bool) {
	best, ties := fields[0], 0
	for _, f := range fields[1:] {
		switch {
		case f.depth < best.depth || f.depth == best.depth && f.tagged && !best.tagged:
			best, ties = f, 0
		case f.depth == best.depth && f.tagged == best.tagged:
			ties++
		}
	}
	return best, ties == 0
}

// validTagName reports whether encoding/json takes name, from a JSON tag,
// as a member name (its isValidTag); it ignores a tag name with other
// characters and uses the field's name.
func validTagName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		if !strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c) && !unicode.IsLetter(c) && !unicode.IsDigit(c) {
			return false
		}
	}
	return true
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
	// lenient: a member t has no field for is any JSON (its repeats
	// still refused), not an error. rawUnchecked: a json.RawMessage
	// value is left to its reader, repeats and all. Both are off for
	// DecodeStrict, the ledger's decoder.
	lenient, rawUnchecked bool
	// skipping: inside a value left unchecked.
	skipping bool
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
		if s.rawUnchecked && !s.skipping {
			s.skipping = true
			defer func() { s.skipping = false }()
		}
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
			if s.ends('}') {
				return nil
			}
			if s.i >= len(s.b) || s.b[s.i] != '"' {
				return errMalformed
			}
			k, err := s.str()
			if err != nil {
				return err
			}
			if _, dup := seen[k]; dup && !s.skipping {
				return fmt.Errorf("member %q appears twice in %s", k, orRoot(path))
			}
			seen[k] = struct{}{}
			ft := elem
			if fields != nil {
				var ok bool
				if ft, ok = fields[k]; !ok && !s.lenient {
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
			if s.ends(']') {
				return nil
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

// ends steps over what comes before an object's next member or an
// array's next element (white space, a comma, white space) and reports
// whether instead the object or array ends there, stepping over end.
func (s *memberScanner) ends(end byte) bool {
	s.ws()
	if s.eat(end) {
		return true
	}
	if s.eat(',') {
		s.ws()
	}
	return false
}

var errMalformed = fmt.Errorf("malformed JSON")

func orRoot(path string) string {
	if path == "" {
		return "the object"
	}
	return strings.TrimPrefix(path, ".")
}
