// Package keys holds the signature suites every weid package shares:
// Ed25519 (RFC 8032), ECDSA P-256 (FIPS 186-4), ECDSA secp256k1 (SEC 2) and
// SM2 with SM3 (GB/T 32918.2-2016, GM/T 0003.2-2012, the 国密 signature),
// their Multikey encodings (W3C Controlled Identifiers 1.0 §2.2.2) and the
// account address that did:weid identifiers are built from: Keccak-256, or
// SM3 for SM2 keys (the FISCO BCOS 国密 account address).
//
// ECDSA signatures are the 64-byte r‖s form used by JOSE (RFC 7518 §3.4),
// over SHA-256 of the message, and always low-S: a signature has exactly one
// valid encoding, so a transaction's hash cannot be changed by re-encoding
// its signature. SM2 signatures are 64-byte r‖s too, over SM3(Z_A ‖ M) with
// the default distinguishing identifier of GM/T 0009-2012; they need no
// low-S rule to have one encoding (sm2.go says why).
package keys

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	k1ecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"
	voied25519 "github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
	"golang.org/x/crypto/sha3"
)

// Type names a key type.
type Type string

// The key types weid signs and verifies with.
const (
	Ed25519   Type = "Ed25519"
	P256      Type = "P-256"
	Secp256k1 Type = "secp256k1"
	SM2       Type = "SM2"
)

// SignatureSize is the length of every signature this package makes.
const SignatureSize = 64

// ErrUnsupportedKeyType is returned for a key type weid does not handle.
var ErrUnsupportedKeyType = errors.New("unsupported key type")

// ParseType returns the key type named s (case-insensitive aliases accepted).
func ParseType(s string) (Type, error) {
	switch s {
	case "", "Ed25519", "ed25519", "EdDSA":
		return Ed25519, nil
	case "P-256", "p256", "P256", "ES256", "secp256r1":
		return P256, nil
	case "secp256k1", "Secp256k1", "ES256K":
		return Secp256k1, nil
	case "SM2", "sm2":
		return SM2, nil
	}
	return "", fmt.Errorf("%w %q (want Ed25519, P-256, secp256k1 or SM2)", ErrUnsupportedKeyType, s)
}

// PublicKey is a verification key. Bytes holds the 32-byte Ed25519 key or the
// 33-byte compressed point of an ECDSA or SM2 key.
type PublicKey struct {
	Type  Type
	Bytes []byte

	ed ed25519.PublicKey
	ec *ecdsa.PublicKey
	k1 *secp256k1.PublicKey
	sm *sm2Public
	// edv, when set, decides Ed25519 signatures (WithEd25519Verifier).
	edv Ed25519Verifier
}

// NewPublicKey parses raw key bytes of the given type. ECDSA keys may be
// compressed (33 bytes) or uncompressed (65 bytes).
func NewPublicKey(t Type, raw []byte) (PublicKey, error) {
	switch t {
	case Ed25519:
		if len(raw) != ed25519.PublicKeySize {
			return PublicKey{}, fmt.Errorf("Ed25519 public key must be %d bytes, got %d", ed25519.PublicKeySize, len(raw))
		}
		b := append([]byte(nil), raw...)
		return PublicKey{Type: t, Bytes: b, ed: ed25519.PublicKey(b)}, nil
	case P256:
		uncompressed := raw
		if len(raw) == 33 && (raw[0] == 2 || raw[0] == 3) {
			x, y := elliptic.UnmarshalCompressed(elliptic.P256(), raw)
			if x == nil {
				return PublicKey{}, errors.New("invalid P-256 public key")
			}
			uncompressed = make([]byte, 65)
			uncompressed[0] = 4
			x.FillBytes(uncompressed[1:33])
			y.FillBytes(uncompressed[33:])
		}
		pk, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), uncompressed)
		if err != nil {
			return PublicKey{}, fmt.Errorf("invalid P-256 public key: %w", err)
		}
		return PublicKey{Type: t, Bytes: compressP256(uncompressed), ec: pk}, nil
	case Secp256k1:
		pk, err := secp256k1.ParsePubKey(raw)
		if err != nil {
			return PublicKey{}, fmt.Errorf("invalid secp256k1 public key: %w", err)
		}
		return PublicKey{Type: t, Bytes: pk.SerializeCompressed(), k1: pk}, nil
	case SM2:
		return newSM2PublicKey(raw)
	}
	return PublicKey{}, fmt.Errorf("%w %q", ErrUnsupportedKeyType, t)
}

// IsZero reports whether k holds no key.
func (k PublicKey) IsZero() bool { return len(k.Bytes) == 0 }

// Equal reports whether k and o are the same key.
func (k PublicKey) Equal(o PublicKey) bool {
	return k.Type == o.Type && string(k.Bytes) == string(o.Bytes)
}

// Uncompressed returns the 64-byte X‖Y of an ECDSA or SM2 key, or the
// Ed25519 key.
func (k PublicKey) Uncompressed() []byte {
	switch k.Type {
	case SM2:
		return k.sm2Uncompressed()
	case P256:
		b, _ := k.ec.Bytes()
		return b[1:]
	case Secp256k1:
		return k.k1.SerializeUncompressed()[1:]
	}
	return k.Bytes
}

// Address returns the last 20 bytes of Keccak-256 over the public key: the
// 64-byte X‖Y for ECDSA keys and the 32-byte key for Ed25519. For secp256k1
// this is the Ethereum / FISCO BCOS account address. An SM2 key's address
// is the last 20 bytes of SM3(X‖Y), the FISCO BCOS 国密 account address.
func (k PublicKey) Address() [20]byte {
	if k.Type == SM2 {
		sum := sm3.Sum(k.Uncompressed())
		var a [20]byte
		copy(a[:], sum[12:])
		return a
	}
	h := sha3.NewLegacyKeccak256()
	h.Write(k.Uncompressed())
	var sum [32]byte
	h.Sum(sum[:0])
	var a [20]byte
	copy(a[:], sum[12:])
	return a
}

// Verify reports whether sig is a valid signature of msg by k.
func (k PublicKey) Verify(msg, sig []byte) bool {
	switch k.Type {
	case Ed25519:
		if k.edv != nil {
			return len(sig) == ed25519.SignatureSize && k.edv.VerifyEd25519(k, msg, sig)
		}
		// curve25519-voi verifies about twice as fast as crypto/ed25519 here;
		// VerifyOptionsStdLib keeps crypto/ed25519's exact acceptance rules
		// (canonical encodings, cofactorless equation), which a test checks.
		return len(sig) == ed25519.SignatureSize && voied25519.VerifyWithOptions(voied25519.PublicKey(k.ed), msg, sig, voiStdLib)
	case P256:
		if len(sig) != SignatureSize {
			return false
		}
		r := new(big.Int).SetBytes(sig[:32])
		s := new(big.Int).SetBytes(sig[32:])
		if s.Cmp(p256HalfOrder) > 0 {
			return false
		}
		d := sha256.Sum256(msg)
		return ecdsa.Verify(k.ec, d[:], r, s)
	case Secp256k1:
		if len(sig) != SignatureSize {
			return false
		}
		var r, s secp256k1.ModNScalar
		if r.SetByteSlice(sig[:32]) || s.SetByteSlice(sig[32:]) || r.IsZero() || s.IsZero() || s.IsOverHalfOrder() {
			return false
		}
		d := sha256.Sum256(msg)
		return k1ecdsa.NewSignature(&r, &s).Verify(d[:], k.k1)
	case SM2:
		return k.verifySM2(msg, sig)
	}
	return false
}

// Ed25519Key returns the stdlib form of an Ed25519 key, or nil.
func (k PublicKey) Ed25519Key() ed25519.PublicKey { return k.ed }

// ECDSAKey returns the stdlib form of a P-256 key, or nil.
func (k PublicKey) ECDSAKey() *ecdsa.PublicKey { return k.ec }

var voiStdLib = &voied25519.Options{Verify: voied25519.VerifyOptionsStdLib}

var p256HalfOrder = new(big.Int).Rsh(elliptic.P256().Params().N, 1)

// PrivateKey is a signing key.
type PrivateKey struct {
	pub PublicKey
	ed  ed25519.PrivateKey
	ec  *ecdsa.PrivateKey
	k1  *secp256k1.PrivateKey
	sm  *sm2.PrivateKey
	ext ExternalSigner // a key held outside the process (NewExternalKey)
}

// Generate creates a new random key of type t.
func Generate(t Type) (*PrivateKey, error) {
	switch t {
	case Ed25519:
		_, sk, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		return PrivateKeyFromSeed(t, sk.Seed())
	case P256:
		sk, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		b, err := sk.Bytes()
		if err != nil {
			return nil, err
		}
		return PrivateKeyFromSeed(t, b)
	case Secp256k1:
		sk, err := secp256k1.GeneratePrivateKey()
		if err != nil {
			return nil, err
		}
		b := sk.Serialize()
		return PrivateKeyFromSeed(t, b)
	case SM2:
		sk, err := sm2.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		return PrivateKeyFromSeed(t, sk.D.FillBytes(make([]byte, 32)))
	}
	return nil, fmt.Errorf("%w %q", ErrUnsupportedKeyType, t)
}

// PrivateKeyFromSeed rebuilds a key from its 32-byte secret: the RFC 8032
// seed for Ed25519, the big-endian scalar for ECDSA and SM2.
func PrivateKeyFromSeed(t Type, seed []byte) (*PrivateKey, error) {
	if len(seed) != 32 {
		return nil, fmt.Errorf("private key secret must be 32 bytes, got %d", len(seed))
	}
	switch t {
	case Ed25519:
		sk := ed25519.NewKeyFromSeed(seed)
		pub, _ := NewPublicKey(t, sk.Public().(ed25519.PublicKey))
		return &PrivateKey{pub: pub, ed: sk}, nil
	case P256:
		sk, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), seed)
		if err != nil {
			return nil, fmt.Errorf("invalid P-256 private key: %w", err)
		}
		ub, err := sk.PublicKey.Bytes()
		if err != nil {
			return nil, err
		}
		pub, err := NewPublicKey(t, ub)
		if err != nil {
			return nil, err
		}
		return &PrivateKey{pub: pub, ec: sk}, nil
	case Secp256k1:
		var s secp256k1.ModNScalar
		if s.SetByteSlice(seed) || s.IsZero() {
			return nil, errors.New("invalid secp256k1 private key")
		}
		sk := secp256k1.NewPrivateKey(&s)
		pub, err := NewPublicKey(t, sk.PubKey().SerializeCompressed())
		if err != nil {
			return nil, err
		}
		return &PrivateKey{pub: pub, k1: sk}, nil
	case SM2:
		return sm2PrivateKeyFromSeed(seed)
	}
	return nil, fmt.Errorf("%w %q", ErrUnsupportedKeyType, t)
}

// Public returns the verification key.
func (k *PrivateKey) Public() PublicKey { return k.pub }

// Type returns the key type.
func (k *PrivateKey) Type() Type { return k.pub.Type }

// Seed returns the 32-byte secret PrivateKeyFromSeed accepts, or nil for
// a key held outside the process (ExportSeed says why).
func (k *PrivateKey) Seed() []byte {
	if k.ext != nil {
		return nil
	}
	switch k.pub.Type {
	case Ed25519:
		return append([]byte(nil), k.ed.Seed()...)
	case P256:
		b, _ := k.ec.Bytes()
		return b
	case SM2:
		return k.sm.D.FillBytes(make([]byte, 32))
	default:
		return k.k1.Serialize()
	}
}

// Ed25519Key returns the stdlib form of an Ed25519 key, or nil (also for
// a key held outside the process).
func (k *PrivateKey) Ed25519Key() ed25519.PrivateKey { return k.ed }

// ECDSAKey returns the stdlib form of a P-256 key, or nil (also for a key
// held outside the process).
func (k *PrivateKey) ECDSAKey() *ecdsa.PrivateKey { return k.ec }

// Sign signs msg: Ed25519 directly, ECDSA over SHA-256 with a low-S r‖s,
// SM2 over SM3(Z_A ‖ msg) as r‖s.
func (k *PrivateKey) Sign(msg []byte) ([]byte, error) {
	if k.ext != nil {
		return k.signExternal(msg)
	}
	switch k.pub.Type {
	case Ed25519:
		return ed25519.Sign(k.ed, msg), nil
	case P256:
		d := sha256.Sum256(msg)
		r, s, err := ecdsa.Sign(rand.Reader, k.ec, d[:])
		if err != nil {
			return nil, err
		}
		if s.Cmp(p256HalfOrder) > 0 {
			s.Sub(elliptic.P256().Params().N, s)
		}
		out := make([]byte, SignatureSize)
		r.FillBytes(out[:32])
		s.FillBytes(out[32:])
		return out, nil
	case Secp256k1:
		d := sha256.Sum256(msg)
		sig := k1ecdsa.Sign(k.k1, d[:]) // RFC 6979, canonical low-S
		r, s := sig.R(), sig.S()
		out := make([]byte, SignatureSize)
		r.PutBytesUnchecked(out[:32])
		s.PutBytesUnchecked(out[32:])
		return out, nil
	case SM2:
		return k.signSM2(msg)
	}
	return nil, fmt.Errorf("%w %q", ErrUnsupportedKeyType, k.pub.Type)
}

// compressP256 turns a 65-byte uncompressed point into its SEC 1 compressed form.
func compressP256(u []byte) []byte {
	c := make([]byte, 33)
	c[0] = 2 | u[64]&1
	copy(c[1:], u[1:33])
	return c
}
