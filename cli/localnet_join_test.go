package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weidgo/weid/chain/cometbft"
)

// TestLocalnetJoin_SaysWhatItWaits: while the new node waits for a state
// snapshot, join says what for: how often the peers take one, the chain's
// height, and the latest snapshot --from's node holds (none on a young
// chain, which makes blocks only for transactions).
func TestLocalnetJoin_SaysWhatItWaits(t *testing.T) {
	src := t.TempDir()
	if got, want := snapshotWaitLine(src, 0, 12), "waiting for a state snapshot from the peers: they take one every 1000 CometBFT heights (--snapshot-interval), the chain is at height 12 and has none yet"; got != want {
		t.Errorf("young chain:\n got %q\nwant %q", got, want)
	}
	for _, h := range []string{"5", "10"} {
		if err := os.MkdirAll(filepath.Join(src, "snapshots", h), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	got := snapshotWaitLine(src, 5, 11)
	if !strings.Contains(got, "every 5 CometBFT heights") || !strings.Contains(got, "the chain is at height 11, its latest snapshot at height 10") {
		t.Errorf("a chain with snapshots: %q", got)
	}
}

// TestLocalnet_SnapshotIntervalWritten: "weid localnet --snapshot-interval
// N" writes N into every node's weid-node.json, so a rehearsal network
// takes snapshots a joining node can restore without a thousand writes.
func TestLocalnet_SnapshotIntervalWritten(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "net")
	mustCLI(t, "localnet", "--validators", "1", "--observers", "1", "--dir", dir, "--snapshot-interval", "10")
	for _, n := range []string{"node0", "node1"} {
		s, err := cometbft.LoadSettings(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		if s.SnapshotInterval != 10 {
			t.Errorf("%s: snapshotInterval %d, want 10", n, s.SnapshotInterval)
		}
	}
}
