package evidence_test

import (
	"encoding/json"
	"testing"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/evidence"
)

const fuzzHash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

var payloadSeeds = []string{
	`{"hash":"` + fuzzHash + `","signer":"did:weid:1:0x5b2c3e0f4b9d2a51c6b0c8e1f7a4d3e2b1c0a9f8#key-1","signature":"` +
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" + `","logs":["a"],"extras":{"k":"v"},"key":"x"}`,
	`{"hash":"` + fuzzHash + `","did":"did:weid:1:0x5b2c3e0f4b9d2a51c6b0c8e1f7a4d3e2b1c0a9f8"}`,
	`{"hash":"` + fuzzHash + `","logs":["a","b\tc"]}`,
	`{"items":[{"op":"create","hash":"` + fuzzHash + `","signer":"did:weid:1:0x5b2c3e0f4b9d2a51c6b0c8e1f7a4d3e2b1c0a9f8#key-1","signature":"AA"}]}`,
	`{"items":[{"op":"sign","hash":"","signer":"","signature":"","key":"k"}]}`,
	`{"hash":"` + fuzzHash + `","hash":"x"}`,
	`{"extras":{"a":"1","a":"2"}}`,
	`{"logs":["\u0000"]}`,
	`{}`, `[]`, `null`, `{"items":null}`,
}

// FuzzPayloads decodes arbitrary bytes as each evidence payload, as
// chain.Registry.CheckTx does: decoding and validation never panic, every
// refusal is a 400 *errs.Error, and a payload that validates survives a
// round trip through JSON and validates again.
func FuzzPayloads(f *testing.F) {
	for _, s := range payloadSeeds {
		f.Add([]byte(s))
	}
	news := []func() chain.Payload{
		func() chain.Payload { return new(evidence.CreatePayload) },
		func() chain.Payload { return new(evidence.SignPayload) },
		func() chain.Payload { return new(evidence.RevokePayload) },
		func() chain.Payload { return new(evidence.LogPayload) },
		func() chain.Payload { return new(evidence.BatchPayload) },
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, np := range news {
			p := np()
			if err := chain.DecodeStrict(b, p); err != nil {
				continue
			}
			err := p.Validate()
			if err != nil {
				if e, ok := errs.As(err); !ok || e.Status != 400 {
					t.Fatalf("%T: Validate error %v is not a 400 *errs.Error", p, err)
				}
				continue
			}
			raw, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			q := np()
			if err := chain.DecodeStrict(raw, q); err != nil {
				t.Fatalf("%T: re-decoding %s: %v", p, raw, err)
			}
			if err := q.Validate(); err != nil {
				t.Fatalf("%T: %s validated once, not again: %v", p, raw, err)
			}
			// PreVerify on an empty state finds no keys and must not panic.
			evidence.PreVerify(emptyState{}, q)
		}
	})
}

type emptyState struct{}

func (emptyState) Get([]byte) ([]byte, bool, error) { return nil, false, nil }

// FuzzValidHash: only 64 lowercase hex characters are hashes.
func FuzzValidHash(f *testing.F) {
	f.Add(fuzzHash)
	f.Add("")
	f.Add("G" + fuzzHash[1:])
	f.Fuzz(func(t *testing.T, s string) {
		err := evidence.ValidHash(s)
		ok := len(s) == 64
		for i := 0; ok && i < len(s); i++ {
			ok = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')
		}
		if ok != (err == nil) {
			t.Fatalf("ValidHash(%q) = %v", s, err)
		}
	})
}
