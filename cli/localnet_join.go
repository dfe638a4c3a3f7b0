package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/weidgo/weid/chain/cometbft"
	"github.com/weidgo/weid/internal/durable"
	"github.com/weidgo/weid/node"
)

func localnetJoinCmd() *cobra.Command {
	var dir, from, logLevel, trustPeriod string
	var start bool
	cmd := &cobra.Command{
		Use:   "join",
		Short: "Add a late-joining node to a running localnet: it restores a state snapshot (CometBFT state sync) instead of replaying the chain",
		Long: `Write the home of a new node, DIR/nodeN after the last one, that joins the
running localnet in DIR by state sync, and start it (unless --start=false).

It takes the network's genesis from --from (node0 by default), new CometBFT
node and validator keys, and the consortium's block and admin keys from
--from's keystore (a real member receives the block key in the consortium's
key ceremony). It asks --from's CometBFT RPC for its latest header and
TRUSTS that height and hash: this is the operator's trust decision — state
sync's light client verifies everything else from that header, including the
app hash the restored snapshot must give, but not the header itself; in a
real consortium, compare it with another member out of band. Every node's
CometBFT RPC serves the light client (at least two are needed).

The node then fetches a snapshot from its peers (they take one every
--snapshot-interval CometBFT heights, 1000 by default; "weid localnet
--snapshot-interval N" writes a smaller one for a rehearsal, as blocks come
only with writes), restores and checks it; until it has one, join says
every 10 seconds what it waits for (the interval, the chain's height, the
latest snapshot) and gives up after 2 minutes. The node follows the chain
from the snapshot on: blocks below the snapshot's height are not on it (the API answers 410 for them, and
"weid ledger verify" verifies from that height). It serves reads but does
not vote: governance adds it with "weid validator add --home DIR/nodeN" or
"weid observer add". On a localnet written with --peer-filter the nodes
admit only the nodes the ledger names, so join writes the home and does not
start it: register it first ("weid observer add --home DIR/nodeN"), then
"weid localnet start --dir DIR nodeN".`,
		Example: `  weid localnet join --dir localnet
  weid validator add --home localnet/node4 --name node4 --node http://127.0.0.1:PORT --token TOKEN`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			homes, err := localnetHomes(dir)
			if err != nil {
				return err
			}
			src := homes[0]
			if from != "" {
				if src, err = localnetHome(homes, from); err != nil {
					return err
				}
			}
			srcSettings, err := cometbft.LoadSettings(src)
			if err != nil {
				return err
			}
			var rpcs, peers []string
			for _, h := range homes {
				s, err := cometbft.LoadSettings(h)
				if err != nil {
					return err
				}
				id, _, err := cometbft.Identity(h)
				if err != nil {
					return err
				}
				peers = append(peers, id+"@"+strings.TrimPrefix(s.P2PListen, "tcp://"))
				if s.RPCListen != "" {
					rpcs = append(rpcs, s.RPCListen)
				}
			}
			if srcSettings.RPCListen == "" || len(rpcs) < 2 {
				return errors.New("state sync needs the CometBFT RPC of at least two nodes, --from's among them: this localnet's weid-node.json files name no rpcListen (written before weid localnet gave each node one); write a new localnet")
			}
			if srcSettings.RPCListen != rpcs[0] {
				rpcs = append([]string{srcSettings.RPCListen}, slicesFilter(rpcs, func(s string) bool { return s != srcSettings.RPCListen })...)
			}
			height, hash, err := cometbft.TrustedHeader(cmd.Context(), srcSettings.RPCListen)
			if err != nil {
				return fmt.Errorf("%w (is %s running?)", err, filepath.Base(src))
			}
			n := nodeIndex(homes[len(homes)-1]) + 1
			home, err := filepath.Abs(filepath.Join(dir, fmt.Sprintf("node%d", n)))
			if err != nil {
				return err
			}
			ports, err := cometbft.FreePorts(3)
			if err != nil {
				return err
			}
			s := cometbft.Settings{Moniker: fmt.Sprintf("node%d", n), P2PListen: fmt.Sprintf("tcp://127.0.0.1:%d", ports[0]),
				APIListen: fmt.Sprintf("127.0.0.1:%d", ports[1]), RPCListen: fmt.Sprintf("tcp://127.0.0.1:%d", ports[2]),
				TimeoutCommit: srcSettings.TimeoutCommit, MempoolSize: srcSettings.MempoolSize, PersistentPeers: strings.Join(peers, ","),
				SnapshotInterval: srcSettings.SnapshotInterval, SnapshotKeep: srcSettings.SnapshotKeep, PeerFilter: srcSettings.PeerFilter,
				StateSync: &cometbft.StateSyncSettings{RPCServers: rpcs, TrustHeight: height, TrustHash: hash, TrustPeriod: trustPeriod}}
			if err := durable.MkdirAll(home, 0o700); err != nil {
				return err
			}
			id, _, err := cometbft.WriteJoiner(home, s, filepath.Join(src, "config", "genesis.json"))
			if err != nil {
				return err
			}
			if err := node.CopyMemberKeys(src, home, []byte(os.Getenv("WEID_KEYSTORE_PASSPHRASE"))); err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "%s  node id %s  api http://%s  p2p %s  rpc %s\n", home, id, s.APIListen, s.P2PListen, s.RPCListen)
			fmt.Fprintf(w, "trusting height %d hash %s from %s's CometBFT RPC (your trust decision: compare it with another member)\n", height, hash, filepath.Base(src))
			if srcSettings.PeerFilter {
				fmt.Fprintf(w, "the nodes admit only the nodes the ledger names (peerFilter): register this one first, e.g. weid observer add --home %s --node URL --token TOKEN\n", home)
			}
			if !start || srcSettings.PeerFilter {
				fmt.Fprintf(w, "start it with: weid localnet start --dir %s %s\n", dir, filepath.Base(home))
				return nil
			}
			self, err := os.Executable()
			if err != nil {
				return err
			}
			waiting := func() {
				ctx, cancel := context.WithTimeout(cmd.Context(), 5*time.Second)
				defer cancel()
				if h, _, err := cometbft.TrustedHeader(ctx, srcSettings.RPCListen); err == nil {
					fmt.Fprintln(w, snapshotWaitLine(src, srcSettings.SnapshotInterval, h))
				}
			}
			url, p, err := startChild(self, home, logLevel, waiting)
			if err != nil {
				return err
			}
			_ = p.Process.Release() // it runs on after this command
			fmt.Fprintln(w, url)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "localnet", "directory holding the running localnet's homes")
	cmd.Flags().StringVar(&from, "from", "", "the node (node0, 0, or its home) whose genesis, keys and latest header the new node takes (default: the first)")
	cmd.Flags().StringVar(&trustPeriod, "trust-period", "168h", "how long the trusted header stays trusted by the light client")
	cmd.Flags().BoolVar(&start, "start", true, "start the new node in the background (as \"weid localnet start NODE\") and print its API URL once it restored a snapshot and listens")
	cmd.Flags().StringVar(&logLevel, "log-level", "info", "the new node's log level")
	return cmd
}

// waitingEvery is how often localnet join says what the new node waits for.
const waitingEvery = 10 * time.Second

// snapshotWaitLine says what a joining node waits for: a state snapshot of
// its peers, taken every interval CometBFT heights (0: the default), the
// chain at height, and the latest snapshot in the home src of the node it
// joins from (a localnet's peers are on this machine). A young chain has
// none: blocks come only with transactions, so a snapshot every 1000
// heights takes a thousand blocks of writes.
func snapshotWaitLine(src string, interval uint64, height int64) string {
	if interval == 0 {
		interval = cometbft.DefaultSnapshotInterval
	}
	latest := 0
	es, _ := os.ReadDir(filepath.Join(src, "snapshots"))
	for _, e := range es {
		if h, err := strconv.Atoi(e.Name()); err == nil && h > latest {
			latest = h
		}
	}
	line := fmt.Sprintf("waiting for a state snapshot from the peers: they take one every %d CometBFT heights (--snapshot-interval), the chain is at height %d", interval, height)
	if latest == 0 {
		return line + " and has none yet"
	}
	return fmt.Sprintf("%s, its latest snapshot at height %d (usable once the chain is two heights past it; writes meanwhile may make the peers prune the one being fetched)", line, latest)
}
