package txn

import (
	"encoding/json"
	"testing"
)

// benchTx is a transaction the fast decoder declines (its payload's members
// are not in canonical order), so that DecodeTx takes the strict general path.
const benchTx = `{"chainId":"c","type":"t.put","from":"did:weid:test:0x0000000000000000000000000000000000000001#key-1","nonce":1,` +
	`"payload":{"hash":"0xabc","logs":["a","b"],"extras":{"k":"v"}},"signature":"AAAA"}`

// BenchmarkDecodeTxGeneral measures DecodeTx's strict path: encoding/json
// and the member checks of checkMembers over Tx.
func BenchmarkDecodeTxGeneral(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeTx([]byte(benchTx)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeStrict measures DecodeStrict on a custodial request body
// with nested objects and arrays, as httpx.Decode reads one.
func BenchmarkDecodeStrict(b *testing.B) {
	type entry struct {
		Op     string            `json:"op"`
		Hash   string            `json:"hash"`
		Extras map[string]string `json:"extras,omitempty"`
	}
	type body struct {
		Tx     json.RawMessage `json:"tx,omitempty"`
		Signer string          `json:"signer,omitempty"`
		Items  []entry         `json:"items,omitempty"`
	}
	in := []byte(`{"signer":"did:weid:test:0x0000000000000000000000000000000000000001","items":[` +
		`{"op":"create","hash":"0x01","extras":{"a":"b"}},{"op":"sign","hash":"0x02"}]}`)
	b.ReportAllocs()
	for b.Loop() {
		var v body
		if err := DecodeStrict(in, &v); err != nil {
			b.Fatal(err)
		}
	}
}
