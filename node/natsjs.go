package node

// Publishing the ledger's events to NATS JetStream (package events/natsjs,
// --events-nats): one goroutine from a cursor kept in the node's store.

import (
	"context"
	"errors"
	"log/slog"

	"github.com/weidgo/weid/events/natsjs"
	"github.com/weidgo/weid/keystore"
)

const natsCursorRecord = "natsjs/cursor"

// natsCursor keeps the JetStream publisher's cursor in the keystore's
// records (natsjs.Store).
type natsCursor struct{ ks *keystore.Store }

func (c natsCursor) LoadCursor() (string, error) {
	var s string
	err := c.ks.GetRecord(natsCursorRecord, &s)
	if errors.Is(err, keystore.ErrNotFound) {
		return "", nil
	}
	return s, err
}

// SaveCursor is not synced: after a crash the cursor may be behind and
// events are published again, which the stream drops as duplicates.
func (c natsCursor) SaveCursor(cursor string) error {
	return c.ks.PutRecord(natsCursorRecord, cursor, false)
}

// startNATS starts publishing events to cfg.EventsNATS, if set, until
// Close.
func (n *Node) startNATS(cfg Config) error {
	if cfg.EventsNATS == "" {
		return nil
	}
	if err := natsjs.Check(cfg.EventsNATS, cfg.EventsNATSStream); err != nil {
		return err
	}
	p := &natsjs.Publisher{URL: cfg.EventsNATS, Stream: cfg.EventsNATSStream, Source: n, Store: natsCursor{n.Keystore}, Wake: n.NextCommit}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := p.Run(ctx); err != nil {
			slog.Error("publishing events to NATS JetStream stopped", "url", cfg.EventsNATS, "err", err)
		}
	}()
	n.stopNATS = func() { cancel(); <-done }
	return nil
}
