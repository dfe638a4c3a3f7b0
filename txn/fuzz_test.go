package txn

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gowebpki/jcs"

	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/keys"
)

// fuzzSeeds returns signed transactions of each key type and near misses of
// each rule DecodeTx enforces.
func fuzzSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	for _, typ := range []keys.Type{keys.Ed25519, keys.P256, keys.Secp256k1} {
		k := keytest.New(f, typ)
		payload, _ := json.Marshal(map[string]any{
			"key": "k<&>", "value": "v\u2028é\U0001F600\"\\\n", "pub": k.Public().Multibase(),
			"n": []any{1e21, 1e-7, 0.5, 9007199254740993.0}, "nested": map[string]any{"b": nil, "a": true},
		})
		tx := &Tx{ChainID: "test", Type: "test.put", From: "did:weid:test:0x0000000000000000000000000000000000000001#key-1", Nonce: 1, Payload: payload}
		if err := tx.Sign(k); err != nil {
			f.Fatal(err)
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(tx); err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	}
	valid := string(seeds[0])
	seeds = append(seeds,
		[]byte(`{"chainId":"c","type":"t","from":"did:x:y#k","nonce":9007199254740991,"payload":{},"signature":"AA"}`),
		[]byte(`{"chainId":"c","type":"t","from":"did:x:y#k","nonce":9007199254740992,"payload":{},"signature":"AA"}`),
		[]byte(` {"signature":"AA","payload":{ "b" : [1E21, "\u003c", "\uD83D\uDE00"], "a":{} },"nonce":0,"from":"a&b","type":"t","chainId":"c"} `),
		[]byte(`{"chainId":"c","type":"t","from":"f","nonce":1,"payload":{"a":"\ud800"},"signature":"AA"}`),
		[]byte(`{"chainId":"c","type":"t","from":"f","nonce":1,"payload":{"a":1,"a":2},"signature":"AA"}`),
		[]byte(`{"chainId":"c","type":"t","from":"f","nonce":1,"payload":[],"signature":"AA"}`),
		[]byte(`{"chainId":"c","type":"t","from":"f","nonce":1,"payload":{"a":1e400},"signature":"AA"}`),
		[]byte(`{"chainId":"c","type":"t","from":"f","nonce":1,"payload":{"a":"\xff"},"signature":"AA"}`),
		[]byte(`{"chainId":"c c","type":"t","from":"f","nonce":1,"payload":{},"signature":"AA"}`),
		[]byte(`{"chainId":"c","type":"t","from":"f","nonce":1,"payload":{}}`),
		[]byte(`{"chainId":"c","type":"t","from":"f","nonce":1,"payload":{},"signature":"AA","x":1}`),
		[]byte(`{"CHAINID":"c","type":"t","from":"f","nonce":1,"payload":{},"signature":"AA"}`),
		[]byte(`{"chainId":"a","chainId":"c","type":"t","from":"f","nonce":1,"payload":{},"signature":"AA"}`),
		[]byte(valid+"{}"),
		[]byte(valid[:len(valid)/2]),
		[]byte(strings.Replace(valid, `"nonce":`, `"nonce":-`, 1)),
		[]byte(strings.Replace(valid, `"payload":{`, `"payload":{"a":[[[[[{"b":"\u0000"}]]]]],`, 1)),
		[]byte(`{"chainId":"c","type":"t","from":"f","nonce":1,"payload":{},"signature":"AA","validUntil":"2026-12-05T10:00:00Z"}`),
		[]byte(`{"chainId":"c","type":"t","from":"f","nonce":1,"payload":{},"signature":"AA","validUntil":"42"}`),
		[]byte(`{"chainId":"c","type":"t","from":"f","nonce":1,"payload":{},"signature":"AA","validUntil":""}`),
		[]byte(`{"chainId":"c","type":"t","from":"f","nonce":1,"payload":{},"signature":"AA","validUntil":"042"}`),
		[]byte(`{"chainId":"c","type":"t","from":"f","nonce":1,"payload":{},"signature":"AA","validUntil":7}`),
		[]byte(""),
		[]byte("null"),
	)
	return seeds
}

// FuzzDecodeTx checks that DecodeTx never panics, and that whatever it
// accepts has a canonical form that is a fixed point: RFC 8785 leaves it
// unchanged, and decoding it again gives the same transaction and hash.
func FuzzDecodeTx(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		// The fast path accepts nothing the general path refuses, and
		// decodes alike.
		if fast, ok := decodeTxFast(raw); ok {
			general, err := decodeTxGeneral(raw)
			if err != nil {
				t.Fatalf("fast path accepts %q, the general path refuses it: %v", raw, err)
			}
			if !reflect.DeepEqual(fast, general) {
				t.Fatalf("fast path decodes %q to %+v, the general path to %+v", raw, fast, general)
			}
		}
		tx, err := DecodeTx(raw)
		if err != nil {
			if tx != nil {
				t.Fatalf("DecodeTx returned a transaction with error %v", err)
			}
			return
		}
		canon := tx.Canonical()
		hash := tx.Hash()
		if hash != tx.Hash() || !bytes.Equal(canon, tx.Canonical()) {
			t.Fatal("Hash or Canonical is not stable")
		}
		if j, err := jcs.Transform(canon); err != nil || !bytes.Equal(j, canon) {
			t.Fatalf("Canonical() %q is not its own RFC 8785 form %q (%v)", canon, j, err)
		}
		again, err := DecodeTx(canon)
		if err != nil {
			t.Fatalf("DecodeTx(%q) accepted, its canonical form %q is refused: %v", raw, canon, err)
		}
		if again.Hash() != hash || !bytes.Equal(again.Canonical(), canon) {
			t.Fatalf("canonical form %q re-decodes to %q", canon, again.Canonical())
		}
		if again.ChainID != tx.ChainID || again.Type != tx.Type || again.From != tx.From ||
			again.Nonce != tx.Nonce || again.Signature != tx.Signature || !bytes.Equal(again.Payload, tx.Payload) {
			t.Fatalf("re-decoded %+v, first %+v", again, tx)
		}
		if _, err := tx.SigningBytes(); err != nil {
			t.Fatalf("accepted transaction has no signing bytes: %v", err)
		}
	})
}

// FuzzTxMember checks that TxMember, the fast path for request bodies
// {"tx": {…}}, agrees with strict decoding of the body whenever DecodeTx
// accepts what it returns (what DecodeTx refuses is refused either way,
// with DecodeTx's error), and that
// canonicalJSON claims canonical only what RFC 8785 leaves unchanged.
func FuzzTxMember(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add([]byte(`{"tx":` + string(s) + `}`))
		f.Add(s)
	}
	for _, s := range []string{`{"tx":{}}`, ` { "tx" : {"a":[1,{"b":"}"}]} } `, `{"tx":{},"tx":{}}`, `{"tx":[]}`, `{"TX":{}}`,
		`{"a":-0,"b":1.5,"c":[true,false,null],"d":"é","é":1}`, `{"b":1,"a":2}`, `{"a":100000000000000000000}`, `{"a":""}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if v, ok := TxMember(body); ok {
			if _, err := DecodeTx(v); err != nil {
				return
			}
			var req struct {
				Tx json.RawMessage `json:"tx"`
			}
			if err := DecodeStrict(body, &req); err != nil {
				t.Fatalf("TxMember accepts %q, DecodeStrict refuses it: %v", body, err)
			}
			if !bytes.Equal(v, req.Tx) {
				t.Fatalf("TxMember(%q) = %q, DecodeStrict %q", body, v, req.Tx)
			}
		}
		if utf8.Valid(body) && canonicalJSON(body) {
			j, err := jcs.Transform(body)
			if err != nil || !bytes.Equal(j, body) {
				t.Fatalf("canonicalJSON claims %q canonical, RFC 8785 gives %q (%v)", body, j, err)
			}
		}
	})
}

// FuzzCheckMembers: the member scanner never panics or loops, whatever the
// bytes, and agrees with encoding/json on repeated members of valid JSON.
func FuzzCheckMembers(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `{"a":1,"a":2}`, `[}`, `{"a":[1,2,{"b":"\""}]}`, `{"`, `[1,`, `{"a" 1}`, `"x`, ``, `{,}`, `[,]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = checkMembers(b, nil)
		_ = checkMembers(b, reflect.TypeFor[Tx]())
	})
}
