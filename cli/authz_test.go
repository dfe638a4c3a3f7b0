package cli

import (
	"strings"
	"testing"
)

// TestAuthzRevoke_TheGrantorsKeyRevokes: a grant signed with the
// grantor's key file is revoked with it; another DID's key is refused
// (its DID is no grantor of it), and the grant lists as revoked.
func TestAuthzRevoke_TheGrantorsKeyRevokes(t *testing.T) {
	n := startTestNode(t)
	t.Setenv("WEID_PASSPHRASE", "revoke test passphrase")
	alice, aliceKey := n.NewDID(t, "alice")
	bank, bankKey := n.NewDID(t, "bank")
	out := mustCLI(t, n.With("authz", "grant", "--key", aliceKey, "--grantee", bank, "--resource", "http://x/",
		"--scope", "degree", "--purpose", "p")...)
	id, _, _ := strings.Cut(strings.TrimPrefix(out, "grant "), "\n")
	if !strings.HasPrefix(id, "urn:uuid:") {
		t.Fatalf("grant printed no id:\n%s", out)
	}
	if _, err := runCLI(t, n.With("authz", "revoke", id, "--key", bankKey)...); err == nil {
		t.Error("the grantee's key revoked the grant")
	}
	if out := mustCLI(t, n.With("authz", "revoke", id, "--key", aliceKey)...); !strings.HasPrefix(out, "revoked "+id+"\n") {
		t.Errorf("revoke printed:\n%s", out)
	}
	if out := mustCLI(t, n.With("authz", "list", "--grantor", alice)...); !strings.Contains(out, id) || !strings.Contains(out, "revoked") {
		t.Errorf("the revoked grant lists as:\n%s", out)
	}
}
