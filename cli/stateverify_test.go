package cli

import (
	"context"
	"encoding/base64"
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
	liar := lyingProxy(t, ts.URL)
	if _, err := runCLI(t, "did", "resolve", d, "--verify", "--node", liar, "--node-key", init.NodeKey); err == nil || !strings.Contains(oneLine(err), "document the node returned differs") {
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

// TestDIDResolveVerify_CometBFT: against a one-validator CometBFT node,
// --verify --trusted-validators genesis.json checks the commit of the
// header that carries the appHash; a changed document, or a validator set
// that did not sign, fails naming it.
func TestDIDResolveVerify_CometBFT(t *testing.T) {
	dir := t.TempDir()
	n, err := node.Open(node.Config{DataDir: dir, Engine: "cometbft", CometLogLevel: "none"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(server.New(n, nil))
	t.Cleanup(func() { ts.Close(); n.Close() })
	var genesis string
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && e.Name() == "genesis.json" {
			genesis = p
		}
		return nil
	})
	if genesis == "" {
		t.Fatal("no genesis.json in the node's home")
	}
	// A write, so the head is a block whose appHash a later CometBFT
	// header carries.
	d, tx, err := newDIDTx(n.ChainID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Submit(context.Background(), tx, false); err != nil {
		t.Fatal(err)
	}
	out, err := runCLI(t, "did", "resolve", d, "--verify", "--node", ts.URL, "--trusted-validators", genesis)
	if err != nil || !strings.Contains(out, d) {
		t.Fatalf("honest CometBFT node: %s %v", out, err)
	}
	other, _ := keys.Generate(keys.Ed25519)
	vals := filepath.Join(t.TempDir(), "vals.json")
	os.WriteFile(vals, []byte(`[{"pub_key":{"type":"tendermint/PubKeyEd25519","value":"`+base64.StdEncoding.EncodeToString(other.Public().Bytes)+`"},"power":"10"}]`), 0o600)
	if _, err := runCLI(t, "did", "resolve", d, "--verify", "--node", ts.URL, "--trusted-validators", vals); err == nil || !strings.Contains(oneLine(err), "consensus commit") {
		t.Fatalf("a validator set that did not sign: %v", err)
	}
	liar := lyingProxy(t, ts.URL)
	if _, err := runCLI(t, "did", "resolve", d, "--verify", "--node", liar, "--trusted-validators", genesis); err == nil || !strings.Contains(oneLine(err), "document the node returned differs") {
		t.Fatalf("a changed document: %v", err)
	}
}

// lyingProxy serves what upstream answers, but with an alsoKnownAs added to
// any DID document in it; it returns its URL.
func lyingProxy(t *testing.T, upstream string) string {
	liar := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp, err := http.Get(upstream + r.URL.RequestURI())
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
	return liar.URL
}
