package chain

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/syndtr/goleveldb/leveldb"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/eventually"
	"github.com/weidgo/weid/keys"
)

// startSolo starts a solo engine with cfg on a new test chain; the test's
// cleanup closes it.
func startSolo(t *testing.T, cfg SoloConfig) (*testChainEnv, *Solo) {
	t.Helper()
	e := newTestChain(t)
	s := NewSolo(e.l, e.node, cfg)
	t.Cleanup(func() { s.Close() })
	return e, s
}

// TestSoloGroupCommit submits from many goroutines at once: every
// submission gets a receipt for where its transaction is, and transactions
// arriving together share blocks.
func TestSoloGroupCommit(t *testing.T) {
	t.Parallel()
	e, s := startSolo(t, SoloConfig{Window: 20 * time.Millisecond})
	if s.Name() != "solo" {
		t.Fatalf("Name %q", s.Name())
	}
	const workers, perWorker = 16, 8
	types := []keys.Type{keys.Ed25519, keys.P256, keys.Secp256k1}
	var wg sync.WaitGroup
	receipts := make(chan Receipt, workers*perWorker)
	hashes := make(chan string, workers*perWorker)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sg := newSigner(t, types[w%len(types)])
			// Each worker submits perWorker transactions concurrently.
			var inner sync.WaitGroup
			for i := range perWorker {
				tx := sg.put(t, fmt.Sprintf("w%d/%d", w, i), "v", false)
				c, err := e.reg.CheckTx(testChain, tx)
				if err != nil {
					t.Error(err)
					return
				}
				if i%2 == 0 { // half are verified before the block, as the node does
					if err := e.reg.PreVerify(e.l, c); err != nil {
						t.Error(err)
						return
					}
				}
				inner.Add(1)
				go func() {
					defer inner.Done()
					r, err := s.Submit(context.Background(), c)
					if err != nil {
						t.Errorf("Submit: %v", err)
						return
					}
					if r.TxHash != c.Hash || r.Height == 0 {
						t.Errorf("receipt %+v for %s", r, c.Hash)
					}
					receipts <- r
					hashes <- c.Hash
				}()
			}
			inner.Wait()
		}()
	}
	wg.Wait()
	close(receipts)
	close(hashes)

	n := 0
	for r := range receipts {
		n++
		p, err := e.l.Tx(r.TxHash)
		if err != nil {
			t.Fatalf("receipt %+v: %v", r, err)
		}
		if p.Height != r.Height || p.Index != r.Index {
			t.Fatalf("receipt %+v, ledger has %d/%d", r, p.Height, p.Index)
		}
		if err := Standard.VerifyTx(p); err != nil {
			t.Fatal(err)
		}
	}
	if n != workers*perWorker {
		t.Fatalf("%d receipts for %d transactions", n, workers*perWorker)
	}
	blocks := e.l.Head().Height // excluding genesis
	if blocks == 0 || blocks >= uint64(n) {
		t.Fatalf("%d transactions in %d blocks: no group commit", n, blocks)
	}
	t.Logf("%d transactions in %d blocks", n, blocks)
	if _, err := e.l.AuditStore(); err != nil {
		t.Fatal(err)
	}
}

func TestSoloMaxTxsCapsBlocks(t *testing.T) {
	t.Parallel()
	e := newTestChain(t)
	s := NewSolo(e.l, e.node, SoloConfig{Window: 50 * time.Millisecond, MaxTxs: 3})
	sg := newSigner(t, keys.Ed25519)
	for i := range 10 {
		if err := s.SubmitAsync(mustCheck(t, e.reg, sg.put(t, fmt.Sprint(i), "v", false))); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for h := uint64(1); h <= e.l.Head().Height; h++ {
		if b := mustBlock(t, e.l, h); len(b.Txs) > 3 {
			t.Fatalf("block %d has %d txs", h, len(b.Txs))
		}
	}
	if e.l.Head().Height < 4 {
		t.Fatalf("10 txs in %d blocks of at most 3", e.l.Head().Height)
	}
}

func TestSoloRejectsDuplicates(t *testing.T) {
	t.Parallel()
	// A long window keeps the first submission pending.
	e, s := startSolo(t, SoloConfig{Window: 300 * time.Millisecond})
	sg := newSigner(t, keys.Ed25519)
	c := mustCheck(t, e.reg, sg.put(t, "k", "v", false))
	if err := s.SubmitAsync(c); err != nil {
		t.Fatal(err)
	}
	dup := mustCheck(t, e.reg, c.Tx)
	err := s.SubmitAsync(dup)
	if e, ok := errs.As(err); !ok || e.Code != "tx.replay" || e.Status != http.StatusConflict {
		t.Fatalf("duplicate SubmitAsync = %v, want 409 tx.replay", err)
	}
	if _, err := s.Submit(context.Background(), dup); errs.Code(err) != "tx.replay" {
		t.Fatalf("duplicate Submit = %v, want tx.replay", err)
	}
	eventually.True(t, "the transaction to commit", 20*time.Second, func() bool { _, _, ok, _ := e.l.TxLocation(c.Hash); return ok })
	// Once committed, it is still a replay.
	if _, err := s.Submit(context.Background(), dup); errs.Code(err) != "tx.replay" {
		t.Fatalf("Submit of a committed tx = %v, want tx.replay", err)
	}
}

func TestSoloAsyncStatus(t *testing.T) {
	t.Parallel()
	e, s := startSolo(t, SoloConfig{Window: 200 * time.Millisecond})
	sg := newSigner(t, keys.P256)
	good := mustCheck(t, e.reg, sg.put(t, "good", "v", false))
	bad := mustCheck(t, e.reg, sg.put(t, "bad", "v", true))
	forged := sg.put(t, "forged", "v", false)
	forged.Signature = flipB64(forged.Signature, 3)
	forgedC := mustCheck(t, e.reg, forged)

	if _, _, ok := s.Status(good.Hash); ok {
		t.Fatal("Status knows a transaction never submitted")
	}
	for _, c := range []*Checked{good, bad, forgedC} {
		if err := s.SubmitAsync(c); err != nil {
			t.Fatal(err)
		}
		if state, err, ok := s.Status(c.Hash); !ok || state != "pending" || err != nil {
			t.Fatalf("Status right after SubmitAsync = %q, %v, %v", state, err, ok)
		}
	}
	eventually.True(t, "the block", 20*time.Second, func() bool { _, _, ok := s.Status(good.Hash); return !ok })
	if _, _, ok, err := e.l.TxLocation(good.Hash); !ok || err != nil {
		t.Fatalf("the good transaction is not committed: %v", err)
	}
	tests := []struct {
		c    *Checked
		code string
	}{{bad, "test.failed"}, {forgedC, "tx.badSignature"}}
	for _, tt := range tests {
		state, err, ok := s.Status(tt.c.Hash)
		if !ok || state != "rejected" || errs.Code(err) != tt.code {
			t.Fatalf("Status = %q, %v, %v; want rejected with %s", state, err, ok, tt.code)
		}
		if _, _, ok, _ := e.l.TxLocation(tt.c.Hash); ok {
			t.Fatal("a rejected transaction is in the ledger")
		}
	}
}

func TestSoloSubmitReturnsRejection(t *testing.T) {
	t.Parallel()
	e, s := startSolo(t, SoloConfig{})
	sg := newSigner(t, keys.Secp256k1)
	_, err := s.Submit(context.Background(), mustCheck(t, e.reg, sg.put(t, "k", "v", true)))
	if errs.Code(err) != "test.failed" {
		t.Fatalf("Submit = %v, want test.failed", err)
	}
	// A Submit that gives up waiting reports the transaction as pending,
	// and it still commits.
	slow := NewSolo(e.l, e.node, SoloConfig{Window: 200 * time.Millisecond})
	defer slow.Close()
	c := mustCheck(t, e.reg, sg.put(t, "k2", "v", false))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err = slow.Submit(ctx, c)
	if e, ok := errs.As(err); !ok || e.Code != "tx.pending" || e.Status != http.StatusAccepted {
		t.Fatalf("Submit with a short deadline = %v, want 202 tx.pending", err)
	}
	eventually.True(t, "the abandoned transaction to commit", 20*time.Second, func() bool { _, _, ok, _ := e.l.TxLocation(c.Hash); return ok })
}

func TestSoloBusy(t *testing.T) {
	t.Parallel()
	e := newTestChain(t)
	// The disk stalls the engine on its first block while the queue fills.
	release := make(chan struct{})
	write := e.l.write
	e.l.write = func(b *leveldb.Batch) error { <-release; return write(b) }
	s := NewSolo(e.l, e.node, SoloConfig{MaxTxs: 1, Queue: 2})
	sg := newSigner(t, keys.Ed25519)
	var accepted []*Checked
	busy := 0
	for i := range 6 {
		c := mustCheck(t, e.reg, sg.put(t, fmt.Sprint(i), "v", false))
		switch err := s.SubmitAsync(c); {
		case err == nil:
			accepted = append(accepted, c)
		case errs.Code(err) == "ledger.busy":
			if e, _ := errs.As(err); e.Status != http.StatusServiceUnavailable {
				t.Fatalf("ledger.busy with status %d", e.Status)
			}
			busy++
		default:
			t.Fatalf("SubmitAsync: %v", err)
		}
	}
	// At most one block being written, one waiting for it, and two queued.
	if len(accepted) > 4 || busy < 2 {
		t.Fatalf("a queue of 2 took %d of 6 transactions", len(accepted))
	}
	close(release)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range accepted {
		if _, _, ok, _ := e.l.TxLocation(c.Hash); !ok {
			t.Fatal("an accepted transaction was not committed")
		}
	}
}

// TestSoloCloseCommitsQueued closes the engine with transactions queued:
// they are all committed before Close returns, and later submissions fail.
func TestSoloCloseCommitsQueued(t *testing.T) {
	t.Parallel()
	e := newTestChain(t)
	s := NewSolo(e.l, e.node, SoloConfig{Window: 20 * time.Millisecond, MaxTxs: 4})
	sg := newSigner(t, keys.Ed25519)
	var cs []*Checked
	for i := range 25 {
		c := mustCheck(t, e.reg, sg.put(t, fmt.Sprint(i), "v", i == 7))
		if err := s.SubmitAsync(c); err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	// A synchronous submitter waiting when Close is called gets its answer.
	done := make(chan error, 1)
	last := mustCheck(t, e.reg, sg.put(t, "last", "v", false))
	go func() {
		_, err := s.Submit(context.Background(), last)
		done <- err
	}()
	eventually.True(t, "the synchronous submission to queue", 20*time.Second, func() bool {
		st, _, _ := s.Status(last.Hash)
		_, _, committed, _ := e.l.TxLocation(last.Hash)
		return st == "pending" || committed
	})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Submit across Close: %v", err)
	}
	for i, c := range append(cs, last) {
		_, _, ok, err := e.l.TxLocation(c.Hash)
		if err != nil || ok != (i != 7) {
			t.Fatalf("tx %d committed=%v after Close: %v", i, ok, err)
		}
		if st, _, _ := s.Status(c.Hash); st == "pending" {
			t.Fatalf("tx %d still pending after Close", i)
		}
	}
	if st, err, _ := s.Status(cs[7].Hash); st != "rejected" || errs.Code(err) != "test.failed" {
		t.Fatalf("rejected tx: %q %v", st, err)
	}
	err := s.SubmitAsync(mustCheck(t, e.reg, sg.put(t, "late", "v", false)))
	if e, ok := errs.As(err); !ok || e.Code != "ledger.closed" || e.Status != http.StatusServiceUnavailable {
		t.Fatalf("SubmitAsync after Close = %v, want 503 ledger.closed", err)
	}
	if err := s.Close(); err != nil { // idempotent
		t.Fatal(err)
	}
	if _, err := e.l.AuditStore(); err != nil {
		t.Fatal(err)
	}
}

// TestSoloStorageFailure: when the disk fails, the submitters of the block
// and every later submitter get the 503, until the node restarts.
func TestSoloStorageFailure(t *testing.T) {
	t.Parallel()
	e := newTestChain(t)
	e.l.write = func(*leveldb.Batch) error { return fmt.Errorf("no space left on device") }
	s := NewSolo(e.l, e.node, SoloConfig{})
	sg := newSigner(t, keys.Ed25519)
	c := mustCheck(t, e.reg, sg.put(t, "k", "v", false))
	for i := range 2 {
		_, err := s.Submit(context.Background(), c)
		if e, ok := errs.As(err); !ok || e.Code != "ledger.unavailable" || e.Status != http.StatusServiceUnavailable {
			t.Fatalf("Submit %d on a failed disk = %v", i, err)
		}
	}
	async := mustCheck(t, e.reg, sg.put(t, "k2", "v", false))
	if err := s.SubmitAsync(async); err != nil {
		t.Fatal(err)
	}
	eventually.True(t, "the async rejection", 20*time.Second, func() bool { st, _, _ := s.Status(async.Hash); return st == "rejected" })
	if _, err, _ := s.Status(async.Hash); errs.Code(err) != "ledger.unavailable" {
		t.Fatalf("async status error %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	e.reopen(t)
	s = NewSolo(e.l, e.node, SoloConfig{})
	defer s.Close()
	if r, err := s.Submit(context.Background(), c); err != nil || r.Height != 1 {
		t.Fatalf("Submit after restart: %+v, %v", r, err)
	}
}

// TestSoloLinger: when a block's write ends while a transaction is still
// being checked (announced), the next block waits for it, also past
// LingerGap while it is announced, and closes once nothing is announced or
// arriving; when nothing is announced, it closes at once, however long
// Linger is.
func TestSoloLinger(t *testing.T) {
	t.Parallel()
	e := newTestChain(t)
	writing, gate := make(chan struct{}, 8), make(chan struct{})
	write := e.l.write
	e.l.write = func(b *leveldb.Batch) error { writing <- struct{}{}; <-gate; return write(b) }
	lingering := make(chan struct{}, 8)
	const gap = 200 * time.Millisecond
	s := NewSolo(e.l, e.node, SoloConfig{Window: -1, Linger: time.Hour, LingerGap: gap})
	s.onLinger = func() { lingering <- struct{}{} }
	defer s.Close()
	defer close(gate)
	sg := newSigner(t, keys.Ed25519)
	submit := func(key string) *Checked {
		t.Helper()
		c := mustCheck(t, e.reg, sg.put(t, key, "v", false))
		if err := s.SubmitAsync(c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	height := func(c *Checked) uint64 {
		t.Helper()
		var h uint64
		eventually.True(t, "the commit of "+string(c.Tx.Payload), 20*time.Second, func() bool { var ok bool; h, _, ok, _ = e.l.TxLocation(c.Hash); return ok })
		return h
	}

	// Nothing announced: the block after a write closes when the write ends.
	c1 := submit("1")
	<-writing // block 1 is being written
	c2 := submit("2")
	gate <- struct{}{}
	<-writing // block 2 is being written: it did not linger
	gate <- struct{}{}
	if height(c2) != height(c1)+1 {
		t.Fatal("transaction 2 should have its own block")
	}

	// A transaction announced when the write ends: the block lingers.
	c3 := submit("3")
	<-writing
	s.Announce()
	c4 := submit("4")
	eventually.True(t, "the engine to take transaction 4", 20*time.Second, func() bool { return len(s.in) == 0 })
	gate <- struct{}{}
	select {
	case <-lingering:
	case <-time.After(20 * time.Second):
		t.Fatal("the block did not linger for the announced transaction")
	}
	c5 := submit("5")
	time.Sleep(gap * 3 / 2) // quiet for more than a gap, but one is still announced
	s.Withdraw()
	c6 := submit("6") // the block closes a gap after this
	<-writing
	gate <- struct{}{}
	h := height(c4)
	if height(c5) != h || height(c6) != h || height(c3) != h-1 {
		t.Fatalf("transactions 4, 5 and 6 should share the block after 3's: heights %d %d %d, 3 at %d", h, height(c5), height(c6), height(c3))
	}
	select {
	case <-lingering:
		t.Fatal("a block lingered with nothing announced")
	default:
	}
}
