package server

import (
	"context"
	"log/slog"
	"time"
)

// sweepOffersEvery forgets old credential offers (sweepOffers) every
// interval until ctx ends, beside the presentation requests' sweeper
// (oid4vp.Verifier.SweepEvery).
func (s *Server) sweepOffersEvery(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if err := s.sweepOffers(now); err != nil {
				slog.WarnContext(ctx, "oid4vci: sweeping credential offers", "err", err)
			}
		}
	}
}
