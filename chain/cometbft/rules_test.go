package cometbft_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/chain/cometbft"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/node"
)

// appKnowing is f.app over a registry that knows the ledger's rules up to
// version known.
func (f *fixture) appKnowing(t *testing.T, known uint64) (*cometbft.App, *chain.Ledger) {
	t.Helper()
	reg := node.NewRegistry()
	reg.SetKnownRules(known)
	l, err := chain.Open(t.TempDir(), reg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	a := cometbft.NewApp(l, f.block)
	if _, err := a.InitChain(context.Background(), &abci.InitChainRequest{Time: genesisTime, ChainId: "weid-1", InitialHeight: 1, AppStateBytes: f.state}); err != nil {
		t.Fatal(err)
	}
	return a, l
}

// adminTx is a transaction of the fixture's admin.
func (f *fixture) adminTx(t *testing.T, typ string, p chain.Payload) []byte {
	t.Helper()
	d := did.WeidDID("1", f.admin.Public())
	tx, err := node.SignTx("1", d+"#"+did.FirstKeyFragment, f.admin, typ, p)
	if err != nil {
		t.Fatal(err)
	}
	return tx.Canonical()
}

// v1Fixture is a genesis made before rules were versioned: its chain.init
// names no rules.
func v1Fixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	var gs cometbft.GenesisState
	if err := json.Unmarshal(f.state, &gs); err != nil {
		t.Fatal(err)
	}
	var init chain.InitPayload
	if err := json.Unmarshal(gs.Txs[1].Payload, &init); err != nil || gs.Txs[1].Type != chain.TypeChainInit {
		t.Fatalf("genesis tx 1 is %s: %v", gs.Txs[1].Type, err)
	}
	init.Rules = 0
	gs.Txs[1].Payload, _ = json.Marshal(init)
	if err := gs.Txs[1].Sign(f.admin); err != nil {
		t.Fatal(err)
	}
	f.state, _ = json.Marshal(gs)
	return f
}

// Under rules v1 a transaction of a v2 type gets, in its block, the result
// a binary without the type gives (the results hash covers the code and
// data), and the app hash is the same.
func TestFinalizeBlock_V2TypeUnderV1AnswersAsUnknown(t *testing.T) {
	f := v1Fixture(t)
	upgraded, _ := f.appKnowing(t, chain.RulesVersion)
	old, _ := f.appKnowing(t, 1)
	pub, _, _ := ed25519.GenerateKey(nil)
	raw := f.adminTx(t, authz.TxSetValidatorNode, &authz.SetValidatorNodePayload{PubKey: base64.StdEncoding.EncodeToString(pub), NodeID: strings.Repeat("ab", 20)})
	create, _ := didCreate(t)
	at := genesisTime.Add(time.Second)
	a, b := finalize(t, upgraded, 1, at, raw, create), finalize(t, old, 1, at, raw, create)
	if string(a.AppHash) != string(b.AppHash) {
		t.Errorf("app hashes differ: %x, %x", a.AppHash, b.AppHash)
	}
	for i := range a.TxResults {
		ra, rb := a.TxResults[i], b.TxResults[i]
		if ra.Code != rb.Code || string(ra.Data) != string(rb.Data) || ra.Codespace != rb.Codespace {
			t.Errorf("tx %d: %d %s, a binary without the type: %d %s", i, ra.Code, ra.Codespace, rb.Code, rb.Codespace)
		}
	}
	if r := a.TxResults[0]; r.Code != http.StatusBadRequest || r.Codespace != "tx.unknownType" {
		t.Errorf("gov.setValidatorNode under v1: %d %s", r.Code, r.Codespace)
	}
	if res := checkTx(t, upgraded, raw, abci.CHECK_TX_TYPE_CHECK); res.Code != http.StatusBadRequest || res.Codespace != "tx.unknownType" {
		t.Errorf("CheckTx under v1: %+v", res)
	}
}

// A validator whose binary does not know the rules scheduled halts at
// their height: FinalizeBlock fails before applying anything, saying why;
// one that knows them goes on.
func TestFinalizeBlock_HaltsWhereUnknownRulesTakeEffect(t *testing.T) {
	f := newFixture(t)
	behind, lb := f.appKnowing(t, chain.RulesVersion)
	ahead, la := f.appKnowing(t, chain.RulesVersion+1)
	v := uint64(chain.RulesVersion + 1)
	at := uint64(1 + chain.MinRulesLead)
	sched := f.adminTx(t, authz.TxScheduleRules, &authz.ScheduleRulesPayload{Version: v, Height: at})
	for h := int64(1); h < int64(at); h++ {
		tx := sched
		if h > 1 {
			tx, _ = didCreate(t)
		}
		ra, rb := finalize(t, ahead, h, genesisTime.Add(time.Duration(h)*time.Second), tx), finalize(t, behind, h, genesisTime.Add(time.Duration(h)*time.Second), tx)
		if ra.TxResults[0].Code != 0 || string(ra.AppHash) != string(rb.AppHash) {
			t.Fatalf("height %d: %+v; app hashes %x, %x", h, ra.TxResults[0], ra.AppHash, rb.AppHash)
		}
	}
	head := lb.Head()
	tx, _ := didCreate(t)
	when := genesisTime.Add(time.Duration(at) * time.Second)
	_, err := behind.FinalizeBlock(context.Background(), &abci.FinalizeBlockRequest{Height: int64(at), Time: when, Txs: [][]byte{tx}})
	msg := "the ledger's rules v" + strconv.FormatUint(v, 10) + " take effect at height " + strconv.FormatUint(at, 10) + "; this weid knows up to v" + strconv.FormatUint(chain.RulesVersion, 10) + ": upgrade weid"
	if errs.Code(err) != "ledger.halted" || !strings.Contains(err.Error(), msg) {
		t.Fatalf("FinalizeBlock at the height: %v, want %q", err, msg)
	}
	if lb.Head() != head {
		t.Errorf("the halted node's head moved: %+v", lb.Head())
	}
	if res := checkTx(t, behind, tx, abci.CHECK_TX_TYPE_CHECK); res.Codespace != "ledger.halted" {
		t.Errorf("CheckTx at the halt: %+v", res)
	}
	if r := finalize(t, ahead, int64(at), when, tx); r.TxResults[0].Code != 0 || la.Head().Height != at {
		t.Errorf("the node that knows v%d: %+v, head %d", v, r.TxResults[0], la.Head().Height)
	}
}

// CheckTx does not admit a schedule of rules this binary does not know
// (409 gov.unknownRules, as the node's API refuses it): from the CometBFT
// RPC or a peer, it would halt the consortium at its height until every
// node ran a binary that knows them. In a block it is still applied, by
// the ledger's rules alone (a proposer that knows the version proposed it).
func TestCheckTx_RefusesUnknownRulesSchedule(t *testing.T) {
	f := newFixture(t)
	a, _ := f.appKnowing(t, chain.RulesVersion)
	v := uint64(chain.RulesVersion + 1)
	sched := f.adminTx(t, authz.TxScheduleRules, &authz.ScheduleRulesPayload{Version: v, Height: 1 + chain.MinRulesLead})
	if res := checkTx(t, a, sched, abci.CHECK_TX_TYPE_CHECK); res.Code != http.StatusConflict || res.Codespace != "gov.unknownRules" {
		t.Errorf("CheckTx of a schedule of v%d by a binary knowing v%d: %d %s", v, chain.RulesVersion, res.Code, res.Codespace)
	}
	if r := finalize(t, a, 1, genesisTime.Add(time.Second), sched); r.TxResults[0].Code != 0 {
		t.Errorf("in a block: %+v, want it applied", r.TxResults[0])
	}
}

// CheckTx does not admit a schedule above 2^53−1 either (400
// gov.invalidRules, authz's admission check, as the node's API refuses
// it): its RFC 8785 JSON would carry the height rounded. Blocks are not
// held to it: one that carries it applies it as before.
func TestCheckTx_RefusesRulesHeightJSONCannotCarry(t *testing.T) {
	f := newFixture(t)
	a, _ := f.appKnowing(t, chain.RulesVersion+1)
	sched := f.adminTx(t, authz.TxScheduleRules, &authz.ScheduleRulesPayload{Version: chain.RulesVersion + 1, Height: authz.MaxRulesHeight + 1})
	if res := checkTx(t, a, sched, abci.CHECK_TX_TYPE_CHECK); res.Code != http.StatusBadRequest || res.Codespace != "gov.invalidRules" {
		t.Errorf("CheckTx of a schedule at height 2^53: %d %s %s", res.Code, res.Codespace, res.Log)
	}
	if r := finalize(t, a, 1, genesisTime.Add(time.Second), sched); r.TxResults[0].Code != 0 {
		t.Errorf("in a block: %+v, want it applied", r.TxResults[0])
	}
}
