package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWallet_DirectoryOfOtherFilesIsNotCalledMissing: --wallet naming a
// directory that holds other files (./wallet in the repository root is
// the Go package) is not "no wallet … create one with weid wallet init
// --wallet" that same directory, which init refuses: it is said to be no
// wallet, with init in a new directory as the way on.
func TestWallet_DirectoryOfOtherFilesIsNotCalledMissing(t *testing.T) {
	t.Setenv("LANG", "")
	t.Setenv("LC_ALL", "")
	dir := filepath.Join(t.TempDir(), "wallet")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "wallet.go"), []byte("package wallet\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := runCLI(t, "wallet", "list", "--wallet", dir)
	if err == nil || !strings.Contains(err.Error(), dir+" is not a wallet: it holds other files") || strings.Contains(err.Error(), "--wallet "+dir+`"`) {
		t.Errorf("wallet list of a directory of other files: %v", err)
	}
	// A directory that does not exist keeps its hint.
	missing := filepath.Join(t.TempDir(), "alice-wallet")
	if _, err := runCLI(t, "wallet", "list", "--wallet", missing); err == nil || !strings.Contains(err.Error(), `create one with "weid wallet init --wallet `+missing+`"`) {
		t.Errorf("wallet list of a missing directory: %v", err)
	}
}
