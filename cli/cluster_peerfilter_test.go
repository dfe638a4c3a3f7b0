package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/chain/cometbft"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/internal/eventually"
	"github.com/weidgo/weid/node"
)

// TestCluster_PeerFilter runs a localnet written with --peer-filter (two
// validators, both needed to commit) and a third node holding the same
// genesis that the ledger does not name: the validators admit each other
// and commit, and refuse it; registered as an observer it connects and
// follows the chain; removed from the register it is disconnected and
// refused again.
func TestCluster_PeerFilter(t *testing.T) {
	skipUnlessCluster(t)
	dir := t.TempDir()
	writeLocalnet(t, dir, 2, "--peer-filter")
	home := func(i int) string { return filepath.Join(dir, "node"+itoa(i)) }
	urls := make([]string, 3)
	for i := range 2 {
		urls[i], _ = startNode(t, home(i), clusterFlags...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cl := func(i int) *client.Client { return client.New(urls[i]) }
	peers := func(i int) []string {
		t.Helper()
		s, err := cl(i).Status(ctx)
		if err != nil || s.Consensus == nil {
			t.Fatalf("status of node%d: %v", i, err)
		}
		return s.Consensus.Peers
	}
	ids := make([]string, 3)
	for i := range 2 {
		ids[i], _, _ = cometbft.Identity(home(i))
	}
	eventually.Nil(t, "the validators connect", 30*time.Second, func() error {
		if !slices.Contains(peers(0), ids[1]) {
			return fmt.Errorf("node0's peers %v lack node1", peers(0))
		}
		return nil
	})
	d := createFirstDID(t, ctx, cl(0))

	// A node with the genesis and the block key, named nowhere, dialing
	// node0 (its own filter off).
	s0, err := cometbft.LoadSettings(home(0))
	if err != nil {
		t.Fatal(err)
	}
	ports, err := cometbft.FreePorts(2)
	if err != nil {
		t.Fatal(err)
	}
	s := cometbft.Settings{Moniker: "node2", P2PListen: fmt.Sprintf("tcp://127.0.0.1:%d", ports[0]), APIListen: fmt.Sprintf("127.0.0.1:%d", ports[1]),
		TimeoutCommit: s0.TimeoutCommit, PersistentPeers: ids[0] + "@" + strings.TrimPrefix(s0.P2PListen, "tcp://")}
	if ids[2], _, err = cometbft.WriteJoiner(home(2), s, filepath.Join(home(0), "config", "genesis.json")); err != nil {
		t.Fatal(err)
	}
	if err := node.CopyMemberKeys(home(0), home(2), []byte(os.Getenv("WEID_KEYSTORE_PASSPHRASE"))); err != nil {
		t.Fatal(err)
	}
	urls[2], _ = startNode(t, home(2), clusterFlags...)
	// It dials at start and redials every 3 s: refused each time.
	neverPeers := func(what string) {
		t.Helper()
		for end := time.Now().Add(7 * time.Second); time.Now().Before(end); time.Sleep(500 * time.Millisecond) {
			if p := peers(0); slices.Contains(p, ids[2]) {
				t.Fatalf("%s: node0 admitted node2 (peers %v)", what, p)
			}
		}
	}
	neverPeers("not named")

	weid := func(args ...string) {
		t.Helper()
		token, err := os.ReadFile(filepath.Join(home(0), node.TokenFile))
		if err != nil {
			t.Fatal(err)
		}
		args = append(args, "--node", urls[0], "--token", strings.TrimSpace(string(token)))
		if out, err := weidCommand(args...).CombinedOutput(); err != nil {
			t.Fatalf("weid %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	weid("observer", "add", "--home", home(2), "--name", "node2")
	eventually.Nil(t, "node2 connects once registered", 30*time.Second, func() error {
		if !slices.Contains(peers(0), ids[2]) {
			return fmt.Errorf("node0's peers %v lack node2", peers(0))
		}
		return nil
	})
	eventually.Nil(t, "node2 follows the chain", 30*time.Second, func() error {
		_, err := cl(2).Resolve(ctx, d, did.Options{})
		return err
	})

	weid("observer", "remove", ids[2])
	eventually.Nil(t, "node2 is dropped once removed", 30*time.Second, func() error {
		if slices.Contains(peers(0), ids[2]) {
			return fmt.Errorf("node0's peers %v still hold node2", peers(0))
		}
		return nil
	})
	neverPeers("removed")
	if !slices.Contains(peers(0), ids[1]) {
		t.Fatalf("node0 lost node1: peers %v", peers(0))
	}
}
