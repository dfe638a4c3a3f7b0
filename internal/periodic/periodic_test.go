package periodic

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestRun_TicksAfterErrorsUntilCancelled: f runs again after it fails, and
// Run returns once ctx ends.
func TestRun_TicksAfterErrorsUntilCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		Run(ctx, time.Millisecond, "test", func(time.Time) error {
			calls++
			if calls == 3 {
				cancel()
			}
			return errors.New("failed")
		})
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if calls < 3 {
		t.Fatalf("f ran %d times, want at least 3", calls)
	}
}
