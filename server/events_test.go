package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/node"
)

// TestEvents_PagesResumeFromNextAndFilter: GET /v1/events pages through
// the chain's events from a height, resumes from next, and filters by type.
func TestEvents_PagesResumeFromNextAndFilter(t *testing.T) {
	tn := startNode(t)
	var dids []string
	for range 3 {
		dids = append(dids, tn.newDID(t))
	}
	page := func(q string) api.EventPage {
		t.Helper()
		return decodeAs[api.EventPage](t, tn.do(t, "GET", "/v1/events"+q, "", nil), 200, "GET /v1/events"+q)
	}
	p := page("?from=1&types=did.created&limit=2")
	if len(p.Events) != 2 || p.Events[0].DID != dids[0] || p.Events[1].DID != dids[1] || p.Next != p.Events[1].Cursor {
		t.Fatalf("first page: %+v", p)
	}
	p = page("?from=" + p.Next + "&types=did.created&limit=2")
	if len(p.Events) != 1 || p.Events[0].DID != dids[2] || p.Events[0].Height != 3 {
		t.Fatalf("second page: %+v", p)
	}
	if p = page("?from=" + p.Next + "&types=did.created"); len(p.Events) != 0 || !strings.HasPrefix(p.Next, "3.") {
		t.Fatalf("last page: %+v", p)
	}
	if p = page(""); len(p.Events) != 0 || p.Next != "3.1.0" {
		t.Fatalf("page from now: %+v", p)
	}
	if p = page("?from=0&did=" + dids[1]); len(p.Events) != 1 || p.Events[0].Type != api.EventDIDCreated {
		t.Fatalf("did filter: %+v", p)
	}
	if p = page("?from=2&types=block.*"); len(p.Events) != 2 || p.Events[0].BlockHash == "" || p.Events[0].TxCount != 1 {
		t.Fatalf("block events: %+v", p)
	}
}

func TestEvents_BadQueriesAreProblems(t *testing.T) {
	tn := startNode(t)
	for q, code := range map[string]string{
		"?types=did.born":            "events.unknownType",
		"?types=weather.*":           "events.unknownType",
		"?types=did.cre*":            "events.badType",
		"?did=nope":                  "events.badDid",
		"?statusList=Bad%20Id":       "events.badStatusList",
		"?from=99":                   "events.cursorBeyondHead",
		"?from=99.0.0":               "events.cursorBeyondHead",
		"?from=0.999.0":              "events.badCursor",
		"?from=yesterday":            "events.badCursor",
		"?from=1.2":                  "events.badCursor",
		"?limit=0":                   "request.badQuery",
		"?limit=1001":                "request.badQuery",
		"?type=did.created":          "request.badQuery",
		"?from=0&statuslist=a1":      "request.badQuery",
		"?from=0&from=1":             "request.badQuery",
		"?from=0&limit=5&limit=1000": "request.badQuery",
	} {
		wantProblem(t, q, tn.do(t, "GET", "/v1/events"+q, "", nil), 400, code)
	}
	req, _ := http.NewRequest("GET", tn.url+"/v1/events", nil)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Last-Event-ID", "0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("a Last-Event-ID that is not a cursor: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// TestEvents_StreamReplaysFollowsAndResumes: a stream from a height
// replays the history, then delivers new blocks' events as they commit;
// reconnecting after the last id delivers only what followed it.
func TestEvents_StreamReplaysFollowsAndResumes(t *testing.T) {
	tn := startNode(t)
	first := tn.newDID(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	got := make(chan api.Event, 16)
	go func() {
		_ = tn.c.Events(ctx, client.EventQuery{Types: []string{"did.created"}, From: "1"}, func(e api.Event) error {
			got <- e
			return nil
		})
	}()
	next := func() api.Event {
		t.Helper()
		select {
		case e := <-got:
			return e
		case <-ctx.Done():
			t.Fatal("no event")
		}
		return api.Event{}
	}
	if e := next(); e.DID != first || e.Height != 1 {
		t.Fatalf("replayed %+v", e)
	}
	var live []string
	for range 2 {
		live = append(live, tn.newDID(t))
	}
	e2 := next()
	if e2.DID != live[0] {
		t.Fatalf("live event %+v, want %s", e2, live[0])
	}
	if e := next(); e.DID != live[1] {
		t.Fatalf("live event %+v, want %s", e, live[1])
	}
	cancel()

	// Resume as an EventSource does, with Last-Event-ID.
	req, _ := http.NewRequest("GET", tn.url+"/v1/events?types=did.created", nil)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Last-Event-ID", e2.Cursor)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	buf := make([]byte, 64<<10)
	var text string
	for !strings.Contains(text, "\n\n"+"id: ") || !strings.Contains(text, "}\n\n") {
		n, err := resp.Body.Read(buf)
		if err != nil {
			t.Fatalf("read: %v (%q)", err, text)
		}
		text += string(buf[:n])
	}
	if !strings.Contains(text, "event: did.created\n") || !strings.Contains(text, live[1]) || strings.Contains(text, live[0]) {
		t.Fatalf("resumed stream:\n%s", text)
	}
}

// TestEvents_StreamsPerAddressAreBounded: a ninth stream from one address
// is 429 events.tooManyStreams; closing one admits another.
func TestEvents_StreamsPerAddressAreBounded(t *testing.T) {
	tn := startNode(t)
	open := func() *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", tn.url+"/v1/events", nil)
		req.Header.Set("Accept", "text/event-stream")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	wantStreamsBounded(t, 8, open, func(r *http.Response) {
		if r.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("ninth stream: %d", r.StatusCode)
		}
	})
}

// TestEvents_ClientPagesAndStreamErrors: client.EventPage polls, and a
// stream refused up front is an *client.Error with the problem's code.
func TestEvents_ClientPagesAndStreamErrors(t *testing.T) {
	tn := startNode(t)
	p, err := tn.c.EventPage(context.Background(), client.EventQuery{From: "0", Types: []string{"chain.*"}})
	if err != nil || len(p.Events) != 1 || p.Events[0].Type != api.EventChainInitialized {
		t.Fatalf("page: %+v, %v", p, err)
	}
	err = tn.c.Events(context.Background(), client.EventQuery{From: fmt.Sprint(tn.n.Head().Height + 5)}, func(api.Event) error { return nil })
	var ce *client.Error
	if !errors.As(err, &ce) || ce.Code != "events.cursorBeyondHead" {
		t.Fatalf("stream from beyond the head: %v", err)
	}
}

// TestEvents_ShutdownEndsStreamsWithAFinalErrorEvent: when the HTTP
// server shuts down, each stream ends with an "error" event carrying
// events.closed and the cursor to resume after, which the client returns.
func TestEvents_ShutdownEndsStreamsWithAFinalErrorEvent(t *testing.T) {
	n, err := node.Open(node.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	s := New(n, prometheus.NewRegistry())
	ts := httptest.NewServer(s)
	t.Cleanup(func() { ts.Close(); n.Close() })
	c := client.New(ts.URL)
	var last string
	done := make(chan error, 1)
	go func() {
		done <- c.Events(context.Background(), client.EventQuery{From: "0"}, func(e api.Event) error {
			last = e.Cursor
			return nil
		})
	}()
	for n.EventSubscribers() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	s.events.Shutdown()
	var se *client.StreamError
	select {
	case err := <-done:
		if !errors.As(err, &se) || se.Problem.Code != "events.closed" || se.LastEventID == "" || se.LastEventID != last {
			t.Fatalf("stream ended with %v (last event %s)", err, last)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the stream did not end")
	}
	if p, err := c.EventPage(context.Background(), client.EventQuery{From: se.LastEventID}); err != nil || len(p.Events) != 0 {
		t.Fatalf("resuming after the last event: %+v, %v", p, err)
	}
}

// TestEvents_StreamsPerTokenAreBounded: streams with an API token count
// against its account (not the address): past the bound, 429 problem+json
// events.tooManyStreams naming the account; streams without a token from
// the same address are counted apart; a bad token is 401.
func TestEvents_StreamsPerTokenAreBounded(t *testing.T) {
	dir := t.TempDir()
	n, err := node.Open(node.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	s := New(n, nil)
	s.events.StreamsPerToken = 3
	srv := httptest.NewServer(s)
	t.Cleanup(func() { srv.Close(); n.Close() })
	tok, _ := os.ReadFile(filepath.Join(dir, node.TokenFile))
	open := func(token string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+"/v1/events", nil)
		req.Header.Set("Accept", "text/event-stream")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	admin := strings.TrimSpace(string(tok))
	for i := range 3 {
		if r := open(admin); r.StatusCode != http.StatusOK {
			t.Fatalf("stream %d with the token: %d", i, r.StatusCode)
		}
	}
	r := open(admin)
	var p Problem
	if r.StatusCode != http.StatusTooManyRequests || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") ||
		json.NewDecoder(r.Body).Decode(&p) != nil || p.Code != "events.tooManyStreams" || !strings.Contains(p.Detail, "per account") {
		t.Fatalf("fourth stream with the token: %d %s %+v", r.StatusCode, r.Header.Get("Content-Type"), p)
	}
	if r := open(""); r.StatusCode != http.StatusOK {
		t.Fatalf("a stream without a token from the same address: %d", r.StatusCode)
	}
	if r := open("not-a-token"); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a bad token: %d", r.StatusCode)
	}
}

// TestEvents_UnknownTypeSuggestsRealAreas: a type of an area weid does not
// have is not answered with "use weather.*" (an area that has no events),
// but with the areas there are; a type of a real area suggests its area.
func TestEvents_UnknownTypeSuggestsRealAreas(t *testing.T) {
	tn := startNode(t)
	for q, want := range map[string]string{
		"?types=weather.rain": `no event type is in area "weather" (areas: `,
		"?types=did.born":     "use did.*",
	} {
		r := tn.do(t, "GET", "/v1/events"+q, "", nil)
		wantProblem(t, q, r, 400, "events.unknownType")
		var p Problem
		if err := json.Unmarshal(r.body, &p); err != nil || !strings.Contains(p.Detail, want) || strings.Contains(p.Detail, "weather.*") {
			t.Errorf("%s: detail %q, want it to say %q and not suggest weather.*", q, p.Detail, want)
		}
	}
}
