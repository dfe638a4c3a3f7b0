package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/client"
)

// TestREADME_GMWalkthrough runs the README's "国密 mode" sh blocks verbatim
// against a node started with --crypto gm on a fresh directory: SM2 DIDs
// (and an Ed25519 signer refused), an institution issuing SM2 vc+jwt and
// SD-JWT VCs (and refused a Data Integrity suite), a citizen presenting
// with an SM2 key binding, a revocation, evidence hashed with SM3, tx prove
// and ledger verify with SM3. Then it checks from Go that the chain's
// inclusion proofs verify with SM3 and not with SHA-256.
func TestREADME_GMWalkthrough(t *testing.T) {
	dir := t.TempDir()
	script := readmeScript(t, "## 国密 mode", "", 3)
	base, nodeCmd := startNode(t, filepath.Join(dir, "gm-data"), "--crypto", "gm")
	defer stopNode(t, nodeCmd)
	out := runReadme(t, "国密 walkthrough", dir, strings.ReplaceAll(script, "http://127.0.0.1:8080", base), []string{
		"crypto gm",
		"tx.keyTypeNotAllowed", "refused: a gm chain accepts SM2 signers",
		"no cryptosuite for SM2", "refused: no SM2 Data Integrity suite",
		"revoked on the gm chain",
		"verified: tx ",
		"ledger OK: chain 1, gm crypto,",
	}, "WEID_NODE="+base)

	// Every transaction's proof verifies with SM3, none with SHA-256.
	ctx := context.Background()
	c := client.New(base)
	st, err := c.Status(ctx)
	if err != nil || st.Crypto != "gm" {
		t.Fatalf("status: %+v, %v", st, err)
	}
	for h := uint64(0); h <= st.Height; h++ {
		b, err := c.Block(ctx, h)
		if err != nil {
			t.Fatal(err)
		}
		if err := chain.GM.VerifyBlock(b); err != nil {
			t.Fatalf("block %d: %v", h, err)
		}
		for _, tx := range b.Txs {
			r, err := c.Tx(ctx, chain.GM.TxHash(tx))
			if err != nil {
				t.Fatal(err)
			}
			if err := chain.GM.VerifyTx(&r.TxWithProof); err != nil {
				t.Fatalf("block %d: SM3 proof: %v", h, err)
			}
			if err := chain.Standard.VerifyTx(&r.TxWithProof); err == nil {
				t.Fatalf("block %d: the proof verifies with SHA-256", h)
			}
		}
	}
	t.Logf("国密 walkthrough output:\n%s", out)
}
