package cli

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/server"
)

// TestEventsTail_PrintsEventsFromACursor: weid events tail replays from a
// height, filters by type, stops after --count, prints JSON lines with -o
// json, and refuses an unknown type with the node's problem.
func TestEventsTail_PrintsEventsFromACursor(t *testing.T) {
	n, err := node.Open(node.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(server.New(n, nil))
	t.Cleanup(func() { ts.Close(); n.Close() })

	out := mustCLI(t, "events", "tail", "--node", ts.URL, "--from", "0", "--types", "did.*,chain.initialized", "--count", "2")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "0.0.0 ") || !strings.Contains(lines[0], "did.created") ||
		!strings.Contains(lines[0], "did="+n.AdminDID) || !strings.Contains(lines[1], "chain.initialized") {
		t.Fatalf("tail printed:\n%s", out)
	}
	out = mustCLI(t, "events", "tail", "--node", ts.URL, "--from", "0.0.0", "--types", "block.committed", "--count", "1", "-o", "json")
	var e api.Event
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &e); err != nil || e.Type != api.EventBlockCommitted || e.Height != 0 {
		t.Fatalf("tail -o json printed %q: %v", out, err)
	}
	if _, err := runCLI(t, "events", "tail", "--node", ts.URL, "--types", "did.born"); err == nil || !strings.Contains(oneLine(err), "events.unknownType") {
		t.Fatalf("unknown type: %v", err)
	}
}
