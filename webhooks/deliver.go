package webhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/events"
	"github.com/weidgo/weid/internal/retry"
)

// Defaults of a Deliverer.
const (
	DefaultMaxFailures = 10
	DefaultTimeout     = 10 * time.Second
	DefaultMinBackoff  = 500 * time.Millisecond
	DefaultMaxBackoff  = 5 * time.Minute
	// PageSize is how many events a subscription reads at a time.
	PageSize = 100
	// maxResponse is how much of a receiver's answer is read (and thrown
	// away): a huge body cannot stall a delivery.
	maxResponse = 64 << 10
)

// Source reads the ledger's events (node implements it).
type Source interface {
	EventStart(from string) (events.Start, error)
	EventPage(f *events.Filter, s events.Start, limit int) (*api.EventPage, error)
}

// Store keeps subscriptions durably (the node's local store).
type Store interface {
	SaveSubscription(s *api.Subscription) error
}

// Deliverer delivers one node's subscriptions.
type Deliverer struct {
	Source Source
	Store  Store
	Client *http.Client // Guard.Client
	// MaxFailures pauses a subscription after this many failed attempts
	// at one event (DefaultMaxFailures).
	MaxFailures int
	// MinBackoff and MaxBackoff bound the wait between attempts: it
	// doubles from MinBackoff, drawn at random from its upper half.
	MinBackoff, MaxBackoff time.Duration
	// Wake, if set, returns a channel closed when the next block commits
	// (the node's NextCommit): a subscription that caught up waits on it.
	Wake func() <-chan struct{}
	// Poll is how often a subscription that caught up looks for new
	// events when Wake is not set (default 200 ms).
	Poll time.Duration
	// SaveEvery spaces the saves of a subscription's cursor while it
	// delivers (DefaultSaveEvery); it is also saved whenever it caught
	// up, fails, or stops. A crash loses at most this much progress:
	// those events are delivered again (at least once).
	SaveEvery time.Duration
}

// DefaultSaveEvery is how often a delivering subscription's cursor is
// saved: a write per delivery would cost the node as much as the
// delivery itself.
const DefaultSaveEvery = 250 * time.Millisecond

// Run delivers sub's events from its cursor until ctx ends or the
// subscription is paused; it saves the subscription as it goes
// (SaveEvery) and before it returns.
func (d *Deliverer) Run(ctx context.Context, sub *api.Subscription) error {
	f, err := events.ParseFilter(sub.Types, sub.DID, sub.StatusList)
	if err != nil {
		return err
	}
	key, err := ParseSecret(sub.Secret)
	if err != nil {
		return err
	}
	from := sub.Cursor
	if from == "" {
		from = "0"
	}
	start, err := d.Source.EventStart(from)
	if err != nil {
		return fmt.Errorf("subscription %s: cursor %s: %w", sub.ID, sub.Cursor, err)
	}
	r := &run{d: d, sub: sub, key: key, saved: time.Now()}
	for ctx.Err() == nil && sub.Status == api.SubscriptionActive {
		var wake <-chan struct{}
		if d.Wake != nil {
			wake = d.Wake() // before reading: a commit after the read closes it
		}
		page, err := d.Source.EventPage(f, start, PageSize)
		if err != nil {
			return err
		}
		for i := range page.Events {
			if !r.deliver(ctx, &page.Events[i]) {
				return r.save()
			}
		}
		if page.Next != "" && page.Next != start.After {
			if start, err = startAfter(page.Next); err != nil {
				return err
			}
			sub.Cursor = page.Next
			r.dirty = true
		}
		if len(page.Events) < PageSize {
			if err := r.save(); err != nil {
				return err
			}
			d.wait(ctx, wake)
		}
	}
	return r.save()
}

// startAfter is where the events after cursor c start (what
// events.ResolveStart returns for a cursor already checked).
func startAfter(c string) (events.Start, error) {
	pos, err := events.ParseCursor(c)
	if err != nil {
		return events.Start{}, err
	}
	return events.Start{Pos: pos.Next(), After: c}, nil
}

// wait returns when the next block commits (wake), after Poll without
// Wake, or when ctx ends.
func (d *Deliverer) wait(ctx context.Context, wake <-chan struct{}) {
	if wake == nil {
		poll := d.Poll
		if poll <= 0 {
			poll = 200 * time.Millisecond
		}
		retry.Sleep(ctx, poll)
		return
	}
	select {
	case <-ctx.Done():
	case <-wake:
	}
}

// run is one Run's delivery state: the subscription and whether its
// record is behind it.
type run struct {
	d     *Deliverer
	sub   *api.Subscription
	key   []byte
	dirty bool
	saved time.Time
}

// save writes the subscription if it changed since the last save.
func (r *run) save() error {
	if !r.dirty {
		return nil
	}
	if err := r.d.Store.SaveSubscription(r.sub); err != nil {
		return err
	}
	r.dirty, r.saved = false, time.Now()
	return nil
}

// deliver sends one event until the receiver takes it (true), the
// subscription is paused or ctx ends (false).
func (r *run) deliver(ctx context.Context, e *api.Event) bool {
	d, sub := r.d, r.sub
	body, _ := json.Marshal(e)
	for attempt := 0; ; attempt++ {
		now := time.Now()
		pctx, release := graceful(ctx)
		err := d.post(pctx, sub.URL, r.key, e.ID, now, body)
		release()
		sub.LastAttempt = now.UTC().Format(time.RFC3339)
		if err == nil { // taken, even if the subscription is stopping
			r.dirty = true
			sub.Cursor, sub.Failures, sub.LastError = e.Cursor, 0, ""
			sub.Delivered++
			every := d.SaveEvery
			if every <= 0 {
				every = DefaultSaveEvery
			}
			return ctx.Err() == nil && (time.Since(r.saved) < every || r.save() == nil)
		}
		if ctx.Err() != nil {
			return false
		}
		r.dirty = true
		sub.Failures++
		sub.LastError = err.Error()
		max := d.MaxFailures
		if max <= 0 {
			max = DefaultMaxFailures
		}
		if sub.Failures >= max {
			sub.Status = api.SubscriptionPaused
			sub.Paused = fmt.Sprintf("%d failed attempts to deliver event %s; the last: %s", sub.Failures, e.Cursor, err)
		}
		if r.save() != nil || sub.Status != api.SubscriptionActive {
			return false
		}
		retry.Sleep(ctx, d.backoff(attempt))
	}
}

// backoff is the wait after a failed attempt: exponential, capped, with
// jitter over its upper half (so receivers recovering are not hit by
// every retry at once).
func (d *Deliverer) backoff(attempt int) time.Duration {
	lo, hi := d.MinBackoff, d.MaxBackoff
	if lo <= 0 {
		lo = DefaultMinBackoff
	}
	if hi <= 0 {
		hi = DefaultMaxBackoff
	}
	return retry.Backoff(attempt, lo, hi)
}

// post makes one delivery; any answer but 2xx is an error naming it.
func (d *Deliverer) post(ctx context.Context, url string, key []byte, id string, ts time.Time, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	SetHeaders(req.Header, key, id, ts, body)
	req.Header.Set("User-Agent", "weid-webhooks/1")
	resp, err := d.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("the receiver answered HTTP %d", resp.StatusCode)
	}
	return nil
}

// stopGrace is how long a delivery in flight may finish after its
// subscription was stopped (paused, deleted, the node shutting down), so
// that an event the receiver took is not delivered again.
const stopGrace = 2 * time.Second

// graceful is ctx, ended stopGrace after ctx ends; release it when done.
func graceful(ctx context.Context) (context.Context, func()) {
	g, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(stopGrace, cancel) })
	return g, func() { stop(); cancel() }
}
