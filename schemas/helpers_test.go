package schemas_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did/weid"
	"github.com/weidgo/weid/internal/ledgertest"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/schemas"
)

// ledger is a ledger with did, authz and schemas registered and a genesis
// block committed.
type ledger struct{ *ledgertest.Ledger }

func newRegistry() *chain.Registry {
	return ledgertest.Registry(weid.Register, authz.Register, schemas.Register)
}

// newLedger commits the genesis block as node.Open does (the admin's
// did.create, then chain.init), followed by extra transactions the admin
// signs at height 0, built by genesisTxs.
func newLedger(t testing.TB, genesisTxs ...func(t testing.TB, admin *ledgertest.Actor) *chain.Tx) *ledger {
	t.Helper()
	extra := make([]func(*ledgertest.Actor) *chain.Tx, len(genesisTxs))
	for i, f := range genesisTxs {
		extra[i] = func(admin *ledgertest.Actor) *chain.Tx { return f(t, admin) }
	}
	return &ledger{ledgertest.Genesis(t, newRegistry(), time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC), extra...)}
}

// submit commits one transaction and returns its hash and error.
func (e *ledger) submit(t testing.TB, tx *chain.Tx) (string, error) {
	t.Helper()
	return tx.Hash(), e.Submit(t, tx)
}

// issuer registers a new DID and has the admin recognize it as an
// authority issuer.
func (e *ledger) issuer(t testing.TB, name string) *ledgertest.Actor {
	t.Helper()
	a := e.User(t, keys.Ed25519)
	e.Must(t, e.Admin.Tx(t, authz.TxRecognize, authz.RecognizePayload{DID: a.DID, Name: name}))
	return a
}

// committee registers a new DID and has the admin make it a committee member.
func (e *ledger) committee(t testing.TB) *ledgertest.Actor {
	t.Helper()
	a := e.User(t, keys.Ed25519)
	e.Must(t, e.Admin.Tx(t, authz.TxAddCommittee, authz.MemberPayload{DID: a.DID}))
	return a
}

// register publishes schema doc under id (0: automatic) as a and returns the
// assigned id.
func (e *ledger) register(t testing.TB, a *ledgertest.Actor, id uint64, doc string) uint64 {
	t.Helper()
	h := e.Must(t, a.Tx(t, schemas.TxRegister, schemas.RegisterPayload{ID: id, Schema: json.RawMessage(doc)}))
	got, ok, err := schemas.IDForTx(e.L, h)
	if err != nil || !ok {
		t.Fatalf("IDForTx(%s): %d %v %v", h, got, ok, err)
	}
	if id != 0 && got != id {
		t.Fatalf("registered id %d, asked for %d", got, id)
	}
	return got
}

func wantForbidden(t testing.TB, err error) {
	t.Helper()
	ledgertest.WantErr(t, err, http.StatusForbidden, "tx.unauthorized")
}

const personSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "name": {"type": "string", "minLength": 1},
    "age": {"type": "integer", "minimum": 0},
    "born": {"type": "string", "format": "date"},
    "address": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
  },
  "required": ["name", "age"]
}`
