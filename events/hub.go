package events

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
)

// Ledger is what events read: committed blocks, the head, and committed
// state (*chain.Ledger is one).
type Ledger interface {
	chain.Reader
	Head() chain.Head
	Block(h uint64) (*chain.Block, error)
	Registry() *chain.Registry
}

// DefaultBuffer is a live subscriber's buffer, in events, when the hub's
// is not set: a subscriber this far behind is cut off.
const DefaultBuffer = 4096

// ErrSlowConsumer ends a subscription whose reader fell a whole buffer
// behind the chain; it resumes from its last cursor.
var ErrSlowConsumer = errs.New(http.StatusServiceUnavailable, "events.slowConsumer", "the stream fell too far behind the chain and was cut off; resume from the last event's cursor (Last-Event-ID)")

// ErrClosed ends the subscriptions of a hub that stopped (the node is
// shutting down).
var ErrClosed = errs.New(http.StatusServiceUnavailable, "events.closed", "the node is shutting down; resume from the last event's cursor on another node or later")

// Hub derives each committed block's events once and hands them to its
// live subscriptions. Nothing is derived while nobody subscribes.
type Hub struct {
	l      Ledger
	buffer int

	wake   chan struct{}
	last   atomic.Pointer[chain.Block]   // the last block the hook saw, to spare a read
	count  atomic.Int32                  // subscriptions, read by the commit hook
	notify atomic.Pointer[chan struct{}] // closed at the next commit (NextCommit)
	cache  blockCache

	mu   sync.Mutex
	subs map[*Subscription]struct{}
	next uint64 // the next height to deliver
	gen  uint64 // bumped when next is reset, so a delivery in flight is dropped
	done bool
}

// NewHub returns a hub over l whose subscriptions buffer up to buffer
// events (DefaultBuffer if 0). Feed it with l's commit hook
// (l.OnCommit(h.Committed)) and run it (Run).
func NewHub(l Ledger, buffer int) *Hub {
	if buffer <= 0 {
		buffer = DefaultBuffer
	}
	return &Hub{l: l, buffer: buffer, wake: make(chan struct{}, 1), subs: map[*Subscription]struct{}{}}
}

// Committed is the ledger's commit hook. It runs on the engine's
// goroutine, so it does nothing but two atomic loads while nobody
// subscribes or waits, and otherwise wakes the hub and the waiters
// without waiting.
func (h *Hub) Committed(b *chain.Block) {
	if h.notify.Load() != nil {
		if c := h.notify.Swap(nil); c != nil {
			close(*c)
		}
	}
	if h.count.Load() == 0 {
		return
	}
	h.last.Store(b)
	h.poke()
}

// NextCommit returns a channel closed when the next block commits: a
// reader that caught up takes it, reads once more (a block committed
// before it took the channel is already readable), then waits on it
// instead of polling.
func (h *Hub) NextCommit() <-chan struct{} {
	for {
		if c := h.notify.Load(); c != nil {
			return *c
		}
		c := make(chan struct{})
		if h.notify.CompareAndSwap(nil, &c) {
			return c
		}
	}
}

func (h *Hub) poke() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Run delivers committed blocks' events to the subscriptions until ctx
// ends, then ends them with ErrClosed.
func (h *Hub) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			h.mu.Lock()
			h.done = true
			for s := range h.subs {
				h.drop(s, ErrClosed)
			}
			h.mu.Unlock()
			return
		case <-h.wake:
		}
		if err := h.deliver(); err != nil {
			h.mu.Lock()
			for s := range h.subs {
				h.drop(s, err)
			}
			h.mu.Unlock()
		}
	}
}

// deliver hands the subscriptions the events of every committed block
// they have not had: derived and encoded once, filtered once per distinct
// filter, queued to each subscription as one batch per block without
// waiting for its reader.
func (h *Hub) deliver() error {
	for {
		h.mu.Lock()
		next, gen, n := h.next, h.gen, len(h.subs)
		h.mu.Unlock()
		head := h.l.Head()
		if n == 0 || head.Empty || next > head.Height {
			return nil
		}
		live, err := h.blockEvents(next)
		if err != nil {
			return err
		}
		h.mu.Lock()
		if h.gen == gen && h.next == next {
			kept := map[string][]Live{}
			for s := range h.subs {
				batch, ok := kept[s.key]
				if !ok {
					batch = keep(s.f, live)
					kept[s.key] = batch
				}
				if len(batch) > 0 {
					s.offer(h, batch)
				}
			}
			h.next = next + 1
		}
		h.mu.Unlock()
	}
}

// keep is the events f keeps: evs itself if it keeps them all.
func keep(f *Filter, evs []Live) []Live {
	for i := range evs {
		if f.Match(&evs[i].Event) {
			continue
		}
		out := slices.Clone(evs[:i])
		for j := i + 1; j < len(evs); j++ {
			if f.Match(&evs[j].Event) {
				out = append(out, evs[j])
			}
		}
		return out
	}
	return evs
}

// Subscription is a live feed of the events of blocks from a height on,
// that a filter keeps, in batches (one per block). Ready signals queued
// batches, Take takes them; Done closes when the subscription ends, Err
// says why.
type Subscription struct {
	f   *Filter
	key string // f's Key: subscriptions with one filter share its batches
	h   *Hub

	mu      sync.Mutex // guards queue and pending (taken under h.mu, never the reverse)
	queue   [][]Live
	pending int // events queued
	ready   chan struct{}

	done chan struct{}
	err  error
}

// Subscribe starts a live subscription; it delivers the events of blocks
// from the returned height on (the next block the hub will deliver).
// Close it when done.
func (h *Hub) Subscribe(f *Filter) (*Subscription, uint64, error) {
	s := &Subscription{f: f, key: f.Key(), ready: make(chan struct{}, 1), done: make(chan struct{}), h: h}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.done {
		return nil, 0, ErrClosed
	}
	if len(h.subs) == 0 {
		// Nobody listened: the hub skipped blocks; start after the head.
		head := h.l.Head()
		h.next = head.Height + 1
		if head.Empty {
			h.next = 0
		}
		h.gen++
	}
	h.subs[s] = struct{}{}
	h.count.Add(1)
	h.poke() // a block committed since the head was read is delivered
	return s, h.next, nil
}

// offer queues a block's events for s, or ends s if that would hold more
// than the hub's buffer (called with h.mu held).
func (s *Subscription) offer(h *Hub, batch []Live) {
	s.mu.Lock()
	full := s.pending+len(batch) > h.buffer
	if !full {
		s.queue = append(s.queue, batch)
		s.pending += len(batch)
	}
	s.mu.Unlock()
	if full {
		h.drop(s, ErrSlowConsumer)
		return
	}
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

// Ready receives when batches are queued (Take them).
func (s *Subscription) Ready() <-chan struct{} { return s.ready }

// Take returns the queued batches, oldest first, and empties the queue.
func (s *Subscription) Take() [][]Live {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queue
	s.queue, s.pending = nil, 0
	return q
}

// drop ends s with err (called with h.mu held).
func (h *Hub) drop(s *Subscription, err error) {
	if _, ok := h.subs[s]; !ok {
		return
	}
	delete(h.subs, s)
	h.count.Add(-1)
	s.err = err
	close(s.done)
}

// Live is an event with its JSON encoding and position, made once for
// every reader.
type Live struct {
	api.Event
	JSON []byte
	Pos  Cursor
}

// Done is closed when the subscription ended (Err says why).
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Err is why the subscription ended: ErrSlowConsumer, ErrClosed, an error
// reading the ledger, or nil after Close.
func (s *Subscription) Err() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}

// Close ends the subscription.
func (s *Subscription) Close() {
	s.h.mu.Lock()
	defer s.h.mu.Unlock()
	s.h.drop(s, nil)
}

// Subscribers is the number of live subscriptions.
func (h *Hub) Subscribers() int { return int(h.count.Load()) }

// errStop ends a replay early without error.
var errStop = errors.New("stop")
