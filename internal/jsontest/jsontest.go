// Package jsontest builds JSON documents for tests: variants of a
// document with some members replaced or removed. It is for tests only.
package jsontest

import (
	"encoding/json"
	"testing"
)

// MergePatch applies patch to doc at the top level the way a JSON Merge
// Patch (RFC 7396 §2) does — each member of patch set in doc, a nil one
// removed from it, doc changed in place — and returns doc's JSON, failing t
// if it has none.
// Unlike RFC 7396 it does not merge nested objects: a member of patch
// replaces doc's whole.
func MergePatch(t testing.TB, doc, patch map[string]any) []byte {
	t.Helper()
	for k, v := range patch {
		if v == nil {
			delete(doc, k)
		} else {
			doc[k] = v
		}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
