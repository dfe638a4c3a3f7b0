package wallet

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/weidgo/weid/internal/crashtest"
	"github.com/weidgo/weid/keys"
)

// crashChildEnv makes the test binary, re-executed by
// TestCrash_KilledCreateLeavesNoObstacle, the process it kills: its value
// is the directory to make wallets in.
const crashChildEnv = "WEID_WALLET_CRASH_DIR"

// TestCrash_KilledCreateLeavesNoObstacle SIGKILLs a process that makes
// wallets one after another, ten times at random moments, and checks each
// directory it started: a wallet that opens, or (killed before its key
// file was whole) a directory in which "weid wallet init" succeeds and
// leaves no temporary file. A directory killed between the key file and
// wallet.json keeps its key file and is refused, as a key is never
// overwritten.
func TestCrash_KilledCreateLeavesNoObstacle(t *testing.T) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		crashCreator(dir)
		return
	}
	if testing.Short() {
		t.Skip("kills ten processes")
	}
	k, err := keys.Generate(keys.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	var wallets, retried int
	for round := range 10 {
		dir := t.TempDir()
		crashtest.KillWriter(t, "TestCrash_KilledCreateLeavesNoObstacle", crashChildEnv, dir, 2*time.Millisecond)
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			wdir := filepath.Join(dir, e.Name())
			if _, err := Open(wdir); err == nil {
				wallets++
				continue
			}
			if _, err := os.Stat(filepath.Join(wdir, KeyFile)); !errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if _, err := Create(wdir, "did:example:alice", "did:example:alice#k", k.Public(), []byte("key")); err != nil {
				t.Fatalf("round %d: wallet init in %s after the kill: %v", round+1, e.Name(), err)
			}
			if got := crashtest.Names(t, wdir); len(got) != 3 {
				t.Errorf("round %d: %s holds %v after wallet init, want the wallet's three entries", round+1, e.Name(), got)
			}
			retried++
		}
	}
	t.Logf("%d wallets complete, %d interrupted ones made again", wallets, retried)
}

// crashCreator makes wallets w-0, w-1, … in dir until it is killed,
// printing a line after each.
func crashCreator(dir string) {
	k, err := keys.Generate(keys.Ed25519)
	if err != nil {
		panic(err)
	}
	keyFile := make([]byte, 64<<10) // large enough that a kill may land mid-write
	for i := 0; ; i++ {
		if _, err := Create(filepath.Join(dir, fmt.Sprintf("w-%d", i)), "did:example:alice", "did:example:alice#k", k.Public(), keyFile); err != nil {
			panic(err)
		}
		fmt.Println(i)
	}
}
