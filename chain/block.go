package chain

import (
	"encoding/base64"
	"time"
)

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

// TimeFormat is the format of header times.
const TimeFormat = "2006-01-02T15:04:05.000000Z"

// HeaderHash returns the SHA-256 of the RFC 8785 form of h: the header
// hash of a standard chain (Suite.HeaderHash for any chain).
func HeaderHash(h *Header) (string, error) { return Standard.HeaderHash(h) }

// BlockTime parses a header time.
func (h *Header) BlockTime() (time.Time, error) { return time.Parse(TimeFormat, h.Time) }

// VerifySignature checks the block hash and the proposer's signature on a
// standard chain (Suite.VerifyBlock for any chain).
func (b *Block) VerifySignature() error { return Standard.VerifyBlock(b) }

// TxRoot returns the RFC 6962 Merkle root over the transactions' SHA-256
// hashes (Suite.TxRoot for any chain).
func (b *Block) TxRoot() (string, error) { return Standard.TxRoot(b) }

// base64RawURL is strict: the unused trailing bits of the last character must
// be zero, so a signature has one spelling and a transaction one hash.
var base64RawURL = base64.RawURLEncoding.Strict()

func decodeB64(s string) ([]byte, error) { return base64RawURL.DecodeString(s) }
