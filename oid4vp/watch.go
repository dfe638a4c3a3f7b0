package oid4vp

// What the verifier's event streams need: bounds on how many are open,
// a wake-up at each change of a request, and an end at shutdown.

import (
	"net/http"

	"github.com/weidgo/weid/errs"
)

// watcher is the wake-up channel of one request and how many streams wait
// on it.
type watcher struct {
	ch chan struct{}
	n  int
}

// OpenStream counts a new event stream of account, or says which bound
// (MaxEventStreams, MaxEventStreamsPerAccount) it would pass; closeStream
// uncounts it.
func (v *Verifier) OpenStream(account string) (closeStream func(), err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.streams >= MaxEventStreams {
		return nil, errs.New(http.StatusServiceUnavailable, "presentationRequest.tooManyStreams", "too many event streams are open on this node; poll GET /v1/presentation-requests/{id} instead")
	}
	if v.accountStreams[account] >= MaxEventStreamsPerAccount {
		return nil, errs.New(http.StatusServiceUnavailable, "presentationRequest.tooManyStreams", "the account has %d event streams open; close one or poll GET /v1/presentation-requests/{id}", MaxEventStreamsPerAccount)
	}
	v.streams++
	v.accountStreams[account]++
	return func() {
		v.mu.Lock()
		defer v.mu.Unlock()
		v.streams--
		if v.accountStreams[account]--; v.accountStreams[account] <= 0 {
			delete(v.accountStreams, account)
		}
	}, nil
}

// Watch returns a channel closed at the next change of request id, and
// the function that says the caller no longer waits on it (the last to
// leave forgets the channel: a request that expires while watched leaves
// nothing behind).
func (v *Verifier) Watch(id string) (changed <-chan struct{}, release func()) {
	v.mu.Lock()
	defer v.mu.Unlock()
	w, ok := v.watchers[id]
	if !ok {
		w = &watcher{ch: make(chan struct{})}
		v.watchers[id] = w
	}
	w.n++
	return w.ch, func() {
		v.mu.Lock()
		defer v.mu.Unlock()
		if w.n--; w.n == 0 && v.watchers[id] == w {
			delete(v.watchers, id)
		}
	}
}

// notifyLocked wakes the watchers of id; v.mu is held.
func (v *Verifier) notifyLocked(id string) {
	if w, ok := v.watchers[id]; ok {
		close(w.ch)
		delete(v.watchers, id)
	}
}

// Shutdown ends the event streams (an HTTP server's shutdown waits for
// them otherwise): Done is closed.
func (v *Verifier) Shutdown() { v.stop.Do(func() { close(v.done) }) }

// Done is closed by Shutdown.
func (v *Verifier) Done() <-chan struct{} { return v.done }
