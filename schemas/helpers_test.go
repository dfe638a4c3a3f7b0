package schemas_test

import (
	"encoding/json"
	"net/http"
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

func (a *actor) vm() string { return a.did + "#" + did.FirstKeyFragment }

// tx signs a transaction of type typ with the actor's next nonce.
func (a *actor) tx(t testing.TB, typ string, payload any) *chain.Tx {
	t.Helper()
	a.nonce++
	return ledgertest.SignTx(t, a.key, a.vm(), a.nonce, typ, payload)
}

func (a *actor) create(t testing.TB) *chain.Tx {
	t.Helper()
	return a.tx(t, did.TxCreate, did.CreatePayload{DID: a.did, PublicKeyMultibase: a.key.Public().Multibase()})
}

// ledger is a chain.Ledger with did, authz and schemas registered and a
// genesis block committed.
type ledger struct {
	*ledgertest.Ledger
	l     *chain.Ledger
	admin *actor
}

func newRegistry() *chain.Registry {
	reg := chain.NewRegistry()
	weid.Register(reg)
	authz.Register(reg)
	schemas.Register(reg)
	return reg
}

// newLedger commits the genesis block as node.Open does (the admin's
// did.create, then chain.init), followed by extra transactions the admin
// signs at height 0, built by genesisTxs.
func newLedger(t testing.TB, genesisTxs ...func(t testing.TB, admin *actor) *chain.Tx) *ledger {
	t.Helper()
	tl := ledgertest.Open(t, newRegistry(), time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))
	e := &ledger{Ledger: tl, l: tl.L, admin: newActor(t)}
	txs := []*chain.Tx{
		e.admin.create(t),
		e.admin.tx(t, chain.TypeChainInit, chain.InitPayload{NodeKey: tl.Node.Public().Multibase(), Admins: []string{e.admin.did}}),
	}
	for _, f := range genesisTxs {
		txs = append(txs, f(t, e.admin))
	}
	e.MustGenesis(t, txs...)
	return e
}

// commit checks txs and commits them as the next block; it returns each
// one's error (from the stateless check or from the block).
func (e *ledger) commit(t testing.TB, txs ...*chain.Tx) []error {
	t.Helper()
	return e.Commit(t, txs...)
}

// submit commits one transaction and returns its hash and error.
func (e *ledger) submit(t testing.TB, tx *chain.Tx) (string, error) {
	t.Helper()
	return tx.Hash(), e.commit(t, tx)[0]
}

// must commits one transaction that must succeed.
func (e *ledger) must(t testing.TB, tx *chain.Tx) string {
	t.Helper()
	h, err := e.submit(t, tx)
	if err != nil {
		t.Fatalf("%s: %v", tx.Type, err)
	}
	return h
}

// user registers a new did:weid DID.
func (e *ledger) user(t testing.TB) *actor {
	t.Helper()
	a := newActor(t)
	e.must(t, a.create(t))
	return a
}

// issuer registers a new DID and has the admin recognize it as an
// authority issuer.
func (e *ledger) issuer(t testing.TB, name string) *actor {
	t.Helper()
	a := e.user(t)
	e.must(t, e.admin.tx(t, authz.TxRecognize, authz.RecognizePayload{DID: a.did, Name: name}))
	return a
}

// committee registers a new DID and has the admin make it a committee member.
func (e *ledger) committee(t testing.TB) *actor {
	t.Helper()
	a := e.user(t)
	e.must(t, e.admin.tx(t, authz.TxAddCommittee, authz.MemberPayload{DID: a.did}))
	return a
}

// register publishes schema doc under id (0: automatic) as a and returns the
// assigned id.
func (e *ledger) register(t testing.TB, a *actor, id uint64, doc string) uint64 {
	t.Helper()
	h := e.must(t, a.tx(t, schemas.TxRegister, schemas.RegisterPayload{ID: id, Schema: json.RawMessage(doc)}))
	got, ok, err := schemas.IDForTx(e.l, h)
	if err != nil || !ok {
		t.Fatalf("IDForTx(%s): %d %v %v", h, got, ok, err)
	}
	if id != 0 && got != id {
		t.Fatalf("registered id %d, asked for %d", got, id)
	}
	return got
}

// wantErr fails unless err is an *errs.Error with the given status and code.
func wantErr(t testing.TB, err error, status int, code string) *errs.Error {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || e.Status != status || e.Code != code {
		t.Fatalf("got error %v (%T), want %d %s", err, err, status, code)
	}
	return e
}

func wantForbidden(t testing.TB, err error) {
	t.Helper()
	wantErr(t, err, http.StatusForbidden, "tx.unauthorized")
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
