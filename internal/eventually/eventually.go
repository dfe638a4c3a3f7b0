// Package eventually waits, in tests, for what happens asynchronously — a
// block committed, a node caught up, an event delivered: a condition tried
// again until it holds or a deadline passes. It is for tests only.
package eventually

import (
	"errors"
	"testing"
	"time"
)

// The waits between tries: from firstPoll, doubling, to maxPoll, so a
// condition that holds soon is seen soon and one that takes seconds is not
// polled hundreds of times a second.
const firstPoll, maxPoll = time.Millisecond, 50 * time.Millisecond

// Nil calls f until it returns nil, and fails t naming what and f's last
// error if within passes first.
func Nil(t testing.TB, what string, within time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(within)
	for poll := firstPoll; ; poll = min(2*poll, maxPoll) {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still failing after %v: %v", what, within, err)
		}
		time.Sleep(poll)
	}
}

var errNotYet = errors.New("not yet")

// True calls ok until it returns true, and fails t naming what if within
// passes first.
func True(t testing.TB, what string, within time.Duration, ok func() bool) {
	t.Helper()
	Nil(t, what, within, func() error {
		if ok() {
			return nil
		}
		return errNotYet
	})
}
