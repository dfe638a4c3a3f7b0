package client

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/weidgo/weid/api"
)

// EventQuery selects the ledger's events (GET /v1/events): types (exact,
// "did.*" or "*"), a DID, a status list, and where to start: From is a
// cursor (resume after that event), a height or "now" (the default).
type EventQuery struct {
	Types      []string
	DID        string
	StatusList string
	From       string
	Limit      int // a page's events (polling only; 0: the node's default)
}

func (q EventQuery) values() url.Values {
	v := url.Values{}
	if len(q.Types) > 0 {
		v.Set("types", strings.Join(q.Types, ","))
	}
	for k, s := range map[string]string{"did": q.DID, "statusList": q.StatusList, "from": q.From} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return v
}

// EventPage returns one page of events for polling; ask again with From
// set to the page's Next.
func (c *Client) EventPage(ctx context.Context, q EventQuery) (*api.EventPage, error) {
	return call[api.EventPage](ctx, c, http.MethodGet, "/v1/events?"+q.values().Encode(), nil)
}

// StreamError is how the node ended an event stream (an "error" event:
// events.slowConsumer, events.closed): resume from LastEventID.
type StreamError struct {
	Problem     *Error
	LastEventID string
}

func (e *StreamError) Error() string {
	return fmt.Sprintf("event stream ended by the node: %v (resume after %q)", e.Problem, e.LastEventID)
}

// Unwrap returns the node's problem.
func (e *StreamError) Unwrap() error { return e.Problem }

// maxEventLine bounds one line of the stream (a status.changed event
// names up to 10,000 indexes).
const maxEventLine = 4 << 20

// Events streams the events of q as server-sent events, calling f with
// each in order, until ctx ends (nil), f fails (its error), or the node
// ends the stream (*StreamError; LastEventID is the cursor to resume
// from, which a reconnect passes as From).
func (c *Client) Events(ctx context.Context, q EventQuery, f func(api.Event) error) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL+"/v1/events?"+q.values().Encode(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/event-stream")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := *c.HTTP
	hc.Timeout = 0 // a stream lasts; ctx ends it
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("GET /v1/events: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return NewError(resp.StatusCode, raw)
	}
	err = readEvents(resp.Body, f)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// readEvents reads a text/event-stream (HTML Living Standard §9.2.6):
// fields until a blank line dispatch the event; comments are skipped.
func readEvents(r io.Reader, f func(api.Event) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxEventLine)
	var typ, data, last string
	for sc.Scan() {
		line := sc.Text()
		if line != "" {
			field, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			switch field {
			case "event":
				typ = value
			case "data":
				data += value
			}
			continue
		}
		switch {
		case typ == "error":
			var p struct {
				Error
				LastEventID string `json:"lastEventId"`
			}
			if err := json.Unmarshal([]byte(data), &p); err != nil {
				return fmt.Errorf("decode the stream's error event: %w", err)
			}
			if p.LastEventID == "" {
				p.LastEventID = last
			}
			e := p.Error
			return &StreamError{Problem: &e, LastEventID: p.LastEventID}
		case data != "":
			var e api.Event
			if err := json.Unmarshal([]byte(data), &e); err != nil {
				return fmt.Errorf("decode event: %w", err)
			}
			if err := f(e); err != nil {
				return err
			}
			last = e.Cursor
		}
		typ, data = "", ""
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return errors.New("the node closed the event stream")
}
