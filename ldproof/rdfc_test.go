package ldproof

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// parseNQuads reads the N-Quads of the rdf-canon test suite (one quad a
// line, no comments) into quads.
func parseNQuads(s string) ([]quad, error) {
	var out []quad
	for n, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		var q quad
		rest := line
		for i := 0; ; i++ {
			rest = strings.TrimLeft(rest, " \t")
			if strings.HasPrefix(rest, ".") {
				break
			}
			if i > 3 {
				return nil, fmt.Errorf("line %d: too many terms", n+1)
			}
			t, r, err := parseTerm(rest)
			if err != nil {
				return nil, fmt.Errorf("line %d: %v", n+1, err)
			}
			q[i] = t
			rest = r
		}
		out = append(out, q)
	}
	return out, nil
}

func parseTerm(s string) (term, string, error) {
	switch {
	case strings.HasPrefix(s, "<"):
		end := strings.IndexByte(s, '>')
		if end < 0 {
			return term{}, "", errors.New("unterminated IRI")
		}
		v, err := unescapeN(s[1:end])
		return term{kind: termIRI, value: v}, s[end+1:], err
	case strings.HasPrefix(s, "_:"):
		end := strings.IndexAny(s, " \t")
		if end < 0 {
			return term{}, "", errors.New("unterminated blank node")
		}
		return term{kind: termBlank, value: s[2:end]}, s[end:], nil
	case strings.HasPrefix(s, `"`):
		i := 1
		for ; i < len(s) && s[i] != '"'; i++ {
			if s[i] == '\\' {
				i++
			}
		}
		if i >= len(s) {
			return term{}, "", errors.New("unterminated literal")
		}
		v, err := unescapeN(s[1:i])
		if err != nil {
			return term{}, "", err
		}
		t := term{kind: termLiteral, value: v}
		rest := s[i+1:]
		switch {
		case strings.HasPrefix(rest, "^^<"):
			end := strings.IndexByte(rest, '>')
			if end < 0 {
				return term{}, "", errors.New("unterminated datatype")
			}
			if t.datatype, err = unescapeN(rest[3:end]); err != nil {
				return term{}, "", err
			}
			rest = rest[end+1:]
		case strings.HasPrefix(rest, "@"):
			end := strings.IndexAny(rest, " \t")
			t.lang, t.datatype = rest[1:end], rdfLangString
			rest = rest[end:]
		}
		return t, rest, nil
	}
	return term{}, "", fmt.Errorf("bad term at %q", s)
}

func unescapeN(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 't':
			b.WriteByte('\t')
		case 'b':
			b.WriteByte('\b')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'f':
			b.WriteByte('\f')
		case '"', '\'', '\\':
			b.WriteByte(s[i])
		case 'u', 'U':
			n := 4
			if s[i] == 'U' {
				n = 8
			}
			if i+n >= len(s) {
				return "", errors.New("short UCHAR")
			}
			r, err := strconv.ParseUint(s[i+1:i+1+n], 16, 32)
			if err != nil {
				return "", err
			}
			b.WriteRune(rune(r))
			i += n
		default:
			return "", fmt.Errorf("bad escape \\%c", s[i])
		}
	}
	return b.String(), nil
}

// TestRDFCanonManifest runs every test of the W3C RDFC-1.0 test suite
// (testdata/rdf-canon, github.com/w3c/rdf-canon): canonical N-Quads for
// the evaluation tests, issued identifiers for the map tests, and a
// refusal for the poison graph.
func TestRDFCanonManifest(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("testdata", "rdf-canon")
	b, err := os.ReadFile(filepath.Join(dir, "manifest.jsonld"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Entries []struct {
			ID, Type, Action, Result, HashAlgorithm string
		} `json:"entries"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var eval, maps, neg int
	for _, e := range m.Entries {
		in, err := os.ReadFile(filepath.Join(dir, e.Action))
		if err != nil {
			t.Fatal(err)
		}
		qs, err := parseNQuads(string(in))
		if err != nil {
			t.Fatalf("%s: %v", e.ID, err)
		}
		newHash := sha256New
		if e.HashAlgorithm == "SHA384" {
			newHash = sha512.New384
		}
		start := time.Now()
		got, issued, err := canonicalizeWith(qs, newHash)
		switch e.Type {
		case "rdfc:RDFC10NegativeEvalTest":
			neg++
			if !errors.Is(err, errTooComplex) {
				t.Errorf("%s: err = %v, want errTooComplex", e.ID, err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("%s: refusing took %v", e.ID, d)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", e.ID, err)
			continue
		}
		want, err := os.ReadFile(filepath.Join(dir, e.Result))
		if err != nil {
			t.Fatal(err)
		}
		switch e.Type {
		case "rdfc:RDFC10EvalTest":
			eval++
			if string(got) != string(want) {
				t.Errorf("%s:\n got %s\nwant %s", e.ID, got, want)
			}
		case "rdfc:RDFC10MapTest":
			maps++
			var wm map[string]string
			if err := json.Unmarshal(want, &wm); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(wm) != fmt.Sprint(issued) {
				t.Errorf("%s: issued %v, want %v", e.ID, issued, wm)
			}
		default:
			t.Errorf("%s: unknown test type %s", e.ID, e.Type)
		}
	}
	t.Logf("RDFC-1.0: %d evaluation, %d map, %d negative tests", eval, maps, neg)
	if eval+maps+neg != len(m.Entries) || eval < 60 {
		t.Errorf("ran %d of %d tests", eval+maps+neg, len(m.Entries))
	}
}

var sha256New = sha256.New
