package grants_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/grants"
	"github.com/weidgo/weid/keys"
)

// FuzzParse: any string is a grant or an error, never a panic, and a
// parsed grant validates.
func FuzzParse(f *testing.F) {
	k, g := testGrant(f)
	tok, err := g.Sign(k, g.Grantor+"#key-1", "https://weid.example")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(tok)
	f.Add("")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := grants.Parse(s)
		if err != nil {
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("parsed grant does not validate: %v", err)
		}
	})
}

// FuzzParseProof: any string is a proof or an error, never a panic.
func FuzzParseProof(f *testing.F) {
	k, _ := keys.Generate(keys.Ed25519)
	tok, _ := grants.SignProof(k, "did:weid:1:0x00000000000000000000000000000000000000aa#key-1", "POST", "https://h/v1/exchange/r", []byte("{}"), "n", time.Unix(1e9, 0), time.Minute)
	f.Add(tok)
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := grants.ParseProof(s)
		if err != nil {
			return
		}
		_ = p.Check("POST", "https://h/v1/exchange/r", []byte("{}"), time.Unix(1e9, 0))
	})
}

// FuzzPayloads: any JSON decodes strictly into each grant payload or fails,
// and Validate never panics.
func FuzzPayloads(f *testing.F) {
	f.Add([]byte(`{"id":"urn:uuid:0b5e3c1a-8f0e-4c55-9a0b-7d1f2a3b4c5d"}`))
	f.Add([]byte(`{"grantId":"urn:uuid:0b5e3c1a-8f0e-4c55-9a0b-7d1f2a3b4c5d","claims":["a"],"request":"` + "00000000000000000000000000000000000000000000000000000000000000aa" + `"}`))
	f.Add([]byte(`{"grant":"a.b.c"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, p := range []chain.Payload{new(grants.RecordPayload), new(grants.RevokePayload), new(grants.AccessPayload)} {
			if chain.DecodeStrict(raw, p) == nil {
				_ = p.Validate()
				_, _ = json.Marshal(p)
			}
		}
	})
}
