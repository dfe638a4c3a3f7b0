// Package natsjs publishes the ledger's events (package events) to a NATS
// JetStream stream, so that an institution fans them out to many consumers
// through its own broker instead of many webhooks.
//
// Every event is one message on the subject Prefix "." type (for example
// weid.events.did.created; NATS subject tokens are dot-separated, so a
// consumer filters with weid.events.did.> or weid.events.*.revoked), its
// body the event's JSON, with the headers Nats-Msg-Id = the event's id
// (JetStream's message de-duplication, "Message Deduplication" in the
// JetStream documentation) and Weid-Cursor = its cursor. Events are
// published in cursor order and each page of them is acknowledged by the
// stream before the publisher's cursor moves on and is saved in the node's
// store; a publisher restarted (or killed) resumes from the later of that
// saved cursor and the cursor of the stream's last weid message, so no
// event is skipped, and one published twice within the stream's duplicate
// window is dropped by the stream. The ids are derived from the ledger, so
// every node of a consortium yields the same: several nodes may publish to
// one stream. An event larger than the server's max_payload is published
// as a reference (TruncatedHeader), so that it cannot stop the stream.
package natsjs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/events"
	"github.com/weidgo/weid/internal/retry"
)

// Defaults of a Publisher.
const (
	DefaultStream = "WEID_EVENTS"
	DefaultPrefix = "weid.events"
	DefaultPoll   = 100 * time.Millisecond
	DefaultDupes  = 2 * time.Minute
	PageSize      = 500
	maxBackoff    = 30 * time.Second
	minBackoff    = 200 * time.Millisecond
	cursorHeader  = "Weid-Cursor"
	// TruncatedHeader marks a message whose event was larger than the
	// server's max_payload: its body is only the event's id, cursor, type,
	// height and time; GET /v1/events?from=<the cursor before> has it all.
	TruncatedHeader = "Weid-Truncated"
	headerRoom      = 1024 // bytes of max_payload left for the headers
	publishTimeout  = 30 * time.Second
)

// Source reads the ledger's events (node implements it).
type Source interface {
	EventStart(from string) (events.Start, error)
	EventPage(f *events.Filter, s events.Start, limit int) (*api.EventPage, error)
}

// Store keeps the publisher's cursor durably (the node's local store).
type Store interface {
	// LoadCursor returns the saved cursor, "" if none.
	LoadCursor() (string, error)
	SaveCursor(cursor string) error
}

// Publisher publishes a node's events to a JetStream stream.
type Publisher struct {
	URL    string // nats://host:port (a comma list for a cluster)
	Stream string // DefaultStream if empty
	Prefix string // subject prefix, DefaultPrefix if empty
	Source Source
	Store  Store
	// Wake, if set, returns a channel closed when the next block commits
	// (the node's NextCommit): a publisher that caught up waits on it.
	Wake func() <-chan struct{}
	// Poll is how often a publisher that caught up looks for new events
	// when Wake is not set.
	Poll time.Duration
	// Options are extra connection options (credentials, TLS).
	Options []nats.Option
	Log     *slog.Logger

	maxPayload func() int64 // the server's max_payload (0 until connected)
}

// Subject is the subject an event of type t is published on.
func Subject(prefix, t string) string {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return prefix + "." + t
}

func (p *Publisher) defaults() {
	if p.Stream == "" {
		p.Stream = DefaultStream
	}
	if p.Prefix == "" {
		p.Prefix = DefaultPrefix
	}
	if p.Poll <= 0 {
		p.Poll = DefaultPoll
	}
	if p.Log == nil {
		p.Log = slog.Default()
	}
}

// Check tells whether the URL and stream name can be used, without
// connecting: a node refuses to start with a bad --events-nats.
func Check(url, stream string) error {
	if url == "" {
		return errors.New("no NATS URL")
	}
	for _, u := range strings.Split(url, ",") {
		if !strings.Contains(u, "://") {
			return fmt.Errorf("NATS URL %q: want nats://host:port (or tls://, ws://, wss://)", u)
		}
	}
	if strings.ContainsAny(stream, ". *>\t\r\n/\\") {
		return fmt.Errorf("JetStream stream name %q: no spaces, dots, wildcards or slashes", stream)
	}
	return nil
}

// Run connects (and reconnects) to NATS and publishes events until ctx
// ends. Connection and publish failures are logged and retried with
// backoff; it returns only when ctx ends, or on a failure of the store or
// the ledger.
func (p *Publisher) Run(ctx context.Context) error {
	p.defaults()
	opts := append([]nats.Option{nats.Name("weid node"), nats.MaxReconnects(-1), nats.RetryOnFailedConnect(true),
		nats.ReconnectWait(time.Second)}, p.Options...)
	nc, err := nats.Connect(p.URL, opts...)
	if err != nil {
		return fmt.Errorf("NATS %s: %w", p.URL, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	p.maxPayload = nc.MaxPayload
	for attempt := 0; ctx.Err() == nil; attempt++ {
		err := p.publish(ctx, js)
		if ctx.Err() != nil {
			return nil
		}
		var fatal fatalError
		if errors.As(err, &fatal) {
			return fatal.error
		}
		p.Log.Warn("publishing events to NATS JetStream; retrying", "stream", p.Stream, "err", err)
		retry.Sleep(ctx, retry.Backoff(attempt, minBackoff, maxBackoff))
	}
	return nil
}

// fatalError is a failure retrying cannot cure (the node's own store).
type fatalError struct{ error }

// publish makes sure the stream exists, finds where to resume and
// publishes until ctx ends or something fails.
func (p *Publisher) publish(ctx context.Context, js jetstream.JetStream) error {
	cctx, cancel := context.WithTimeout(ctx, publishTimeout)
	stream, err := js.CreateOrUpdateStream(cctx, jetstream.StreamConfig{
		Name: p.Stream, Subjects: []string{p.Prefix + ".>"}, Storage: jetstream.FileStorage, Duplicates: DefaultDupes,
		Description: "weid ledger events (weid node --events-nats)",
	})
	cancel()
	if err != nil {
		return fmt.Errorf("stream %s: %w", p.Stream, err)
	}
	cursor, err := p.resumeFrom(ctx, stream)
	if err != nil {
		return err
	}
	all := &events.Filter{}
	for ctx.Err() == nil {
		var wake <-chan struct{}
		if p.Wake != nil {
			wake = p.Wake() // before reading: a commit after the read closes it
		}
		from := cursor
		if from == "" {
			from = "0"
		}
		start, err := p.Source.EventStart(from)
		if err != nil {
			return fatalError{fmt.Errorf("events after %s: %w", from, err)}
		}
		page, err := p.Source.EventPage(all, start, PageSize)
		if err != nil {
			return fatalError{err}
		}
		if len(page.Events) > 0 {
			if err := p.publishPage(ctx, js, page.Events); err != nil {
				return err
			}
		}
		if page.Next != "" && page.Next != cursor {
			cursor = page.Next
			if err := p.Store.SaveCursor(cursor); err != nil {
				return fatalError{err}
			}
		}
		if len(page.Events) < PageSize {
			p.wait(ctx, wake)
		}
	}
	return nil
}

// wait returns when the next block commits (wake), after Poll without
// Wake, or when ctx ends.
func (p *Publisher) wait(ctx context.Context, wake <-chan struct{}) {
	if wake == nil {
		retry.Sleep(ctx, p.Poll)
		return
	}
	select {
	case <-ctx.Done():
	case <-wake:
	}
}

// resumeFrom is the later of the saved cursor and the cursor of the
// stream's last weid message (another node of the consortium, or this one
// before its cursor was saved, may have published further).
func (p *Publisher) resumeFrom(ctx context.Context, stream jetstream.Stream) (string, error) {
	saved, err := p.Store.LoadCursor()
	if err != nil {
		return "", fatalError{err}
	}
	cctx, cancel := context.WithTimeout(ctx, publishTimeout)
	defer cancel()
	msg, err := stream.GetLastMsgForSubject(cctx, p.Prefix+".>")
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return saved, nil
	}
	if err != nil {
		return "", fmt.Errorf("last message of stream %s: %w", p.Stream, err)
	}
	last := msg.Header.Get(cursorHeader)
	lc, err := events.ParseCursor(last)
	if err != nil {
		return saved, nil // not ours
	}
	if _, err := p.Source.EventStart(last); err != nil {
		// Beyond this node's head (another node is ahead, or the
		// stream holds another chain's events): our own cursor.
		p.Log.Info("NATS stream's last event is not in this node's ledger yet; resuming from the saved cursor", "stream", p.Stream, "streamCursor", last, "saved", saved)
		return saved, nil
	}
	if sc, err := events.ParseCursor(saved); saved == "" || (err == nil && sc.Less(lc)) {
		return last, nil
	}
	return saved, nil
}

// publishPage publishes evs asynchronously and waits for every
// acknowledgement; any failure fails the page, which is published again
// (the stream drops the duplicates by Nats-Msg-Id).
func (p *Publisher) publishPage(ctx context.Context, js jetstream.JetStream, evs []api.Event) error {
	futures := make([]jetstream.PubAckFuture, 0, len(evs))
	for i := range evs {
		e := &evs[i]
		body, err := json.Marshal(e)
		if err != nil {
			return fatalError{err}
		}
		m := nats.NewMsg(Subject(p.Prefix, e.Type))
		if max := p.maxPayload(); max > 0 && int64(len(body)) > max-headerRoom {
			// Published all the same (a message refused forever
			// would stop the stream), as a reference.
			body, _ = json.Marshal(api.Event{ID: e.ID, Cursor: e.Cursor, Type: e.Type, Height: e.Height, Time: e.Time})
			m.Header.Set(TruncatedHeader, "true")
		}
		m.Data = body
		m.Header.Set(jetstream.MsgIDHeader, e.ID)
		m.Header.Set(cursorHeader, e.Cursor)
		f, err := js.PublishMsgAsync(m, jetstream.WithExpectStream(p.Stream))
		if err != nil {
			return fmt.Errorf("publish %s: %w", e.Cursor, err)
		}
		futures = append(futures, f)
	}
	t := time.NewTimer(publishTimeout)
	defer t.Stop()
	for i, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return fmt.Errorf("publish %s: %w", evs[i].Cursor, err)
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			return fmt.Errorf("publish %s: no acknowledgement within %v", evs[i].Cursor, publishTimeout)
		}
	}
	return nil
}
