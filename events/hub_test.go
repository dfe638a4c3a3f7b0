package events

import (
	"testing"

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
