package keys

import (
	"crypto/ed25519"
	"io"

	voied25519 "github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
)

// Ed25519Verifier decides Ed25519 signatures in place of PublicKey.Verify's
// default rules (crypto/ed25519's, which the ledger's transactions keep).
// Credentials are verified under ZIP-215 rules, the rules under which
// batch verification is sound, so that one credential verified alone and
// the same credential verified in a batch get the same answer.
type Ed25519Verifier interface {
	// VerifyEd25519 reports whether the 64-byte sig is a valid signature
	// of msg by the Ed25519 key k.
	VerifyEd25519(k PublicKey, msg, sig []byte) bool
}

// WithEd25519Verifier returns k whose Verify hands Ed25519 signatures to
// ev (nil restores the default rules). Keys of other types are unaffected.
func (k PublicKey) WithEd25519Verifier(ev Ed25519Verifier) PublicKey {
	k.edv = ev
	return k
}

// ZIP215 verifies Ed25519 signatures under the rules of ZIP-215
// (https://zips.z.cash/zip-0215): S must be canonical (< ℓ); A and R may be
// any encoding of a curve point, small-order and non-canonical ones
// included; the equation is the cofactored [8][S]B = [8]R + [8][k]A. Every
// signature crypto/ed25519 accepts is accepted, and a batch of signatures
// (Ed25519Batch) verifies exactly when each one does.
var ZIP215 Ed25519Verifier = zip215{}

type zip215 struct{}

var voiZIP215 = &voied25519.Options{Verify: voied25519.VerifyOptionsZIP_215}

func (zip215) VerifyEd25519(k PublicKey, msg, sig []byte) bool {
	return VerifyEd25519ZIP215(k.ed, msg, sig)
}

// VerifyEd25519ZIP215 reports whether sig is a valid signature of msg by
// pub under ZIP-215 rules.
func VerifyEd25519ZIP215(pub ed25519.PublicKey, msg, sig []byte) bool {
	return len(pub) == ed25519.PublicKeySize && len(sig) == ed25519.SignatureSize &&
		voied25519.VerifyWithOptions(voied25519.PublicKey(pub), msg, sig, voiZIP215)
}

// Ed25519Key is an Ed25519 public key expanded once for repeated
// verification (about 1.5 KiB): a batch adds signatures by the same key
// without decompressing the point each time.
type Ed25519Key struct {
	exp *voied25519.ExpandedPublicKey
	raw ed25519.PublicKey
}

// ExpandEd25519 expands an Ed25519 public key. A key that is not a curve
// point still returns a usable Ed25519Key: its signatures all fail.
func ExpandEd25519(pub ed25519.PublicKey) *Ed25519Key {
	k := &Ed25519Key{raw: pub}
	if len(pub) == ed25519.PublicKeySize {
		k.exp, _ = voied25519.NewExpandedPublicKey(voied25519.PublicKey(pub))
	}
	return k
}

// Ed25519Batch verifies many Ed25519 signatures at once under ZIP-215 rules
// (curve25519-voi's batch verifier: one random linear combination of the
// cofactored equations, checked with one multiscalar multiplication). If
// the combination fails, each signature is checked alone, so Verify
// pinpoints exactly the invalid ones. It is not safe for concurrent use;
// Reset reuses its memory.
type Ed25519Batch struct {
	bv  *voied25519.BatchVerifier
	n   int
	bad []int // entries known invalid before the batch (malformed key)
}

// NewEd25519Batch returns an empty batch with room for n signatures.
func NewEd25519Batch(n int) *Ed25519Batch {
	return &Ed25519Batch{bv: voied25519.NewBatchVerifierWithCapacity(n)}
}

// Len returns the number of signatures added since the last Reset.
func (b *Ed25519Batch) Len() int { return b.n }

// Add adds the signature sig of msg by k and returns its index in the
// batch. msg and sig must not change until Verify returns.
func (b *Ed25519Batch) Add(k *Ed25519Key, msg, sig []byte) int {
	i := b.n
	b.n++
	if k == nil || k.exp == nil {
		// Not a point: the entry is invalid; voi marks it so given the
		// raw bytes (which it cannot decompress).
		var raw voied25519.PublicKey
		if k != nil {
			raw = voied25519.PublicKey(k.raw)
		}
		if len(raw) != ed25519.PublicKeySize {
			raw = make(voied25519.PublicKey, ed25519.PublicKeySize) // any bytes; marked bad below
			b.bad = append(b.bad, i)
		}
		b.bv.AddWithOptions(raw, msg, sig, voiZIP215)
		return i
	}
	b.bv.AddExpandedWithOptions(k.exp, msg, sig, voiZIP215)
	return i
}

// Verify checks every signature added, drawing the batch's random
// coefficients from rand (nil: crypto/rand). It returns whether all are
// valid and, for each, whether it is.
func (b *Ed25519Batch) Verify(rand io.Reader) (bool, []bool) {
	if b.n == 0 {
		return true, nil
	}
	ok, valid := b.bv.Verify(rand)
	for _, i := range b.bad {
		valid[i] = false
		ok = false
	}
	return ok, valid
}

// Reset empties the batch for reuse.
func (b *Ed25519Batch) Reset() {
	b.bv.Reset()
	b.n = 0
	b.bad = b.bad[:0]
}
