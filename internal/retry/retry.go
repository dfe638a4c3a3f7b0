// Package retry paces what tries again after a failure — reconnecting to
// an event stream, republishing to NATS, redelivering a webhook:
// exponential backoff with jitter, and a wait that ends with its context.
package retry

import (
	"context"
	"math/rand/v2"
	"time"
)

// Backoff is the wait before retry number attempt (0 for the first): lo
// doubled attempt times, at most hi, of which a random upper half is
// drawn ("equal jitter"), so that the clients of a server that comes back
// do not all return at once.
func Backoff(attempt int, lo, hi time.Duration) time.Duration {
	w := lo
	for i := 0; i < attempt && w < hi; i++ {
		w *= 2
	}
	if w > hi || w <= 0 {
		w = hi
	}
	return w/2 + rand.N(w/2+1)
}

// Sleep waits for d, or until ctx ends.
func Sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
