package cli

import (
	"context"
	"os"
	"os/exec"
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
	if testing.Short() {
		t.Skip("starts a node process and runs the README; skipped with -short")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatalf("bash is needed to run the README: %v", err)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	start := strings.Index(text, "## 国密 mode")
	end := strings.Index(text[max(start, 0):], "\n## ")
	if start < 0 || end < 0 {
		t.Fatal("README: the 国密 mode section is missing")
	}
	script := "set -euo pipefail\n"
	blocks := 0
	for rest := text[start : start+end]; ; {
		i := strings.Index(rest, "```sh\n")
		if i < 0 {
			break
		}
		rest = rest[i+len("```sh\n"):]
		j := strings.Index(rest, "```\n")
		if j < 0 {
			t.Fatal("README: an sh block is not closed")
		}
		script += rest[:j]
		rest = rest[j:]
		blocks++
	}
	if blocks < 3 {
		t.Fatalf("README: found %d sh blocks in 国密 mode", blocks)
	}
	dir := t.TempDir()
	for _, v := range []string{"WEID_NODE", "WEID_TOKEN", "WEID_CHAIN_ID", "WEID_KEYSTORE_PASSPHRASE", "WEID_DATA", "WEID_LISTEN", "WEID_WALLET", "WEID_PASSPHRASE", "WEID_CRYPTO"} {
		t.Setenv(v, "")
	}
	base, nodeCmd := startNode(t, filepath.Join(dir, "gm-data"), "--crypto", "gm")
	defer stopNode(t, nodeCmd)
	if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	self, err := filepath.Abs(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bin", "weid"), []byte("#!/bin/sh\n"+mainEnv+"=1 exec '"+self+"' \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "-c", strings.ReplaceAll(script, "http://127.0.0.1:8080", base))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "WEID_NODE="+base, "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the 国密 walkthrough failed: %v\n%s", err, out)
	}
	for _, want := range []string{
		"crypto gm",
		"tx.keyTypeNotAllowed", "refused: a gm chain accepts SM2 signers",
		"no cryptosuite for SM2", "refused: no SM2 Data Integrity suite",
		"revoked on the gm chain",
		"verified: tx ",
		"ledger OK: chain 1, gm crypto,",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the walkthrough did not print %q:\n%s", want, out)
		}
	}

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
