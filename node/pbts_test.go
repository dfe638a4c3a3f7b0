package node

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/chain/cometbft"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/keys"
)

// bftTimeHome writes a single-validator CometBFT home whose chain is as
// one made before PBTS and rules versioning: its genesis names CometBFT's
// default consensus parameters (BFT time) and its chain.init no rules
// (v1). It returns the admin's key.
func bftTimeHome(t *testing.T, dir string) *keys.PrivateKey {
	t.Helper()
	admin, _ := keys.Generate(keys.Ed25519)
	if _, _, err := InitConsortium(ConsortiumConfig{Homes: []string{dir}, Validators: 1, ChainID: "1", AdminKey: admin}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "config", "genesis.json")
	doc, err := cmttypes.GenesisDocFromFile(file)
	if err != nil {
		t.Fatal(err)
	}
	doc.ConsensusParams = cmttypes.DefaultConsensusParams()
	var gs cometbft.GenesisState
	if err := json.Unmarshal(doc.AppState, &gs); err != nil {
		t.Fatal(err)
	}
	for _, tx := range gs.Txs {
		if tx.Type != chain.TypeChainInit {
			continue
		}
		var init chain.InitPayload
		if err := json.Unmarshal(tx.Payload, &init); err != nil {
			t.Fatal(err)
		}
		init.Rules = 0
		tx.Payload, _ = json.Marshal(init)
		if err := tx.Sign(admin); err != nil {
			t.Fatal(err)
		}
	}
	if doc.AppState, err = chain.MarshalJSON(gs); err != nil {
		t.Fatal(err)
	}
	if err := doc.SaveAs(file); err != nil {
		t.Fatal(err)
	}
	return admin
}

// submitNewDID submits the creation of a new DID to n and waits for its
// block.
func submitNewDID(ctx context.Context, t *testing.T, n *Node) {
	t.Helper()
	k, _ := keys.Generate(keys.Ed25519)
	d := did.WeidDID(n.ChainID, k.Public())
	if _, err := n.Submit(ctx, mustSign(t, n, d+"#key-1", k, did.TxCreate, &did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()}), false); err != nil {
		t.Fatal(err)
	}
}

// checkDatedWhenSent makes a block (what) after a quiet spell of 3 s and
// fails if it is dated before its transaction was sent by more than
// CometBFT's precision, which bounds what a block time may lead or lag a
// validator's clock by (the proposer's clock is this one); BFT time would
// back-date it by the whole spell.
func checkDatedWhenSent(ctx context.Context, t *testing.T, n *Node, what string) {
	t.Helper()
	time.Sleep(3 * time.Second)
	sent := time.Now()
	submitNewDID(ctx, t, n)
	got, err := time.Parse(chain.TimeFormat, n.Ledger.Head().Time)
	if err != nil {
		t.Fatal(err)
	}
	if early := sent.Sub(got); early > cometbft.PBTSPrecision {
		t.Fatalf("%s is dated %s, %s before its transaction was sent at %s", what, got.Format(time.RFC3339Nano), early, sent.Format(time.RFC3339Nano))
	}
}

// A chain on BFT time and rules v1 turns PBTS on where rules v2 take
// effect, with a real single-validator engine: /v1/status says bft before
// and pbts from the CometBFT height after that block, and a block after a
// quiet spell is then dated when its transaction was sent, also after a
// restart.
func TestNode_RulesV2TurnPBTSOnForABFTTimeChain(t *testing.T) {
	if testing.Short() {
		t.Skip("runs CometBFT for a dozen blocks")
	}
	dir := t.TempDir()
	admin := bftTimeHome(t, dir)
	n, err := Open(Config{DataDir: dir, Engine: "cometbft", CometLogLevel: "none"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { n.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if r := n.ChainStatus().Rules; r.Version != 1 {
		t.Fatalf("rules %+v, want a v1 chain", r)
	}
	if c := n.Engine.(chain.ConsensusReporter).Consensus(); c.BlockTime != cometbft.BlockTimeBFT || c.PBTSHeight != 0 {
		t.Fatalf("consensus status: block time %q from %d, want bft", c.BlockTime, c.PBTSHeight)
	}
	at := n.Head().Height + 1 + chain.MinRulesLead
	if _, err := n.Submit(ctx, mustSign(t, n, n.AdminDID+"#"+did.FirstKeyFragment, admin, authz.TxScheduleRules, &authz.ScheduleRulesPayload{Version: 2, Height: at}), false); err != nil {
		t.Fatal(err)
	}
	for n.Head().Height < at-1 {
		submitNewDID(ctx, t, n)
	}
	if c := n.Engine.(chain.ConsensusReporter).Consensus(); c.BlockTime != cometbft.BlockTimeBFT || c.PBTSHeight != 0 {
		t.Fatalf("before v2: block time %q from %d", c.BlockTime, c.PBTSHeight)
	}
	submitNewDID(ctx, t, n) // the block v2 take effect in
	c := n.Engine.(chain.ConsensusReporter).Consensus()
	if c.BlockTime != cometbft.BlockTimePBTS || c.PBTSHeight != c.Height+1 && c.PBTSHeight != c.Height {
		t.Fatalf("after v2: block time %q from %d (CometBFT height %d)", c.BlockTime, c.PBTSHeight, c.Height)
	}
	checkDatedWhenSent(ctx, t, n, "the block after v2")
	if b := n.Engine.(*cometbft.Engine).Node().BlockStore(); b.LoadBlockMeta(b.Height()).Header.Version.App != cometbft.AppVersion {
		t.Fatalf("after v2 the headers say app version %d, want %d (a node joining by state sync is refused)", b.LoadBlockMeta(b.Height()).Header.Version.App, cometbft.AppVersion)
	}
	// A restart keeps it (the parameters are CometBFT's state).
	n.Close()
	if n, err = Open(Config{DataDir: dir, Engine: "cometbft", CometLogLevel: "none"}); err != nil {
		t.Fatal(err)
	}
	submitNewDID(ctx, t, n)
	if c := n.Engine.(chain.ConsensusReporter).Consensus(); c.BlockTime != cometbft.BlockTimePBTS {
		t.Fatalf("after a restart: block time %q from %d", c.BlockTime, c.PBTSHeight)
	}
}
