package cli

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/chain/cometbft"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/node"
)

func txCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "tx", Short: "Show transactions and check their inclusion proofs"}
	show := &cobra.Command{
		Use:   "show HASH",
		Short: "Show a transaction, its block header and inclusion proof",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := g.client().Tx(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return g.print(r, func(w io.Writer) {
				if r.Status != api.StatusCommitted {
					fmt.Fprintf(w, "%s: %s", args[0], r.Status)
					if r.Error != nil {
						fmt.Fprintf(w, " (%s: %s)", r.Error.Code, r.Error.Detail)
					}
					fmt.Fprintln(w)
					return
				}
				fmt.Fprintf(w, "tx %s\ntype %s\nfrom %s\nnonce %d\nblock %d (%s) at %s, index %d\npayload %s\n",
					r.Hash, r.Tx.Type, r.Tx.From, r.Tx.Nonce, r.Height, r.Block, r.Header.Time, r.Index, r.Tx.Payload)
			})
		},
	}
	prove := &cobra.Command{
		Use:   "prove HASH",
		Short: "Fetch a transaction's Merkle inclusion proof and check it locally",
		Long: `Fetch the transaction, its block header and its RFC 6962 inclusion proof
from the node, and check here that the transaction hashes to HASH, that the
proof leads to the header's txRoot, that the header hashes to the block
hash, and that the block is signed by the chain's node key.

Under the cometbft engine also check the consensus: fetch the CometBFT header
that carries the block's app hash with its commit (GET
/v1/blocks/{height}/commit), replay the chain before the block (as "weid
ledger verify --remote" does) to learn the validator set the weid chain
records for that header (the genesis validators and every admission and
removal since), and check that the header names that set and carries the
app hash, and that validators holding more than two thirds of its voting
power signed it. The node key signs every consortium node's blocks alike; the
commit is what says the consortium agreed.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			c := g.client()
			r, err := c.Tx(ctx, args[0])
			if err != nil {
				return err
			}
			if r.Status != api.StatusCommitted || r.Tx == nil {
				return fmt.Errorf("transaction %s is %s, not committed", args[0], r.Status)
			}
			if r.Hash != args[0] {
				return fmt.Errorf("the node answered for %s, not %s", r.Hash, args[0])
			}
			suite, err := genesisSuite(ctx, c)
			if err != nil {
				return err
			}
			if err := suite.VerifyTx(&r.TxWithProof); err != nil {
				return fmt.Errorf("proof does not check (%s chain): %w", suite.Name(), err)
			}
			if err := checkBlockSignature(cmd, c, &r.TxWithProof, suite); err != nil {
				return err
			}
			consensus, err := checkConsensus(cmd, c, &r.TxWithProof)
			if err != nil {
				return err
			}
			out := map[string]any{"verified": true, "crypto": suite.Name(), "txHash": r.Hash, "height": r.Height, "blockHash": r.Block, "txRoot": r.Header.TxRoot, "proof": r.Proof}
			if consensus != nil {
				out["consensus"] = consensus
			}
			return g.print(out, func(w io.Writer) {
				fmt.Fprintf(w, "verified: tx %s is leaf %d of %d in block %d (%s), txRoot %s, signed by %s\n",
					r.Hash, r.Proof.LeafIndex, r.Proof.TreeSize, r.Height, r.Block, r.Header.TxRoot, r.Header.Proposer)
				if consensus != nil {
					fmt.Fprintf(w, "committed: CometBFT block %d of %s carries its app hash, signed by validators holding %d of %d voting power (%d validators, as the weid chain records them)\n",
						consensus.CometHeight, consensus.CometChainID, consensus.SignedPower, consensus.TotalPower, consensus.Validators)
				}
			})
		},
	}
	cmd.AddCommand(show, prove)
	return cmd
}

// checkBlockSignature checks the signature of the block holding r and that
// its proposer is the node key the chain's genesis names.
func checkBlockSignature(cmd *cobra.Command, c *client.Client, r *chain.TxWithProof, suite *chain.Suite) error {
	b, err := c.Block(cmd.Context(), r.Height)
	if err != nil {
		return err
	}
	if b.Hash != r.Block {
		return fmt.Errorf("block %d is %s, the proof names %s", r.Height, b.Hash, r.Block)
	}
	if err := suite.VerifyBlock(b); err != nil {
		return err
	}
	g0, err := c.Block(cmd.Context(), 0)
	if err != nil {
		return err
	}
	for _, tx := range g0.Txs {
		if tx.Type == chain.TypeChainInit {
			var p chain.InitPayload
			if err := chain.DecodeStrict(tx.Payload, &p); err != nil {
				return err
			}
			if p.NodeKey != b.Header.Proposer {
				return fmt.Errorf("block %d is signed by %s, not the chain's node key %s", r.Height, b.Header.Proposer, p.NodeKey)
			}
			return nil
		}
	}
	return errors.New("the genesis block has no chain.init transaction")
}

// checkConsensus checks, under the cometbft engine, that the block holding
// r was committed by more than two thirds of the validator set the weid
// chain records for it (nil under another engine).
func checkConsensus(cmd *cobra.Command, c *client.Client, r *chain.TxWithProof) (*cometbft.ProofResult, error) {
	ctx := cmd.Context()
	st, err := c.Status(ctx)
	if err != nil {
		return nil, err
	}
	if st.Engine != "cometbft" {
		return nil, nil
	}
	// The CometBFT block that signs the app hash follows the block that
	// made it at once, but a proof asked right after the commit may have to
	// wait for it.
	var proof *chain.CommitProof
	for try := 0; ; try++ {
		proof, err = c.BlockCommit(ctx, r.Height)
		var ce *client.Error
		if err == nil || try >= 10 || !errors.As(err, &ce) || ce.Code != "ledger.noCommitProof" {
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	if err != nil {
		return nil, err
	}
	if proof.WeidHeight != r.Height || proof.AppHash != r.Header.AppHash {
		return nil, fmt.Errorf("the node's commit proof is for block %d (app hash %s), not block %d (%s)", proof.WeidHeight, proof.AppHash, r.Height, r.Header.AppHash)
	}
	// The set that signs the header after CometBFT height h is the genesis
	// set with the changes committed up to h-1: those of the weid blocks
	// before r's (and the genesis block's own, for the genesis block).
	last := r.Height
	if last > 0 {
		last--
	}
	reg := node.NewRegistry()
	set := cometbft.ValidatorSet{}
	var next uint64
	var aerr error
	src := func(h uint64) (*chain.Block, error) {
		b, err := c.Block(ctx, h)
		if err == nil && h == next && aerr == nil {
			aerr = set.Apply(reg, b)
			next++
		}
		return b, err
	}
	rep, _, err := chain.Audit(src, last, reg)
	if err == nil {
		err = aerr
	}
	if err != nil {
		return nil, fmt.Errorf("replaying the chain before block %d: %w", r.Height, err)
	}
	if r.Height > 0 && r.Header.PrevHash != rep.Head.Hash {
		return nil, fmt.Errorf("block %d follows %s, the replayed chain ends with %s", r.Height, r.Header.PrevHash, rep.Head.Hash)
	}
	res, err := cometbft.VerifyCommitProof(proof, r.Header.AppHash, set)
	if err != nil {
		return nil, fmt.Errorf("consensus: %w", err)
	}
	return res, nil
}
