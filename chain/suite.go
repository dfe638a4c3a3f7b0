package chain

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"

	"github.com/emmansun/gmsm/sm3"
	"github.com/gowebpki/jcs"
	"github.com/transparency-dev/merkle"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/weidgo/weid/keys"
)

// Suite is a chain's hash function, chosen at genesis (chain.init's
// "crypto") and fixed for the chain's life: it hashes transactions, block
// headers, the RFC 6962 transaction trees and the app hash.
//
//   - Standard ("standard"): SHA-256 (FIPS 180-4), the original weid chain,
//     byte for byte.
//   - GM ("gm", 国密): SM3 (GB/T 32905-2016, GM/T 0004-2012) everywhere
//     SHA-256 is used, with the same constructions; the genesis makes the
//     node and admin keys SM2 and, unless chain.init's allowedKeyTypes says
//     otherwise, the chain accepts only SM2 transaction signers.
//
// A Suite is passed explicitly — held by a Registry (and so by its Ledger),
// read from a chain's genesis block by Audit and by proof checks — never
// read from a global setting. A nil *Suite is Standard.
type Suite struct {
	name   string
	gm     bool
	hasher merkle.LogHasher
}

// Names of the suites, as chain.init and /v1/status spell them.
const (
	CryptoStandard = "standard"
	CryptoGM       = "gm"
)

// The two suites.
var (
	Standard = &Suite{name: CryptoStandard, hasher: rfc6962.DefaultHasher}
	GM       = &Suite{name: CryptoGM, gm: true, hasher: rfc6962Hasher{sm3.New}}
)

// ParseSuite returns the suite named name; "" is Standard.
func ParseSuite(name string) (*Suite, error) {
	switch name {
	case "", CryptoStandard:
		return Standard, nil
	case CryptoGM:
		return GM, nil
	}
	return nil, fmt.Errorf("unknown crypto suite %q (want %q or %q)", name, CryptoStandard, CryptoGM)
}

func (s *Suite) std() bool { return s == nil || !s.gm }

// Name returns "standard" or "gm".
func (s *Suite) Name() string {
	if s.std() {
		return CryptoStandard
	}
	return s.name
}

// Sum hashes b with the suite's hash: SHA-256 or SM3.
func (s *Suite) Sum(b []byte) [32]byte {
	if s.std() {
		return sha256.Sum256(b)
	}
	return sm3.Sum(b)
}

// New returns a new hash.Hash of the suite's hash function.
func (s *Suite) New() hash.Hash {
	if s.std() {
		return sha256.New()
	}
	return sm3.New()
}

// TxHash returns the transaction hash: lowercase hex of the suite's hash
// over the canonical signed transaction (the payload must be canonical).
// Under Standard it is tx.Hash().
func (s *Suite) TxHash(tx *Tx) string {
	if s.std() {
		return tx.Hash()
	}
	var buf [1024]byte
	sum := sm3.Sum(tx.AppendCanonical(buf[:0], true))
	return hex.EncodeToString(sum[:])
}

// HeaderHash returns the hash of the RFC 8785 form of h.
func (s *Suite) HeaderHash(h *Header) (string, error) {
	b, err := json.Marshal(h)
	if err != nil {
		return "", err
	}
	c, err := jcs.Transform(b)
	if err != nil {
		return "", err
	}
	sum := s.Sum(c)
	return hex.EncodeToString(sum[:]), nil
}

// VerifyBlock checks a block's hash against its header and the proposer's
// signature over it (not which key the proposer should be: Audit does).
func (s *Suite) VerifyBlock(b *Block) error {
	hash, err := s.HeaderHash(&b.Header)
	if err != nil {
		return err
	}
	if hash != b.Hash {
		return fmt.Errorf("block %d: hash %s does not match its header (%s, %s)", b.Header.Height, b.Hash, hash, s.Name())
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

// TxRoot returns the RFC 6962 Merkle root over the block's transaction
// hashes.
func (s *Suite) TxRoot(b *Block) (string, error) {
	leaves := make([][]byte, len(b.Txs))
	for i, tx := range b.Txs {
		h, err := hex.DecodeString(s.TxHash(tx))
		if err != nil {
			return "", err
		}
		leaves[i] = h
	}
	return hex.EncodeToString(merkleRoot(s.merkle(), leaves)), nil
}

func (s *Suite) merkle() merkle.LogHasher {
	if s.std() {
		return rfc6962.DefaultHasher
	}
	return s.hasher
}

// rfc6962Hasher is RFC 6962 §2.1's tree hash over any hash function:
// leaves H(0x00 ‖ d), interior nodes H(0x01 ‖ left ‖ right), the empty tree
// H(""). transparency-dev/merkle's rfc6962.Hasher takes a crypto.Hash, a
// closed list without SM3, so the GM suite brings its own; a test checks
// that this construction over SHA-256 equals rfc6962.DefaultHasher.
type rfc6962Hasher struct{ new func() hash.Hash }

func (h rfc6962Hasher) EmptyRoot() []byte { return h.new().Sum(nil) }

func (h rfc6962Hasher) HashLeaf(leaf []byte) []byte {
	d := h.new()
	d.Write([]byte{rfc6962.RFC6962LeafHashPrefix})
	d.Write(leaf)
	return d.Sum(nil)
}

func (h rfc6962Hasher) HashChildren(l, r []byte) []byte {
	d := h.new()
	d.Write([]byte{rfc6962.RFC6962NodeHashPrefix})
	d.Write(l)
	d.Write(r)
	return d.Sum(nil)
}

func (h rfc6962Hasher) Size() int { return h.new().Size() }

// GenesisCrypto reads the crypto suite and the allowed signer key types
// from the chain.init transaction among a genesis block's transactions, as
// a verifier must before it can check that block's hashes.
func GenesisCrypto(txs []*Tx) (*Suite, []keys.Type, error) {
	for _, tx := range txs {
		if tx.Type != TypeChainInit {
			continue
		}
		var p InitPayload
		if err := DecodeStrict(tx.Payload, &p); err != nil {
			return nil, nil, fmt.Errorf("genesis chain.init: %w", err)
		}
		if err := p.Validate(); err != nil {
			return nil, nil, fmt.Errorf("genesis chain.init: %w", err)
		}
		s, _ := ParseSuite(p.Crypto)
		return s, p.allowed(s), nil
	}
	return nil, nil, errors.New("the genesis block has no chain.init transaction")
}
