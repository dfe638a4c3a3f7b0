package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/node"
)

// TestAccountToken_AdminRotatesTheNodesAdminToken: "weid account token
// --name admin" prints the node's new admin token, which the node also
// wrote to admin.token; the token it was given no longer works, the new
// one does; --help says how.
func TestAccountToken_AdminRotatesTheNodesAdminToken(t *testing.T) {
	s := serveNode(t, node.Config{})
	out := mustCLI(t, "account", "token", "--name", "admin", "--node", s.URL, "--token", s.Admin)
	b, err := os.ReadFile(filepath.Join(s.Dir, node.TokenFile))
	if err != nil {
		t.Fatal(err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == s.Admin || !strings.Contains(out, "admin token "+tok+"\n") || !strings.Contains(out, "admin.token") {
		t.Fatalf("weid account token --name admin printed %q; admin.token holds %q (was %q)", out, tok, s.Admin)
	}
	if _, err := runCLI(t, "account", "list", "--node", s.URL, "--token", s.Admin); err == nil || !strings.Contains(oneLine(err), "auth.invalidToken") {
		t.Fatalf("account list with the rotated admin token: %v", err)
	}
	var again api.AccountToken
	mustCLIJSON(t, &again, "account", "token", "--name", "admin", "--node", s.URL, "--token", tok)
	if again.Name != "admin" || again.Token == "" || again.Token == tok {
		t.Fatalf("a second rotation, -o json: %+v", again)
	}
	mustCLI(t, "account", "list", "--node", s.URL, "--token", again.Token)
	if help := mustCLI(t, "account", "token", "--help"); !strings.Contains(help, "--name admin rotates the node's own admin token") {
		t.Fatalf("weid account token --help does not say how the admin token is rotated:\n%s", help)
	}
}
