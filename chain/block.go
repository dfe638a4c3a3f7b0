package chain

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gowebpki/jcs"

	"github.com/weidgo/weid/keys"
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

// HeaderHash returns the SHA-256 of the RFC 8785 form of h.
func HeaderHash(h *Header) (string, error) {
	b, err := json.Marshal(h)
	if err != nil {
		return "", err
	}
	c, err := jcs.Transform(b)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(c)
	return hex.EncodeToString(sum[:]), nil
}

// BlockTime parses a header time.
func (h *Header) BlockTime() (time.Time, error) { return time.Parse(TimeFormat, h.Time) }

// VerifySignature checks the block hash and the proposer's signature.
func (b *Block) VerifySignature() error {
	hash, err := HeaderHash(&b.Header)
	if err != nil {
		return err
	}
	if hash != b.Hash {
		return fmt.Errorf("block %d: hash %s does not match its header (%s)", b.Header.Height, b.Hash, hash)
	}
	pk, err := keys.ParseMultibase(b.Header.Proposer)
	if err != nil {
		return fmt.Errorf("block %d: proposer key: %w", b.Header.Height, err)
	}
	sig, err := decodeB64(b.Signature)
	if err != nil {
		return fmt.Errorf("block %d: signature: %w", b.Header.Height, err)
	}
	hb, _ := hex.DecodeString(b.Hash)
	if !pk.Verify(hb, sig) {
		return fmt.Errorf("block %d: proposer signature does not verify", b.Header.Height)
	}
	return nil
}

// TxRoot returns the RFC 6962 Merkle root over the transactions' hashes.
func (b *Block) TxRoot() (string, error) {
	leaves := make([][]byte, len(b.Txs))
	for i, tx := range b.Txs {
		h, err := hex.DecodeString(tx.Hash())
		if err != nil {
			return "", err
		}
		leaves[i] = h
	}
	return hex.EncodeToString(merkleRoot(leaves)), nil
}

// base64RawURL is strict: the unused trailing bits of the last character must
// be zero, so a signature has one spelling and a transaction one hash.
var base64RawURL = base64.RawURLEncoding.Strict()

func decodeB64(s string) ([]byte, error) { return base64RawURL.DecodeString(s) }
