package txn

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/weidgo/weid/keys"
)

// The ledger state is committed by a sparse Merkle tree laid out as
// ICS-23's SmtSpec (cosmos/ics23, proofs.go): every state key's path is the
// hash of the key (256 bits, most significant bit first: 0 is left), a leaf
// sits at the shallowest depth where it is alone in its subtree, and
//
//	leaf  = H(0x00 ‖ H(key) ‖ H(value))
//	inner = H(0x01 ‖ left ‖ right)
//	empty = 32 zero bytes
//
// H is the chain's hash: SHA-256, or SM3 on a 国密 chain (ICS-23 has no SM3
// hash operation, so the proof names its hash and a gm proof is ICS-23's
// construction with SM3, not an ICS-23 SHA-256 proof). The root of the tree
// after a block is the block's appHash.

// Hash names in a StateProof.
const (
	StateHashSHA256 = "sha-256"
	StateHashSM3    = "sm3"
)

// Limits of a StateProof: a path is at most 256 levels deep, a state key at
// most MaxStateKey bytes, a value at most MaxStateValue.
const (
	MaxStateDepth = 256
	MaxStateKey   = 1024
	MaxStateValue = 1 << 20
)

// StateProof proves that a state key holds a value, or holds none, in the
// state whose root is Root. Byte strings are base64url without padding
// (hashes too, except Root, which is lowercase hex like a header's appHash).
type StateProof struct {
	Hash  string `json:"hash"`            // "sha-256" or "sm3"
	Key   string `json:"key"`             // the state key
	Value string `json:"value,omitempty"` // its value; absent when Exists is false
	// Exists says whether the key is in the state.
	Exists bool `json:"exists"`
	// Siblings are the hashes next to the key's path, from the root down;
	// "" is the empty subtree. The path ends at the key's leaf (Exists), at
	// an empty subtree, or at Other.
	Siblings []string `json:"siblings"`
	// Other is, in a proof of absence, the leaf of another key that sits
	// where the key's leaf would be: its key hash shares the path's bits.
	Other *StateLeaf `json:"other,omitempty"`
	Root  string     `json:"root"`
}

// StateLeaf is a leaf by its hashes: H(key) and H(value).
type StateLeaf struct {
	KeyHash   string `json:"keyHash"`
	ValueHash string `json:"valueHash"`
}

// StateHasher returns the hash function a proof names.
func StateHasher(name string) (func([]byte) [32]byte, error) {
	switch name {
	case StateHashSHA256:
		return sha256.Sum256, nil
	case StateHashSM3:
		return keys.SM3, nil
	}
	return nil, fmt.Errorf("state proof: unknown hash %q (want %q or %q)", name, StateHashSHA256, StateHashSM3)
}

// ErrStateProof marks a state proof that does not prove what it claims.
var ErrStateProof = errors.New("state proof invalid")

func proofErr(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrStateProof, fmt.Sprintf(format, a...))
}

// b64 is strict, so a proof has one spelling.
var b64 = base64.RawURLEncoding.Strict()

// KeyBytes returns the proof's state key.
func (p *StateProof) KeyBytes() ([]byte, error) {
	k, err := b64.DecodeString(p.Key)
	if err != nil || len(k) == 0 || len(k) > MaxStateKey {
		return nil, proofErr("key is not 1 to %d bytes of base64url", MaxStateKey)
	}
	return k, nil
}

// ValueBytes returns the proven value (nil when the key does not exist).
func (p *StateProof) ValueBytes() ([]byte, error) {
	if !p.Exists {
		if p.Value != "" {
			return nil, proofErr("a proof of absence carries a value")
		}
		return nil, nil
	}
	v, err := b64.DecodeString(p.Value)
	if err != nil || len(v) > MaxStateValue {
		return nil, proofErr("value is not at most %d bytes of base64url", MaxStateValue)
	}
	return v, nil
}

// Verify checks that the proof is for key, that it is internally
// consistent, and that it leads to root (the appHash of a header the caller
// trusts, hex) with hash (the chain's: "sha-256" or "sm3"). It returns the
// proven value, nil for a proven absence.
func (p *StateProof) Verify(key []byte, root, hash string) ([]byte, error) {
	if p.Hash != hash {
		return nil, proofErr("the proof hashes with %q, the chain with %q", p.Hash, hash)
	}
	H, err := StateHasher(p.Hash)
	if err != nil {
		return nil, proofErr("%v", err)
	}
	k, err := p.KeyBytes()
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(k, key) {
		return nil, proofErr("the proof is for key %q, not %q", k, key)
	}
	v, err := p.ValueBytes()
	if err != nil {
		return nil, err
	}
	want, err := hex.DecodeString(root)
	if err != nil || len(want) != 32 {
		return nil, proofErr("root %q is not 64 hex characters", root)
	}
	if p.Root != root {
		return nil, proofErr("the proof is against root %s, the header's appHash is %s", p.Root, root)
	}
	if len(p.Siblings) > MaxStateDepth {
		return nil, proofErr("%d siblings, at most %d", len(p.Siblings), MaxStateDepth)
	}
	kh := H(k)
	depth := len(p.Siblings)
	var node [32]byte // empty
	switch {
	case p.Exists:
		if p.Other != nil {
			return nil, proofErr("a proof of existence names another leaf")
		}
		node = LeafHash(H, kh, H(v))
	case p.Other != nil:
		okh, err1 := decodeHash(p.Other.KeyHash)
		ovh, err2 := decodeHash(p.Other.ValueHash)
		if err1 != nil || err2 != nil {
			return nil, proofErr("the other leaf's hashes are not 32 bytes of base64url")
		}
		if okh == kh {
			return nil, proofErr("the other leaf is the key's own: the key exists")
		}
		// The other leaf must sit on the key's path: the same first depth bits.
		for d := 0; d < depth; d++ {
			if bit(okh, d) != bit(kh, d) {
				return nil, proofErr("the other leaf is not on the key's path (bit %d differs)", d)
			}
		}
		node = LeafHash(H, okh, ovh)
	}
	var buf [65]byte
	buf[0] = 1
	std := p.Hash == StateHashSHA256
	for d := depth - 1; d >= 0; d-- {
		var sib [32]byte
		if s := p.Siblings[d]; s != "" {
			var ok bool
			if sib, ok = decodeHash32(s); !ok {
				return nil, proofErr("sibling %d: not 32 bytes of base64url", d)
			}
		}
		if bit(kh, d) == 0 {
			copy(buf[1:33], node[:])
			copy(buf[33:], sib[:])
		} else {
			copy(buf[1:33], sib[:])
			copy(buf[33:], node[:])
		}
		if std {
			node = sha256.Sum256(buf[:]) // a direct call: no escape, no allocation
		} else {
			node = H(buf[:])
		}
	}
	if !bytes.Equal(node[:], want) {
		return nil, proofErr("the proof leads to root %x, not the header's appHash %s: the key, value or path was changed", node, root)
	}
	return v, nil
}

// LeafHash is a state leaf's hash: H(0x00 ‖ keyHash ‖ valueHash).
func LeafHash(H func([]byte) [32]byte, kh, vh [32]byte) [32]byte {
	var buf [65]byte
	copy(buf[1:33], kh[:])
	copy(buf[33:], vh[:])
	return H(buf[:])
}

// bit returns bit d of h, most significant first.
func bit(h [32]byte, d int) byte { return (h[d/8] >> (7 - uint(d%8))) & 1 }

func decodeHash(s string) ([32]byte, error) {
	h, ok := decodeHash32(s)
	if !ok {
		return h, errors.New("not 32 bytes of base64url")
	}
	return h, nil
}

// b64url maps a base64url character to its 6 bits, 0xff for others.
var b64url = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = byte(i)
	}
	return t
}()

// decodeHash32 decodes 32 bytes of strict base64url without padding (43
// characters, the last one's two low bits zero) without allocating, as
// b64.DecodeString would accept them.
func decodeHash32(s string) (h [32]byte, ok bool) {
	if len(s) != 43 {
		return h, false
	}
	var bad byte
	for i := 0; i < 10; i++ {
		a, b, c, d := b64url[s[4*i]], b64url[s[4*i+1]], b64url[s[4*i+2]], b64url[s[4*i+3]]
		bad |= a | b | c | d
		h[3*i] = a<<2 | b>>4
		h[3*i+1] = b<<4 | c>>2
		h[3*i+2] = c<<6 | d
	}
	a, b, c := b64url[s[40]], b64url[s[41]], b64url[s[42]]
	bad |= a | b | c
	h[30] = a<<2 | b>>4
	h[31] = b<<4 | c>>2
	return h, bad&0xc0 == 0 && c&3 == 0
}
