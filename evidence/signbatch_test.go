package evidence_test

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/evidence"
	"github.com/weidgo/weid/keys"
)

// TestSignBatch_SignsEachEntryAndBoundsTheBatch: a custodial batch carries
// each entry signed by its signer, validates, and none or too many entries
// are refused before any signing.
func TestSignBatch_SignsEachEntryAndBoundsTheBatch(t *testing.T) {
	t.Parallel()
	k, _ := keys.Generate(keys.Ed25519)
	vm := did.WeidDID("1", k.Public()) + "#key-1"
	sum := sha256.Sum256([]byte("diploma"))
	h := hex.EncodeToString(sum[:])
	p, err := evidence.SignBatch(k, vm, []api.EvidenceBatchEntry{{Op: evidence.OpCreate, Hash: h, Logs: []string{"issued"}}, {Op: evidence.OpSign, Hash: h}})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	for i, it := range p.Items {
		sig, _ := evidence.Sign(k, vm, h)
		if it.Signer != vm || it.Signature != sig || it.Hash != h {
			t.Errorf("item %d: %+v", i, it)
		}
	}
	if p.Items[0].Op != evidence.OpCreate || len(p.Items[0].Logs) != 1 || p.Items[1].Op != evidence.OpSign {
		t.Errorf("items: %+v", p.Items)
	}
	for _, n := range []int{0, evidence.MaxBatchItems + 1} {
		_, err := evidence.SignBatch(k, vm, make([]api.EvidenceBatchEntry, n))
		if errs.Code(err) != "evidence.invalidBatch" {
			t.Errorf("%d entries: %v, want evidence.invalidBatch", n, err)
		}
	}
}
