package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/chain/cometbft"
	"github.com/weidgo/weid/node"
)

func ledgerCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "ledger", Short: "Audit the ledger"}
	var data string
	var remote bool
	var anchor anchorFlags
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
  weid ledger verify --remote             # the running node at --node
  weid ledger verify --remote --node-key z6Mk…   # ... and its head signed by the node key you trust`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var rep *chain.AuditReport
			var err error
			switch {
			case remote:
				return auditRemote(cmd, g, &anchor)
			case anchor.given() || anchor.maxAge != 0:
				return usageErr("cli.usage.anchorNeedsRemote")
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
				return usageErr("cli.usage.dataOrRemote")
			}
			if err != nil {
				return fmt.Errorf("ledger verification FAILED: %w", err)
			}
			return g.print(rep, func(w io.Writer) { printAudit(w, rep) })
		},
	}
	verify.Flags().StringVar(&data, "data", "", "data directory of a stopped node")
	verify.Flags().BoolVar(&remote, "remote", false, "verify the chain served by --node")
	anchor.register(verify)
	cmd.AddCommand(verify)
	return cmd
}

// printAudit says what an audit checked.
func printAudit(w io.Writer, rep *chain.AuditReport) {
	fmt.Fprintf(w, "ledger OK: chain %s, %s crypto, %s, %s, head %d %s, appHash %s\n",
		rep.ChainID, rep.Crypto, plural(rep.Blocks, "block", "blocks"), plural(rep.Txs, "transaction", "transactions"), rep.Head.Height, rep.Head.Hash, rep.Head.AppHash)
	if rep.Base > 0 {
		fmt.Fprintf(w, "verified from height %d, where this node joined by state sync: the genesis block and the blocks from %d on were checked (hashes, signatures, links, Merkle roots) and the head's state commitment; the blocks in between are not on this node and the state was not replayed\n", rep.Base, rep.Base)
	}
}

// remoteAudit is what weid ledger verify --remote established: the audit,
// and who vouches for its head (Anchor, the trust anchor given; or
// Unanchored, saying the keys came from the node).
type remoteAudit struct {
	*chain.AuditReport
	Anchor     *api.StateVerdict `json:"anchor"`
	Unanchored string            `json:"unanchored,omitempty"`
}

// auditRemote audits the chain the node at --node serves, then checks its
// head block against the anchor (vouchBlock).
func auditRemote(cmd *cobra.Command, g *globals, af *anchorFlags) error {
	ctx := cmd.Context()
	c := g.client()
	st, err := c.Status(ctx)
	if err != nil {
		return err
	}
	reg := node.NewRegistry()
	src, recorded := recordingSource(ctx, c, reg, st.Height)
	rep, _, err := chain.Audit(src, st.Height, reg)
	if err != nil {
		return fmt.Errorf("ledger verification FAILED: %w", err)
	}
	head, err := c.Block(ctx, rep.Head.Height)
	if err != nil {
		return err
	}
	if head.Hash != rep.Head.Hash {
		return fmt.Errorf("ledger verification FAILED: block %d is now %s, the audit ended with %s", rep.Head.Height, head.Hash, rep.Head.Hash)
	}
	v, err := vouchBlock(ctx, c, af, head, recorded)
	if err != nil {
		return fmt.Errorf("ledger verification FAILED: %w", err)
	}
	out := remoteAudit{AuditReport: rep, Anchor: v.anchor}
	if v.anchor == nil {
		out.Unanchored = unanchored
	}
	return g.print(out, func(w io.Writer) {
		printAudit(w, rep)
		v.print(w)
	})
}
