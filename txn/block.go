package txn

import (
	"encoding/json"
	"fmt"
	"time"
)

// TimeFormat is the format of header times.
const TimeFormat = "2006-01-02T15:04:05.000000Z"

// Header is a block header. Hashes are lowercase hex; Time is RFC 3339 UTC.
type Header struct {
	ChainID  string `json:"chainId"`
	Height   uint64 `json:"height"`
	Time     string `json:"time"`
	PrevHash string `json:"prevHash"`
	TxCount  uint32 `json:"txCount"`  // number of transactions: the Merkle tree's size
	TxRoot   string `json:"txRoot"`   // RFC 6962 Merkle root over the tx hashes
	AppHash  string `json:"appHash"`  // commitment to the state after this block
	Proposer string `json:"proposer"` // publicKeyMultibase of the node that made the block
}

// Block is a header, its transactions and the proposer's signature over the
// header hash.
type Block struct {
	Header    Header `json:"header"`
	Hash      string `json:"hash"`
	Txs       []*Tx  `json:"txs"`
	Signature string `json:"signature"`
}

// TxWithProof is a committed transaction, its block header and the Merkle
// proof that it is in that block.
type TxWithProof struct {
	Hash   string          `json:"hash"`
	Tx     *Tx             `json:"tx"`
	Height uint64          `json:"height"`
	Index  uint32          `json:"index"`
	Header Header          `json:"header"`
	Block  string          `json:"blockHash"`
	Proof  *InclusionProof `json:"proof"`
}

// InclusionProof shows that a transaction is in a block: the RFC 6962 audit
// path from the leaf (the tx hash) to the block's txRoot (RFC 6962 §2.1.1).
type InclusionProof struct {
	LeafIndex uint64   `json:"leafIndex"`
	TreeSize  uint64   `json:"treeSize"`
	Hashes    []string `json:"hashes"`
}

// ConsensusStatus is what a replicated engine reports of its consensus in
// /v1/status.
type ConsensusStatus struct {
	// Height is the engine's own last committed height (CometBFT's, which
	// counts blocks that changed nothing too).
	Height int64 `json:"height"`
	// Ready: the node can commit a write now; otherwise NotReady says why.
	Ready    bool   `json:"ready"`
	NotReady string `json:"notReady,omitempty"`
	// CatchingUp: the node is still syncing blocks from its peers.
	CatchingUp bool     `json:"catchingUp"`
	NodeID     string   `json:"nodeId"`
	Peers      []string `json:"peers"` // the node ids of the connected peers
	PeerCount  int      `json:"peerCount"`
	// The validator set of the next block, Height+1 (at most the first
	// 100 counted in TotalPower), and this node's part of it (VotingPower
	// 0: an observer).
	Validators       int    `json:"validators"`
	TotalPower       int64  `json:"totalPower"`
	ValidatorAddress string `json:"validatorAddress"`
	VotingPower      int64  `json:"votingPower"`
	// Behind: how many blocks the chain is ahead of Height — the highest
	// height validators holding more than 1/3 of the voting power report
	// having committed (this node's own, if it is one, and its connected
	// peers that prove, or the ledger records, they run one), as their
	// round states say; 0 when not ahead or when the validators reached
	// hold 1/3 or less. Observers' and other peers' heights never count:
	// a peer can claim any height.
	Behind int64 `json:"behind,omitempty"`
	// BlockTime is how the chain dates its next block: "pbts", the
	// proposer's clock when it proposed (Proposer-Based Timestamps), or
	// "bft", the median of the previous block's precommit times (a block
	// after a quiet spell then carries the time the block before it was
	// committed). PBTSHeight is the CometBFT height PBTS is on from, or is
	// scheduled to be (0: not scheduled).
	BlockTime  string `json:"blockTime,omitempty"`
	PBTSHeight int64  `json:"pbtsHeight,omitempty"`
}

// MaxBehind is how many blocks a node's consensus may be behind the chain
// (ConsensusStatus.Behind) and still follow it: the validators' commits
// reach it a few milliseconds apart, so a node that follows is a block or
// two behind at times; one whose consensus failed (CometBFT's "CONSENSUS
// FAILURE!!!", e.g. a wrong app hash in a mixed-binary consortium) stays
// at its height while the validators move on, and CometBFT does not call
// that catching up. It is the default of verify-batch's --max-behind too.
const MaxBehind = 3

// Stale says why a node whose consensus is cs may lack the chain's latest
// blocks — it is catching up (block sync), it is more than MaxBehind
// blocks behind the chain (Behind), or it has no peers to learn of new
// blocks from and does not alone hold more than 2/3 of the voting power —
// or "" if it follows the chain. /readyz and /v1/status's consensus.ready
// share it; verify-batch applies StaleBy with its --max-behind.
func (cs ConsensusStatus) Stale() string { return cs.StaleBy(MaxBehind) }

// StaleBy is Stale with maxBehind blocks of lag allowed instead of
// MaxBehind.
func (cs ConsensusStatus) StaleBy(maxBehind int64) string {
	switch {
	case cs.CatchingUp && cs.PeerCount == 0:
		return "it is catching up with the chain (block sync) and is connected to no peers"
	case cs.CatchingUp && cs.Behind > 0:
		return fmt.Sprintf("it is catching up with the chain (block sync), %d blocks behind the chain", cs.Behind)
	case cs.CatchingUp:
		return "it is catching up with the chain (block sync)"
	case cs.Behind > maxBehind:
		return fmt.Sprintf("it is %d blocks behind the chain (the height validators holding more than 1/3 of the voting power report; more than %d) and not catching up: its consensus may have stopped (see its log for CONSENSUS FAILURE)", cs.Behind, maxBehind)
	case cs.PeerCount == 0 && cs.VotingPower*3 <= cs.TotalPower*2:
		return "it is connected to no peers, so it cannot learn of the blocks the others commit"
	}
	return ""
}

// CommitProof ties a weid block to a replicating engine's commit: under
// CometBFT, the app hash after weid block WeidHeight is in the header of
// CometBFT block CometHeight, which the validators signed (SignedHeader:
// CometBFT's JSON of the header and its commit). chain/cometbft's
// VerifyCommitProof checks it.
type CommitProof struct {
	WeidHeight   uint64          `json:"weidHeight"`
	AppHash      string          `json:"appHash"`
	CometHeight  int64           `json:"cometHeight"`
	SignedHeader json.RawMessage `json:"signedHeader"`
}

// BlockTime parses the header's time.
func (h *Header) BlockTime() (time.Time, error) { return time.Parse(TimeFormat, h.Time) }
