package chain

import (
	"encoding/base64"

	"github.com/weidgo/weid/txn"
)

// The ledger's formats are package txn's, so that the SDK and wallets can
// read and write them without linking the ledger; chain names them too.
type (
	Tx              = txn.Tx
	Header          = txn.Header
	Block           = txn.Block
	TxWithProof     = txn.TxWithProof
	InclusionProof  = txn.InclusionProof
	CommitProof     = txn.CommitProof
	ConsensusStatus = txn.ConsensusStatus
	StateProof      = txn.StateProof
	StateLeaf       = txn.StateLeaf
)

const (
	// MaxTxBytes is the largest transaction accepted, as received.
	MaxTxBytes = txn.MaxTxBytes
	// MaxBehind is how many blocks a node may be behind the chain, as its
	// validators report it, and still follow it (txn.MaxBehind).
	MaxBehind = txn.MaxBehind
	// MaxNonce is the largest nonce (txn.MaxNonce).
	MaxNonce = txn.MaxNonce
	// TimeFormat is the format of header times.
	TimeFormat = txn.TimeFormat
	// StateHashSHA256 and StateHashSM3 name a state proof's hash.
	StateHashSHA256 = txn.StateHashSHA256
	StateHashSM3    = txn.StateHashSM3
)

// DecodeTx strictly decodes a transaction as received (txn.DecodeTx).
func DecodeTx(raw []byte) (*Tx, error) { return txn.DecodeTx(raw) }

// DecodeStrict decodes one JSON value strictly (txn.DecodeStrict).
func DecodeStrict(b []byte, v any) error { return txn.DecodeStrict(b, v) }

// TxMember finds the "tx" member of a request body (txn.TxMember).
func TxMember(body []byte) ([]byte, bool) { return txn.TxMember(body) }

// HeaderHash returns the SHA-256 of the RFC 8785 form of h: the header
// hash of a standard chain (Suite.HeaderHash for any chain).
func HeaderHash(h *Header) (string, error) { return Standard.HeaderHash(h) }

// base64RawURL is strict: the unused trailing bits of the last character must
// be zero, so a signature has one spelling and a transaction one hash.
var base64RawURL = base64.RawURLEncoding.Strict()

func decodeB64(s string) ([]byte, error) { return base64RawURL.DecodeString(s) }
