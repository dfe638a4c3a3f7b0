package cli

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/node"
)

// TestEventsTail_PrintsEventsFromACursor: weid events tail replays from a
// height, filters by type, stops after --count, prints JSON lines with -o
// json, and refuses an unknown type with the node's problem.
func TestEventsTail_PrintsEventsFromACursor(t *testing.T) {
	ts := serveNode(t, node.Config{})

	out := mustCLI(t, "events", "tail", "--node", ts.URL, "--from", "0", "--types", "did.*,chain.initialized", "--count", "2")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "0.0.0 ") || !strings.Contains(lines[0], "did.created") ||
		!strings.Contains(lines[0], "did="+ts.AdminDID) || !strings.Contains(lines[1], "chain.initialized") {
		t.Fatalf("tail printed:\n%s", out)
	}
	out = mustCLI(t, "events", "tail", "--node", ts.URL, "--from", "0.0.0", "--types", "block.committed", "--count", "1", "-o", "json")
	var e api.Event
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &e); err != nil || e.Type != api.EventBlockCommitted || e.Height != 0 {
		t.Fatalf("tail -o json printed %q: %v", out, err)
	}
	if _, err := runCLI(t, "events", "tail", "--node", ts.URL, "--from", "0", "--count", "-1"); err == nil || !strings.Contains(oneLine(err), "--count") {
		t.Fatalf("a negative --count: %v", err)
	}
	if _, err := runCLI(t, "events", "tail", "--node", ts.URL, "--types", "did.born"); err == nil || !strings.Contains(oneLine(err), "events.unknownType") {
		t.Fatalf("unknown type: %v", err)
	}
}

// TestSubscription_CLI: create prints the secret once, list and show the
// cursor, pause and resume change the status, delete removes it; an
// internal receiver is refused with the node's problem.
func TestSubscription_CLI(t *testing.T) {
	ts := serveNode(t, node.Config{WebhookAllowHosts: []string{"127.0.0.1"}})
	rcv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(rcv.Close)
	cli := func(args ...string) []string {
		return append(args, "--node", ts.URL, "--token", ts.Admin)
	}
	var s api.Subscription
	mustCLIJSON(t, &s, cli("subscription", "create", rcv.URL, "--types", "did.*")...)
	if !strings.HasPrefix(s.Secret, "whsec_") || s.Status != api.SubscriptionActive {
		t.Fatalf("create: %+v", s)
	}
	if out := mustCLI(t, cli("subscription", "show", s.ID)...); !strings.Contains(out, "types     did.*\n") {
		t.Fatalf("show does not say what it delivers: %s", out)
	}
	if out := mustCLI(t, cli("subscription", "list")...); !strings.Contains(out, s.ID) || !strings.Contains(out, "active") {
		t.Fatalf("list: %s", out)
	}
	if out := mustCLI(t, cli("subscription", "pause", s.ID)...); !strings.Contains(out, "paused") {
		t.Fatalf("pause: %s", out)
	}
	if out := mustCLI(t, cli("subscription", "resume", s.ID)...); !strings.Contains(out, "status    active") || strings.Contains(out, "whsec_") {
		t.Fatalf("resume: %s", out)
	}
	mustCLI(t, cli("subscription", "delete", s.ID)...)
	if _, err := runCLI(t, cli("subscription", "show", s.ID)...); err == nil || !strings.Contains(oneLine(err), "subscription.notFound") {
		t.Fatalf("show after delete: %v", err)
	}
	if _, err := runCLI(t, cli("subscription", "create", "http://192.168.1.1/hook")...); err == nil || !strings.Contains(oneLine(err), "subscription.urlNotAllowed") {
		t.Fatalf("an internal receiver: %v", err)
	}
}
