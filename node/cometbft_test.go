package node

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/chain/cometbft"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/keystore"
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

// TestNode_CometBFTFullMempoolGivesDefiniteOutcomes: writes offered faster
// than a small mempool holds each end definitely — committed, or refused
// (503 ledger.busy, or tx.dropped) — and none is left pending; every
// acknowledged write is on the ledger. (The race that hung the benchmark, a
// transaction CheckTx passed that the mempool then refused, is pinned
// deterministically by chain/cometbft's TestEngine_MempoolRefusalAfterCheckTx.)
func TestNode_CometBFTFullMempoolGivesDefiniteOutcomes(t *testing.T) {
	dir := t.TempDir()
	n, err := Open(Config{DataDir: dir, Engine: "cometbft", CometLogLevel: "none"})
	if err != nil {
		t.Fatal(err)
	}
	n.Close()
	s, err := cometbft.LoadSettings(dir)
	if err != nil {
		t.Fatal(err)
	}
	s.MempoolSize = 8
	if err := s.Save(dir); err != nil {
		t.Fatal(err)
	}
	n, err = Open(Config{DataDir: dir, Engine: "cometbft", CometLogLevel: "none", CommitWait: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	const writes = 200
	txs := make([]*chain.Tx, writes)
	for i := range txs {
		k, _ := keys.Generate(keys.Ed25519)
		d := did.WeidDID(n.ChainID, k.Public())
		txs[i] = mustSign(t, n, d+"#key-1", k, did.TxCreate, &did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()})
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	outcomes := make([]error, writes)
	var wg sync.WaitGroup
	for i, tx := range txs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, outcomes[i] = n.Submit(ctx, tx, false)
		}()
	}
	wg.Wait()
	committed := 0
	for i, err := range outcomes {
		switch errs.Code(err) {
		case "":
			committed++
			if _, err := n.Ledger.Tx(txs[i].Hash()); err != nil {
				t.Errorf("acknowledged tx %d is not on the ledger: %v", i, err)
			}
		case "ledger.busy", "tx.dropped":
		default:
			t.Errorf("tx %d: %v", i, err)
		}
	}
	if committed == 0 {
		t.Fatal("nothing committed")
	}
	t.Logf("%d of %d committed, the rest refused", committed, writes)
}

// TestInitConsortium_AgainAfterACrash: a home whose set-up crashed before
// its settings were written (so it is no home yet) is set up again, not
// refused because of the admin token the first try left; that token is
// revoked, the new one works.
func TestInitConsortium_AgainAfterACrash(t *testing.T) {
	home := t.TempDir()
	init := func() string {
		t.Helper()
		if _, _, err := InitConsortium(ConsortiumConfig{Homes: []string{home}, Validators: 1}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(home, TokenFile))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}
	first := init()
	if err := os.Remove(filepath.Join(home, cometbft.SettingsFile)); err != nil {
		t.Fatal(err)
	}
	second := init()
	ks, err := keystore.Open(filepath.Join(home, "keystore"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ks.Close()
	if _, err := ks.Authenticate(first); err == nil {
		t.Error("the token of the crashed set-up still authenticates")
	}
	if a, err := ks.Authenticate(second); err != nil || !a.Admin {
		t.Errorf("the new admin token: %+v, %v", a, err)
	}
}

// TestNode_CometBFTBlockTimeIsWhenProposed: a block made after a quiet
// spell is dated when it was proposed, not when the block before it was
// committed (CometBFT's BFT time, the median of the previous commit's
// precommit times, back-dated it by the whole spell): a new chain uses
// Proposer-Based Timestamps from its first height.
func TestNode_CometBFTBlockTimeIsWhenProposed(t *testing.T) {
	n, err := Open(Config{DataDir: t.TempDir(), Engine: "cometbft", CometLogLevel: "none"})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if c := n.Engine.(chain.ConsensusReporter).Consensus(); c.BlockTime != cometbft.BlockTimePBTS || c.PBTSHeight != 1 {
		t.Fatalf("consensus status: block time %q from %d", c.BlockTime, c.PBTSHeight)
	}
	submitNewDID(ctx, t, n)
	checkDatedWhenSent(ctx, t, n, "block 2")
}
