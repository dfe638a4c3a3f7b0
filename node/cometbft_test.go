package node

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
)

// TestNode_CometBFTSingleValidator runs a node on the CometBFT engine with
// one validator, in-process: genesis through InitChain, a write that
// returns once committed, a replay refused, and a restart that resumes the
// same chain.
func TestNode_CometBFTSingleValidator(t *testing.T) {
	dir := t.TempDir()
	n, err := Open(Config{DataDir: dir, Engine: "cometbft", CometLogLevel: "none"})
	if err != nil {
		t.Fatal(err)
	}
	if n.Engine.Name() != "cometbft" || n.Ledger.Head().Height != 0 {
		t.Fatalf("engine %s, head %+v", n.Engine.Name(), n.Ledger.Head())
	}
	if _, err := os.Stat(filepath.Join(dir, TokenFile)); err != nil {
		t.Fatal(err)
	}
	k, _ := keys.Generate(keys.Ed25519)
	d := did.WeidDID(n.ChainID, k.Public())
	tx := mustSign(t, n, d+"#key-1", k, did.TxCreate, &did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rc, err := n.Submit(ctx, tx, false)
	if err != nil {
		t.Fatal(err)
	}
	if rc.Height != 1 || n.Ledger.Head().Height != 1 {
		t.Fatalf("receipt %+v, head %+v", rc, n.Ledger.Head())
	}
	if _, err := n.Resolver.Resolve(ctx, d, did.Options{}); err != nil {
		t.Fatalf("resolve right after Submit returned: %v", err)
	}
	if _, err := n.Submit(ctx, tx, false); errs.Code(err) != "tx.replay" {
		t.Fatalf("replay: %v", err)
	}
	// A second create of the same DID passes CheckTx (its nonce is new)
	// and fails in the block, with the handler's error.
	dup := mustSign(t, n, d+"#key-1", k, did.TxCreate, &did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()})
	if _, err := n.Submit(ctx, dup, false); err == nil {
		t.Fatal("a second create of the same DID committed")
	} else if e, ok := errs.As(err); !ok || e.Status != http.StatusConflict {
		t.Fatalf("second create: %v", err)
	}
	head := n.Ledger.Head()
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	n, err = Open(Config{DataDir: dir, Engine: "cometbft", CometLogLevel: "none"})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if n.Ledger.Head() != head {
		t.Fatalf("after restart head %+v, was %+v", n.Ledger.Head(), head)
	}
	k2, _ := keys.Generate(keys.Ed25519)
	d2 := did.WeidDID(n.ChainID, k2.Public())
	if rc, err := n.Submit(ctx, mustSign(t, n, d2+"#key-1", k2, did.TxCreate, &did.CreatePayload{DID: d2, PublicKeyMultibase: k2.Public().Multibase()}), false); err != nil || rc.Height != 2 {
		t.Fatalf("after restart: %+v %v", rc, err)
	}
}
