package status_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/schemas"
	"github.com/weidgo/weid/status"
)

const testChain = "test"

// actor is a did:weid identity with its key and a nonce counter.
type actor struct {
	key   *keys.PrivateKey
	did   string
	nonce uint64
}

func newActor(t testing.TB) *actor {
	t.Helper()
	k, err := keys.Generate(keys.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	return &actor{key: k, did: did.WeidDID(testChain, k.Public())}
}

// tx signs a transaction of type typ with the actor's next nonce.
func (a *actor) tx(t testing.TB, typ string, payload any) *chain.Tx {
	t.Helper()
	raw, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	a.nonce++
	tx := &chain.Tx{ChainID: testChain, Type: typ, From: a.did + "#" + did.FirstKeyFragment, Nonce: a.nonce, Payload: raw}
	if err := tx.Sign(a.key); err != nil {
		t.Fatal(err)
	}
	return tx
}

// ledger is a chain.Ledger with did, authz, schemas and status registered
// and a genesis block committed, as node.Open makes it.
type ledger struct {
	l     *chain.Ledger
	reg   *chain.Registry
	node  *keys.PrivateKey
	admin *actor
	now   time.Time
}

func newLedger(t testing.TB) *ledger {
	t.Helper()
	reg := chain.NewRegistry()
	did.Register(reg)
	authz.Register(reg)
	schemas.Register(reg)
	status.Register(reg)
	l, err := chain.Open(t.TempDir(), reg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	node, err := keys.Generate(keys.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	e := &ledger{l: l, reg: reg, node: node, admin: newActor(t), now: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)}
	errs := e.commit(t,
		e.admin.tx(t, did.TxCreate, did.CreatePayload{DID: e.admin.did, PublicKeyMultibase: e.admin.key.Public().Multibase()}),
		e.admin.tx(t, chain.TypeChainInit, chain.InitPayload{NodeKey: node.Public().Multibase(), Admins: []string{e.admin.did}}))
	for i, err := range errs {
		if err != nil {
			t.Fatalf("genesis tx %d: %v", i, err)
		}
	}
	return e
}

// commit checks txs and commits them as the next block; it returns each
// one's error (from the stateless check or from the block).
func (e *ledger) commit(t testing.TB, txs ...*chain.Tx) []error {
	t.Helper()
	out := make([]error, len(txs))
	var cs []*chain.Checked
	var idx []int
	for i, tx := range txs {
		c, err := e.reg.CheckTx(testChain, tx)
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
	_, res, err := e.l.Commit(cs, e.node, e.now)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	e.now = e.now.Add(time.Second)
	for j, r := range res {
		out[idx[j]] = r.Err
	}
	return out
}

func (e *ledger) submit(t testing.TB, tx *chain.Tx) error {
	t.Helper()
	return e.commit(t, tx)[0]
}

// must commits one transaction that must succeed and returns its hash.
func (e *ledger) must(t testing.TB, tx *chain.Tx) string {
	t.Helper()
	if err := e.submit(t, tx); err != nil {
		t.Fatalf("%s: %v", tx.Type, err)
	}
	return tx.Hash()
}

// user registers a new did:weid DID.
func (e *ledger) user(t testing.TB) *actor {
	t.Helper()
	a := newActor(t)
	e.must(t, a.tx(t, did.TxCreate, did.CreatePayload{DID: a.did, PublicKeyMultibase: a.key.Public().Multibase()}))
	return a
}

// newList creates a list as a and returns it.
func (e *ledger) newList(t testing.TB, a *actor, id, purpose string, size uint64) *status.List {
	t.Helper()
	h := e.must(t, a.tx(t, status.TxCreate, status.CreatePayload{ID: id, Purpose: purpose, Size: size}))
	if id == "" {
		id = status.DerivedID(h)
	}
	l, err := status.Get(e.l, id)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// wantErr fails unless err is an *errs.Error with the given status and code.
func wantErr(t testing.TB, err error, status int, code string) {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || e.Status != status || e.Code != code {
		t.Fatalf("got error %v (%T), want %d %s", err, err, status, code)
	}
}
