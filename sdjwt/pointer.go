package sdjwt

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// escapeToken escapes one JSON pointer reference token (RFC 6901 §3).
func escapeToken(s string) string {
	if strings.IndexByte(s, '~') < 0 && strings.IndexByte(s, '/') < 0 { // not ContainsAny: it builds a set per call
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// childPointer returns the pointer to member or element tok of ptr.
func childPointer(ptr, tok string) string {
	return ptr + "/" + escapeToken(tok)
}

// parsePointer splits a JSON pointer (RFC 6901) into its unescaped
// reference tokens. The whole-document pointer "" is refused: only
// members and elements can be disclosable.
func parsePointer(p string) ([]string, error) {
	if p == "" || p[0] != '/' {
		return nil, fmt.Errorf("JSON pointer %q must start with '/'", truncate(p))
	}
	toks := strings.Split(p[1:], "/")
	for i, t := range toks {
		for j := 0; j < len(t); j++ {
			if t[j] == '~' && (j+1 == len(t) || t[j+1] != '0' && t[j+1] != '1') {
				return nil, fmt.Errorf("JSON pointer %q has a '~' not followed by '0' or '1'", truncate(p))
			}
		}
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return toks, nil
}

// arrayIndex reads tok as an index of an array of n elements.
func arrayIndex(tok string, n int) (int, bool) {
	if tok == "" || len(tok) > 1 && tok[0] == '0' {
		return 0, false
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] < '0' || tok[i] > '9' {
			return 0, false
		}
	}
	i, err := strconv.Atoi(tok)
	if err != nil || i >= n {
		return 0, false
	}
	return i, true
}

// canonicalPointer checks that p names a member or element of doc and
// returns it in canonical form.
func canonicalPointer(doc map[string]any, p string) (string, error) {
	toks, err := parsePointer(p)
	if err != nil {
		return "", fail(http.StatusBadRequest, CodeInvalidPointer, "%v", err)
	}
	var cur any = doc
	out := ""
	for _, t := range toks {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[t]
			if !ok {
				return "", fail(http.StatusBadRequest, CodeInvalidPointer, "JSON pointer %q names no claim: no member %q", truncate(p), truncate(t))
			}
			cur = next
		case []any:
			i, ok := arrayIndex(t, len(v))
			if !ok {
				return "", fail(http.StatusBadRequest, CodeInvalidPointer, "JSON pointer %q names no claim: %q is not an index of an array of %d elements", truncate(p), truncate(t), len(v))
			}
			cur = v[i]
		default:
			return "", fail(http.StatusBadRequest, CodeInvalidPointer, "JSON pointer %q names no claim: it goes through a value that is neither an object nor an array", truncate(p))
		}
		out = childPointer(out, t)
	}
	return out, nil
}

func truncate(s string) string {
	if len(s) <= 128 {
		return s
	}
	return s[:128] + "…"
}
