package cli

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"
)

// TestValidatorAdd_NodeIDWithAKey: a validator admitted by its key alone
// can carry its CometBFT node id (--node-id), by which the other nodes count
// it as a live validator if it runs an older weid, which does not attest its
// key; the ledger records it. --node-id beside --home (which reads the id) is refused.
func TestValidatorAdd_NodeIDWithAKey(t *testing.T) {
	n := startTestNode(t)
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := strings.Repeat("0a", 20)
	mustCLI(t, n.With("validator", "add", base64.StdEncoding.EncodeToString(pub), "--node-id", id, "--token", n.Admin)...)
	if out := mustCLI(t, n.With("validator", "list", "-o", "json")...); !strings.Contains(out, `"nodeId": "`+id+`"`) && !strings.Contains(out, `"nodeId":"`+id+`"`) {
		t.Fatalf("validator list does not record node id %s:\n%s", id, out)
	}
	_, err = runCLI(t, n.With("validator", "add", "--home", t.TempDir(), "--node-id", id, "--token", n.Admin)...)
	if err == nil || !strings.Contains(err.Error(), "--node-id or --home, not both") {
		t.Fatalf("--node-id with --home: %v", err)
	}
}
