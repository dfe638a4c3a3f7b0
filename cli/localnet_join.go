package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

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
--snapshot-interval CometBFT heights; "weid node start --help"), restores
and checks it, and follows the chain from there: blocks below the
snapshot's height are not on it (the API answers 410 for them, and
"weid ledger verify" verifies from that height). It serves reads but does
not vote: governance adds it with "weid validator add --home DIR/nodeN" or
"weid observer add".`,
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
				SnapshotInterval: srcSettings.SnapshotInterval, SnapshotKeep: srcSettings.SnapshotKeep,
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
			if !start {
				fmt.Fprintf(w, "start it with: weid localnet start --dir %s %s\n", dir, filepath.Base(home))
				return nil
			}
			self, err := os.Executable()
			if err != nil {
				return err
			}
			url, p, err := startChild(self, home, logLevel)
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
