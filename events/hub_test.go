package events

import (
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
)

// TestHub_CommitHookDoesNothingWithoutSubscribers: the hook the engine
// calls after every block only loads a counter while nobody listens, so
// DID creation costs the same with events built in.
func TestHub_CommitHookDoesNothingWithoutSubscribers(t *testing.T) {
	h := NewHub(nil, 0)
	h.Committed(&chain.Block{})
	if h.last.Load() != nil || len(h.wake) != 0 {
		t.Fatal("the hook kept a block or woke the hub with no subscriber")
	}
	if n := testing.AllocsPerRun(100, func() { h.Committed(&chain.Block{}) }); n > 1 {
		t.Fatalf("the hook allocates %v times", n)
	}
}

// TestHub_NextCommitClosesOnTheNextBlock: a follower that caught up waits
// on NextCommit instead of polling; the hook closes it once and the next
// caller gets a fresh channel.
func TestHub_NextCommitClosesOnTheNextBlock(t *testing.T) {
	h := NewHub(nil, 0)
	c1, c2 := h.NextCommit(), h.NextCommit()
	if c1 != c2 {
		t.Fatal("two waiters before one commit got different channels")
	}
	select {
	case <-c1:
		t.Fatal("closed before a commit")
	default:
	}
	h.Committed(&chain.Block{})
	select {
	case <-c1:
	default:
		t.Fatal("not closed by the commit")
	}
	select {
	case <-h.NextCommit():
		t.Fatal("a waiter after the commit got a closed channel")
	default:
	}
}

// TestKeep_SharesEventsAFilterKeepsWhole: a filter that keeps every event
// of a block hands on the block's own slice (no copy per subscriber);
// another gets only its events; equal filters have one key.
func TestKeep_SharesEventsAFilterKeepsWhole(t *testing.T) {
	evs := []Live{{Event: api.Event{Type: api.EventDIDCreated}}, {Event: api.Event{Type: api.EventBlockCommitted}}}
	if got := keep(nil, evs); &got[0] != &evs[0] || len(got) != 2 {
		t.Fatal("the match-all filter copied the block's events")
	}
	f, err := ParseFilter([]string{"block.*"}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := keep(f, evs); len(got) != 1 || got[0].Type != api.EventBlockCommitted {
		t.Fatalf("kept %v", got)
	}
	g, _ := ParseFilter([]string{"block.committed"}, "", "")
	if f.Key() != g.Key() || f.Key() == (*Filter)(nil).Key() {
		t.Fatalf("keys %q %q %q", f.Key(), g.Key(), (*Filter)(nil).Key())
	}
}

// TestFlusher_SpacesFlushesUnderLoad: the first burst after a quiet time
// is flushed at once; one within the interval waits for the timer.
func TestFlusher_SpacesFlushesUnderLoad(t *testing.T) {
	n := 0
	f := newFlusher(time.Hour, func() error { n++; return nil })
	defer f.stop()
	if f.due(); n != 1 || f.c != nil {
		t.Fatalf("first burst: %d flushes, timer armed %v", n, f.c != nil)
	}
	if f.due(); n != 1 || f.c == nil {
		t.Fatalf("second burst: %d flushes, timer armed %v", n, f.c != nil)
	}
	if f.now(); n != 2 || f.c != nil {
		t.Fatalf("timer: %d flushes", n)
	}
	g := newFlusher(0, func() error { n++; return nil })
	if g.due(); n != 3 {
		t.Fatal("without an interval every burst is flushed")
	}
}
