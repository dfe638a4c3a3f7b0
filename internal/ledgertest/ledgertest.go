// Package ledgertest is the ledger harness of the domain packages' tests:
// signing transactions, opening a ledger over a registry in a temporary
// directory, and committing blocks the way the solo engine does, one
// second apart. It is for tests only.
package ledgertest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/keys"
)

// ChainID is the chain id of test ledgers.
const ChainID = "test"

// SignTx signs a transaction of type typ with payload, from the
// verification method vm whose key is k, with nonce.
func SignTx(t testing.TB, k *keys.PrivateKey, vm string, nonce uint64, typ string, payload any) *chain.Tx {
	t.Helper()
	raw, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	tx := &chain.Tx{ChainID: ChainID, Type: typ, From: vm, Nonce: nonce, Payload: raw}
	if err := tx.Sign(k); err != nil {
		t.Fatal(err)
	}
	return tx
}

// Ledger is a ledger in a temporary directory, its registry, the node key
// that signs its blocks and the time of its next block.
type Ledger struct {
	L    *chain.Ledger
	Reg  *chain.Registry
	Node *keys.PrivateKey
	Now  time.Time
}

// Open opens a ledger over reg in a temporary directory (closed when the
// test ends), whose first block will be at now.
func Open(t testing.TB, reg *chain.Registry, now time.Time) *Ledger {
	t.Helper()
	l, err := chain.Open(t.TempDir(), reg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	node, err := keys.Generate(keys.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	return &Ledger{L: l, Reg: reg, Node: node, Now: now}
}

// Commit checks txs and commits those that pass as the next block, one
// second after the previous one; it returns each one's error (from the
// stateless check or from the block).
func (e *Ledger) Commit(t testing.TB, txs ...*chain.Tx) []error {
	t.Helper()
	out := make([]error, len(txs))
	var cs []*chain.Checked
	var idx []int
	for i, tx := range txs {
		c, err := e.Reg.CheckTx(ChainID, tx)
		if err != nil {
			out[i] = err
			continue
		}
		cs = append(cs, c)
		idx = append(idx, i)
	}
	if len(cs) == 0 {
		return out
	}
	_, res, err := e.L.Commit(cs, e.Node, e.Now)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	e.Now = e.Now.Add(time.Second)
	for j, r := range res {
		out[idx[j]] = r.Err
	}
	return out
}

// MustGenesis commits txs as the genesis block and fails the test unless
// each succeeds.
func (e *Ledger) MustGenesis(t testing.TB, txs ...*chain.Tx) {
	t.Helper()
	for i, err := range e.Commit(t, txs...) {
		if err != nil {
			t.Fatalf("genesis tx %d: %v", i, err)
		}
	}
}
