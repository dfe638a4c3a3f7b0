package events

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/errs"
)

// Start is where a reader of events starts: Pos is the first position it
// wants (events at Pos or after), After the cursor of the event just
// before it ("" if Pos is the chain's very start), what a JSON page that
// found nothing names as next.
type Start struct {
	Pos   Cursor
	After string
}

// ResolveStart reads where to start from a cursor (resume after that
// event), a height (from that block's first event) or "now" or "" (after
// the head's last event). A cursor or height beyond the head is 400
// events.cursorBeyondHead; a cursor naming no place in its block, or
// anything else, 400 events.badCursor.
func ResolveStart(l Ledger, from string) (Start, error) {
	head := l.Head()
	if from == "" || from == "now" {
		if head.Empty {
			return Start{}, nil
		}
		b, err := l.Block(head.Height)
		if err != nil {
			return Start{}, err
		}
		c := Cursor{head.Height, uint32(len(b.Txs)), 0}
		return Start{Pos: c.Next(), After: c.String()}, nil
	}
	beyond := func(h uint64) error {
		return errs.BadRequest("events.cursorBeyondHead", "from %s is beyond the head of the chain (height %d); use now to wait for new events", quote(from), head.Height)
	}
	if h, err := parseDecimal(from, 64); err == nil {
		if head.Empty || h > head.Height {
			return Start{}, beyond(h)
		}
		s := Start{Pos: Cursor{Height: h}}
		if h > 0 {
			b, err := l.Block(h - 1)
			if bl, ok := l.(interface{ Base() uint64 }); ok && err != nil && h == bl.Base() {
				// A node that joined by state sync has the blocks from
				// its base on (chain.Ledger.Base): its events start there.
				return s, nil
			}
			if err != nil {
				return Start{}, err
			}
			s.After = Cursor{h - 1, uint32(len(b.Txs)), 0}.String()
		}
		return s, nil
	}
	c, err := ParseCursor(from)
	if err != nil {
		if len(from) <= 20 && !contains(from, '.') {
			return Start{}, errs.BadRequest("events.badCursor", "from %s is neither a cursor (height.tx.event), a height nor now", quote(from))
		}
		return Start{}, err
	}
	if head.Empty || c.Height > head.Height {
		return Start{}, beyond(c.Height)
	}
	b, err := l.Block(c.Height)
	if err != nil {
		return Start{}, err
	}
	if c.Tx > uint32(len(b.Txs)) || (c.Tx == uint32(len(b.Txs)) && c.Event > 0) {
		return Start{}, errs.BadRequest("events.badCursor", "cursor %s names no event: block %d has %d transactions", c, c.Height, len(b.Txs))
	}
	return Start{Pos: c.Next(), After: c.String()}, nil
}

func contains(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

// Replay calls emit with each event the filter keeps, at pos or after, of
// the blocks up to height to, in order, reading them from the ledger. It
// returns the position after the last event it read; an error of emit
// stops it and is returned.
func Replay(l Ledger, f *Filter, pos Cursor, to uint64, emit func(*api.Event) error) (Cursor, error) {
	hash := l.Registry().Suite().TxHash
	for h := pos.Height; h <= to; h++ {
		b, err := l.Block(h)
		if err != nil {
			return pos, err
		}
		evs, err := Derive(b, l, hash)
		if err != nil {
			return pos, err
		}
		for i := range evs {
			c, _ := ParseCursor(evs[i].Cursor)
			if c.Less(pos) {
				continue
			}
			pos = c.Next()
			if f.Match(&evs[i]) {
				if err := emit(&evs[i]); err != nil {
					return pos, err
				}
			}
		}
		pos = Cursor{Height: h + 1}
		if h == to { // to may be the largest height: h+1 would wrap
			break
		}
	}
	return pos, nil
}

// Page returns up to limit events the filter keeps from s on, reading at
// most api.MaxEventPageBlocks blocks; Next is the cursor to ask from next:
// the last event returned if the page is full, else the last event of the
// last block read (s.After if none was).
func Page(l Ledger, f *Filter, s Start, limit int) (*api.EventPage, error) {
	head := l.Head()
	page := &api.EventPage{Events: []api.Event{}, Next: s.After}
	if head.Empty || s.Pos.Height > head.Height {
		return page, nil
	}
	to := head.Height
	if to-s.Pos.Height >= api.MaxEventPageBlocks {
		to = s.Pos.Height + api.MaxEventPageBlocks - 1
	}
	_, err := replayAll(l, s.Pos, to, func(e *api.Event) error {
		page.Next = e.Cursor
		if !f.Match(e) {
			return nil
		}
		page.Events = append(page.Events, *e)
		if len(page.Events) == limit {
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, err
	}
	return page, nil
}

// replayAll is Replay without a filter: emit sees every event.
func replayAll(l Ledger, pos Cursor, to uint64, emit func(*api.Event) error) (Cursor, error) {
	return Replay(l, nil, pos, to, emit)
}

// Stream is a reader following the chain: Follow calls Event with each
// event, Flush (if set) once the events at hand were given (so a writer
// buffers a burst and sends it at once, not one system call per event),
// and Idle when nothing happened for Heartbeat.
type Stream struct {
	Event func(*api.Event) error
	// EventJSON, if set, is called instead of Event with the event's
	// JSON encoding too (encoded once for all live subscribers).
	EventJSON func(e *api.Event, encoded []byte) error
	Flush     func() error
	Idle      func() error
	Heartbeat time.Duration
}

// Follow replays the events the filter keeps from pos to the head, then
// follows new blocks through a live subscription, without gap or
// duplicate, until ctx ends (nil), s's callbacks fail (their error) or
// the subscription ends (ErrSlowConsumer, ErrClosed). History is read
// from the ledger at the reader's pace, so only the live part is
// buffered.
func (h *Hub) Follow(ctx context.Context, f *Filter, pos Cursor, s Stream) error {
	emitJSON := func(e *api.Event, raw []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if s.EventJSON == nil {
			return s.Event(e)
		}
		if raw == nil {
			var err error
			if raw, err = json.Marshal(e); err != nil {
				return err
			}
		}
		return s.EventJSON(e, raw)
	}
	emit := func(e *api.Event) error { return emitJSON(e, nil) }
	flush := func() error {
		if s.Flush == nil {
			return nil
		}
		return s.Flush()
	}
	// Catch up without a subscription, so a long history fills no buffer.
	for {
		head := h.l.Head()
		if head.Empty || pos.Height > head.Height {
			break
		}
		var err error
		if pos, err = Replay(h.l, f, pos, head.Height, emit); err != nil {
			return ctxErr(ctx, err)
		}
		if err := flush(); err != nil {
			return ctxErr(ctx, err)
		}
	}
	sub, live, err := h.Subscribe(f)
	if err != nil {
		return err
	}
	defer sub.Close()
	if live > 0 && pos.Height <= live-1 {
		if pos, err = Replay(h.l, f, pos, live-1, emit); err != nil {
			return ctxErr(ctx, err)
		}
		if err := flush(); err != nil {
			return ctxErr(ctx, err)
		}
	}
	beat := s.Heartbeat
	if beat <= 0 {
		beat = time.Hour
	}
	t := time.NewTicker(beat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case e := <-sub.C():
			c, _ := ParseCursor(e.Cursor)
			if c.Less(pos) {
				continue
			}
			pos = c.Next()
			if err := emitJSON(&e.Event, e.JSON); err != nil {
				return ctxErr(ctx, err)
			}
			if len(sub.C()) == 0 {
				if err := flush(); err != nil {
					return ctxErr(ctx, err)
				}
			}
		case <-sub.Done():
			return sub.Err()
		case <-t.C:
			if s.Idle != nil {
				if err := s.Idle(); err != nil {
					return ctxErr(ctx, err)
				}
			}
		}
	}
}

// ctxErr is nil when err only says that ctx ended.
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}
