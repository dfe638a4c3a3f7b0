package status_test

import (
	"testing"
	"time"

	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/did/weid"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/ledgertest"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/schemas"
	"github.com/weidgo/weid/status"
)

const testChain = ledgertest.ChainID

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
	a.nonce++
	return ledgertest.SignTx(t, a.key, a.did+"#"+did.FirstKeyFragment, a.nonce, typ, payload)
}

// ledger is a chain.Ledger with did, authz, schemas and status registered
// and a genesis block committed, as node.Open makes it.
type ledger struct {
	*ledgertest.Ledger
	l     *chain.Ledger
	admin *actor
}

func newLedger(t testing.TB) *ledger {
	t.Helper()
	reg := chain.NewRegistry()
	weid.Register(reg)
	authz.Register(reg)
	schemas.Register(reg)
	status.Register(reg)
	tl := ledgertest.Open(t, reg, time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))
	e := &ledger{Ledger: tl, l: tl.L, admin: newActor(t)}
	e.MustGenesis(t,
		e.admin.tx(t, did.TxCreate, did.CreatePayload{DID: e.admin.did, PublicKeyMultibase: e.admin.key.Public().Multibase()}),
		e.admin.tx(t, chain.TypeChainInit, chain.InitPayload{NodeKey: tl.Node.Public().Multibase(), Admins: []string{e.admin.did}}))
	return e
}

// commit checks txs and commits them as the next block; it returns each
// one's error (from the stateless check or from the block).
func (e *ledger) commit(t testing.TB, txs ...*chain.Tx) []error {
	t.Helper()
	return e.Commit(t, txs...)
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
