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
	// Rules: the version of the ledger's rules in force, the newest this
	// node's weid knows, and a scheduled change.
	Rules RulesStatus `json:"rules"`
}

// RulesStatus is the ledger's rules as a node sees them: Version, in force
// at the head since height Since; Known, the newest version this node's
// weid knows; Next, the change scheduled (gov.scheduleRules), if any; and
// Halted, why the node cannot apply the next block, if it cannot (the
// rules in force from there on are a version it does not know).
type RulesStatus struct {
	Version uint64       `json:"version"`
	Since   uint64       `json:"since"`
	Known   uint64       `json:"known"`
	Next    *RulesChange `json:"next,omitempty"`
	Halted  string       `json:"halted,omitempty"`
	// Warning: Next is to a version this node's weid does not know, so it
	// will halt at Next's height unless upgraded first (the node stays
	// ready until then).
	Warning string `json:"warning,omitempty"`
}

// RulesChange is a scheduled change of the ledger's rules: Version from
// weid height Height on.
type RulesChange struct {
	Version uint64 `json:"version"`
	Height  uint64 `json:"height"`
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
