package oid4vp

import (
	"context"
	"errors"
	"time"

	"github.com/weidgo/weid/internal/periodic"
)

// Sweep forgets every request expired more than RequestRetention before
// now (whichever account made it), and drops the decryption key of every
// request that can no longer be answered.
func (v *Verifier) Sweep(now time.Time) error {
	cutoff := now.Add(-RequestRetention)
	var old []Record
	var ended []string
	err := v.store.Each(func(rec *Record) {
		switch {
		case rec.Expires.Before(cutoff):
			old = append(old, *rec)
		case rec.EncKey != "" && Final(rec.StatusAt(now)):
			ended = append(ended, rec.ID)
		}
	})
	if err != nil {
		return err
	}
	for _, rec := range old {
		if err := v.store.Delete(rec.Account, rec.ID); err != nil {
			return err
		}
	}
	for _, id := range ended {
		if err := v.dropKey(id, now); err != nil {
			return err
		}
	}
	return nil
}

// dropKey drops the decryption key of request id if it has ended by now.
func (v *Verifier) dropKey(id string, now time.Time) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	rec, err := v.store.Get(id)
	if err == nil && rec.EncKey != "" && Final(rec.StatusAt(now)) {
		rec.EncKey = ""
		err = v.store.Put(rec)
	}
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// SweepEvery sweeps every interval until ctx ends; a serving node runs it.
func (v *Verifier) SweepEvery(ctx context.Context, interval time.Duration) {
	periodic.Run(ctx, interval, "oid4vp: sweeping presentation requests", v.Sweep)
}
