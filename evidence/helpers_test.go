package evidence_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/did/weid"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/evidence"
	"github.com/weidgo/weid/keys"
)

const testChain = "test"

// party is a did:weid identity with its key and a nonce counter.
type party struct {
	key   *keys.PrivateKey
	did   string
	nonce uint64
}

func newParty(t testing.TB) *party {
	t.Helper()
	k, err := keys.Generate(keys.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	return &party{key: k, did: did.WeidDID(testChain, k.Public())}
}

func (p *party) vm() string { return p.did + "#" + did.FirstKeyFragment }

// tx signs a transaction of type typ with the party's next nonce.
func (p *party) tx(t testing.TB, typ string, payload any) *chain.Tx {
	t.Helper()
	raw, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	p.nonce++
	tx := &chain.Tx{ChainID: testChain, Type: typ, From: p.vm(), Nonce: p.nonce, Payload: raw}
	if err := tx.Sign(p.key); err != nil {
		t.Fatal(err)
	}
	return tx
}

// sig is the party's evidence signature on hash with its #key-1.
func (p *party) sig(t testing.TB, hash string) string {
	t.Helper()
	s, err := evidence.Sign(p.key, p.vm(), hash)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (p *party) create(t testing.TB, hash string, mod ...func(*evidence.CreatePayload)) *chain.Tx {
	t.Helper()
	c := evidence.CreatePayload{Hash: hash, Signer: p.vm(), Signature: p.sig(t, hash)}
	for _, m := range mod {
		m(&c)
	}
	return p.tx(t, evidence.TxCreate, c)
}

// testLedger is a ledger with the did and evidence types and a genesis block.
type testLedger struct {
	l     *chain.Ledger
	reg   *chain.Registry
	node  *keys.PrivateKey
	admin *party
	now   time.Time
}

func newRegistry() *chain.Registry {
	reg := chain.NewRegistry()
	weid.Register(reg)
	evidence.Register(reg)
	return reg
}

func newLedger(t testing.TB) *testLedger {
	t.Helper()
	reg := newRegistry()
	l, err := chain.Open(t.TempDir(), reg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	nk, err := keys.Generate(keys.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	e := &testLedger{l: l, reg: reg, node: nk, admin: newParty(t), now: time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)}
	for i, err := range e.commit(t,
		e.admin.tx(t, did.TxCreate, did.CreatePayload{DID: e.admin.did, PublicKeyMultibase: e.admin.key.Public().Multibase()}),
		e.admin.tx(t, chain.TypeChainInit, chain.InitPayload{NodeKey: nk.Public().Multibase(), Admins: []string{e.admin.did}}),
	) {
		if err != nil {
			t.Fatalf("genesis tx %d: %v", i, err)
		}
	}
	return e
}

// check runs the stateless checks and, if preVerify, evidence.PreVerify on
// the committed state, as a node does before submitting (chain.Registry.PreVerify).
func (e *testLedger) check(t testing.TB, tx *chain.Tx, preVerify bool) (*chain.Checked, error) {
	t.Helper()
	c, err := e.reg.CheckTx(testChain, tx)
	if err != nil {
		return nil, err
	}
	if preVerify {
		_ = e.reg.PreVerify(e.l, c)
		evidence.PreVerify(e.l, c.Payload)
	}
	return c, nil
}

// commitChecked commits checked transactions as the next block.
func (e *testLedger) commitChecked(t testing.TB, cs ...*chain.Checked) []error {
	t.Helper()
	_, res, err := e.l.Commit(cs, e.node, e.now)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	e.now = e.now.Add(time.Second)
	out := make([]error, len(cs))
	for i, r := range res {
		out[i] = r.Err
	}
	return out
}

// commit checks (with PreVerify) and commits txs as one block and returns
// each one's error.
func (e *testLedger) commit(t testing.TB, txs ...*chain.Tx) []error {
	t.Helper()
	out := make([]error, len(txs))
	var cs []*chain.Checked
	var idx []int
	for i, tx := range txs {
		c, err := e.check(t, tx, true)
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
	for j, err := range e.commitChecked(t, cs...) {
		out[idx[j]] = err
	}
	return out
}

func (e *testLedger) submit(t testing.TB, tx *chain.Tx) error {
	t.Helper()
	return e.commit(t, tx)[0]
}

func (e *testLedger) must(t testing.TB, tx *chain.Tx) {
	t.Helper()
	if err := e.submit(t, tx); err != nil {
		t.Fatalf("%s: %v", tx.Type, err)
	}
}

// user registers a new DID.
func (e *testLedger) user(t testing.TB) *party {
	t.Helper()
	p := newParty(t)
	e.must(t, p.tx(t, did.TxCreate, did.CreatePayload{DID: p.did, PublicKeyMultibase: p.key.Public().Multibase()}))
	return p
}

func (e *testLedger) get(t testing.TB, hash string) *evidence.Evidence {
	t.Helper()
	ev, err := evidence.Get(e.l, hash)
	if err != nil {
		t.Fatalf("Get(%s): %v", hash, err)
	}
	return ev
}

func hashOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
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
