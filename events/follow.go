package events

import (
	"context"
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
	return replay(ledgerEvents(l), f, pos, to, func(e *Live) error { return emit(&e.Event) })
}

// ledgerEvents reads each block's events from l, without a cache.
func ledgerEvents(l Ledger) func(uint64) ([]Live, error) {
	return func(h uint64) ([]Live, error) {
		b, err := l.Block(h)
		if err != nil {
			return nil, err
		}
		return derive(l, b)
	}
}

// replay is Replay over a source of blocks' events.
func replay(read func(uint64) ([]Live, error), f *Filter, pos Cursor, to uint64, emit func(*Live) error) (Cursor, error) {
	for h := pos.Height; h <= to; h++ {
		evs, err := read(h)
		if err != nil {
			return pos, err
		}
		for i := range evs {
			if evs[i].Pos.Less(pos) {
				continue
			}
			pos = evs[i].Pos.Next()
			if f.Match(&evs[i].Event) {
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
	return page(l, ledgerEvents(l), f, s, limit)
}

// Page is Page reading recent blocks' events from the hub's cache.
func (h *Hub) Page(f *Filter, s Start, limit int) (*api.EventPage, error) {
	return page(h.l, h.blockEvents, f, s, limit)
}

func page(l Ledger, read func(uint64) ([]Live, error), f *Filter, s Start, limit int) (*api.EventPage, error) {
	head := l.Head()
	page := &api.EventPage{Events: []api.Event{}, Next: s.After}
	if head.Empty || s.Pos.Height > head.Height {
		return page, nil
	}
	to := head.Height
	if to-s.Pos.Height >= api.MaxEventPageBlocks {
		to = s.Pos.Height + api.MaxEventPageBlocks - 1
	}
	_, err := replay(read, nil, s.Pos, to, func(e *Live) error {
		page.Next = e.Cursor
		if !f.Match(&e.Event) {
			return nil
		}
		page.Events = append(page.Events, e.Event)
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
	// FlushEvery, if set, spaces the live feed's flushes at least this
	// far apart: a burst right after a quiet time is flushed at once,
	// while under load the events of several blocks go out in one write
	// (a reader's lag grows by at most FlushEvery).
	FlushEvery time.Duration
	Idle       func() error
	Heartbeat  time.Duration
}

// Follow replays the events the filter keeps from pos to the head, then
// follows new blocks through a live subscription, without gap or
// duplicate, until ctx ends (nil), s's callbacks fail (their error) or
// the subscription ends (ErrSlowConsumer, ErrClosed). History is read
// from the ledger at the reader's pace, so only the live part is
// buffered.
func (h *Hub) Follow(ctx context.Context, f *Filter, pos Cursor, s Stream) error {
	emit := func(e *Live) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if s.EventJSON == nil {
			return s.Event(&e.Event)
		}
		return s.EventJSON(&e.Event, e.JSON)
	}
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
		if pos, err = replay(h.blockEvents, f, pos, head.Height, emit); err != nil {
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
		if pos, err = replay(h.blockEvents, f, pos, live-1, emit); err != nil {
			return ctxErr(ctx, err)
		}
		if err := flush(); err != nil {
			return ctxErr(ctx, err)
		}
	}
	return ctxErr(ctx, h.followLive(ctx, sub, pos, s, emit, flush))
}

// followLive reads sub's batches from pos on until ctx ends (nil), the
// subscription ends or a callback fails.
func (h *Hub) followLive(ctx context.Context, sub *Subscription, pos Cursor, s Stream, emit func(*Live) error, flush func() error) error {
	beat := s.Heartbeat
	if beat <= 0 {
		beat = time.Hour
	}
	t := time.NewTicker(beat)
	defer t.Stop()
	fl := newFlusher(s.FlushEvery, flush)
	defer fl.stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-sub.Ready():
			for _, batch := range sub.Take() {
				for i := range batch {
					if batch[i].Pos.Less(pos) {
						continue
					}
					pos = batch[i].Pos.Next()
					if err := emit(&batch[i]); err != nil {
						return err
					}
				}
			}
			if err := fl.due(); err != nil {
				return err
			}
		case <-fl.c:
			if err := fl.now(); err != nil {
				return err
			}
		case <-sub.Done():
			return sub.Err()
		case <-t.C:
			if s.Idle != nil {
				if err := s.Idle(); err != nil {
					return err
				}
			}
		}
	}
}

// flusher spaces flushes at least every apart: due flushes now if the
// last flush is that old, else once the interval has passed (c fires).
type flusher struct {
	every time.Duration
	flush func() error
	last  time.Time
	t     *time.Timer
	c     <-chan time.Time // nil while no flush is pending
}

func newFlusher(every time.Duration, flush func() error) *flusher {
	return &flusher{every: every, flush: flush}
}

func (f *flusher) due() error {
	if f.every <= 0 {
		return f.flush()
	}
	wait := f.every - time.Since(f.last)
	if wait <= 0 {
		return f.now()
	}
	if f.c == nil {
		if f.t == nil {
			f.t = time.NewTimer(wait)
		} else {
			f.t.Reset(wait)
		}
		f.c = f.t.C
	}
	return nil
}

func (f *flusher) now() error {
	f.c = nil
	f.last = time.Now()
	return f.flush()
}

func (f *flusher) stop() {
	if f.t != nil {
		f.t.Stop()
	}
}

// ctxErr is nil when err only says that ctx ended.
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}
