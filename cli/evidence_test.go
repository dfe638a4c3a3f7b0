package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEvidence_CLI: Alice notarizes a file with her key file, Bob co-signs,
// the admin notarizes another through the node's token, and verify checks
// signers and proofs; a changed file is not recorded.
func TestEvidence_CLI(t *testing.T) {
	t.Setenv("WEID_PASSPHRASE", "evidence test passphrase")
	n := startTestNode(t)
	dir, cmd, token, cli := n.Dir, n.Cmd, n.Admin, n.With
	alice, aliceKey := n.NewDID(t, "alice")
	bob, bobKey := n.NewDID(t, "bob")

	doc := filepath.Join(dir, "contract.txt")
	if err := os.WriteFile(doc, []byte(strings.Repeat("the parties agree\n", 10000)), 0o600); err != nil {
		t.Fatal(err)
	}
	var created struct{ Hashes []string }
	mustCLIJSON(t, &created, cli("evidence", "create", doc, "--key", aliceKey, "--log", "signed by Alice", "--extra", "file=contract.txt", "--custom-key", "contract-1")...)
	if len(created.Hashes) != 1 || len(created.Hashes[0]) != 64 {
		t.Fatalf("create: %+v", created)
	}
	if _, err := runCLI(t, cli("evidence", "create", doc, "--key", bobKey)...); err == nil || !strings.Contains(oneLine(err), "evidence.exists") {
		t.Fatalf("second create: %v", err)
	}
	mustCLI(t, cli("evidence", "sign", doc, "--key", bobKey, "--log", "Bob agrees")...)

	out := mustCLI(t, cli("evidence", "verify", doc)...)
	for _, want := range []string{"signer " + alice + " valid", "signer " + bob + " valid", "signature verified", "key contract-1", "verified: 2 transaction inclusion proofs"} {
		if !strings.Contains(out, want) {
			t.Fatalf("verify output lacks %q:\n%s", want, out)
		}
	}
	var v struct {
		Signers []struct {
			DID      string
			Verified string
		}
		ProofsVerified int
	}
	mustCLIJSON(t, &v, cli("evidence", "verify", "--hash", created.Hashes[0])...)
	if len(v.Signers) != 2 || v.ProofsVerified != 2 {
		t.Fatalf("verify -o json: %+v", v)
	}

	// Custodial: the node signs as the admin DID for the admin token.
	other := filepath.Join(dir, "annex.txt")
	if err := os.WriteFile(other, []byte("annex"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustCLI(t, cli("evidence", "create", other, "--token", token)...)
	if out := mustCLI(t, cli("evidence", "verify", other)...); !strings.Contains(out, "signature verified") {
		t.Fatalf("custodial verify: %s", out)
	}
	// A changed file is not recorded.
	if err := os.WriteFile(other, []byte("annex, amended"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, cli("evidence", "verify", other)...); err == nil || !strings.Contains(oneLine(err), "evidence.notFound") {
		t.Fatalf("verify of a changed file: %v", err)
	}
	stopNode(t, cmd)
}
