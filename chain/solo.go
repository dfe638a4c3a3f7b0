package chain

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
)

// SoloConfig tunes the solo engine's group commit.
type SoloConfig struct {
	// Window is how long the engine waits, after the first transaction
	// arrives at an idle disk, for more to join the block (default 200 µs;
	// negative: not at all). While a block is being written, the next one
	// gathers for as long as that write takes.
	Window time.Duration
	// Linger is how long a block whose disk has just become free may wait
	// for more transactions if some are being checked (announced, see
	// Announcer) at that moment (default 1 ms; negative: not at all). It
	// stops waiting sooner once nothing is being checked and nothing has
	// arrived for LingerGap (default 50 µs). Under load this makes fewer,
	// larger blocks — each costs a journal write, an fsync and a signature
	// whatever its size. A lone client, whose next transaction waits for
	// its last, is never kept waiting.
	Linger, LingerGap time.Duration
	// MaxTxs caps a block's transactions (default 4096).
	MaxTxs int
	// Queue caps the transactions waiting for a block (default 65536);
	// beyond it submissions fail with 503 ledger.busy.
	Queue int
}

// Solo is the embedded single-node engine: a mempool and group commit. Every
// transaction arriving within a short window becomes one block, written with
// its state changes in one atomic batch and one fsync.
type Solo struct {
	l    *Ledger
	key  *keys.PrivateKey
	cfg  SoloConfig
	in   chan *submission
	quit chan struct{}
	done chan struct{}

	incoming atomic.Int64 // announced transactions still being checked
	onLinger func()       // tests: called when a block starts to linger

	mu       sync.Mutex
	pending  map[string]bool // hashes accepted, not yet in a block
	rejected Rejections      // recent async rejections
	closed   bool
}

type submission struct {
	c    *Checked
	done chan Result // nil for async submissions
}

// NewSolo starts a solo engine that appends blocks to l, signed with key.
func NewSolo(l *Ledger, key *keys.PrivateKey, cfg SoloConfig) *Solo {
	if cfg.Window == 0 {
		cfg.Window = 200 * time.Microsecond
	}
	if cfg.Linger == 0 {
		cfg.Linger = time.Millisecond
	}
	if cfg.LingerGap <= 0 {
		cfg.LingerGap = 50 * time.Microsecond
	}
	if cfg.MaxTxs <= 0 {
		cfg.MaxTxs = 4096
	}
	if cfg.Queue <= 0 {
		cfg.Queue = 65536
	}
	s := &Solo{l: l, key: key, cfg: cfg, in: make(chan *submission, cfg.Queue), quit: make(chan struct{}), done: make(chan struct{}),
		pending: map[string]bool{}}
	go s.loop()
	return s
}

// Name implements Engine.
func (s *Solo) Name() string { return "solo" }

// Announce implements Announcer.
func (s *Solo) Announce() { s.incoming.Add(1) }

// Withdraw implements Announcer.
func (s *Solo) Withdraw() { s.incoming.Add(-1) }

func (s *Solo) enqueue(sub *submission) error {
	// A transaction committed before is refused by its nonce when its block
	// is applied (tx.replay), as is any other reuse of a signer's nonce:
	// looking its hash up here as well would cost every write a read.
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errs.New(http.StatusServiceUnavailable, "ledger.closed", "the node is shutting down")
	}
	if s.pending[sub.c.Hash] {
		return errs.New(http.StatusConflict, "tx.replay", "transaction %s is already pending", sub.c.Hash)
	}
	select {
	case s.in <- sub:
		s.pending[sub.c.Hash] = true
		return nil
	default:
		return errs.New(http.StatusServiceUnavailable, "ledger.busy", "the mempool is full (%d transactions); retry later", s.cfg.Queue)
	}
}

// Submit implements Engine.
func (s *Solo) Submit(ctx context.Context, c *Checked) (Receipt, error) {
	sub := &submission{c: c, done: make(chan Result, 1)}
	if err := s.enqueue(sub); err != nil {
		return Receipt{}, err
	}
	select {
	case r := <-sub.done:
		if r.Err != nil {
			return Receipt{}, r.Err
		}
		return Receipt{TxHash: c.Hash, Height: r.Height, Index: r.Index}, nil
	case <-ctx.Done():
		// The transaction stays in the mempool and may still commit.
		return Receipt{}, Pending(c.Hash)
	}
}

// SubmitAsync implements Engine.
func (s *Solo) SubmitAsync(c *Checked) error { return s.enqueue(&submission{c: c}) }

// Status implements Engine.
func (s *Solo) Status(hash string) (string, error, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending[hash] {
		return "pending", nil, true
	}
	if err := s.rejected.Reason(hash); err != nil {
		return "rejected", err, true
	}
	return "", nil, false
}

// Close implements Engine: it stops accepting, commits what is queued and returns.
func (s *Solo) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		<-s.done
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	close(s.quit)
	<-s.done
	return nil
}

// loop gathers blocks and pipelines them. A block holds what arrived while
// the previous block was being written (group commit: the fsync's latency
// sets the batch size); or, when the disk is idle, what arrives within
// Window of the first transaction. If transactions are still being checked
// (announced) when that write ends, the block lingers for them (Linger,
// LingerGap): a busy node's clients, answered all at once when a block
// becomes durable, then send their next transactions into one block, not
// into two or three small ones. The next block is applied on top of the
// one being written when it fills up before that write ends, so CPU and disk
// work at the same time. A submitter is answered only once its block is
// durable.
func (s *Solo) loop() {
	defer close(s.done)
	var inflight *flight
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	gap := time.NewTimer(time.Hour)
	gap.Stop()
	for {
		batch := make([]*submission, 0, 64)
		select {
		case sub := <-s.in:
			batch = append(batch, sub)
		case <-s.quit:
			s.drain(inflight)
			return
		}
		var writing <-chan struct{}
		if inflight != nil {
			writing = inflight.done
		}
		var window <-chan time.Time
		if writing == nil && s.cfg.Window > 0 {
			timer.Reset(s.cfg.Window)
			window = timer.C
		}
		var quiet <-chan time.Time // lingering: nothing has arrived for LingerGap
	collect:
		for len(batch) < s.cfg.MaxTxs {
			if writing == nil && window == nil {
				// Idle disk and no window: take what is queued, then go.
				select {
				case sub := <-s.in:
					batch = append(batch, sub)
					continue
				default:
					break collect
				}
			}
			select {
			case sub := <-s.in:
				batch = append(batch, sub)
				if quiet != nil {
					gap.Reset(s.cfg.LingerGap)
				}
			case <-writing:
				writing = nil
				if window == nil {
					if s.cfg.Linger > 0 && s.incoming.Load() > 0 {
						timer.Reset(s.cfg.Linger)
						gap.Reset(s.cfg.LingerGap)
						window, quiet = timer.C, gap.C
						if s.onLinger != nil {
							s.onLinger()
						}
						continue
					}
					break collect
				}
			case <-window:
				window = nil
				break collect
			case <-quiet:
				if s.incoming.Load() <= 0 {
					break collect
				}
				gap.Reset(s.cfg.LingerGap)
			}
		}
		// go.mod's Go ≥ 1.23 timer semantics: after Stop no stale value
		// is ever received, so there is nothing to drain (draining could block).
		timer.Stop()
		gap.Stop()
		inflight = s.commit(batch, inflight)
	}
}

// flight is a block being written.
type flight struct {
	p    *Prepared
	done chan struct{}
	err  error
}

// drain commits whatever is still queued at shutdown.
func (s *Solo) drain(inflight *flight) {
	for {
		batch := make([]*submission, 0, s.cfg.MaxTxs)
	fill:
		for len(batch) < s.cfg.MaxTxs {
			select {
			case sub := <-s.in:
				batch = append(batch, sub)
			default:
				break fill
			}
		}
		if len(batch) == 0 {
			if inflight != nil {
				<-inflight.done
			}
			return
		}
		inflight = s.commit(batch, inflight)
	}
}

// commit prepares batch as the block after prev (still being written, or
// nil), waits for prev to be durable, and starts writing the new block.
func (s *Solo) commit(batch []*submission, prev *flight) *flight {
	cs := make([]*Checked, len(batch))
	for i, sub := range batch {
		cs[i] = sub.c
	}
	var parent *Prepared
	if prev != nil {
		select {
		case <-prev.done:
		default:
			parent = prev.p
		}
	}
	p, err := s.l.Prepare(cs, s.key, time.Now(), parent)
	if prev != nil {
		<-prev.done
		if prev.err != nil && p != nil && parent != nil {
			p.Fail(prev.err) // built on a block that never became durable
			p.Block = nil
		}
	}
	if err != nil || p.Block == nil {
		res := make([]Result, len(batch))
		if p != nil {
			res = p.Results
		}
		for i := range res {
			if err != nil {
				res[i].Err = err
			}
		}
		s.answer(batch, res)
		return nil
	}
	f := &flight{p: p, done: make(chan struct{})}
	go func() {
		f.err = s.l.Persist(p)
		s.answer(batch, p.Results)
		close(f.done)
	}()
	return f
}

// answer tells each submitter what became of its transaction.
func (s *Solo) answer(batch []*submission, results []Result) {
	s.mu.Lock()
	for i, sub := range batch {
		delete(s.pending, sub.c.Hash)
		if r := results[i]; r.Err != nil {
			s.l.metrics.Rejected(errs.Code(r.Err))
			if sub.done == nil {
				s.rejected.Add(sub.c.Hash, r.Err)
			}
		}
	}
	s.mu.Unlock()
	for i, sub := range batch {
		if sub.done != nil {
			sub.done <- results[i]
		}
	}
}
