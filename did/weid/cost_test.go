package weid_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/did/weid"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
)

type countingReader struct {
	r     chain.Reader
	reads int
}

func (c *countingReader) Get(k []byte) ([]byte, bool, error) {
	c.reads++
	return c.r.Get(k)
}

// Resolving a DID reads the same number of keys whatever its history
// (WeIdentity's first design replayed event logs and slowed with every update).
func TestResolve_CostDoesNotGrowWithHistory(t *testing.T) {
	ctx := context.Background()
	n, err := node.Open(node.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	k, _ := keys.Generate(keys.Ed25519)
	d := did.WeidDID(n.ChainID, k.Public())
	submit := func(typ string, p any) {
		t.Helper()
		tx, err := node.SignTx(n.ChainID, d+"#key-1", k, typ, p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n.Submit(ctx, tx, false); err != nil {
			t.Fatal(err)
		}
	}
	submit(did.TxCreate, &did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()})
	readsAt := map[int]int{}
	for v := 1; v <= 121; v++ {
		if v == 1 || v == 11 || v == 121 {
			c := &countingReader{r: n.Ledger}
			r, ok, err := weid.Latest(c, d)
			if err != nil || !ok || r.Version != uint64(v) {
				t.Fatalf("version %d: %v %v %+v", v, err, ok, r)
			}
			readsAt[v] = c.reads
		}
		if v%2 == 1 {
			svc := did.Service{ID: d + "#s", Type: "T", ServiceEndpoint: json.RawMessage(`"https://x.example"`)}
			submit(did.TxAddService, &did.AddServicePayload{DID: d, Service: svc})
		} else {
			submit(did.TxRemoveService, &did.RemoveServicePayload{DID: d, ID: "s"})
		}
	}
	if readsAt[1] != readsAt[121] || readsAt[1] > 2 {
		t.Fatalf("reads per resolution by version: %v, want the same, at most 2", readsAt)
	}
	// Every version is still there.
	for _, v := range []int{1, 60, 121} {
		res, err := n.Resolver.Resolve(ctx, d, did.Options{VersionID: fmt.Sprint(v)})
		if err != nil || res.DocumentMetadata.VersionID != fmt.Sprint(v) {
			t.Fatalf("version %d: %v", v, err)
		}
	}
}
