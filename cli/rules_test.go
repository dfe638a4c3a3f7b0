package cli

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"
)

// TestRules_ShowScheduleAndSetNode: "weid rules show" says the version in
// force and the newest the node's weid knows; a committee member's key
// schedules, and the node refuses rules its weid does not know
// (gov.unknownRules); "weid validator set-node" (rules v2) records a
// validator's node id; each is signed with --key or, by the node, for
// --token.
func TestRules_ShowScheduleAndSetNode(t *testing.T) {
	t.Setenv("WEID_PASSPHRASE", "rules test passphrase")
	n := startTestNode(t)
	member, keyFile := n.NewDID(t, "member")
	mustCLI(t, n.With("committee", "add", member, "--token", n.Admin)...)
	if out := mustCLI(t, n.With("rules", "show")...); !strings.Contains(out, "rules v2 in force since height 0; this node's weid knows up to v2") {
		t.Errorf("rules show:\n%s", out)
	}
	_, err := runCLI(t, n.With("rules", "schedule", "--version", "3", "--height", "1000", "--key", keyFile)...)
	if err == nil || !strings.Contains(err.Error(), "up to v2, not v3") {
		t.Errorf("schedule of v3: %v", err)
	}
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	key := base64.StdEncoding.EncodeToString(pub)
	mustCLI(t, n.With("validator", "add", key, "--token", n.Admin)...)
	id := strings.Repeat("0b", 20)
	if _, err := runCLI(t, n.With("validator", "set-node", key, "--node-id", id)...); err == nil || !strings.Contains(err.Error(), "give --key") {
		t.Errorf("set-node without --key or --token: %v", err)
	}
	mustCLI(t, n.With("validator", "set-node", key, "--node-id", id, "--key", keyFile)...)
	if out := mustCLI(t, n.With("validator", "list", "-o", "json")...); !strings.Contains(out, id) {
		t.Fatalf("validator list does not record node id %s:\n%s", id, out)
	}
	// With the admin token the node signs, as the admin DID.
	id2 := strings.Repeat("0c", 20)
	mustCLI(t, n.With("validator", "set-node", key, "--node-id", id2, "--token", n.Admin)...)
	if out := mustCLI(t, n.With("validator", "list", "-o", "json")...); !strings.Contains(out, id2) {
		t.Fatalf("validator list does not record node id %s:\n%s", id2, out)
	}
	if _, err := runCLI(t, n.With("rules", "schedule", "--version", "3", "--height", "1000", "--token", n.Admin)...); err == nil || !strings.Contains(err.Error(), "up to v2, not v3") {
		t.Errorf("schedule of v3 with the token: %v", err)
	}
	if _, err := runCLI(t, n.With("rules", "cancel", "--version", "3", "--token", n.Admin)...); err == nil || !strings.Contains(err.Error(), "no change to rules v3 is scheduled") {
		t.Errorf("cancel of v3 with the token: %v", err)
	}
}
