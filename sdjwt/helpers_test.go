package sdjwt

import (
	"encoding/json"
	"testing"
)

// The helpers of both test packages, sdjwt and sdjwt_test (exported for
// the second).

// Normalize re-encodes v as generic JSON (float64 numbers).
func Normalize(t testing.TB, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// RewriteJSON copies the decoded JSON value v, its objects and arrays at
// any depth, passing each value in it through f first: f is told the name
// of the member the value is ("" for an array element and for v itself)
// and answers the value to put in its place, whether to copy on into that
// value's own members and elements, and whether to leave the member out
// (ignored but for object members).
func RewriteJSON(v any, f func(name string, v any) (out any, descend, drop bool)) any {
	out, descend, _ := f("", v)
	if !descend {
		return out
	}
	return rewriteInside(out, f)
}

// rewriteInside is RewriteJSON of v's members or elements.
func rewriteInside(v any, f func(string, any) (any, bool, bool)) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			e, descend, drop := f(k, e)
			if drop {
				continue
			}
			if descend {
				e = rewriteInside(e, f)
			}
			out[k] = e
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			e, descend, _ := f("", e)
			if descend {
				e = rewriteInside(e, f)
			}
			out[i] = e
		}
		return out
	}
	return v
}
