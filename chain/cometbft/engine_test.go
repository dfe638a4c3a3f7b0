package cometbft_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	mempl "github.com/cometbft/cometbft/mempool"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/chain/cometbft"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
)

// twins returns two different did.create transactions of one P-256 key with
// the same nonce (ECDSA signatures are randomized): once one commits, the
// other's nonce is used.
func twins(t *testing.T) (a, b *chain.Tx) {
	t.Helper()
	a, k := didCreateOf(t, keys.P256)
	cp := *a
	if err := cp.Sign(k); err != nil {
		t.Fatal(err)
	}
	if cp.Hash() == a.Hash() {
		t.Fatal("the twin has the same hash")
	}
	return a, &cp
}

// newTestEngine returns an engine (waiting a minute for commits) over the
// app of a new fixture, with the app and its ledger.
func newTestEngine(t *testing.T) (*cometbft.App, *chain.Ledger, *cometbft.Engine) {
	t.Helper()
	a, l, _ := newFixture(t).app(t)
	return a, l, cometbft.NewTestEngine(a, time.Minute)
}

func outcome(t *testing.T, ch <-chan chain.Result) chain.Result {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("the waiter was not released")
		return chain.Result{}
	}
}

// TestEngine_RecheckEvictionReleasesWaiter: a transaction that passed
// CheckTx and then fails its recheck after a block (its nonce was used by
// another transaction) is evicted from the mempool; its submitter is told
// at once, with the recheck's reason, and an async submission is reported
// rejected by Status.
func TestEngine_RecheckEvictionReleasesWaiter(t *testing.T) {
	a, _, e := newTestEngine(t)
	waited, winner := twins(t)
	async, winner2 := twins(t)
	for _, tx := range []*chain.Tx{waited, async} {
		if res := checkTx(t, a, tx.Canonical(), abci.CHECK_TX_TYPE_CHECK); res.Code != abci.CodeTypeOK {
			t.Fatalf("CheckTx: %+v", res)
		}
	}
	ch := e.Track(waited.Hash(), waited.Canonical(), true)
	e.Track(async.Hash(), async.Canonical(), false)
	if st, _, ok := e.Status(async.Hash()); !ok || st != "pending" {
		t.Fatalf("Status before the block: %q %v", st, ok)
	}
	finalize(t, a, 1, genesisTime.Add(time.Second), winner.Canonical(), winner2.Canonical())
	select {
	case r := <-ch:
		t.Fatalf("released before the recheck: %+v", r)
	default:
	}
	for _, tx := range []*chain.Tx{waited, async} {
		if res := checkTx(t, a, tx.Canonical(), abci.CHECK_TX_TYPE_RECHECK); res.Codespace != "tx.replay" {
			t.Fatalf("recheck: %+v", res)
		}
	}
	r := outcome(t, ch)
	if e, ok := errs.As(r.Err); !ok || e.Status != http.StatusConflict || e.Code != "tx.replay" || !strings.Contains(e.Detail, "dropped from the mempool") {
		t.Fatalf("waiter released with %v", r.Err)
	}
	st, err, ok := e.Status(async.Hash())
	if !ok || st != "rejected" || errs.Code(err) != "tx.replay" {
		t.Fatalf("Status of the evicted async submission: %q %v %v", st, err, ok)
	}
	if _, _, ok := e.Status(waited.Hash()); ok {
		t.Fatal("a rejection its submitter was told of is remembered too")
	}
}

// TestEngine_SweepReleasesDroppedWaiter: a submission that left the mempool
// without a block and without a recheck failure (evicted, flushed) is found
// by the sweep and released with 503 tx.dropped; one still in the mempool
// keeps waiting, and one committed is answered by the block.
func TestEngine_SweepReleasesDroppedWaiter(t *testing.T) {
	a, _, e := newTestEngine(t)
	gone, _ := twins(t)
	kept, _ := twins(t)
	done, _ := twins(t)
	chGone := e.Track(gone.Hash(), gone.Canonical(), true)
	chKept := e.Track(kept.Hash(), kept.Canonical(), true)
	chDone := e.Track(done.Hash(), done.Canonical(), true)
	finalize(t, a, 1, genesisTime.Add(time.Second), done.Canonical())
	if r := outcome(t, chDone); r.Err != nil || r.Height != 1 {
		t.Fatalf("committed: %+v", r)
	}
	e.SweepWith(kept.Canonical())
	if r := outcome(t, chGone); errs.Code(r.Err) != "tx.dropped" {
		t.Fatalf("dropped: %v", r.Err)
	} else if e, _ := errs.As(r.Err); e.Status != http.StatusServiceUnavailable {
		t.Fatalf("dropped status %d", e.Status)
	}
	select {
	case r := <-chKept:
		t.Fatalf("a transaction still in the mempool was released: %+v", r)
	default:
	}
	if st, _, _ := e.Status(kept.Hash()); st != "pending" {
		t.Fatalf("kept: %q", st)
	}
}

// TestEngine_ExpiredOnRecheckReleasesWaiter: a transaction valid until
// block 1 waits in the mempool while block 1 commits others; the recheck
// after it finds validUntil passed (the next block is 2), the mempool
// evicts it, and its submitter gets 400 tx.expired.
func TestEngine_ExpiredOnRecheckReleasesWaiter(t *testing.T) {
	a, _, e := newTestEngine(t)
	k, _ := keys.Generate(keys.Ed25519)
	d := did.WeidDID("1", k.Public())
	tx, err := node.SignTxUntil("1", d+"#"+did.FirstKeyFragment, k, did.TxCreate, &did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()}, "1")
	if err != nil {
		t.Fatal(err)
	}
	if res := checkTx(t, a, tx.Canonical(), abci.CHECK_TX_TYPE_CHECK); res.Code != abci.CodeTypeOK {
		t.Fatalf("CheckTx: %+v", res)
	}
	ch := e.Track(tx.Hash(), tx.Canonical(), true)
	other, _ := didCreate(t)
	finalize(t, a, 1, genesisTime.Add(time.Second), other)
	if res := checkTx(t, a, tx.Canonical(), abci.CHECK_TX_TYPE_RECHECK); res.Codespace != "tx.expired" {
		t.Fatalf("recheck: %+v", res)
	}
	if r := outcome(t, ch); errs.Code(r.Err) != "tx.expired" {
		t.Fatalf("released with %v", r.Err)
	}
	// A new CheckTx refuses it too, and one too far ahead of the clock.
	if res := checkTx(t, a, tx.Canonical(), abci.CHECK_TX_TYPE_CHECK); res.Code != http.StatusBadRequest || res.Codespace != "tx.expired" {
		t.Fatalf("CheckTx of an expired tx: %+v", res)
	}
	far, err := node.SignTxUntil("1", d+"#"+did.FirstKeyFragment, k, did.TxCreate, &did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()}, time.Now().Add(48*time.Hour).UTC().Format(time.RFC3339))
	if err != nil {
		t.Fatal(err)
	}
	if res := checkTx(t, a, far.Canonical(), abci.CHECK_TX_TYPE_CHECK); res.Codespace != "tx.malformed" {
		t.Fatalf("CheckTx of a far-future tx: %+v", res)
	}
}

// TestEngine_MempoolRefusalAfterCheckTx: CheckTx can pass and the mempool
// still not add the transaction (full by the time the check ended, or the
// same bytes already there): the callback's error says so, and the
// submitter gets it at once (503 ledger.busy, 409 tx.replay) instead of
// waiting for a block that will never hold it — the benchmark's hang.
func TestEngine_MempoolRefusalAfterCheckTx(t *testing.T) {
	_, l, e := newTestEngine(t)
	for _, tc := range []struct {
		err  error
		code string
	}{
		{mempl.ErrMempoolIsFull{NumTxs: 5000, MaxTxs: 5000}, "ledger.busy"},
		{mempl.ErrRecheckFull, "ledger.busy"},
		{mempl.ErrTxInMempool, "tx.replay"},
	} {
		_, tx := didCreate(t)
		c, err := l.Registry().CheckTx("1", tx)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.EnterRefused(c, tc.err); errs.Code(err) != tc.code {
			t.Errorf("%v: %v, want %s", tc.err, err, tc.code)
		}
		if st, _, ok := e.Status(tx.Hash()); ok {
			t.Errorf("%v: the refused transaction is still %s", tc.err, st)
		}
	}
}
