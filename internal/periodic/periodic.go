// Package periodic runs housekeeping on a timer: the sweepers of the
// OpenID4VCI issuer's offers and of the OpenID4VP verifier's requests.
package periodic

import (
	"context"
	"log/slog"
	"time"
)

// Run calls f with the time of each tick, every interval, until ctx ends.
// An error f returns is logged with msg and f runs again at the next tick:
// housekeeping that fails once is tried again, not given up.
func Run(ctx context.Context, interval time.Duration, msg string, f func(now time.Time) error) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if err := f(now); err != nil {
				slog.WarnContext(ctx, msg, "err", err)
			}
		}
	}
}
