package chain

import (
	"context"
	"net/http"

	"github.com/weidgo/weid/errs"
)

// Receipt says where a committed transaction is, or, Pending, that it is
// in the mempool and may still commit (an asynchronous write, or one whose
// wait for its block ended first): then it has only its hash.
type Receipt struct {
	TxHash string `json:"txHash"`
	Height uint64 `json:"height"`
	Index  uint32 `json:"index"`
	// Pending is never set by an engine; the node sets it for its callers.
	Pending bool `json:"-"`
}

// PendingError is what Engine.Submit returns when it stopped waiting (its
// bound or its caller's context ended) before the transaction was committed
// or rejected: the transaction is in the mempool and may still commit. The
// API answers 202 with the hash and a Location, /v1/txs/{hash}, to poll.
// It unwraps to a 202 tx.pending *errs.Error.
type PendingError struct {
	Hash string
	err  *errs.Error
}

// Pending returns the PendingError of the transaction hash.
func Pending(hash string) *PendingError {
	return &PendingError{Hash: hash, err: errs.New(http.StatusAccepted, "tx.pending",
		"transaction %s is not committed yet and may still commit: poll /v1/txs/%s", hash, hash)}
}

func (e *PendingError) Error() string { return e.err.Error() }

// Unwrap returns the 202 tx.pending error.
func (e *PendingError) Unwrap() error { return e.err }

// Engine orders checked transactions into blocks. The solo engine is the
// embedded default; a CometBFT engine implements the same interface, and the
// handlers do not know which one runs.
type Engine interface {
	// Name is the engine's name as shown in /v1/status.
	Name() string
	// Submit hands c to consensus and returns once its block is durable, or
	// with the reason it was rejected, or (if the engine bounds the wait, or
	// ctx ends first) with a *PendingError.
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

// ConsensusReporter is implemented by engines that replicate the ledger.
type ConsensusReporter interface {
	Consensus() ConsensusStatus
}

// A ValidatorChange is a change of the validator set a governance
// transaction asks for: the validator of PubKey (its Ed25519 key) gets
// Power, 0 removing it; NodeID is the node id it names, if any.
type ValidatorChange struct {
	PubKey []byte
	Power  int64
	NodeID string
}

// QuorumChecker is implemented by engines that replicate the ledger:
// QuorumAfter is false when the validators this node reaches hold more
// than 2/3 of the voting power now and would not once change applies —
// the chain would stop committing until more of them are up; why says
// the shares. A set that has no such quorum now is not judged.
type QuorumChecker interface {
	QuorumAfter(change ValidatorChange) (ok bool, why string)
}
