package exchange

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/grants"
	"github.com/weidgo/weid/internal/retry"
)

// Bounds of a FollowedLedger's memory: past them it forgets everything
// and reads the ledger again (always safe).
const (
	MaxCachedGrants  = 1 << 16
	MaxRevokedGrants = 1 << 20
)

// EventSource reads a node's events (a *client.Client).
type EventSource interface {
	EventPage(ctx context.Context, q client.EventQuery) (*api.EventPage, error)
	Events(ctx context.Context, q client.EventQuery, f func(api.Event) error) error
}

// FollowedLedger is a Ledger that keeps the grant receipts it read in
// memory and follows the node's grant.revoked events (GET /v1/events as
// server-sent events, resumed from the last cursor after a break), so a
// request for a known grant reads nothing from the ledger, and a
// revocation applies as soon as its event arrives: a few milliseconds
// after its block commits. The cache is used only while the stream is
// connected; while it is not (at start, after a break, until it is back)
// every request reads the receipt from the ledger, and the cache is
// emptied when the stream comes back, so no revocation committed during a
// break is missed. Resolve and RecordAccess go to the Ledger it wraps.
type FollowedLedger struct {
	Ledger
	events EventSource
	log    *slog.Logger

	mu      sync.Mutex
	live    bool
	gen     uint64 // counts (re)connections: a read begun before one is not cached
	cache   map[string]*grants.Receipt
	revoked map[string]bool // grants revoked since the stream (re)connected
	cursor  string          // the last event read

	reads atomic.Int64
}

// Follow wraps l with a cache of grant receipts kept current by src's
// event stream, which it follows until ctx ends.
func Follow(ctx context.Context, l Ledger, src EventSource, log *slog.Logger) *FollowedLedger {
	if log == nil {
		log = slog.Default()
	}
	f := &FollowedLedger{Ledger: l, events: src, log: log, cache: map[string]*grants.Receipt{}, revoked: map[string]bool{}}
	go f.run(ctx)
	return f
}

// LedgerReads is how many grant receipts were read from the ledger.
func (f *FollowedLedger) LedgerReads() int64 { return f.reads.Load() }

// Live reports whether the event stream is connected (the cache in use).
func (f *FollowedLedger) Live() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.live
}

// Grant implements Ledger: from the cache while the stream is live, else
// from the ledger (and then cached).
func (f *FollowedLedger) Grant(ctx context.Context, id string) (*grants.Receipt, error) {
	f.mu.Lock()
	if r, ok := f.cache[id]; ok && f.live {
		c := *r
		f.mu.Unlock()
		return &c, nil
	}
	gen := f.gen
	f.mu.Unlock()
	f.reads.Add(1)
	r, err := f.Ledger.Grant(ctx, id)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	// A revocation whose event arrived while the receipt was read.
	if f.revoked[id] {
		revoke(r)
	}
	if f.live && f.gen == gen {
		if len(f.cache) >= MaxCachedGrants {
			clear(f.cache)
		}
		c := *r
		f.cache[id] = &c
	}
	return r, nil
}

func revoke(r *grants.Receipt) {
	r.Status = api.GrantStatusRevoked
}

// apply records a grant.revoked event.
func (f *FollowedLedger) apply(e api.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cursor = e.Cursor
	if e.Type != api.EventGrantRevoked || e.Grant == "" {
		return
	}
	if len(f.revoked) >= MaxRevokedGrants {
		// Forget all: reads go to the ledger until the next connection.
		clear(f.revoked)
		clear(f.cache)
		f.gen++
	}
	f.revoked[e.Grant] = true
	if r, ok := f.cache[e.Grant]; ok {
		revoke(r)
	}
}

// setLive switches the cache on (a new generation, emptied) or off.
func (f *FollowedLedger) setLive(live bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.live = live
	f.gen++
	clear(f.cache)
	clear(f.revoked)
}

// The waits before the follower reconnects: from minBackoff, doubling,
// to maxBackoff.
const minBackoff, maxBackoff = 100 * time.Millisecond, 10 * time.Second

// run follows the stream until ctx ends, reconnecting with backoff.
func (f *FollowedLedger) run(ctx context.Context) {
	q := client.EventQuery{Types: []string{api.EventGrantRevoked}}
	for attempt := 0; ctx.Err() == nil; attempt++ {
		f.mu.Lock()
		cursor := f.cursor
		f.mu.Unlock()
		if cursor == "" {
			// The first connection starts after the head: nothing
			// is cached yet, so earlier revocations are read with
			// the receipts.
			p, err := f.events.EventPage(ctx, client.EventQuery{Types: q.Types, From: "now", Limit: 1})
			if err != nil {
				f.log.Warn("exchange: cannot read the node's events; reading grants from the ledger per request", "err", err)
				retry.Sleep(ctx, retry.Backoff(attempt, minBackoff, maxBackoff))
				continue
			}
			f.mu.Lock()
			f.cursor, cursor = p.Next, p.Next
			f.mu.Unlock()
		}
		f.setLive(true)
		q.From = cursor
		err := f.events.Events(ctx, q, func(e api.Event) error {
			f.apply(e)
			attempt = 0
			return nil
		})
		f.setLive(false)
		if ctx.Err() != nil {
			return
		}
		var se *client.StreamError
		if errors.As(err, &se) && se.LastEventID != "" {
			f.mu.Lock()
			f.cursor = se.LastEventID
			f.mu.Unlock()
		}
		f.log.Warn("exchange: the node's event stream ended; reading grants from the ledger per request until it is back", "err", err)
		retry.Sleep(ctx, retry.Backoff(attempt, minBackoff, maxBackoff))
	}
}
