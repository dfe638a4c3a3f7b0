package cometbft_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/chain/cometbft"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
)

// genesisTime is recent: node.SignTx's transactions are valid for minutes
// (txn.DefaultValidity), and a block refuses a validUntil more than a day
// ahead of its time.
var genesisTime = time.Now().UTC().Truncate(time.Second)

// fixture is a genesis shared by several apps, as by the validators of one
// chain.
type fixture struct {
	admin, block *keys.PrivateKey
	state        []byte // InitChain's app_state
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	admin, _ := keys.Generate(keys.Ed25519)
	block, _ := keys.Generate(keys.Ed25519)
	txs, err := node.GenesisTxs("1", admin, block.Public())
	if err != nil {
		t.Fatal(err)
	}
	st, _ := json.Marshal(cometbft.GenesisState{ChainID: "1", Txs: txs})
	return &fixture{admin: admin, block: block, state: st}
}

// app opens a fresh ledger in a temporary directory and runs InitChain.
func (f *fixture) app(t *testing.T) (*cometbft.App, *chain.Ledger, string) {
	t.Helper()
	dir := t.TempDir()
	l, err := chain.Open(dir, node.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	a := cometbft.NewApp(l, f.block)
	res, err := a.InitChain(context.Background(), &abci.InitChainRequest{Time: genesisTime, ChainId: "weid-1", InitialHeight: 1, AppStateBytes: f.state})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.AppHash) != 32 || hex.EncodeToString(res.AppHash) != l.Head().AppHash {
		t.Fatalf("InitChain app hash %x, ledger head %+v", res.AppHash, l.Head())
	}
	return a, l, dir
}

// didCreate returns the raw bytes of a did.create for a new key.
func didCreate(t *testing.T) ([]byte, *chain.Tx) {
	t.Helper()
	tx, _ := didCreateOf(t, keys.Ed25519)
	return tx.Canonical(), tx
}

// didCreateOf returns a did.create for a new key of type kt, and the key.
func didCreateOf(t *testing.T, kt keys.Type) (*chain.Tx, *keys.PrivateKey) {
	t.Helper()
	k, _ := keys.Generate(kt)
	d := did.WeidDID("1", k.Public())
	tx, err := node.SignTx("1", d+"#"+did.FirstKeyFragment, k, did.TxCreate, &did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()})
	if err != nil {
		t.Fatal(err)
	}
	return tx, k
}

func checkTx(t *testing.T, a *cometbft.App, raw []byte, typ abci.CheckTxType) *abci.CheckTxResponse {
	t.Helper()
	res, err := a.CheckTx(context.Background(), &abci.CheckTxRequest{Tx: raw, Type: typ})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func finalize(t *testing.T, a *cometbft.App, height int64, at time.Time, txs ...[]byte) *abci.FinalizeBlockResponse {
	t.Helper()
	res, err := a.FinalizeBlock(context.Background(), &abci.FinalizeBlockRequest{Height: height, Time: at, Txs: txs})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Commit(context.Background(), &abci.CommitRequest{}); err != nil {
		t.Fatal(err)
	}
	return res
}

func TestCheckTx(t *testing.T) {
	f := newFixture(t)
	a, _, _ := f.app(t)
	good, tx := didCreate(t)
	if res := checkTx(t, a, good, abci.CHECK_TX_TYPE_CHECK); res.Code != abci.CodeTypeOK {
		t.Fatalf("valid tx: %+v", res)
	}
	// A signature that does not verify: refused on a new check, not
	// checked again on a recheck (only the nonce is).
	bad := *tx
	other, _ := keys.Generate(keys.Ed25519)
	if err := bad.Sign(other); err != nil {
		t.Fatal(err)
	}
	res := checkTx(t, a, bad.Canonical(), abci.CHECK_TX_TYPE_CHECK)
	if res.Code != http.StatusBadRequest || res.Codespace != "tx.badSignature" {
		t.Fatalf("bad signature: %+v", res)
	}
	if res := checkTx(t, a, bad.Canonical(), abci.CHECK_TX_TYPE_RECHECK); res.Code != abci.CodeTypeOK {
		t.Fatalf("a recheck must not verify the signature again: %+v", res)
	}
	// Stateless failures.
	wrong := *tx
	wrong.ChainID = "2"
	if res := checkTx(t, a, wrong.Canonical(), abci.CHECK_TX_TYPE_CHECK); res.Codespace != "tx.wrongChain" {
		t.Fatalf("wrong chain: %+v", res)
	}
	if res := checkTx(t, a, []byte("{"), abci.CHECK_TX_TYPE_CHECK); res.Codespace != "tx.malformed" {
		t.Fatalf("garbage: %+v", res)
	}
	// Once committed, the nonce is used: both checks refuse it.
	finalize(t, a, 1, genesisTime.Add(time.Second), good)
	for _, typ := range []abci.CheckTxType{abci.CHECK_TX_TYPE_CHECK, abci.CHECK_TX_TYPE_RECHECK} {
		if res := checkTx(t, a, good, typ); res.Code != http.StatusConflict || res.Codespace != "tx.replay" {
			t.Fatalf("committed tx, check type %v: %+v", typ, res)
		}
	}
}

func TestFinalizeBlockDeterministic(t *testing.T) {
	f := newFixture(t)
	a1, l1, _ := f.app(t)
	a2, l2, _ := f.app(t)
	c1, tx1 := didCreate(t)
	c2, _ := didCreate(t)
	at := genesisTime.Add(3 * time.Second)
	// A valid create, the same create again (its nonce is then used), an
	// undecodable tx and another valid create.
	block := [][]byte{c1, c1, []byte("not a tx"), c2}
	r1 := finalize(t, a1, 1, at, block...)
	r2 := finalize(t, a2, 1, at, block...)
	if !bytes.Equal(r1.AppHash, r2.AppHash) || len(r1.AppHash) != 32 {
		t.Fatalf("app hashes differ: %x vs %x", r1.AppHash, r2.AppHash)
	}
	want := []uint32{abci.CodeTypeOK, http.StatusConflict, http.StatusBadRequest, abci.CodeTypeOK}
	for i, r := range r1.TxResults {
		if r.Code != want[i] {
			t.Errorf("tx %d: code %d (%s %s), want %d", i, r.Code, r.Codespace, r.Log, want[i])
		}
		if o := r2.TxResults[i]; o.Code != r.Code || !bytes.Equal(o.Data, r.Data) || o.Codespace != r.Codespace || o.Log != r.Log {
			t.Errorf("tx %d: results differ between nodes: %+v vs %+v", i, r, o)
		}
	}
	if l1.Head() != l2.Head() {
		t.Fatalf("heads differ: %+v vs %+v", l1.Head(), l2.Head())
	}
	b1, _ := l1.Block(1)
	b2, _ := l2.Block(1)
	if b1.Hash != b2.Hash || len(b1.Txs) != 2 || b1.Txs[0].Hash() != tx1.Hash() {
		t.Fatalf("weid blocks differ or hold the wrong txs: %s %s, %d txs", b1.Hash, b2.Hash, len(b1.Txs))
	}
	if ts, _ := b1.Header.BlockTime(); !ts.Equal(at) {
		t.Fatalf("block time %v, want the CometBFT block's %v", ts, at)
	}
	// A block where nothing succeeds makes no weid block and keeps the
	// app hash, but the height moves on.
	r3 := finalize(t, a1, 2, at.Add(time.Second), c1)
	if !bytes.Equal(r3.AppHash, r1.AppHash) || r3.TxResults[0].Code != http.StatusConflict {
		t.Fatalf("failed-only block: app hash %x (was %x), result %+v", r3.AppHash, r1.AppHash, r3.TxResults[0])
	}
	info, err := a1.Info(context.Background(), &abci.InfoRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if info.LastBlockHeight != 2 || !bytes.Equal(info.LastBlockAppHash, r1.AppHash) || l1.Head().Height != 1 {
		t.Fatalf("info %+v, head %+v", info, l1.Head())
	}
	// The replayed chain audits clean.
	if _, err := l1.AuditStore(); err != nil {
		t.Fatal(err)
	}
}

func TestCommitDurableAndQuery(t *testing.T) {
	f := newFixture(t)
	a, l, dir := f.app(t)
	c, tx := didCreate(t)
	var got []cometbft.Outcome
	a.OnCommit(func(h int64, o []cometbft.Outcome) { got = o })
	res := finalize(t, a, 1, genesisTime.Add(time.Second), c)
	if len(got) != 1 || got[0].Hash != tx.Hash() || got[0].Result.Err != nil || got[0].Result.Height != 1 {
		t.Fatalf("outcomes %+v", got)
	}
	q := func(path string, data []byte) *abci.QueryResponse {
		r, err := a.Query(context.Background(), &abci.QueryRequest{Path: path, Data: data})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	d := tx.SignerDID()
	if r := q("/state", []byte("did/latest/"+d)); r.Code != 0 || len(r.Value) != 8 || r.Height != 1 {
		t.Fatalf("/state: %+v", r)
	}
	if r := q("/state", []byte("did/latest/did:weid:1:0x0000000000000000000000000000000000000000")); r.Code != http.StatusNotFound {
		t.Fatalf("/state of a missing key: %+v", r)
	}
	var head chain.Head
	if r := q("/head", nil); json.Unmarshal(r.Value, &head) != nil || head.AppHash != hex.EncodeToString(res.AppHash) {
		t.Fatalf("/head: %s", r.Value)
	}
	if r := q("/tx", []byte(tx.Hash())); r.Code != 0 || string(r.Value) != `{"height":1,"index":0}` {
		t.Fatalf("/tx: %+v", r)
	}
	if r := q("/nope", nil); r.Code != http.StatusBadRequest {
		t.Fatalf("unknown path: %+v", r)
	}
	// Reopened, the ledger reports the same height and app hash, so
	// CometBFT's handshake replays nothing; a repeated InitChain is a no-op.
	l.Close()
	l2, err := chain.Open(dir, node.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	a2 := cometbft.NewApp(l2, f.block)
	info, err := a2.Info(context.Background(), &abci.InfoRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if info.LastBlockHeight != 1 || !bytes.Equal(info.LastBlockAppHash, res.AppHash) {
		t.Fatalf("after reopening: %+v", info)
	}
	if _, err := a2.InitChain(context.Background(), &abci.InitChainRequest{Time: genesisTime, AppStateBytes: f.state}); err != nil {
		t.Fatalf("InitChain on the same genesis: %v", err)
	}
	other := newFixture(t)
	if _, err := a2.InitChain(context.Background(), &abci.InitChainRequest{Time: genesisTime, AppStateBytes: other.state}); err == nil {
		t.Fatal("InitChain accepted another chain's genesis")
	}
}

// The engine hands CheckTx what it already checked, and CheckTx hands
// FinalizeBlock what it verified: a signature is still checked once, and a
// transaction whose signature was not verified before is refused.
func TestPrechecked(t *testing.T) {
	f := newFixture(t)
	a, l, _ := f.app(t)
	reg := l.Registry()
	_, tx := didCreate(t)
	bad := *tx
	other, _ := keys.Generate(keys.Ed25519)
	if err := bad.Sign(other); err != nil {
		t.Fatal(err)
	}
	cb, err := reg.CheckTx("1", &bad)
	if err != nil {
		t.Fatal(err)
	}
	_ = reg.PreVerify(l, cb) // fails: the engine's caller ignores it
	a.Prechecked(bad.Canonical(), cb)
	if res := checkTx(t, a, bad.Canonical(), abci.CHECK_TX_TYPE_CHECK); res.Codespace != "tx.badSignature" {
		t.Fatalf("a prechecked tx with a bad signature: %+v", res)
	}
	cg, err := reg.CheckTx("1", tx)
	if err != nil || reg.PreVerify(l, cg) != nil || !cg.Verified() {
		t.Fatalf("check %v", err)
	}
	a.Prechecked(tx.Canonical(), cg)
	if res := checkTx(t, a, tx.Canonical(), abci.CHECK_TX_TYPE_CHECK); res.Code != abci.CodeTypeOK {
		t.Fatalf("prechecked good tx: %+v", res)
	}
	if res := checkTx(t, a, tx.Canonical(), abci.CHECK_TX_TYPE_RECHECK); res.Code != abci.CodeTypeOK {
		t.Fatalf("recheck: %+v", res)
	}
	res := finalize(t, a, 1, genesisTime.Add(time.Second), tx.Canonical(), bad.Canonical())
	if res.TxResults[0].Code != abci.CodeTypeOK || res.TxResults[1].Codespace != "tx.badSignature" {
		t.Fatalf("block results %+v", res.TxResults)
	}
}
