package api

import (
	"bytes"
	"errors"
	"net/url"
	"testing"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/txn"
)

func TestStateProofKeys_QueryAndBody(t *testing.T) {
	keys, err := StateProofQueryKeys(url.Values{"key": {"chain/init"}, "key64": {"AP94"}})
	if err != nil || len(keys) != 2 || string(keys[0]) != "chain/init" || !bytes.Equal(keys[1], []byte{0, 0xff, 'x'}) {
		t.Fatalf("query: %q %v", keys, err)
	}
	if _, err := StateProofQueryKeys(url.Values{"key64": {"AP94="}}); !isCode(err, "state.badKey") {
		t.Fatalf("padded key64: %v", err)
	}
	keys, err = ParseStateProofRequest([]byte(`{"keys64":["Y2hhaW4vaW5pdA","AP94"]}`))
	if err != nil || len(keys) != 2 || string(keys[0]) != "chain/init" {
		t.Fatalf("body: %q %v", keys, err)
	}
	for body, code := range map[string]string{
		`{}`: "state.badKey", `{"keys64":[]}`: "state.badKey", `{"keys64":["*"]}`: "state.badKey",
		`{"keys64":[""]}`: "state.badKey", `{"keys64":["YQ"],"x":1}`: "request.malformed",
		`null`: "request.malformed", `{"keys64":null}`: "state.badKey", `[]`: "request.malformed",
	} {
		if _, err := ParseStateProofRequest([]byte(body)); !isCode(err, code) {
			t.Errorf("%s: %v, want %s", body, err, code)
		}
	}
}

func isCode(err error, code string) bool {
	var e *errs.Error
	return errors.As(err, &e) && e.Code == code && e.Status == 400
}

// FuzzStateProofRequest: any body is keys that are each 1 to
// txn.MaxStateKey bytes, at most MaxStateProofBodyKeys of them; or a 400
// naming what is wrong.
func FuzzStateProofRequest(f *testing.F) {
	for _, s := range []string{`{"keys64":["Y2hhaW4vaW5pdA","AP94"]}`, `{}`, `{"keys64":[""]}`, `{"keys64":["YQ"],"keys64":["YQ"]}`, "{\"keys64\":[\"\xff\"]}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		keys, err := ParseStateProofRequest(body)
		if err != nil {
			var e *errs.Error
			if !errors.As(err, &e) || e.Status != 400 || e.Detail == "" {
				t.Fatalf("%q: %v", body, err)
			}
			return
		}
		if len(keys) == 0 || len(keys) > MaxStateProofBodyKeys {
			t.Fatalf("%d keys", len(keys))
		}
		for _, k := range keys {
			if len(k) == 0 || len(k) > txn.MaxStateKey {
				t.Fatalf("key %q of %q", k, body)
			}
		}
	})
}
