package webhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/events"
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
	// doubles from MinBackoff, with full jitter.
	MinBackoff, MaxBackoff time.Duration
	// Poll is how often a subscription that caught up looks for new
	// events (default 200 ms).
	Poll time.Duration
}

// Run delivers sub's events from its cursor until ctx ends or the
// subscription is paused; it saves the subscription after every change.
func (d *Deliverer) Run(ctx context.Context, sub *api.Subscription) error {
	f, err := events.ParseFilter(sub.Types, sub.DID, sub.StatusList)
	if err != nil {
		return err
	}
	key, err := ParseSecret(sub.Secret)
	if err != nil {
		return err
	}
	poll := d.Poll
	if poll <= 0 {
		poll = 200 * time.Millisecond
	}
	for ctx.Err() == nil && sub.Status == api.SubscriptionActive {
		from := sub.Cursor
		if from == "" {
			from = "0"
		}
		start, err := d.Source.EventStart(from)
		if err != nil {
			return fmt.Errorf("subscription %s: cursor %s: %w", sub.ID, sub.Cursor, err)
		}
		page, err := d.Source.EventPage(f, start, PageSize)
		if err != nil {
			return err
		}
		for i := range page.Events {
			if !d.deliver(ctx, sub, key, &page.Events[i]) {
				return nil
			}
		}
		if page.Next != sub.Cursor && page.Next != "" {
			sub.Cursor = page.Next
			if err := d.Store.SaveSubscription(sub); err != nil {
				return err
			}
		}
		if len(page.Events) < PageSize {
			sleep(ctx, poll)
		}
	}
	return nil
}

// deliver sends one event until the receiver takes it (true), the
// subscription is paused or ctx ends (false).
func (d *Deliverer) deliver(ctx context.Context, sub *api.Subscription, key []byte, e *api.Event) bool {
	body, _ := json.Marshal(e)
	for attempt := 0; ; attempt++ {
		now := time.Now()
		err := d.post(ctx, sub.URL, key, e.ID, now, body)
		sub.LastAttempt = now.UTC().Format(time.RFC3339)
		if ctx.Err() != nil {
			return false
		}
		if err == nil {
			sub.Cursor, sub.Failures, sub.LastError = e.Cursor, 0, ""
			sub.Delivered++
			return d.Store.SaveSubscription(sub) == nil
		}
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
		if d.Store.SaveSubscription(sub) != nil || sub.Status != api.SubscriptionActive {
			return false
		}
		sleep(ctx, d.backoff(attempt))
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
	w := lo << min(attempt, 20)
	if w > hi || w <= 0 {
		w = hi
	}
	return w/2 + rand.N(w/2+1)
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

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
