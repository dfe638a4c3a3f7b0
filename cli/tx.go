package cli

import (
	"context"
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
	var anchor anchorFlags
	prove := &cobra.Command{
		Use:   "prove HASH",
		Short: "Fetch a transaction's Merkle inclusion proof and check it locally",
		Long: `Fetch the transaction, its block header and its RFC 6962 inclusion proof
from the node, and check here that the transaction hashes to HASH, that the
proof leads to the header's txRoot, that the header hashes to the block
hash, and that the block is signed by its proposer.

Then check who vouches for the block against the trust anchor you give:
with --node-key (solo) the proposer must be that key; with
--trusted-validators FILE (CometBFT) the CometBFT header that carries the
block's app hash (GET /v1/blocks/{height}/commit) must be signed by more
than two thirds of the validators you trust (a set that changed since is
followed when more than a third of yours signed too, the new set being the
one the weid chain records for that header), and the weid header must be
signed by the consortium's block key that file's chain.init names: the
commit covers only the app hash (the state), so the transaction's
inclusion (the header's txRoot) rests on that shared block key, which any
validator holds. --max-age here measures the transaction's own block, not
the node's head: a transaction older than the bound always fails it,
however current the node; use it only to require a recent transaction.

Without an anchor the keys come from the node itself: the proposer must be
the node key of the node's own genesis block and, under CometBFT, the
commit must be signed by the validator set the node's chain records (the
chain before the block is replayed, as "weid ledger verify --remote" does,
to learn it). That proves the node's answers are consistent with each
other, not that they are the chain you trust — a node of another chain
with the same chain id passes — and the output says so.`,
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
			b, err := provenBlock(ctx, c, &r.TxWithProof, suite)
			if err != nil {
				return err
			}
			vouched, err := vouchBlock(ctx, c, &anchor, b, func() (cometbft.ValidatorSet, error) { return recordedSet(ctx, c, &b.Header) })
			if err != nil {
				return err
			}
			out := map[string]any{"verified": true, "crypto": suite.Name(), "txHash": r.Hash, "height": r.Height, "blockHash": r.Block, "blockTime": r.Header.Time, "txRoot": r.Header.TxRoot, "proof": r.Proof, "anchor": vouched.anchor}
			if vouched.consensus != nil {
				out["consensus"] = vouched.consensus
			}
			if vouched.anchor == nil {
				out["unanchored"] = unanchored
			}
			return g.print(out, func(w io.Writer) {
				fmt.Fprintf(w, "verified: tx %s is leaf %d of %d in block %d (%s), txRoot %s, signed by %s\n",
					r.Hash, r.Proof.LeafIndex, r.Proof.TreeSize, r.Height, r.Block, r.Header.TxRoot, r.Header.Proposer)
				vouched.print(w)
			})
		},
	}
	anchor.register(prove)
	cmd.AddCommand(show, prove)
	return cmd
}

// provenBlock fetches the block holding r, the one its proof names, and
// checks its hash and its proposer's signature.
func provenBlock(ctx context.Context, c *client.Client, r *chain.TxWithProof, suite *chain.Suite) (*chain.Block, error) {
	b, err := c.Block(ctx, r.Height)
	if err != nil {
		return nil, err
	}
	if b.Hash != r.Block {
		return nil, fmt.Errorf("block %d is %s, the proof names %s", r.Height, b.Hash, r.Block)
	}
	if err := suite.VerifyBlock(b); err != nil {
		return nil, err
	}
	return b, nil
}

// unanchored says what a check without a trust anchor proves.
const unanchored = "not anchored: the node key and validator set came from the node itself (its genesis block), so this shows its answers are consistent, not that they are the chain you trust; give --node-key (solo) or --trusted-validators FILE (CometBFT) to check that"

// vouching is who vouches for a block the node served: the trust anchor
// the user gave (anchor), or, without one, the node's own genesis
// (consensus: the commit under CometBFT, nil under solo).
type vouching struct {
	block     *chain.Block
	anchor    *api.StateVerdict
	consensus *cometbft.ProofResult
}

// print says who vouches for the block, when it was made and, without an
// anchor, that the keys came from the node.
func (v *vouching) print(w io.Writer) {
	if v.anchor != nil {
		fmt.Fprintf(w, "anchored: block %d (%s) is vouched for by %s, the trust anchor you gave\n", v.anchor.Height, blockWhen(v.anchor.Time, time.Now()), v.anchor.SignedBy)
		return
	}
	if c := v.consensus; c != nil {
		fmt.Fprintf(w, "committed: CometBFT block %d of %s carries its app hash, signed by validators holding %d of %d voting power (%d validators, as the weid chain records them)\n",
			c.CometHeight, c.CometChainID, c.SignedPower, c.TotalPower, c.Validators)
	}
	if t, err := v.block.Header.BlockTime(); err == nil {
		fmt.Fprintf(w, "block %d: %s\n", v.block.Header.Height, blockWhen(t, time.Now()))
	}
	fmt.Fprintln(w, unanchored)
}

// vouchBlock checks who vouches for block b, whose hash and signature are
// checked: with an anchor, api.StateAnchor.Vouch (its proposer the trusted
// node key, or the commit of the header carrying its app hash signed by
// the trusted validators, a set changed since followed by the one the weid
// chain records for that header) and its age; without one, the node key
// of the node's genesis and, under CometBFT, the commit by the validator
// set its chain records. recorded gives that set (recordedSet).
func vouchBlock(ctx context.Context, c *client.Client, af *anchorFlags, b *chain.Block, recorded func() (cometbft.ValidatorSet, error)) (*vouching, error) {
	if !af.given() {
		return vouchUnanchored(ctx, c, af, b, recorded)
	}
	a, err := af.following(recorded)
	if err != nil {
		return nil, err
	}
	var commit *chain.CommitProof
	if a.VerifyCommit != nil {
		if commit, err = commitProof(ctx, c, b.Header.Height, b.Header.AppHash); err != nil {
			return nil, err
		}
	}
	v, err := a.Vouch(&b.Header, commit)
	if err != nil {
		return nil, fmt.Errorf("not vouched for by your trust anchor: %w", staleErr(err))
	}
	return &vouching{block: b, anchor: v}, nil
}

// vouchUnanchored checks block b against the keys the node's own genesis
// names, and its age against --max-age.
func vouchUnanchored(ctx context.Context, c *client.Client, af *anchorFlags, b *chain.Block, recorded func() (cometbft.ValidatorSet, error)) (*vouching, error) {
	if err := af.checkMaxAge(); err != nil {
		return nil, err
	}
	if err := checkGenesisNodeKey(ctx, c, b); err != nil {
		return nil, err
	}
	consensus, err := checkConsensus(ctx, c, &b.Header, recorded)
	if err != nil {
		return nil, err
	}
	t, err := b.Header.BlockTime()
	if err != nil {
		return nil, fmt.Errorf("block %d: time: %w", b.Header.Height, err)
	}
	a := api.StateAnchor{MaxAge: af.maxAge}
	if err := a.CheckAge(&api.StateVerdict{Height: b.Header.Height, Time: t}); err != nil {
		return nil, staleErr(err)
	}
	return &vouching{block: b, consensus: consensus}, nil
}

// checkGenesisNodeKey checks that block b's proposer is the node key the
// node's own genesis block names.
func checkGenesisNodeKey(ctx context.Context, c *client.Client, b *chain.Block) error {
	g0, err := c.Block(ctx, 0)
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
				return fmt.Errorf("block %d is signed by %s, not the chain's node key %s", b.Header.Height, b.Header.Proposer, p.NodeKey)
			}
			return nil
		}
	}
	return errors.New("the genesis block has no chain.init transaction")
}

// checkConsensus checks, under the cometbft engine, that block h was
// committed by more than two thirds of the validator set the weid chain
// records for it, recorded (nil under another engine).
func checkConsensus(ctx context.Context, c *client.Client, h *chain.Header, recorded func() (cometbft.ValidatorSet, error)) (*cometbft.ProofResult, error) {
	st, err := c.Status(ctx)
	if err != nil {
		return nil, err
	}
	if st.Engine != "cometbft" {
		return nil, nil
	}
	proof, err := commitProof(ctx, c, h.Height, h.AppHash)
	if err != nil {
		return nil, err
	}
	set, err := recorded()
	if err != nil {
		return nil, err
	}
	res, err := cometbft.VerifyCommitProof(proof, h.AppHash, set)
	if err != nil {
		return nil, fmt.Errorf("consensus: %w", err)
	}
	return res, nil
}

// commitProof fetches the commit proof of weid block height, whose app
// hash is appHash: the CometBFT header carrying it with its commit.
func commitProof(ctx context.Context, c *client.Client, height uint64, appHash string) (*chain.CommitProof, error) {
	// The CometBFT block that signs the app hash follows the block that
	// made it at once, but a proof asked right after the commit may have to
	// wait for it.
	var proof *chain.CommitProof
	var err error
	for try := 0; ; try++ {
		proof, err = c.BlockCommit(ctx, height)
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
	if proof.WeidHeight != height || proof.AppHash != appHash {
		return nil, fmt.Errorf("the node's commit proof is for block %d (app hash %s), not block %d (%s)", proof.WeidHeight, proof.AppHash, height, appHash)
	}
	return proof, nil
}

// recordedSet replays the node's chain before block h to learn the
// validator set the weid chain records for the CometBFT header that
// carries h's app hash (recordingSource).
func recordedSet(ctx context.Context, c *client.Client, h *chain.Header) (cometbft.ValidatorSet, error) {
	last := h.Height
	if last > 0 {
		last--
	}
	reg := node.NewRegistry()
	src, set := recordingSource(ctx, c, reg, h.Height)
	rep, _, err := chain.Audit(src, last, reg)
	if err == nil {
		_, err = set()
	}
	if err != nil {
		return nil, fmt.Errorf("replaying the chain before block %d: %w", h.Height, err)
	}
	if h.Height > 0 && h.PrevHash != rep.Head.Hash {
		return nil, fmt.Errorf("block %d follows %s, the replayed chain ends with %s", h.Height, h.PrevHash, rep.Head.Hash)
	}
	return set()
}

// recordingSource is the node's blocks as a chain.BlockSource for an
// audit, and the validator set the weid chain records, from the blocks the
// audit read, for the CometBFT header that carries block upto's app hash:
// the genesis set with the changes committed up to CometBFT height upto-1,
// those of the weid blocks before upto (and the genesis block's own, for
// the genesis block).
func recordingSource(ctx context.Context, c *client.Client, reg *chain.Registry, upto uint64) (chain.BlockSource, func() (cometbft.ValidatorSet, error)) {
	set := cometbft.ValidatorSet{}
	var next uint64
	var aerr error
	src := func(height uint64) (*chain.Block, error) {
		b, err := c.Block(ctx, height)
		if err == nil && height == next && aerr == nil && (height < upto || height == 0) {
			aerr = set.Apply(reg, b)
			next++
		}
		return b, err
	}
	return src, func() (cometbft.ValidatorSet, error) { return set, aerr }
}
