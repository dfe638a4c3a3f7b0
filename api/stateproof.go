package api

import (
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/txn"
)

// The state proofs of issue 18 (txn/stateproof.go has the format and the
// verifier): GET /v1/state/proof and ?proof=true on reads.
type (
	StateProof   = txn.StateProof
	StateProofs  = txn.StateProofs
	StateAnchor  = txn.StateAnchor
	StateVerdict = txn.StateVerdict
)

// MaxStateProofKeys bounds the keys of one GET /v1/state/proof.
const MaxStateProofKeys = 16

// ProvenResolution is a DID resolution result with the proof that its
// document and metadata are the ledger's state at a block: the proofs of
// did/latest/<did> and of the record it names (did.LatestKey,
// did.VersionKey), or of the absence of did/latest/<did> when the DID does
// not exist (then 404, didResolutionMetadata.error "notFound").
type ProvenResolution struct {
	did.ResolutionResult
	StateProof *txn.StateProofs `json:"stateProof"`
}
