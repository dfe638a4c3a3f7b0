package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestKeyGenerate_ForceReplacesTheFileWhole: without --force an existing
// key file is refused and left as it was; with it, the file is replaced by
// a whole new key file (mode 0600) and nothing else is left beside it.
func TestKeyGenerate_ForceReplacesTheFileWhole(t *testing.T) {
	t.Setenv("WEID_PASSPHRASE", "key test passphrase")
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "alice.key")
	var first, second struct{ DID string }
	mustCLIJSON(t, &first, "key", "generate", "--out", keyFile, "-o", "json")
	old, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, "key", "generate", "--out", keyFile); err == nil || err.Error() != keyFile+" exists; use --force to overwrite it" {
		t.Fatalf("key generate over an existing file: %v", err)
	}
	if b, _ := os.ReadFile(keyFile); string(b) != string(old) {
		t.Fatal("a refused key generate changed the key file")
	}
	mustCLIJSON(t, &second, "key", "generate", "--out", keyFile, "--force", "-o", "json")
	b, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if second.DID == first.DID || string(b) == string(old) {
		t.Fatalf("--force kept the old key (%s)", second.DID)
	}
	if !strings.Contains(string(b), second.DID) {
		t.Errorf("the new key file does not name its DID %s", second.DID)
	}
	if st, err := os.Stat(keyFile); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode: %v %v", st, err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("the directory holds %d entries, want the key file only", len(ents))
	}
}
