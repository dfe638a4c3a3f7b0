package evidence_test

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did/weid"
	"github.com/weidgo/weid/evidence"
	"github.com/weidgo/weid/internal/ledgertest"
	"github.com/weidgo/weid/keys"
)

const testChain = ledgertest.ChainID

// party is a did:weid identity with its key and a nonce counter.
type party struct{ *ledgertest.Actor }

func newParty(t testing.TB) *party { return &party{ledgertest.NewActor(t, keys.Ed25519)} }

// sig is the party's evidence signature on hash with its #key-1.
func (p *party) sig(t testing.TB, hash string) string {
	t.Helper()
	s, err := evidence.Sign(p.Key, p.VM(), hash)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (p *party) create(t testing.TB, hash string, mod ...func(*evidence.CreatePayload)) *chain.Tx {
	t.Helper()
	c := evidence.CreatePayload{Hash: hash, Signer: p.VM(), Signature: p.sig(t, hash)}
	for _, m := range mod {
		m(&c)
	}
	return p.Tx(t, evidence.TxCreate, c)
}

// testLedger is a ledger with the did and evidence types and a genesis block.
type testLedger struct {
	*ledgertest.Ledger
	admin *party
}

func newRegistry() *chain.Registry {
	return ledgertest.Registry(weid.Register, evidence.Register)
}

func newLedger(t testing.TB) *testLedger {
	t.Helper()
	tl := ledgertest.Genesis(t, newRegistry(), time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC))
	e := &testLedger{Ledger: tl, admin: &party{tl.Admin}}
	tl.PreVerify = e.preVerify
	return e
}

// preVerify runs the registry's and evidence's PreVerify on the committed
// state, as a node does before submitting (chain.Registry.PreVerify).
func (e *testLedger) preVerify(c *chain.Checked) {
	_ = e.Reg.PreVerify(e.L, c)
	evidence.PreVerify(e.L, c.Payload)
}

// check runs the stateless checks and, if preVerify, the pre-verification
// a node runs before submitting.
func (e *testLedger) check(t testing.TB, tx *chain.Tx, preVerify bool) (*chain.Checked, error) {
	t.Helper()
	c, err := e.Reg.CheckTx(testChain, tx)
	if err == nil && preVerify {
		e.preVerify(c)
	}
	return c, err
}

// user registers a new DID.
func (e *testLedger) user(t testing.TB) *party {
	t.Helper()
	p := newParty(t)
	e.Must(t, p.CreateTx(t))
	return p
}

func (e *testLedger) get(t testing.TB, hash string) *evidence.Evidence {
	t.Helper()
	ev, err := evidence.Get(e.L, hash)
	if err != nil {
		t.Fatalf("Get(%s): %v", hash, err)
	}
	return ev
}

func hashOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
