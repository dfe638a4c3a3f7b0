package oid4vp

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/weidgo/weid/oid4vp"
)

// EventHeartbeat is how often a quiet event stream sends a comment, so
// that proxies do not close it.
const EventHeartbeat = 15 * time.Second

// Events streams a request's status as server-sent events: GET
// /v1/presentation-requests/{id}/events. A "status" event carries the GET
// body now and at every change, until a final status (verified, rejected,
// expired), the client leaving or the server shutting down.
func (h *Handlers) Events(w http.ResponseWriter, r *http.Request) error {
	rec, err := h.own(r)
	if err != nil {
		return err
	}
	closeStream, err := h.Verifier.OpenStream(rec.Account) // counted to the request's account
	if err != nil {
		return err
	}
	defer closeStream()
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a stream outlives the server's write timeout
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	s := &stream{v: h.Verifier, w: w, rc: rc, r: r, id: rec.ID, heartbeat: time.NewTicker(EventHeartbeat)}
	defer s.heartbeat.Stop()
	for s.next() {
	}
	return nil
}

// stream is one open event stream of a request.
type stream struct {
	v         *oid4vp.Verifier
	w         http.ResponseWriter
	rc        *http.ResponseController
	r         *http.Request
	id        string
	heartbeat *time.Ticker
	last      string // the status last sent
}

// next writes the request's status if it changed and waits for the next
// change, the expiry, a heartbeat, the client leaving or the server
// stopping; false ends the stream.
func (s *stream) next() bool {
	changed, release := s.v.Watch(s.id)
	defer release()
	cur, err := s.v.Get(s.id)
	if err != nil || !s.send(cur) {
		return false
	}
	if oid4vp.Final(s.last) {
		return false
	}
	expiry := time.NewTimer(time.Until(cur.Expires) + 500*time.Millisecond)
	defer expiry.Stop()
	select {
	case <-changed:
	case <-expiry.C:
	case <-s.heartbeat.C:
		if _, err := fmt.Fprint(s.w, ": keep-alive\n\n"); err != nil || s.rc.Flush() != nil {
			return false
		}
	case <-s.r.Context().Done():
		return false
	case <-s.v.Done():
		return false
	}
	return true
}

// send writes rec's status event unless its status was the last sent.
func (s *stream) send(rec *oid4vp.Record) bool {
	v := s.v.Status(rec)
	if v.Status == s.last {
		return true
	}
	b, err := json.Marshal(v)
	if err != nil {
		return false
	}
	if _, err := fmt.Fprintf(s.w, "event: status\ndata: %s\n\n", b); err != nil || s.rc.Flush() != nil {
		return false
	}
	s.last = v.Status
	return true
}
