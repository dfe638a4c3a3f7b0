package cli

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/server"
)

// TestDIDResolveVerify_Solo: weid did resolve --verify succeeds against an
// honest solo node with its node key, and fails naming the lie against a
// proxy that changes the document, or with a key that is not the node's.
func TestDIDResolveVerify_Solo(t *testing.T) {
	n, err := node.Open(node.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(server.New(n, nil))
	t.Cleanup(func() { ts.Close(); n.Close() })
	init, err := chain.InitRecord(n.Ledger)
	if err != nil {
		t.Fatal(err)
	}
	d := n.AdminDID
	stranger, _ := keys.Generate(keys.Ed25519)
	out := mustCLI(t, "did", "resolve", d, "--verify", "--node", ts.URL, "--node-key", init.NodeKey)
	if !strings.Contains(out, d) {
		t.Fatalf("verified resolution printed %s", out)
	}
	liar := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp, err := http.Get(ts.URL + r.URL.RequestURI())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var m map[string]any
		if json.Unmarshal(raw, &m) == nil && m["didDocument"] != nil {
			m["didDocument"].(map[string]any)["alsoKnownAs"] = []any{"https://evil.example"}
			raw, _ = json.Marshal(m)
		}
		w.WriteHeader(resp.StatusCode)
		w.Write(raw)
	}))
	t.Cleanup(liar.Close)
	if _, err := runCLI(t, "did", "resolve", d, "--verify", "--node", liar.URL, "--node-key", init.NodeKey); err == nil || !strings.Contains(oneLine(err), "document the node returned differs") {
		t.Fatalf("a changed document: %v", err)
	}
	if _, err := runCLI(t, "did", "resolve", d, "--verify", "--node", ts.URL, "--node-key", stranger.Public().Multibase()); err == nil || !strings.Contains(oneLine(err), "not the trusted node key") {
		t.Fatalf("another key: %v", err)
	}
	if _, err := runCLI(t, "did", "resolve", d, "--verify", "--node", ts.URL); err == nil || !strings.Contains(oneLine(err), "trust anchor") {
		t.Fatalf("no anchor: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "vals.json")
	os.WriteFile(bad, []byte(`[{"pub_key":{"type":"x","value":"AA=="},"power":"10"}]`), 0o600)
	if _, err := runCLI(t, "did", "resolve", d, "--verify", "--node", ts.URL, "--trusted-validators", bad); err == nil || !strings.Contains(oneLine(err), "Ed25519") {
		t.Fatalf("bad validators file: %v", err)
	}
}
