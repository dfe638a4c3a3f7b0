package chain

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/storage"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/keys"
)

// Test-only transaction types. "test.put" writes kv/<key> = value; its
// signer is the key named in the payload (SignerKey), so chain is tested
// without the did package. "test.put2" is the same type under another name,
// so that a tampered type still decodes. Signers of chain.init are resolved
// by testResolver from DIDs of the form did:test:<publicKeyMultibase>.
const (
	typePut  = "test.put"
	typePut2 = "test.put2"
	testDID  = "did:test:"
)

type putPayload struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	Pub   string `json:"pub"`
	Fail  bool   `json:"fail,omitempty"`
}

func (p *putPayload) Validate() error {
	if p.Key == "" {
		return errors.New("key is required")
	}
	return nil
}

func putKey(k string) []byte { return []byte("kv/" + k) }

func putHandler(typ string) Handler {
	return Handler{
		Type:       typ,
		NewPayload: func() Payload { return new(putPayload) },
		SignerKey: func(_ Reader, _ *Tx, p Payload) (keys.PublicKey, error) {
			return keys.ParseMultibase(p.(*putPayload).Pub)
		},
		Apply: func(ctx *Context, p Payload) error {
			pp := p.(*putPayload)
			// Write first, then fail: a failing transaction must leave nothing.
			ctx.State.Set(putKey(pp.Key), []byte(pp.Value))
			ctx.State.Set([]byte("last"), []byte(ctx.TxHash))
			if pp.Fail {
				return errs.New(http.StatusUnprocessableEntity, "test.failed", "the payload asked to fail")
			}
			return nil
		},
	}
}

// testResolver resolves did:test:<multibase>#fragment to the multibase key.
func testResolver(_ Reader, didURL string) (keys.PublicKey, error) {
	d, _, _ := strings.Cut(didURL, "#")
	mb, ok := strings.CutPrefix(d, testDID)
	if !ok {
		return keys.PublicKey{}, errs.New(http.StatusForbidden, "tx.unauthorized", "not a did:test DID: %s", didURL)
	}
	return keys.ParseMultibase(mb)
}

func testRegistry() *Registry {
	r := NewRegistry()
	r.Register(putHandler(typePut))
	r.Register(putHandler(typePut2))
	r.SetKeyResolver(testResolver)
	return r
}

const testChain = "test-chain.1"

// signer is a key with its did:test identity and a nonce counter.
type signer struct {
	key   *keys.PrivateKey
	nonce atomic.Uint64
}

func newSigner(t testing.TB, typ keys.Type) *signer {
	t.Helper()
	k := keytest.New(t, typ)
	return &signer{key: k}
}

func (s *signer) did() string  { return testDID + s.key.Public().Multibase() }
func (s *signer) from() string { return s.did() + "#k" }

// tx returns a signed transaction of type typ with the given payload and the
// signer's next nonce.
func (s *signer) tx(t testing.TB, typ string, payload any) *Tx {
	t.Helper()
	return s.txNonce(t, typ, s.nonce.Add(1), payload)
}

func (s *signer) txNonce(t testing.TB, typ string, nonce uint64, payload any) *Tx {
	t.Helper()
	raw, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	tx := &Tx{ChainID: testChain, Type: typ, From: s.from(), Nonce: nonce, Payload: raw}
	if err := tx.Sign(s.key); err != nil {
		t.Fatal(err)
	}
	return tx
}

// put returns a signed test.put transaction.
func (s *signer) put(t testing.TB, key, value string, fail bool) *Tx {
	t.Helper()
	return s.tx(t, typePut, putPayload{Key: key, Value: value, Pub: s.key.Public().Multibase(), Fail: fail})
}

func mustCheck(t testing.TB, reg *Registry, tx *Tx) *Checked {
	t.Helper()
	c, err := reg.CheckTx(testChain, tx)
	if err != nil {
		t.Fatalf("CheckTx: %v", err)
	}
	return c
}

// testChainEnv is a ledger with its genesis block committed.
type testChainEnv struct {
	dir   string
	l     *Ledger
	reg   *Registry
	node  *keys.PrivateKey
	admin *signer
	now   time.Time
}

var genesisTime = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func openLedger(t testing.TB, reg *Registry) *Ledger {
	t.Helper()
	l, err := Open(t.TempDir(), reg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// openMemLedger is openLedger over a memory database: for fuzz targets,
// which open a ledger per input (a directory, its files and their fsyncs
// made each time cost more than the input's own work).
func openMemLedger(t testing.TB, reg *Registry) *Ledger {
	t.Helper()
	db, err := leveldb.Open(storage.NewMemStorage(), nil)
	if err != nil {
		t.Fatal(err)
	}
	l, err := openDB(db, reg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// newTestChain opens a ledger in a temporary directory and commits a genesis
// block holding chain.init (signed by admin, naming node as the block key).
func newTestChain(t testing.TB) *testChainEnv {
	t.Helper()
	node := keytest.New(t, keys.Ed25519)
	return newTestChainWith(t, node, newSigner(t, keys.Ed25519))
}

func newTestChainWith(t testing.TB, node *keys.PrivateKey, admin *signer) *testChainEnv {
	t.Helper()
	reg := testRegistry()
	e := &testChainEnv{dir: t.TempDir(), reg: reg, node: node, admin: admin, now: genesisTime}
	l, err := Open(e.dir, reg)
	if err != nil {
		t.Fatal(err)
	}
	e.l = l
	t.Cleanup(func() { e.l.Close() })
	init := admin.txNonce(t, TypeChainInit, 0, InitPayload{NodeKey: node.Public().Multibase(), Admins: []string{admin.did()}})
	b, res := e.commit(t, init)
	if b == nil || res[0].Err != nil {
		t.Fatalf("genesis: block %v, result %+v", b, res)
	}
	return e
}

// reopen closes the ledger and opens its directory again, as a restarted
// node does.
func (e *testChainEnv) reopen(t testing.TB) {
	t.Helper()
	if err := e.l.Close(); err != nil {
		t.Fatal(err)
	}
	l, err := Open(e.dir, e.reg)
	if err != nil {
		t.Fatal(err)
	}
	e.l = l
}

// commit checks txs and commits them as the next block, one second after
// the previous one.
func (e *testChainEnv) commit(t testing.TB, txs ...*Tx) (*Block, []Result) {
	t.Helper()
	cs := make([]*Checked, len(txs))
	for i, tx := range txs {
		cs[i] = mustCheck(t, e.reg, tx)
	}
	b, res, err := e.l.Commit(cs, e.node, e.now)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	e.now = e.now.Add(time.Second)
	return b, res
}

func getState(t testing.TB, st Reader, key []byte) (string, bool) {
	t.Helper()
	v, ok, err := st.Get(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(v), ok
}
