package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

func statusCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show a node's chain, head and engine (and, under CometBFT, its consensus)",
		Long: `Show the status of the node given by --node (GET /v1/status): the chain id,
the last weid block (height, hash, app hash, time), the engine, the chain's
crypto suite ("standard", or "gm" for a 国密 chain), the genesis
admin's DID, weid's version and the ledger's rules (the version in force,
the newest this node's weid knows, a scheduled change, and whether the node is
halted at rules its weid does not know: see "weid rules"). Under the cometbft engine also the node's
consensus: CometBFT's height (it counts blocks that changed nothing too),
whether the node can commit a write now (and if not, why), whether it is still
catching up, its node id and connected peers, the validator set's size and
total power, this node's voting power (0: an observer), and how the chain
dates its blocks: when proposed (PBTS, a new chain's from its first height)
or, on a chain made before, with the previous block's commit (BFT time).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := g.client().Status(cmd.Context())
			if err != nil {
				return err
			}
			return g.print(st, func(w io.Writer) {
				fmt.Fprintf(w, "chain %s, engine %s, crypto %s, weid %s\nheight %d  block %s  app hash %s  at %s\nadmin %s\n",
					st.ChainID, st.Engine, st.Crypto, st.Version, st.Height, st.Hash, st.AppHash, st.Time, st.AdminDID)
				printRules(w, st.Rules)
				if c := st.Consensus; c != nil {
					ready := "ready to commit"
					if !c.Ready {
						ready = "not ready: " + c.NotReady
					}
					fmt.Fprintf(w, "cometbft height %d, %s, catching up: %v\nnode %s, %s: %s\nvalidators %d, total power %d, this node's power %d (address %s)\n",
						c.Height, ready, c.CatchingUp, c.NodeID, plural(c.PeerCount, "peer", "peers"), strings.Join(c.Peers, " "), c.Validators, c.TotalPower, c.VotingPower, c.ValidatorAddress)
					if line := blockTimeLine(c.BlockTime, c.PBTSHeight); line != "" {
						fmt.Fprintln(w, line)
					}
				}
			})
		},
	}
}

// blockTimeLine says how a CometBFT chain dates its blocks.
func blockTimeLine(mode string, from int64) string {
	switch {
	case mode == "pbts":
		return fmt.Sprintf("block time: when proposed (PBTS, from CometBFT height %d)", from)
	case mode == "bft" && from > 0:
		return fmt.Sprintf("block time: the previous block's commit (BFT time) until CometBFT height %d, then when proposed (PBTS)", from)
	case mode == "bft":
		return "block time: the previous block's commit (BFT time; a block after a quiet spell is dated when the one before it committed)"
	}
	return "" // a node older than the report
}
