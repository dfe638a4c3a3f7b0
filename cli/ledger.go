package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/chain/cometbft"
	"github.com/weidgo/weid/node"
)

func ledgerCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "ledger", Short: "Audit the ledger"}
	var data string
	var remote bool
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Re-check every block and replay the state to the same app hash",
		Long: `Re-check the whole chain from its genesis: each block's hash and link to
the previous block, its proposer's signature, its transaction Merkle root,
every transaction's signature and authorization, and the app hash, by
replaying every transaction into a fresh state.

With --data DIR it reads a stopped node's data directory and also compares
the stored state with the replayed one, key by key; on a CometBFT home (from
weid localnet) it first compares the ledger's last blocks and app hashes
with CometBFT's block store and state, as a node does when it starts. With
--remote it fetches the blocks from --node instead.

A node that joined by state sync ("weid localnet join") has no blocks
between the genesis and the snapshot it restored: --data then verifies
from that height (the genesis block, every block from it on, and the
head's state commitment) and says so; --remote against it fails at the
first missing block (410 block.belowBase): verify through a full node.`,
		Example: `  weid ledger verify --data data        # a stopped node's data
  weid ledger verify --remote             # the running node at --node`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var rep *chain.AuditReport
			var err error
			switch {
			case remote:
				c := g.client()
				st, e := c.Status(cmd.Context())
				if e != nil {
					return e
				}
				rep, _, err = chain.Audit(func(h uint64) (*chain.Block, error) { return c.Block(cmd.Context(), h) }, st.Height, node.NewRegistry())
			case data != "":
				if _, e := os.Stat(filepath.Join(data, "ledger", "CURRENT")); e != nil {
					return fmt.Errorf("%s holds no ledger (no %s)", data, filepath.Join(data, "ledger"))
				}
				l, e := chain.Open(filepath.Join(data, "ledger"), node.NewRegistry())
				if locked(e) {
					return errors.New(say("cli.dataLockedVerify", "dir", absDir(data)))
				}
				if e != nil {
					return fmt.Errorf("%w (is a node running on %s? stop it, or use --remote)", e, data)
				}
				defer l.Close()
				if cometbft.IsHome(data) {
					// A CometBFT home: its last blocks against CometBFT's
					// stores too (the check a node runs at start).
					if err := cometbft.CheckHome(data, l); err != nil {
						return fmt.Errorf("ledger verification FAILED: %w", err)
					}
				}
				rep, err = l.AuditStore()
			default:
				return errors.New("give --data DIR (a stopped node's data) or --remote (the node at --node)")
			}
			if err != nil {
				return fmt.Errorf("ledger verification FAILED: %w", err)
			}
			return g.print(rep, func(w io.Writer) {
				fmt.Fprintf(w, "ledger OK: chain %s, %s crypto, %s, %s, head %d %s, appHash %s\n",
					rep.ChainID, rep.Crypto, plural(rep.Blocks, "block", "blocks"), plural(rep.Txs, "transaction", "transactions"), rep.Head.Height, rep.Head.Hash, rep.Head.AppHash)
				if rep.Base > 0 {
					fmt.Fprintf(w, "verified from height %d, where this node joined by state sync: the genesis block and the blocks from %d on were checked (hashes, signatures, links, Merkle roots) and the head's state commitment; the blocks in between are not on this node and the state was not replayed\n", rep.Base, rep.Base)
				}
			})
		},
	}
	verify.Flags().StringVar(&data, "data", "", "data directory of a stopped node")
	verify.Flags().BoolVar(&remote, "remote", false, "verify the chain served by --node")
	cmd.AddCommand(verify)
	return cmd
}
