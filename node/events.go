package node

// The ledger's events (package events): pages of them for polling and
// streams that replay history and follow new blocks.

import (
	"context"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/events"
)

// startEvents runs the event hub until Close.
func (n *Node) startEvents() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		n.events.Run(ctx)
	}()
	n.stopEvents = func() { cancel(); <-done }
}

// EventStart reads where a reader of events starts (events.ResolveStart):
// a cursor, a height, or "now".
func (n *Node) EventStart(from string) (events.Start, error) {
	return events.ResolveStart(n.Ledger, from)
}

// EventPage returns up to limit events the filter keeps from s on
// (events.Page; recent blocks' events are derived once for all readers).
func (n *Node) EventPage(f *events.Filter, s events.Start, limit int) (*api.EventPage, error) {
	return n.events.Page(f, s, limit)
}

// NextCommit returns a channel closed when the next block commits: the
// webhook deliveries and the NATS publisher wait on it once they caught
// up, instead of polling.
func (n *Node) NextCommit() <-chan struct{} { return n.events.NextCommit() }

// FollowEvents replays the events the filter keeps from s on and follows
// new blocks until ctx ends, the stream's callbacks fail or the stream is
// cut off (events.ErrSlowConsumer, events.ErrClosed).
func (n *Node) FollowEvents(ctx context.Context, f *events.Filter, s events.Start, st events.Stream) error {
	return n.events.Follow(ctx, f, s.Pos, st)
}

// EventSubscribers is the number of live event subscriptions.
func (n *Node) EventSubscribers() int { return n.events.Subscribers() }
