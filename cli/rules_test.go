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

// TestRules_BadFlagsNameTheFlag: "weid rules schedule" and "cancel" refuse
// bad flags before asking the node, naming the flag (--height, not the
// payload's "height"): a missing --height or --version, and a height
// above 2^53−1, which a transaction's JSON would carry rounded
// (9007199254740993 committed as 9007199254740992).
func TestRules_BadFlagsNameTheFlag(t *testing.T) {
	node := "--node=http://127.0.0.1:1" // never reached
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"rules", "schedule", "--version", "2", "--token", "t"}, []string{"--height is the weid height"}},
		{[]string{"rules", "schedule", "--height", "100", "--token", "t"}, []string{"--version is the version"}},
		{[]string{"rules", "schedule", "--version", "2", "--height", "9007199254740993", "--token", "t"}, []string{"--height", "at most 9007199254740991", "not 9007199254740993"}},
		{[]string{"rules", "schedule", "--version", "2", "--height", "18446744073709551615", "--token", "t"}, []string{"--height", "not 18446744073709551615"}},
		{[]string{"rules", "cancel", "--token", "t"}, []string{"--version is the scheduled version to cancel"}},
	} {
		_, err := runCLI(t, append(c.args, node)...)
		for _, w := range c.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("weid %s: %v, want %q", strings.Join(c.args, " "), err, w)
			}
		}
		if err != nil && strings.Contains(err.Error(), "gov.invalidRules") {
			t.Errorf("weid %s: %v names the problem code, not the flag", strings.Join(c.args, " "), err)
		}
	}
}
