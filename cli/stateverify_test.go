package cli

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weidgo/weid/internal/proxytest"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
)

// TestDIDResolveVerify_Solo: weid did resolve --verify succeeds against an
// honest solo node with its node key, and fails naming the lie against a
// proxy that changes the document, or with a key that is not the node's.
func TestDIDResolveVerify_Solo(t *testing.T) {
	ts := serveNode(t, node.Config{})
	nodeKey := ts.NodeKey(t)
	d := ts.AdminDID
	stranger, _ := keys.Generate(keys.Ed25519)
	out := mustCLI(t, "did", "resolve", d, "--verify", "--node", ts.URL, "--node-key", nodeKey)
	if !strings.Contains(out, d) {
		t.Fatalf("verified resolution printed %s", out)
	}
	liar := lyingProxy(t, ts.URL)
	if _, err := runCLI(t, "did", "resolve", d, "--verify", "--node", liar, "--node-key", nodeKey); err == nil || !strings.Contains(oneLine(err), "document the node returned differs") {
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
	ts := serveNode(t, node.Config{Engine: "cometbft", CometLogLevel: "none"})
	genesis := ts.Genesis(t)
	// A write, so the head is a block whose appHash a later CometBFT
	// header carries.
	d, _ := ts.CreateDID(t)
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
	return proxytest.Rewriting(t, upstream, func(_ string, m map[string]any) {
		if doc, ok := m["didDocument"].(map[string]any); ok {
			doc["alsoKnownAs"] = []any{"https://evil.example"}
		}
	})
}
