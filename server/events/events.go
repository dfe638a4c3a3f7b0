// Package events serves the ledger's events (package events) at GET
// /v1/events: as JSON pages for polling, or, with Accept:
// text/event-stream, as server-sent events (HTML Living Standard §9.2)
// that replay history from a cursor and follow new blocks, resumable with
// Last-Event-ID.
package events

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/events"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/server/httpx"
)

// Defaults of the stream limits.
const (
	DefaultStreamsPerAddress = 8
	DefaultStreamsPerToken   = 64
	DefaultStreams           = 1024
	// Heartbeat is how often a quiet stream sends a comment, so that
	// proxies keep it open.
	Heartbeat = 15 * time.Second
	// WriteTimeout bounds one event's write: a reader that stops reading
	// is disconnected even before its buffer fills.
	WriteTimeout = 30 * time.Second
	// FlushEvery spaces a stream's writes under load: the events of the
	// blocks committed meanwhile go out in one write (the first event
	// after a quiet time goes at once).
	FlushEvery = 50 * time.Millisecond
	// writeBuffer is a stream's buffer: a burst is one system call, not
	// one per 4 KiB of net/http's own buffer.
	writeBuffer = 32 << 10
)

// Handlers serves the events of one node.
type Handlers struct {
	Node *node.Node
	// StreamsPerAddress, StreamsPerToken and Streams bound the open
	// streams of one client address (streams without a token), of one
	// account (streams with its API token: an institution's consumers
	// behind one address are counted by their token instead) and of the
	// node (defaults above).
	StreamsPerAddress int
	StreamsPerToken   int
	Streams           int

	mu       sync.Mutex
	open     map[string]int
	total    int
	stopping chan struct{} // closed by Shutdown
}

// List serves GET /v1/events: a page of events, or their stream (its
// route declares the query parameters, only types repeatable).
func (h *Handlers) List(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var types []string
	for _, v := range q["types"] {
		types = append(types, strings.Split(v, ",")...)
	}
	f, err := events.ParseFilter(types, q.Get("did"), q.Get("statusList"))
	if err != nil {
		return err
	}
	from := q.Get("from")
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		// A reconnecting EventSource resumes after the last id it saw.
		if _, err := events.ParseCursor(id); err != nil {
			return err
		}
		from = id
	}
	start, err := h.Node.EventStart(from)
	if err != nil {
		return err
	}
	if strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
		return h.stream(w, r, f, start)
	}
	limit, err := httpx.Limit(r, api.DefaultEventPage, api.MaxEventPage)
	if err != nil {
		return err
	}
	page, err := h.Node.EventPage(f, start, limit)
	return httpx.Reply(w, http.StatusOK, page, err)
}

// stream writes the events as server-sent events until the client
// leaves, the node stops or the client falls too far behind; the last two
// end with an "error" event naming the cursor to resume after.
func (h *Handlers) stream(w http.ResponseWriter, r *http.Request, f *events.Filter, start events.Start) error {
	release, err := h.acquire(r)
	if err != nil {
		return err
	}
	defer release()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	s := &sse{w: bufio.NewWriterSize(w, writeBuffer), rc: http.NewResponseController(w), last: start.After}
	if err := s.write(": from %s\n\n", start.Pos); err != nil {
		return nil
	}
	ctx, cancel := h.streamContext(r)
	defer cancel()
	err = h.Node.FollowEvents(ctx, f, start, events.Stream{
		EventJSON:  s.eventJSON,
		Flush:      s.flush,
		FlushEvery: FlushEvery,
		Idle:       func() error { return s.write(": keep-alive\n\n") },
		Heartbeat:  Heartbeat,
	})
	if h.stopped() {
		err = events.ErrClosed
	}
	if _, ok := errs.As(err); ok { // the node ended it (slow, closing); not a write that failed
		s.fail(err)
	}
	return nil // the response has started: nothing else to render
}

// Shutdown ends the open streams, each with a final events.closed (the
// http.Server's RegisterOnShutdown, so a graceful shutdown does not wait
// for streams that never end).
func (h *Handlers) Shutdown() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopping == nil {
		h.stopping = make(chan struct{})
	}
	select {
	case <-h.stopping:
	default:
		close(h.stopping)
	}
}

// streamContext is the request's context, also ended by Shutdown.
func (h *Handlers) streamContext(r *http.Request) (context.Context, context.CancelFunc) {
	h.mu.Lock()
	if h.stopping == nil {
		h.stopping = make(chan struct{})
	}
	stop := h.stopping
	h.mu.Unlock()
	ctx, cancel := context.WithCancel(r.Context())
	go func() {
		select {
		case <-stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// stopped reports whether Shutdown was called.
func (h *Handlers) stopped() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopping == nil {
		return false
	}
	select {
	case <-h.stopping:
		return true
	default:
		return false
	}
}

// sse writes one event stream.
type sse struct {
	w    *bufio.Writer // over the http.ResponseWriter
	rc   *http.ResponseController
	last string // the cursor of the last event written
}

// write writes and flushes, within WriteTimeout.
func (s *sse) write(format string, args ...any) error {
	_ = s.rc.SetWriteDeadline(time.Now().Add(WriteTimeout))
	if _, err := fmt.Fprintf(s.w, format, args...); err != nil {
		return err
	}
	return s.flush()
}

// eventJSON writes an event (its JSON encoded once for all streams), its
// cursor as the id, its type as the event name, into the response's
// buffer: Follow calls flush once a burst is written.
func (s *sse) eventJSON(e *api.Event, b []byte) error {
	if s.w.Buffered() == 0 { // a full buffer writes: bound that write too
		_ = s.rc.SetWriteDeadline(time.Now().Add(WriteTimeout))
	}
	for _, p := range [...]string{"id: ", e.Cursor, "\nevent: ", e.Type, "\ndata: "} {
		s.w.WriteString(p)
	}
	s.w.Write(b)
	if _, err := s.w.WriteString("\n\n"); err != nil {
		return err // a bufio.Writer keeps its first error
	}
	s.last = e.Cursor
	return nil
}

// flush sends what event buffered, within WriteTimeout.
func (s *sse) flush() error {
	_ = s.rc.SetWriteDeadline(time.Now().Add(WriteTimeout))
	if err := s.w.Flush(); err != nil {
		return err
	}
	return s.rc.Flush()
}

// fail writes the final "error" event: the problem and lastEventId.
func (s *sse) fail(err error) {
	b, _ := json.Marshal(struct {
		api.Problem
		LastEventID string `json:"lastEventId,omitempty"`
	}{httpx.ProblemFor(err), s.last})
	_ = s.write("event: error\ndata: %s\n\n", b)
}

// acquire counts a stream against its account (a request with an API
// token, which must authenticate: else 401) or its client address (one
// without), and the node; or refuses it with 429 events.tooManyStreams.
func (h *Handlers) acquire(r *http.Request) (func(), error) {
	key, limit, what, err := h.streamOwner(r)
	if err != nil {
		return nil, err
	}
	total := h.Streams
	if total <= 0 {
		total = DefaultStreams
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.open == nil {
		h.open = map[string]int{}
	}
	if h.open[key] >= limit {
		return nil, errs.New(http.StatusTooManyRequests, "events.tooManyStreams", "at most %d event streams per %s; close one first", limit, what)
	}
	if h.total >= total {
		return nil, errs.New(http.StatusTooManyRequests, "events.tooManyStreams", "the node serves at most %d event streams; try again later or poll pages", total)
	}
	h.open[key]++
	h.total++
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.total--
		if h.open[key]--; h.open[key] == 0 {
			delete(h.open, key)
		}
	}, nil
}

// streamOwner is what a stream counts against: its account, with an API
// token, or its client address, and that owner's bound.
func (h *Handlers) streamOwner(r *http.Request) (key string, limit int, what string, err error) {
	if r.Header.Get("Authorization") != "" {
		a, err := httpx.Account(r, h.Node)
		if err != nil {
			return "", 0, "", err
		}
		limit = h.StreamsPerToken
		if limit <= 0 {
			limit = DefaultStreamsPerToken
		}
		return "account " + a.Name, limit, "account", nil
	}
	addr, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		addr = r.RemoteAddr
	}
	limit = h.StreamsPerAddress
	if limit <= 0 {
		limit = DefaultStreamsPerAddress
	}
	return "address " + addr, limit, "client address (without an API token)", nil
}
