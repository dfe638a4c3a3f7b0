package keys

// SM2 signatures (GB/T 32918.2-2016, GM/T 0003.2-2012) with the SM3 hash
// (GB/T 32905-2016, GM/T 0004-2012) and the default distinguishing
// identifier of GM/T 0009-2012 §10, through github.com/emmansun/gmsm.
//
// Signed digest: e = SM3(Z_A ‖ M), where Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖
// x_G ‖ y_G ‖ x_A ‖ y_A) binds the signer's public key and identifier
// (GB/T 32918.2 §5.5). ID_A is always "1234567812345678", the identifier
// OpenSSL 3 (distid), GmSSL, BouncyCastle and the JavaScript sm-crypto use
// when none is agreed, so that any of them verifies weid's signatures with
// its defaults. A signature made under another identifier does not verify.
//
// Wire form: 64 bytes r ‖ s (each 32 bytes big-endian), as for the ECDSA
// types and as JOSE carries signatures (draft-dang-webauthn-sm2 §3 keeps
// ES256's encoding); SM2SignatureDER converts to the DER SEQUENCE {r, s}
// (GM/T 0009-2012 §7.3) that OpenSSL reads.
//
// Unique encoding: there is no low-S rule for SM2, and none is needed for
// malleability. ECDSA's (r, s) and (r, n−s) both verify because the
// equation depends on s only through ±s; SM2's verification computes
// (x₁, y₁) = [s]G + [r+s]P and checks r = e + x₁ mod n, in which s enters
// twice, so (r, n−s) is not a signature (the second valid s for the same r,
// from the point −(x₁, y₁), is −s − 2rd/(1+d): computing it needs the
// private key d). r and s are accepted only in [1, n−1], so the 64 bytes of
// a signature are its only encoding. A signer can still make any number of
// different signatures of one message (k is random): a transaction's hash
// covers its signature, so a re-signed transaction is another transaction
// with the same nonce, and the ledger's per-signer nonce keeps only one of
// them — exactly as for P-256, whose k is random too.

import (
	"crypto/ecdsa"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm2/sm2ec"
	"github.com/emmansun/gmsm/sm3"
	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
)

// SM2DistinguishingID is the signer identifier ID_A of every SM2 signature
// weid makes and verifies: the default of GM/T 0009-2012 §10.
const SM2DistinguishingID = "1234567812345678"

// sm2Public is the parsed form of an SM2 public key with its Z_A, which is
// a function of the key alone (the identifier is fixed), computed once.
type sm2Public struct {
	key *ecdsa.PublicKey
	za  [sm3.Size]byte
}

// sm2Order is n, the order of the SM2 curve's base point.
var sm2Order = sm2ec.P256().Params().N

// newSM2PublicKey parses a compressed (33 bytes, SEC 1 §2.3.3) or
// uncompressed (65 bytes) point on the SM2 curve (GB/T 32918.5).
func newSM2PublicKey(raw []byte) (PublicKey, error) {
	curve := sm2ec.P256()
	var pub *ecdsa.PublicKey
	switch {
	case len(raw) == 33 && (raw[0] == 2 || raw[0] == 3):
		x, y := curve.(interface {
			UnmarshalCompressed([]byte) (*big.Int, *big.Int)
		}).UnmarshalCompressed(raw)
		if x == nil {
			return PublicKey{}, errors.New("invalid SM2 public key: not a point on the SM2 curve")
		}
		pub = &ecdsa.PublicKey{Curve: curve, X: x, Y: y}
	case len(raw) == 65 && raw[0] == 4:
		var err error
		if pub, err = sm2.NewPublicKey(raw); err != nil {
			return PublicKey{}, errors.New("invalid SM2 public key: not a point on the SM2 curve")
		}
	default:
		return PublicKey{}, fmt.Errorf("invalid SM2 public key: want a 33-byte compressed or 65-byte uncompressed point, got %d bytes", len(raw))
	}
	za, err := sm2.CalculateZA(pub, []byte(SM2DistinguishingID))
	if err != nil {
		return PublicKey{}, fmt.Errorf("invalid SM2 public key: %w", err)
	}
	sp := &sm2Public{key: pub}
	copy(sp.za[:], za)
	c := make([]byte, 33)
	c[0] = 2 | byte(pub.Y.Bit(0))
	pub.X.FillBytes(c[1:])
	return PublicKey{Type: SM2, Bytes: c, sm: sp}, nil
}

// digest returns e = SM3(Z_A ‖ msg) (GB/T 32918.2 §6.1 A1–A2).
func (p *sm2Public) digest(msg []byte) []byte {
	h := sm3.New()
	h.Write(p.za[:])
	h.Write(msg)
	return h.Sum(make([]byte, 0, sm3.Size))
}

// verifySM2 checks a 64-byte r ‖ s signature (GB/T 32918.2 §7.1: r and s
// in [1, n−1], which gmsm's verifier enforces).
func (k PublicKey) verifySM2(msg, sig []byte) bool {
	if k.sm == nil || len(sig) != SignatureSize {
		return false
	}
	der, err := SM2SignatureDER(sig)
	if err != nil {
		return false
	}
	return sm2.VerifyASN1(k.sm.key, k.sm.digest(msg), der)
}

// SM2Key returns the SM2 public key in gmsm's form (an ecdsa.PublicKey on
// the SM2 curve), or nil for another type.
func (k PublicKey) SM2Key() *ecdsa.PublicKey {
	if k.sm == nil {
		return nil
	}
	return k.sm.key
}

// sm2Uncompressed returns X ‖ Y, 64 bytes.
func (k PublicKey) sm2Uncompressed() []byte {
	out := make([]byte, 64)
	k.sm.key.X.FillBytes(out[:32])
	k.sm.key.Y.FillBytes(out[32:])
	return out
}

// sm2PrivateKeyFromSeed rebuilds an SM2 key from its 32-byte scalar d,
// which GB/T 32918.1 §6.1 requires in [1, n−2].
func sm2PrivateKeyFromSeed(seed []byte) (*PrivateKey, error) {
	sk, err := sm2.NewPrivateKey(seed)
	if err != nil {
		return nil, errors.New("invalid SM2 private key: the scalar must be in [1, n-2]")
	}
	pub, err := newSM2PublicKey(append([]byte{4}, sm2XY(&sk.PublicKey)...))
	if err != nil {
		return nil, err
	}
	return &PrivateKey{pub: pub, sm: sk}, nil
}

func sm2XY(pub *ecdsa.PublicKey) []byte {
	out := make([]byte, 64)
	pub.X.FillBytes(out[:32])
	pub.Y.FillBytes(out[32:])
	return out
}

// signSM2 signs msg: SM3 with Z_A, random k, r ‖ s.
func (k *PrivateKey) signSM2(msg []byte) ([]byte, error) {
	der, err := sm2.SignASN1(rand.Reader, k.sm, k.pub.sm.digest(msg), nil)
	if err != nil {
		return nil, err
	}
	return SM2SignatureFromDER(der)
}

// SM2Key returns the gmsm form of an SM2 private key, or nil.
func (k *PrivateKey) SM2Key() *sm2.PrivateKey { return k.sm }

// SM2SignatureDER returns the DER form SEQUENCE { r INTEGER, s INTEGER }
// (GM/T 0009-2012 §7.3) of a 64-byte r ‖ s signature, as OpenSSL and most
// SM2 libraries exchange signatures. r and s must be in [1, n−1].
func SM2SignatureDER(sig []byte) ([]byte, error) {
	if len(sig) != SignatureSize {
		return nil, fmt.Errorf("SM2 signature must be %d bytes r‖s, got %d", SignatureSize, len(sig))
	}
	r := new(big.Int).SetBytes(sig[:32])
	s := new(big.Int).SetBytes(sig[32:])
	if r.Sign() == 0 || s.Sign() == 0 || r.Cmp(sm2Order) >= 0 || s.Cmp(sm2Order) >= 0 {
		return nil, errors.New("SM2 signature: r and s must be in [1, n-1]")
	}
	var b cryptobyte.Builder
	b.AddASN1(asn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1BigInt(r)
		b.AddASN1BigInt(s)
	})
	return b.Bytes()
}

// SM2SignatureFromDER reads a DER SEQUENCE { r, s } into the 64-byte r ‖ s
// form weid carries. Trailing data, negative or out-of-range values are
// refused.
func SM2SignatureFromDER(der []byte) ([]byte, error) {
	var inner cryptobyte.String
	r, s := new(big.Int), new(big.Int)
	in := cryptobyte.String(der)
	if !in.ReadASN1(&inner, asn1.SEQUENCE) || !in.Empty() ||
		!inner.ReadASN1Integer(r) || !inner.ReadASN1Integer(s) || !inner.Empty() {
		return nil, errors.New("SM2 signature: not a DER SEQUENCE of two INTEGERs")
	}
	if r.Sign() <= 0 || s.Sign() <= 0 || r.Cmp(sm2Order) >= 0 || s.Cmp(sm2Order) >= 0 {
		return nil, errors.New("SM2 signature: r and s must be in [1, n-1]")
	}
	out := make([]byte, SignatureSize)
	r.FillBytes(out[:32])
	s.FillBytes(out[32:])
	return out, nil
}

// SM3 returns the SM3 hash of b (GB/T 32905-2016).
func SM3(b []byte) [32]byte { return sm3.Sum(b) }
