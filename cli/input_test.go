package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadJSON_AFileThatIsNotJSONIsNamed: the commands that send a JSON
// file (vc issue, schema register and update) refuse one that is not JSON
// before anything is sent, naming the file.
func TestReadJSON_AFileThatIsNotJSONIsNamed(t *testing.T) {
	f := filepath.Join(t.TempDir(), "diploma.txt")
	if err := os.WriteFile(f, []byte("not json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	node := "http://" + freeAddr(t) // nothing listens: a request would fail otherwise
	for _, args := range [][]string{
		{"vc", "issue", f, "--token", "x"},
		{"schema", "register", f, "--token", "x"},
		{"schema", "update", f, "--id", "1000", "--token", "x"},
	} {
		_, err := runCLI(t, append(args, "--node", node)...)
		if err == nil || err.Error() != f+" is not JSON" {
			t.Errorf("weid %s: %v, want %q", strings.Join(args[:2], " "), err, f+" is not JSON")
		}
	}
}
