package api

import (
	"bytes"
	"encoding/json"

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
	HeaderCache  = txn.HeaderCache
)

// ErrStale marks a proven block older than its anchor's MaxAge
// (txn.ErrStale).
var ErrStale = txn.ErrStale

// NewHeaderCache returns an empty cache of the headers an anchor vouched
// for (StateAnchor.Headers): give one to an anchor used for many reads.
func NewHeaderCache() *HeaderCache { return txn.NewHeaderCache() }

// MaxStateProofKeys bounds the keys of one GET /v1/state/proof (a query
// string); a POST takes MaxStateProofBodyKeys.
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

// AppendJSON appends r's JSON encoding (encoding/json's, without HTML
// escaping), its stateProof without reflection (txn.StateProofs.AppendJSON).
func (r *ProvenResolution) AppendJSON(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&r.ResolutionResult); err != nil {
		return nil, err
	}
	res := bytes.TrimSuffix(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("}"))
	b = append(b, res...)
	if len(res) > 1 {
		b = append(b, ',')
	}
	b = append(b, `"stateProof":`...)
	if r.StateProof == nil {
		return append(b, "null}"...), nil
	}
	b, err := r.StateProof.AppendJSON(b)
	if err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

// ProvenRead says what the ledger state a verification read was proven
// against, when every read was (credential.Result.StateProof, set by a
// verifier over client.ProvenState: weid vc verify --verify-state). The
// node's own endpoints verify against their own state and never set it.
type ProvenRead struct {
	// ChainID is the chain of the signed headers.
	ChainID string `json:"chainId"`
	// Height is the block the last read was proven against, AppHash its
	// state root and Time how current it is, the time MaxAge measures
	// (StateVerdict.Time): its header's time under a node key, the time
	// the validators signed its commit under a validator set.
	Height  uint64 `json:"height"`
	Time    string `json:"time"`
	AppHash string `json:"appHash"`
	// FirstHeight and FirstTime are the oldest block a read was proven
	// against, when the reads were proven against more than one block
	// (the head moved meanwhile).
	FirstHeight uint64 `json:"firstHeight,omitempty"`
	FirstTime   string `json:"firstTime,omitempty"`
	// SignedBy says who vouches for the header (StateVerdict.SignedBy):
	// "node key z6Mk…" or "CometBFT block N, signed by validators with
	// k of n voting power (v validators)".
	SignedBy string `json:"signedBy"`
	// Keys is the number of state keys read, each with its proof.
	Keys int `json:"keys"`
}
