package status_test

import (
	"testing"
	"time"

	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did/weid"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/ledgertest"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/schemas"
	"github.com/weidgo/weid/status"
)

const testChain = ledgertest.ChainID

// actor is a did:weid identity with its key and a nonce counter.
type actor = ledgertest.Actor

func newActor(t testing.TB) *actor { return ledgertest.NewActor(t, keys.Ed25519) }

// ledger is a chain.Ledger with did, authz, schemas and status registered
// and a genesis block committed, as node.Open makes it.
type ledger struct {
	*ledgertest.Ledger
	l     *chain.Ledger
	admin *actor
}

func newLedger(t testing.TB) *ledger {
	t.Helper()
	reg := ledgertest.Registry(weid.Register, authz.Register, schemas.Register, status.Register)
	tl := ledgertest.Genesis(t, reg, time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))
	return &ledger{Ledger: tl, l: tl.L, admin: tl.Admin}
}

// user registers a new did:weid DID.
func (e *ledger) user(t testing.TB) *actor {
	t.Helper()
	return e.User(t, keys.Ed25519)
}

// newList creates a list as a and returns it.
func (e *ledger) newList(t testing.TB, a *actor, id, purpose string, size uint64) *status.List {
	t.Helper()
	h := e.Must(t, a.Tx(t, status.TxCreate, status.CreatePayload{ID: id, Purpose: purpose, Size: size}))
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
func wantErr(t testing.TB, err error, status int, code string) *errs.Error {
	t.Helper()
	return ledgertest.WantErr(t, err, status, code)
}
