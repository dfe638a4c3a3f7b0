// Package ledgertest is the ledger harness of the domain packages' tests:
// did:weid actors that sign transactions, opening a ledger over a registry
// in a temporary directory with the genesis node.Open commits, and
// committing blocks the way the solo engine does, one second apart. It is
// for tests only.
package ledgertest

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
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

// Actor is a did:weid identity with its current key, the fragment of that
// key's verification method and a nonce counter.
type Actor struct {
	Key   *keys.PrivateKey
	DID   string
	Frag  string
	Nonce uint64
}

// NewActor is a new did:weid (not yet registered) with a key of type kt.
func NewActor(t testing.TB, kt keys.Type) *Actor {
	t.Helper()
	k, err := keys.Generate(kt)
	if err != nil {
		t.Fatal(err)
	}
	return &Actor{Key: k, DID: did.WeidDID(ChainID, k.Public()), Frag: did.FirstKeyFragment}
}

// VM is the actor's current verification method.
func (a *Actor) VM() string { return a.DID + "#" + a.Frag }

// Tx signs a transaction of type typ with the actor's next nonce.
func (a *Actor) Tx(t testing.TB, typ string, payload any) *chain.Tx {
	t.Helper()
	a.Nonce++
	return SignTx(t, a.Key, a.VM(), a.Nonce, typ, payload)
}

// CreateTx is the actor's did.create.
func (a *Actor) CreateTx(t testing.TB) *chain.Tx {
	t.Helper()
	return a.Tx(t, did.TxCreate, did.CreatePayload{DID: a.DID, PublicKeyMultibase: a.Key.Public().Multibase()})
}

// Ledger is a ledger in a temporary directory, its registry, the node key
// that signs its blocks, the time of its next block and, after Genesis,
// its admin. PreVerify, if set, is called on each transaction Commit
// checks, as a node pre-verifies before submitting.
type Ledger struct {
	L         *chain.Ledger
	Reg       *chain.Registry
	Node      *keys.PrivateKey
	Now       time.Time
	Admin     *Actor
	PreVerify func(*chain.Checked)
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

// Commit checks txs (and, with PreVerify set, pre-verifies those that
// pass) and commits those that pass as the next block, one second after
// the previous one; it returns each one's error (from the stateless check
// or from the block).
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
		if e.PreVerify != nil {
			e.PreVerify(c)
		}
		cs = append(cs, c)
		idx = append(idx, i)
	}
	if len(cs) == 0 {
		return out
	}
	for j, err := range e.CommitChecked(t, cs...) {
		out[idx[j]] = err
	}
	return out
}

// CommitChecked commits checked transactions as the next block, one second
// after the previous one, and returns each one's error.
func (e *Ledger) CommitChecked(t testing.TB, cs ...*chain.Checked) []error {
	t.Helper()
	_, res, err := e.L.Commit(cs, e.Node, e.Now)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	e.Now = e.Now.Add(time.Second)
	out := make([]error, len(res))
	for i, r := range res {
		out[i] = r.Err
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

// Registry is a new registry with the transaction types the register
// functions add, in order (weid.Register among them: Genesis creates the
// admin's did:weid, and signers resolve through it).
func Registry(register ...func(*chain.Registry)) *chain.Registry {
	reg := chain.NewRegistry()
	for _, r := range register {
		r(reg)
	}
	return reg
}

// Genesis opens a ledger over reg whose first block is at now and commits
// its genesis as node.Open does: a new Ed25519 admin's did.create, then
// chain.init naming the admin and the node key, then the transactions
// extra makes, signed by the admin.
func Genesis(t testing.TB, reg *chain.Registry, now time.Time, extra ...func(admin *Actor) *chain.Tx) *Ledger {
	t.Helper()
	e := Open(t, reg, now)
	e.Admin = NewActor(t, keys.Ed25519)
	txs := []*chain.Tx{
		e.Admin.CreateTx(t),
		e.Admin.Tx(t, chain.TypeChainInit, chain.InitPayload{NodeKey: e.Node.Public().Multibase(), Admins: []string{e.Admin.DID}}),
	}
	for _, f := range extra {
		txs = append(txs, f(e.Admin))
	}
	e.MustGenesis(t, txs...)
	return e
}

// Submit commits tx as the next block and returns its error.
func (e *Ledger) Submit(t testing.TB, tx *chain.Tx) error {
	t.Helper()
	return e.Commit(t, tx)[0]
}

// Must commits tx as the next block, fails the test unless it succeeds,
// and returns its hash.
func (e *Ledger) Must(t testing.TB, tx *chain.Tx) string {
	t.Helper()
	if err := e.Submit(t, tx); err != nil {
		t.Fatalf("%s: %v", tx.Type, err)
	}
	return tx.Hash()
}

// FirstWins commits first and second in one block and fails the test
// unless the first succeeds and the second, claiming what the first
// claimed, is refused with 409 code.
func (e *Ledger) FirstWins(t testing.TB, code string, first, second *chain.Tx) {
	t.Helper()
	errs := e.Commit(t, first, second)
	if errs[0] != nil {
		t.Fatalf("the first %s: %v", first.Type, errs[0])
	}
	WantErr(t, errs[1], http.StatusConflict, code)
}

// User registers a new did:weid with a key of type kt.
func (e *Ledger) User(t testing.TB, kt keys.Type) *Actor {
	t.Helper()
	a := NewActor(t, kt)
	e.Must(t, a.CreateTx(t))
	return a
}

// WantErr fails unless err is an *errs.Error with the given status and
// code, and returns it.
func WantErr(t testing.TB, err error, status int, code string) *errs.Error {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || e.Status != status || e.Code != code {
		t.Fatalf("got error %v (%T), want %d %s", err, err, status, code)
	}
	return e
}
