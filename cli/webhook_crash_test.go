package cli

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/internal/eventually"
	"github.com/weidgo/weid/node"
)

// receivedHook is one delivery as a receiver saw it.
type receivedHook struct {
	life   int64 // which run of the node sent it (the test counts restarts)
	id     string
	cursor string
	body   []byte
}

// hookReceiver is a webhook receiver that checks every delivery's
// signature on its own (not with package webhooks) and keeps, per path
// (one path per subscription), what it was sent in arrival order.
type hookReceiver struct {
	life    atomic.Int64
	mu      sync.Mutex
	secrets map[string][]byte // path → key
	got     map[string][]receivedHook
	bad     []string
}

// verifyStandardWebhook checks a delivery as the Standard Webhooks
// specification tells a receiver to ("Verifying webhooks"): the key is the
// base64 after "whsec_"; the signed content is webhook-id "." webhook-
// timestamp "." body; webhook-signature is a space-separated list of
// "v1,<base64 HMAC-SHA256>", any of which may match, compared in constant
// time; a timestamp more than 5 minutes away is refused (replay guard).
func verifyStandardWebhook(key []byte, h http.Header, body []byte) error {
	id, ts, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || ts == "" || sigs == "" {
		return fmt.Errorf("missing headers: id %q timestamp %q signature %q", id, ts, sigs)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("timestamp %q: %v", ts, err)
	}
	if d := time.Since(time.Unix(sec, 0)); math.Abs(d.Seconds()) > 300 {
		return fmt.Errorf("timestamp %s is %v away", ts, d)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id))
	mac.Write([]byte{'.'})
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write(body)
	want := mac.Sum(nil)
	for _, s := range strings.Fields(sigs) {
		v, b64, ok := strings.Cut(s, ",")
		if !ok || v != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return fmt.Errorf("no signature in %q matches", sigs)
}

func (r *hookReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	key, ok := r.secrets[req.URL.Path]
	if err != nil || !ok {
		r.bad = append(r.bad, fmt.Sprintf("%s: unknown path or unreadable body (%v)", req.URL.Path, err))
		w.WriteHeader(http.StatusNotFound)
		return
	}
	if err := verifyStandardWebhook(key, req.Header, body); err != nil {
		r.bad = append(r.bad, fmt.Sprintf("%s: %v", req.URL.Path, err))
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var e api.Event
	if err := json.Unmarshal(body, &e); err != nil || e.ID != req.Header.Get("webhook-id") {
		r.bad = append(r.bad, fmt.Sprintf("%s: body %.80s is not the event %s (%v)", req.URL.Path, body, req.Header.Get("webhook-id"), err))
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.got[req.URL.Path] = append(r.got[req.URL.Path], receivedHook{life: r.life.Load(), id: e.ID, cursor: e.Cursor, body: body})
	w.WriteHeader(http.StatusNoContent)
}

// TestCrash_KillDashNineWebhooksDeliverEveryEvent SIGKILLs a node twice
// while it delivers webhooks under a write load, restarts it, and checks,
// per subscription, that the receiver got every event the ledger yields
// for its filter at least once, that each run of the node delivered in
// cursor order and that a restarted node resumed at or before the first
// event not yet delivered (repeats, never gaps), and that every delivery's
// signature verifies with an HMAC computed here from the specification.
func TestCrash_KillDashNineWebhooksDeliverEveryEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills node processes; skipped with -short")
	}
	dir := t.TempDir()
	rcv := &hookReceiver{secrets: map[string][]byte{}, got: map[string][]receivedHook{}}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	args := []string{"--log-level", "error", "--webhook-allow-hosts", "127.0.0.1"}
	base, cmd := startNode(t, dir, args...)
	chainID := nodeChainID(t, base)
	tok, err := os.ReadFile(filepath.Join(dir, node.TokenFile))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c := client.New(base)
	c.Token = strings.TrimSpace(string(tok))

	// Two subscriptions from the genesis: every event, and DID creations
	// only (each with its own secret, and its own path at the receiver).
	subs := map[string]api.SubscriptionRequest{
		"/all": {Types: []string{"*"}, From: "0"},
		"/did": {Types: []string{"did.created"}, From: "0"},
	}
	for path, req := range subs {
		// The test's own secret, known to the receiver before the
		// first delivery (which may come before the answer).
		key := make([]byte, 32)
		_, _ = rand.Read(key)
		rcv.mu.Lock()
		rcv.secrets[path] = key
		rcv.mu.Unlock()
		req.URL, req.Secret = srv.URL+path, "whsec_"+base64.StdEncoding.EncodeToString(key)
		if _, err := c.CreateSubscription(ctx, req); err != nil {
			t.Fatalf("subscribe %s: %v", path, err)
		}
	}

	plans := []killPlan{
		{name: "after 1s of load", after: time.Second, acks: 1 << 30},
		{name: "right after the 150th ack", after: 5 * time.Second, acks: 150},
	}
	for i, plan := range plans {
		rcv.life.Store(int64(i))
		res := writeLoadThenKill(t, base, cmd, chainID, plan)
		for _, err := range res.unexpectedErrors {
			t.Errorf("cycle %d: a write failed before the kill: %v", i+1, err)
		}
		rcv.mu.Lock()
		n := len(rcv.got["/all"])
		rcv.mu.Unlock()
		t.Logf("cycle %d (%s): %d DIDs acknowledged, %d deliveries to /all when killed", i+1, plan.name, len(res.acked), n)
		rcv.life.Store(int64(i + 1))
		base, cmd = startNode(t, dir, args...)
		c = client.New(base)
	}
	createDIDs(t, base, chainID, 3)

	// What each subscription must get: the ledger's events for its filter
	// from the genesis to the head (read after the last write).
	want := map[string][]api.Event{}
	for path, req := range subs {
		from := req.From
		for {
			p, err := c.EventPage(ctx, client.EventQuery{Types: req.Types, From: from, Limit: 1000})
			if err != nil {
				t.Fatalf("events of %s from %s: %v", path, from, err)
			}
			want[path] = append(want[path], p.Events...)
			if len(p.Events) == 0 || p.Next == "" || p.Next == from {
				break
			}
			from = p.Next
		}
	}
	eventually.Nil(t, "every event delivered", 90*time.Second, func() error {
		rcv.mu.Lock()
		defer rcv.mu.Unlock()
		for path, w := range want {
			seen := map[string]bool{}
			for _, h := range rcv.got[path] {
				seen[h.id] = true
			}
			missing := 0
			for _, e := range w {
				if !seen[e.ID] {
					missing++
				}
			}
			if missing > 0 {
				return fmt.Errorf("%s: %d of %d events not delivered yet", path, missing, len(w))
			}
		}
		return nil
	})
	stopNode(t, cmd)

	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	for _, b := range rcv.bad {
		t.Errorf("bad delivery: %s", b)
	}
	for path, w := range want {
		checkHookOrder(t, path, w, rcv.got[path])
	}
}

// checkHookOrder checks one subscription's deliveries against the events
// it must get: each delivered body is the event the ledger has under that
// id; within one run of the node, cursors strictly increase (a repeat of
// the same event would only follow a failed attempt, which this receiver
// never causes); a new run starts at or before the event after the last
// one delivered (at least once: repeats, no gap).
func checkHookOrder(t *testing.T, path string, want []api.Event, got []receivedHook) {
	t.Helper()
	index := map[string]int{}
	bodies := map[string]string{}
	for i, e := range want {
		index[e.ID] = i
		b, _ := json.Marshal(e)
		bodies[e.ID] = string(b)
	}
	repeats, prev, prevLife := 0, -1, int64(-1)
	highest := -1
	for k, h := range got {
		i, ok := index[h.id]
		if !ok {
			t.Errorf("%s: delivery %d is event %s (%s), which the ledger does not have for this filter", path, k, h.id, h.cursor)
			continue
		}
		if !sameJSON(bodies[h.id], string(h.body)) {
			t.Errorf("%s: delivery of %s differs from the ledger's event:\n%s\n%s", path, h.cursor, h.body, bodies[h.id])
		}
		switch {
		case h.life != prevLife && prev >= 0:
			// A restart: the node resumes from its durable cursor,
			// which may be behind (at least once) but never ahead.
			if i > highest+1 {
				t.Errorf("%s: after restart %d the first delivery is %s, skipping %d events after %s", path, h.life, h.cursor, i-highest-1, want[highest].Cursor)
			}
		case prev >= 0 && i != prev+1:
			t.Errorf("%s: in run %d, %s followed %s (want the next event, %s)", path, h.life, h.cursor, want[prev].Cursor, want[min(prev+1, len(want)-1)].Cursor)
		case prev < 0 && i != 0:
			t.Errorf("%s: the first delivery is %s, not the first event %s", path, h.cursor, want[0].Cursor)
		}
		if i <= highest {
			repeats++
		}
		highest = max(highest, i)
		prev, prevLife = i, h.life
	}
	t.Logf("%s: %d events, %d deliveries (%d repeated after a kill), in order, signatures verified", path, len(want), len(got), repeats)
}

// sameJSON compares two JSON texts as values.
func sameJSON(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return string(xb) == string(yb)
}
