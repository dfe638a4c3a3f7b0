package exchange

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/grants"
)

// fakeEvents is a node's event stream: Events delivers what is sent on
// feed until a value on brk breaks the connection (an error).
type fakeEvents struct {
	feed  chan api.Event
	brk   chan struct{}
	froms chan string
}

func (f *fakeEvents) EventPage(context.Context, client.EventQuery) (*api.EventPage, error) {
	return &api.EventPage{Next: "7.0.0"}, nil
}

func (f *fakeEvents) Events(ctx context.Context, q client.EventQuery, fn func(api.Event) error) error {
	f.froms <- q.From
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-f.brk:
			return errors.New("connection reset")
		case e := <-f.feed:
			if err := fn(e); err != nil {
				return err
			}
		}
	}
}

// TestFollowedLedger_CachesWhileLiveAndRevokesFromEvents: receipts are
// read once while the stream is live; a grant.revoked event revokes the
// cached receipt; after a break the stream resumes from the last cursor,
// and the cache is not trusted until it is back.
func TestFollowedLedger_CachesWhileLiveAndRevokesFromEvents(t *testing.T) {
	w := newWorld(t)
	src := &fakeEvents{feed: make(chan api.Event), brk: make(chan struct{}, 1), froms: make(chan string, 4)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := Follow(ctx, w.ledger, src, nil)
	if from := <-src.froms; from != "7.0.0" {
		t.Fatalf("first connection from %q, want the head's cursor", from)
	}
	for range 3 {
		if r, err := f.Grant(ctx, w.grantID); err != nil || r.Status != grants.StatusActive {
			t.Fatalf("grant: %+v %v", r, err)
		}
	}
	if n := f.LedgerReads(); n != 1 {
		t.Fatalf("%d ledger reads, want 1", n)
	}
	src.feed <- api.Event{Type: api.EventGrantRevoked, Cursor: "8.0.0", Grant: w.grantID}
	src.feed <- api.Event{Type: api.EventGrantRevoked, Cursor: "8.1.0", Grant: "urn:uuid:other"} // applied once this returns
	if r, _ := f.Grant(ctx, w.grantID); r.Status != grants.StatusRevoked || f.LedgerReads() != 1 {
		t.Fatalf("after the event: %+v, %d reads", r, f.LedgerReads())
	}
	// A break: reads go to the ledger; the stream resumes after 8.1.0.
	src.brk <- struct{}{}
	deadline := time.Now().Add(5 * time.Second)
	for f.Live() && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if from := <-src.froms; from != "8.1.0" {
		t.Fatalf("reconnected from %q, want 8.1.0", from)
	}
	before := f.LedgerReads()
	if r, _ := f.Grant(ctx, w.grantID); r.Status != grants.StatusActive || f.LedgerReads() != before+1 {
		// the fake ledger's receipt was never revoked: a fresh read says so
		t.Fatalf("after reconnecting the cache was kept: %+v, reads %d→%d", r, before, f.LedgerReads())
	}
}
