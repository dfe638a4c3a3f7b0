package chain

import (
	"context"
	"encoding/json"
)

// Receipt says where a committed transaction is.
type Receipt struct {
	TxHash string `json:"txHash"`
	Height uint64 `json:"height"`
	Index  uint32 `json:"index"`
}

// Engine orders checked transactions into blocks. The solo engine is the
// embedded default; a CometBFT engine implements the same interface, and the
// handlers do not know which one runs.
type Engine interface {
	// Name is the engine's name as shown in /v1/status.
	Name() string
	// Submit hands c to consensus and returns once its block is durable, or
	// with the reason it was rejected.
	Submit(ctx context.Context, c *Checked) (Receipt, error)
	// SubmitAsync hands c to consensus and returns at once; Status reports
	// what became of it.
	SubmitAsync(c *Checked) error
	// Status reports a transaction the engine still knows about: "pending",
	// or "rejected" with its error. ok is false if it knows nothing of it.
	Status(hash string) (state string, err error, ok bool)
	// Close stops the engine after committing what it has accepted.
	Close() error
}

// Announcer is implemented by engines that gather transactions into blocks
// and can wait for the ones on their way. A node announces each transaction
// it is checking before it is submitted and withdraws the announcement once
// the checks end (passed or failed), so that a block about to close can
// wait a moment for the transactions it knows are coming (see
// SoloConfig.Linger).
type Announcer interface {
	Announce()
	Withdraw()
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
}

// ConsensusReporter is implemented by engines that replicate the ledger.
type ConsensusReporter interface {
	Consensus() ConsensusStatus
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
