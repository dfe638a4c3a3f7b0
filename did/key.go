package did

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/elliptic"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"

	"github.com/mr-tron/base58"

	"github.com/weidgo/weid/keys"
)

// Multicodec codes of public keys (https://github.com/multiformats/multicodec
// table.csv, tag "key"). The supported ones are resolved; the others are
// named so that an unsupported did:key fails with a message naming its type.
const (
	mcSecp256k1Pub  = 0xe7
	mcBLS12381G1Pub = 0xea
	mcBLS12381G2Pub = 0xeb
	mcX25519Pub     = 0xec
	mcEd25519Pub    = 0xed
	mcBLS12381G1G2  = 0xee
	mcSr25519Pub    = 0xef
	mcP256Pub       = 0x1200
	mcP384Pub       = 0x1201
	mcP521Pub       = 0x1202
	mcEd448Pub      = 0x1203
	mcX448Pub       = 0x1204
	mcRSAPub        = 0x1205
	mcSM2Pub        = 0x1206
)

// keyTypes are the weid key types of the multicodec codes of compressed
// ECDSA and SM2 points, which package keys reads.
var keyTypes = map[uint64]keys.Type{mcP256Pub: keys.P256, mcSecp256k1Pub: keys.Secp256k1, mcSM2Pub: keys.SM2}

// keyUnsupported names the key types a did:key can encode but KeyMethod
// does not resolve.
var keyUnsupported = map[uint64]string{
	mcBLS12381G1Pub: "BLS12-381 G1",
	mcBLS12381G2Pub: "BLS12-381 G2",
	mcBLS12381G1G2:  "BLS12-381 G1+G2",
	mcSr25519Pub:    "Sr25519",
	mcP521Pub:       "P-521",
	mcEd448Pub:      "Ed448",
	mcX448Pub:       "X448",
	mcRSAPub:        "RSA",
}

// keyMaxMultibase bounds the multibase value of a did:key. It is larger than
// any key KeyMethod supports so that an RSA-4096 did:key (about 740
// characters) still fails with "RSA is not supported" rather than "too long".
const keyMaxMultibase = 1024

// mediaTypeDIDLD is the media type of a DID document with an @context
// (DID Core 1.0 §6.3 "JSON-LD").
const mediaTypeDIDLD = "application/did+ld+json"

// KeyMethod resolves did:key DIDs (W3C CCG "The did:key Method" v0.7,
// "Read" and its "Document Creation Algorithm"). The document is derived from
// the key alone; nothing is fetched.
//
// Supported key types are Ed25519, X25519, P-256, P-384, secp256k1 and SM2
// (multicodec sm2-pub, a compressed point on the GB/T 32918.5 curve). The
// document has one Multikey verification method whose fragment is the
// multibase value itself. Signing keys are in authentication,
// assertionMethod, capabilityInvocation and capabilityDelegation. Key
// agreement follows the spec's test vectors: an Ed25519 key gets a second
// method holding the X25519 key derived from it (RFC 7748 §4.1 birational
// map), ECDH-capable curves (P-256, P-384, secp256k1, SM2 — whose key
// receives SM2 public-key encryption, GM/T 0003.4) list their own method,
// and an X25519 DID has only keyAgreement.
type KeyMethod struct{}

// Resolve implements MethodResolver. A malformed identifier fails with
// ErrInvalidDID, an unsupported or invalid key with ErrInvalidPublicKey
// (ErrInvalidPublicKeyLength for a key of the wrong length).
// did:key documents never change, so a versionId selects nothing and fails
// with ErrNotFound, and versionTime is ignored. opts.PublicKeyFormat selects
// the verification method type (see formatKeyDocument).
//
// A DID of another method handed to KeyMethod itself is ErrInvalidDID:
// did:key v0.7 §3.1.1 "Document Creation Algorithm" step 3 ("The method
// MUST be the value key … If any of these requirements fail, an invalidDid
// error MUST be raised"). A Resolver of several methods never hands it one:
// it answers a method it does not have with ErrMethodNotSupported first,
// as DID Resolution's resolve algorithm says (a DID of an unsupported
// method is methodNotSupported), which is what the did:key test suite's
// newest "MUST raise methodNotSupported error if method is not key" checks.
func (KeyMethod) Resolve(ctx context.Context, d DIDURL, opts Options) (*ResolutionResult, error) {
	if d.Method != "key" {
		return nil, fmt.Errorf("%w: %s: the did:key method resolves did:key DIDs only, not did:%s", ErrInvalidDID, d.DID, d.Method)
	}
	res, err := resolveComputed(ctx, "key", d, opts, keyDocument)
	if err != nil {
		return nil, err
	}
	doc, err := formatKeyDocument(res.Document, opts)
	if err != nil {
		return nil, err
	}
	res.Document = doc
	return res, nil
}

// KeyDID returns the did:key DID of pk: "did:key:" followed by the key's
// publicKeyMultibase (did:key v0.7 "Create"). It returns "" for a zero
// key or a key type without a Multikey encoding.
func KeyDID(pk keys.PublicKey) string {
	if pk.IsZero() {
		return ""
	}
	mb := pk.Multibase()
	if mb == "" {
		return ""
	}
	return "did:key:" + mb
}

// keyKind is the use a did:key's key is put to in its document.
type keyKind int

const (
	kindECDSA   keyKind = iota // ECDSA: signing and ECDH
	kindEd25519                // signing, X25519 derived for agreement
	kindX25519                 // key agreement only
)

// keyDocument builds the document of did:key:<id>.
func keyDocument(id string) (*Document, error) {
	did := "did:key:" + id
	mb := id
	// did:key v0.7 "Document Creation Algorithm" step 2: an optional
	// version component precedes the multibase value; version 1 is the only
	// one defined.
	if i := strings.IndexByte(id, ':'); i >= 0 {
		if id[:i] != "1" {
			return nil, fmt.Errorf("%w: %s: unsupported did:key version %q", ErrInvalidDID, did, id[:i])
		}
		mb = id[i+1:]
	}
	codec, raw, err := decodeKeyMultibase(mb)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", did, err)
	}
	kind, x25519, err := checkKeyMaterial(codec, raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", did, err)
	}

	vmID := did + "#" + mb
	doc := &Document{
		Context: []string{ContextDIDv1, ContextMultikey},
		ID:      did,
		VerificationMethod: []VerificationMethod{{
			ID:                 vmID,
			Type:               MultikeyType,
			Controller:         did,
			PublicKeyMultibase: mb,
		}},
	}
	if kind == kindX25519 {
		doc.KeyAgreement = []string{vmID}
		return doc, nil
	}
	doc.Authentication = []string{vmID}
	doc.AssertionMethod = []string{vmID}
	doc.CapabilityInvocation = []string{vmID}
	doc.CapabilityDelegation = []string{vmID}
	switch kind {
	case kindEd25519:
		xmb := "z" + base58.Encode(append(binary.AppendUvarint(nil, mcX25519Pub), x25519...))
		xID := did + "#" + xmb
		doc.VerificationMethod = append(doc.VerificationMethod, VerificationMethod{
			ID:                 xID,
			Type:               MultikeyType,
			Controller:         did,
			PublicKeyMultibase: xmb,
		})
		doc.KeyAgreement = []string{xID}
	default:
		doc.KeyAgreement = []string{vmID}
	}
	return doc, nil
}

// decodeKeyMultibase decodes a did:key multibase value (did:key v0.7
// "Decode Public Key Algorithm"): base58btc ('z') of an unsigned-varint
// multicodec code and the raw key. Any encoding problem is ErrInvalidDID.
func decodeKeyMultibase(mb string) (uint64, []byte, error) {
	if mb == "" || mb[0] != 'z' {
		return 0, nil, fmt.Errorf("%w: did:key value must be base58btc multibase (starting with 'z')", ErrInvalidDID)
	}
	if len(mb) > keyMaxMultibase {
		return 0, nil, fmt.Errorf("%w: did:key value longer than %d characters", ErrInvalidDID, keyMaxMultibase)
	}
	b, err := base58.Decode(mb[1:])
	if err != nil {
		return 0, nil, fmt.Errorf("%w: did:key value is not base58btc: %v", ErrInvalidDID, err)
	}
	codec, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, nil, fmt.Errorf("%w: did:key value has no multicodec prefix", ErrInvalidDID)
	}
	// unsigned-varint requires the minimal encoding, so that one key has one DID.
	if n != len(binary.AppendUvarint(nil, codec)) {
		return 0, nil, fmt.Errorf("%w: did:key multicodec prefix is not minimally encoded", ErrInvalidDID)
	}
	return codec, b[n:], nil
}

// checkKeyMaterial validates the raw key of a multicodec type (did:key v0.7
// §3.1.2 "Signature Method Creation Algorithm" steps 3-4: a wrong length is
// ErrInvalidPublicKeyLength, "invalidPublicKeyLength"; a bad point
// ErrInvalidPublicKey). For Ed25519 it also returns the derived X25519 key.
// Compressed points are required for the ECDSA curves, as the multicodec
// table defines them.
func checkKeyMaterial(codec uint64, raw []byte) (keyKind, []byte, error) {
	wantLen := func(name string, n int) error {
		if len(raw) != n {
			return fmt.Errorf("%w: %s public key must be %d bytes, got %d", ErrInvalidPublicKeyLength, name, n, len(raw))
		}
		return nil
	}
	switch codec {
	case mcEd25519Pub:
		if err := wantLen("Ed25519", 32); err != nil {
			return 0, nil, err
		}
		x, err := ed25519ToX25519(raw)
		if err != nil {
			return 0, nil, fmt.Errorf("%w: Ed25519: %v", ErrInvalidPublicKey, err)
		}
		return kindEd25519, x, nil
	case mcX25519Pub:
		if err := wantLen("X25519", 32); err != nil {
			return 0, nil, err
		}
		if err := checkX25519(raw); err != nil {
			return 0, nil, fmt.Errorf("%w: X25519: %v", ErrInvalidPublicKey, err)
		}
		return kindX25519, nil, nil
	case mcP256Pub, mcSecp256k1Pub, mcSM2Pub:
		kt := keyTypes[codec]
		if err := wantLen("compressed "+string(kt), 33); err != nil {
			return 0, nil, err
		}
		if _, err := keys.NewPublicKey(kt, raw); err != nil {
			return 0, nil, fmt.Errorf("%w: %v", ErrInvalidPublicKey, err)
		}
		return kindECDSA, nil, nil
	case mcP384Pub:
		if err := wantLen("compressed P-384", 49); err != nil {
			return 0, nil, err
		}
		if x, _ := elliptic.UnmarshalCompressed(elliptic.P384(), raw); x == nil {
			return 0, nil, fmt.Errorf("%w: P-384 key is not a point on the curve", ErrInvalidPublicKey)
		}
		return kindECDSA, nil, nil
	}
	if name, ok := keyUnsupported[codec]; ok {
		return 0, nil, fmt.Errorf("%w: %s keys are not supported by did:key resolution (want Ed25519, X25519, P-256, P-384, secp256k1 or SM2)", ErrInvalidPublicKey, name)
	}
	return 0, nil, fmt.Errorf("%w: unsupported did:key key type (multicodec 0x%x)", ErrInvalidPublicKey, codec)
}

// Curve25519 constants (RFC 7748 §4.1): p = 2^255 - 19 and the edwards25519
// d = -121665/121666.
var (
	c25519P = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	c25519D = func() *big.Int {
		d := new(big.Int).ModInverse(big.NewInt(121666), c25519P)
		d.Mul(d, big.NewInt(-121665))
		return d.Mod(d, c25519P)
	}()
)

// ed25519ToX25519 validates an Ed25519 public key (RFC 8032 §5.1.3 point
// decoding, strictly: y < p) and returns the X25519 public key of the same
// secret, u = (1+y)/(1-y) mod p (RFC 7748 §4.1). Small-order points, which
// no secret key produces, are rejected.
func ed25519ToX25519(pub []byte) ([]byte, error) {
	if len(pub) != 32 {
		return nil, fmt.Errorf("key must be 32 bytes, got %d", len(pub))
	}
	var be [32]byte
	for i, b := range pub {
		be[31-i] = b
	}
	sign := be[0] >> 7
	be[0] &= 0x7f
	p := c25519P
	y := new(big.Int).SetBytes(be[:])
	if y.Cmp(p) >= 0 {
		return nil, errors.New("non-canonical point encoding")
	}
	// x^2 = (y^2 - 1) / (d y^2 + 1); d is not a square, so the denominator
	// is never zero.
	y2 := new(big.Int).Mul(y, y)
	y2.Mod(y2, p)
	num := new(big.Int).Sub(y2, big.NewInt(1))
	num.Mod(num, p)
	den := new(big.Int).Mul(c25519D, y2)
	den.Add(den, big.NewInt(1))
	den.Mod(den, p)
	x2 := den.ModInverse(den, p)
	x2.Mul(x2, num)
	x2.Mod(x2, p)
	x := new(big.Int).ModSqrt(x2, p)
	if x == nil {
		return nil, errors.New("not a point on the curve")
	}
	if x.Sign() == 0 && sign == 1 {
		return nil, errors.New("non-canonical point encoding")
	}
	oneMinusY := new(big.Int).Sub(big.NewInt(1), y)
	oneMinusY.Mod(oneMinusY, p)
	if oneMinusY.Sign() == 0 {
		return nil, errors.New("key is the identity point")
	}
	u := oneMinusY.ModInverse(oneMinusY, p)
	u.Mul(u, new(big.Int).Add(y, big.NewInt(1)))
	u.Mod(u, p)
	var ub [32]byte
	u.FillBytes(ub[:])
	out := make([]byte, 32)
	for i, b := range ub {
		out[31-i] = b
	}
	// The map is a group isomorphism, so a small-order Edwards point maps to
	// a small-order Montgomery point.
	if err := checkX25519(out); err != nil {
		return nil, err
	}
	return out, nil
}

// x25519Probe is a fixed X25519 scalar. Clamping makes every scalar a
// multiple of the cofactor 8, so scalar·P is zero exactly when P has small
// order, and crypto/ecdh reports a zero shared secret as an error.
var x25519Probe = sync.OnceValue(func() *ecdh.PrivateKey {
	k, err := ecdh.X25519().NewPrivateKey(bytes.Repeat([]byte{0x5a}, 32))
	if err != nil {
		panic(err)
	}
	return k
})

// checkX25519 rejects an X25519 public key that is not the canonical
// encoding of u < p (RFC 7748 §5 lets receivers mask the top bit; an
// identifier must not have two spellings) or that has small order.
func checkX25519(u []byte) error {
	if len(u) != 32 {
		return fmt.Errorf("key must be 32 bytes, got %d", len(u))
	}
	var be [32]byte
	for i, b := range u {
		be[31-i] = b
	}
	if new(big.Int).SetBytes(be[:]).Cmp(c25519P) >= 0 {
		return errors.New("non-canonical u-coordinate")
	}
	pub, err := ecdh.X25519().NewPublicKey(u)
	if err != nil {
		return err
	}
	if _, err := x25519Probe().ECDH(pub); err != nil {
		return errors.New("small-order point")
	}
	return nil
}
