package oid4vci

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/weidgo/weid/internal/periodic"
)

// SweepEvery sweeps the offers (Sweep) every interval until ctx ends: a
// serving node runs it beside the presentation requests' sweeper.
func (iss *Issuer) SweepEvery(ctx context.Context, interval time.Duration) {
	periodic.Run(ctx, interval, "oid4vci: sweeping credential offers", iss.Sweep)
}

// Sweep drops the claims and code of every offer that expired unredeemed,
// or redeemed but not collected (once its access token has expired too),
// and forgets every offer expired more than OfferRetention before now,
// with its code and access-token records.
func (iss *Issuer) Sweep(now time.Time) error {
	cutoff := now.Add(-OfferRetention)
	var old []OfferRecord
	var lapsed []string
	err := iss.store.Each("oid4vci/offer/", func(raw []byte) error {
		var rec OfferRecord
		switch {
		case json.Unmarshal(raw, &rec) != nil:
		case rec.Expires.Before(cutoff):
			old = append(old, rec)
		case rec.lapsed(now):
			lapsed = append(lapsed, rec.ID)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range lapsed {
		if err := iss.endLapsed(id, now); err != nil {
			return err
		}
	}
	for _, rec := range old {
		if err := iss.forget(&rec); err != nil {
			return err
		}
	}
	return nil
}

// endLapsed ends the offer id if it is still lapsed under the lock.
func (iss *Issuer) endLapsed(id string, now time.Time) error {
	iss.offers.Lock()
	defer iss.offers.Unlock()
	var rec OfferRecord
	err := iss.store.Get(OfferKey(id), &rec)
	if err == nil && rec.lapsed(now) {
		err = iss.endOffer(&rec)
	}
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// forget deletes an offer's record with its code and access-token records.
func (iss *Issuer) forget(rec *OfferRecord) error {
	keys := []string{OfferKey(rec.ID)}
	if rec.Code != "" {
		keys = append(keys, CodeKey(rec.Code))
	}
	if rec.TokenHash != "" {
		keys = append(keys, TokenKey(rec.TokenHash))
	}
	for _, k := range keys {
		if err := iss.store.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// lapsed reports whether rec can no longer be redeemed nor collected but
// still keeps its claims.
func (rec *OfferRecord) lapsed(now time.Time) bool {
	return rec.open() && rec.Cred != nil && now.After(rec.Expires) && now.After(rec.TokenExpires)
}

// endOffer records an offer that reached a final state (issued, burned)
// or lapsed (expired before the wallet collected it): the claims it
// carried and its code are dropped — the node keeps no copy of a
// citizen's certificate it no longer needs —, then the records that found
// it by code and by access token are deleted. A crash between the two
// leaves index records pointing at a final offer, which still refuses
// them. Called with the offers lock held.
func (iss *Issuer) endOffer(rec *OfferRecord) error {
	code := rec.Code
	rec.Cred, rec.Code = nil, ""
	if err := iss.store.Put(OfferKey(rec.ID), rec, true); err != nil {
		return err
	}
	if code != "" {
		if err := iss.store.Delete(CodeKey(code)); err != nil {
			return err
		}
	}
	if rec.TokenHash != "" {
		return iss.store.Delete(TokenKey(rec.TokenHash))
	}
	return nil
}
