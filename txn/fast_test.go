package txn

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/keys"
)

// TestDecodeTx_FastPath checks that transactions as clients send them —
// signed by Tx.Sign, serialized by encoding/json, wrapped in {"tx": …} — take
// the fast paths, and that the fast paths decline other forms.
func TestDecodeTx_FastPath(t *testing.T) {
	k := keytest.New(t, keys.Ed25519)
	payload, _ := json.Marshal(map[string]any{"key": "k", "value": "v é", "n": []any{1, -2, true, nil}, "o": map[string]any{"b": 1, "a": "x"}})
	tx := &Tx{ChainID: "test", Type: "test.put", From: "did:weid:test:0x0000000000000000000000000000000000000001#key-1", Nonce: 7, Payload: payload}
	if err := tx.Sign(k); err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(tx)
	if err != nil {
		t.Fatal(err)
	}
	fast, ok := decodeTxFast(raw)
	if !ok {
		t.Fatalf("a signed transaction does not take the fast path: %s", raw)
	}
	if fast.Hash() != tx.Hash() {
		t.Fatalf("fast path hash %s, signed %s", fast.Hash(), tx.Hash())
	}
	body := append(append([]byte(`{"tx": `), raw...), '}')
	if v, ok := TxMember(body); !ok || !bytes.Equal(v, raw) {
		t.Fatalf("TxMember(%s) = %s, %v", body, v, ok)
	}
	for _, decline := range []string{
		strings.Replace(string(raw), `"payload":{`, `"payload":{"z":1.5,`, 1),   // not canonical: a fraction
		strings.Replace(string(raw), `"payload":{`, `"payload":{"zz":"\n",`, 1), // an escape
		strings.Replace(string(raw), `"payload":{`, `"payload":{"zz":1,"a0":1,`, 1),
		strings.Replace(string(raw), `"nonce":`, `"nonce":0`, 1),
		strings.Replace(string(raw), `"from"`, `"From"`, 1),
		string(raw) + " x",
	} {
		if _, ok := decodeTxFast([]byte(decline)); ok {
			t.Errorf("fast path accepts %s", decline)
		}
	}
	for _, decline := range []string{`{"tx":{},"keyType":"P-256"}`, `{"tx":[]}`, `{"tx":{}`, `{}`} {
		if _, ok := TxMember([]byte(decline)); ok {
			t.Errorf("TxMember accepts %s", decline)
		}
	}
}
