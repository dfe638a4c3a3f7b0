package retry

import (
	"context"
	"testing"
	"time"
)

// TestBackoff_DoublesWithinBoundsAndJitters: each wait lies in the upper
// half of lo·2^attempt, capped at hi, even for attempts whose doubling
// would overflow.
func TestBackoff_DoublesWithinBoundsAndJitters(t *testing.T) {
	t.Parallel()
	lo, hi := 100*time.Millisecond, 10*time.Second
	for _, c := range []struct {
		attempt int
		w       time.Duration
	}{{0, lo}, {1, 2 * lo}, {3, 8 * lo}, {7, hi}, {8, hi}, {1000, hi}} {
		for range 100 {
			if got := Backoff(c.attempt, lo, hi); got < c.w/2 || got > c.w {
				t.Fatalf("Backoff(%d) = %s, want within [%s, %s]", c.attempt, got, c.w/2, c.w)
			}
		}
	}
}

// TestSleep_EndsWithItsContext: a cancelled context ends the wait.
func TestSleep_EndsWithItsContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	Sleep(ctx, time.Hour)
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("slept %s after the context ended", d)
	}
}
