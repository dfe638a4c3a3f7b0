package api

import "github.com/weidgo/weid/txn"

// StatusResponse is the body of GET /v1/status: the chain, its head and
// the engine.
type StatusResponse struct {
	ChainID string `json:"chainId"`
	Height  uint64 `json:"height"`
	Hash    string `json:"blockHash"`
	AppHash string `json:"appHash"`
	Time    string `json:"time"`
	Engine  string `json:"engine"`
	// Crypto is the chain's crypto suite, fixed at genesis: "standard"
	// (SHA-256) or "gm" (国密: SM3 hashes, SM2 signers).
	Crypto   string `json:"crypto"`
	AdminDID string `json:"adminDid"`
	Version  string `json:"version"`
	// Consensus: under a replicating engine (cometbft), its peers,
	// readiness, validator set and height.
	Consensus *txn.ConsensusStatus `json:"consensus,omitempty"`
}

// TxResponse is the body of GET /v1/txs/{hash}: a committed transaction
// with its block header and Merkle inclusion proof, or the state of one
// that is not committed (Status pending or rejected, Error why, Hash only).
type TxResponse struct {
	Status string `json:"status"`
	txn.TxWithProof
	Error *Problem `json:"error,omitempty"`
}

// BlockSummary is a block in GET /v1/blocks: its header and hash, without
// its transactions.
type BlockSummary struct {
	Header txn.Header `json:"header"`
	Hash   string     `json:"hash"`
}

// BlockList is the body of GET /v1/blocks: blocks from the newest down.
// Next, when set, is the before= value of the following page.
type BlockList struct {
	Blocks []BlockSummary `json:"blocks"`
	Next   *uint64        `json:"next,omitempty"`
}

// MaxBlockList bounds a page of GET /v1/blocks; DefaultBlockList is its
// size when no limit is asked.
const (
	MaxBlockList     = 100
	DefaultBlockList = 20
)
