package txn

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestDecodeStrict_TypeErrorsInJSONWords: a member of the wrong type is
// named with the JSON type it must have, never a Go type name the caller
// cannot act on ("api.StatusEntryUpdate", "struct { *txn.Tx; … }").
func TestDecodeStrict_TypeErrorsInJSONWords(t *testing.T) {
	type entry struct {
		Index uint64 `json:"index"`
	}
	type body struct {
		Status  entry           `json:"credentialStatus"`
		Names   []string        `json:"names"`
		Count   int             `json:"count"`
		Ratio   float64         `json:"ratio"`
		On      bool            `json:"on"`
		Name    string          `json:"name"`
		Blob    []byte          `json:"blob"`
		At      time.Time       `json:"at"`
		Extra   map[string]any  `json:"extra"`
		Pointer *entry          `json:"pointer"`
		Raw     json.RawMessage `json:"raw"`
	}
	for in, want := range map[string]string{
		`{"credentialStatus":[]}`:           "credentialStatus must be a JSON object, not JSON array",
		`{"names":{}}`:                      "names must be a JSON array, not JSON object",
		`{"count":"3"}`:                     "count must be an integer, not JSON string",
		`{"ratio":true}`:                    "ratio must be a number, not JSON bool",
		`{"on":1}`:                          "on must be a boolean, not JSON number",
		`{"name":5}`:                        "name must be a string, not JSON number",
		`{"extra":"x"}`:                     "extra must be a JSON object, not JSON string",
		`{"pointer":"x"}`:                   "pointer must be a JSON object, not JSON string",
		`{"credentialStatus":{"index":-1}}`: "credentialStatus.index must be a non-negative integer, not JSON number -1",
		`[]`:                                "value must be a JSON object, not JSON array",
	} {
		var b body
		err := DecodeStrict([]byte(in), &b)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", in, err, want)
		}
		if err != nil && strings.ContainsAny(err.Error(), "{}*") {
			t.Errorf("%s: %v names a Go type", in, err)
		}
	}
}
