package api

import "github.com/weidgo/weid/txn"

// Transaction types of the evidence registry (package evidence).
const (
	TxEvidenceCreate  = "evidence.create"
	TxEvidenceSign    = "evidence.sign"
	TxEvidenceRevoke  = "evidence.revoke"
	TxEvidenceRestore = "evidence.restore"
	TxEvidenceLog     = "evidence.log"
	TxEvidenceBatch   = "evidence.batch"
)

// EvidenceRequest is the body of the evidence write endpoints: a
// transaction signed by the client ("tx", of the endpoint's type), or, with
// a bearer token, the fields for the node to sign as "signer" (a DID of the
// token's account; default: the admin DID for the admin token). The node
// signs both the transaction and the evidence signature with that DID's key.
// Hash, extras and key apply to creation only (the other endpoints take the
// hash from the path).
type EvidenceRequest struct {
	Signed
	Hash   string            `json:"hash,omitempty"`
	Logs   []string          `json:"logs,omitempty"`
	Extras map[string]string `json:"extras,omitempty"`
	Key    string            `json:"key,omitempty"`
}

// EvidenceBatchRequest is the body of POST /v1/evidence/batch: a signed
// evidence.batch ("tx"), or, with a bearer token, items for the node to sign
// as "signer". A batch is all or nothing.
type EvidenceBatchRequest struct {
	Signed
	Items []EvidenceBatchEntry `json:"items,omitempty"`
}

// EvidenceBatchEntry is one custodial batch item: a create or a signature
// (op "create" or "sign") on hash.
type EvidenceBatchEntry struct {
	Op     string            `json:"op"`
	Hash   string            `json:"hash"`
	Logs   []string          `json:"logs,omitempty"`
	Extras map[string]string `json:"extras,omitempty"`
	Key    string            `json:"key,omitempty"`
}

// EvidenceReceipt is the result of an evidence write.
type EvidenceReceipt struct {
	Hashes []string `json:"hashes"` // the evidence hashes the transaction touches
	TxHash string   `json:"txHash"`
	Height uint64   `json:"height,omitempty"`
	Status string   `json:"status"` // committed or pending
}

// EvidenceResponse is an evidence with the inclusion proofs of the
// transactions that recorded it (its creation, signatures, revocations and
// logs, at most MaxEvidenceProofs; the rest through GET /v1/txs/{hash}).
type EvidenceResponse struct {
	Evidence        *Evidence          `json:"evidence"`
	Proofs          []*txn.TxWithProof `json:"proofs"`
	ProofsTruncated bool               `json:"proofsTruncated,omitempty"`
}

// MaxEvidenceProofs bounds the inclusion proofs of one evidence response.
const MaxEvidenceProofs = 32
