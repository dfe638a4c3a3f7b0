package node

// Reading the ledger as the API shows it: the head, blocks and pages of
// them, transactions with their RFC 6962 inclusion proofs or their state
// in the engine, and, under a replicating engine, its consensus status and
// the commits that sign blocks' app hashes.

import (
	"net/http"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
)

// Head is the ledger's latest block.
func (n *Node) Head() chain.Head { return n.Ledger.Head() }

// Block returns the block at height h.
func (n *Node) Block(h uint64) (*chain.Block, error) { return n.Ledger.Block(h) }

// ChainStatus reports the chain, its head and the engine (with its
// consensus, if it replicates). Version is left to the caller, which
// knows the build.
func (n *Node) ChainStatus() api.StatusResponse {
	h := n.Ledger.Head()
	s := api.StatusResponse{ChainID: n.ChainID, Height: h.Height, Hash: h.Hash, AppHash: h.AppHash, Time: h.Time,
		Engine: n.Engine.Name(), Crypto: n.Crypto(), AdminDID: n.AdminDID, Rules: n.RulesStatus()}
	if c, ok := n.Engine.(chain.ConsensusReporter); ok {
		cs := c.Consensus()
		s.Consensus = &cs
	}
	return s
}

// Blocks returns the headers of up to limit blocks, newest first, from
// the head or, when before is not 0, from the block below it; Next is the
// before of the following page.
func (n *Node) Blocks(before uint64, limit int) (*api.BlockList, error) {
	top := n.Ledger.Head().Height
	if before > 0 && before-1 < top {
		top = before - 1
	}
	out := &api.BlockList{Blocks: []api.BlockSummary{}}
	for h := top; len(out.Blocks) < limit; h-- {
		b, err := n.Ledger.Block(h)
		if err != nil {
			return nil, err
		}
		out.Blocks = append(out.Blocks, api.BlockSummary{Header: b.Header, Hash: b.Hash})
		if h == 0 {
			break
		}
	}
	if last := out.Blocks[len(out.Blocks)-1].Header.Height; last > 0 {
		out.Next = &last
	}
	return out, nil
}

// TxState is what the node knows of a transaction: committed, with its
// block header and inclusion proof (Tx), or, while its engine still knows
// it, pending or rejected (Err says why; Tx has only the hash).
type TxState struct {
	Status string
	Tx     *chain.TxWithProof
	Err    error
}

// Tx returns the state of the transaction hash; one neither committed nor
// known to the engine is a 404 tx.notFound.
func (n *Node) Tx(hash string) (*TxState, error) {
	tx, err := n.Ledger.Tx(hash)
	if err == nil {
		return &TxState{Status: api.StatusCommitted, Tx: tx}, nil
	}
	if errs.Code(err) == "tx.notFound" {
		if state, rerr, ok := n.Engine.Status(hash); ok {
			return &TxState{Status: state, Tx: &chain.TxWithProof{Hash: hash}, Err: rerr}, nil
		}
	}
	return nil, err
}

// commitProver is an engine whose blocks a consensus commit signs
// (chain/cometbft).
type commitProver interface {
	CommitProof(weidHeight uint64) (*chain.CommitProof, error)
}

// CommitProof returns the consensus commit of the block at height h: under
// the cometbft engine, the CometBFT header carrying the block's app hash
// and the validators' commit of it; under another engine, a 404
// ledger.noCommitProof.
func (n *Node) CommitProof(h uint64) (*chain.CommitProof, error) {
	cp, ok := n.Engine.(commitProver)
	if !ok {
		return nil, errs.New(http.StatusNotFound, "ledger.noCommitProof", "the %s engine makes no consensus commits: its blocks are signed by the node key alone", n.Engine.Name())
	}
	return cp.CommitProof(h)
}
