package keys

import (
	"crypto/sha256"
	"errors"
	"fmt"
)

// ExternalSigner is a private key held outside the process, such as in a
// hardware security module (package hsm, PKCS#11): the secret never enters
// weid's memory, only signatures come back.
//
// SignRaw signs what PrivateKey.Sign hands it: for Ed25519 the whole
// message (PureEdDSA, RFC 8032 §5.1.6); for ECDSA keys the 32-byte SHA-256
// digest of the message, to be signed as it is (PKCS#11 CKM_ECDSA). It
// returns the raw 64-byte signature (r‖s for ECDSA, either S: Sign
// normalizes it to low-S). For SM2 keys it is the 32-byte digest
// e = SM3(Z_A ‖ M) with the default distinguishing identifier (GB/T
// 32918.2 §6.1; what a GM/T 0018 module's SM2 signing of a digest takes),
// and the signature is r‖s as SM2 defines it. Errors should say whether the module is
// unavailable (package hsm returns 503 keys.unavailable).
type ExternalSigner interface {
	SignRaw(input []byte) ([]byte, error)
}

// ErrNotExportable is returned by operations that need a private key's
// secret (key files, the keystore's sealing, X25519 conversion) when the
// key is held outside the process.
var ErrNotExportable = errors.New("the private key is held in a hardware module and cannot be exported")

// ErrExternalSignature is returned when an external signer returns a
// signature that does not verify under the key's public key (a faulty
// module, or a token object that is not the key the keystore recorded).
var ErrExternalSignature = errors.New("the hardware module returned a signature that does not verify")

// NewExternalKey returns a private key whose signatures s makes. Every
// signature s returns is brought to weid's encoding (64 bytes, ECDSA low-S)
// and verified under pub before Sign returns it, so a key held outside
// signs exactly as one held in memory and nothing it signs can be invalid.
func NewExternalKey(pub PublicKey, s ExternalSigner) (*PrivateKey, error) {
	if s == nil || pub.IsZero() {
		return nil, errors.New("external key: no signer or no public key")
	}
	switch pub.Type {
	case Ed25519, P256, Secp256k1, SM2:
	default:
		// New key types add their digest rule in signExternal first.
		return nil, fmt.Errorf("%w %q for an external signer", ErrUnsupportedKeyType, pub.Type)
	}
	return &PrivateKey{pub: pub, ext: s}, nil
}

// External returns the signer of a key held outside the process, or nil
// for a key held in memory.
func (k *PrivateKey) External() ExternalSigner { return k.ext }

// Exportable reports whether the key's secret is in memory (Seed and
// ExportSeed give it); false for a key held in a hardware module.
func (k *PrivateKey) Exportable() bool { return k.ext == nil }

// ExportSeed returns the secret Seed returns, or ErrNotExportable for a key
// held outside the process. Code that stores or converts a secret calls
// this rather than Seed.
func (k *PrivateKey) ExportSeed() ([]byte, error) {
	if k.ext != nil {
		return nil, ErrNotExportable
	}
	return k.Seed(), nil
}

// signExternal asks the external signer for a signature of msg and returns
// it in weid's encoding, verified.
func (k *PrivateKey) signExternal(msg []byte) ([]byte, error) {
	input := msg
	if k.pub.Type == P256 || k.pub.Type == Secp256k1 {
		d := sha256.Sum256(msg)
		input = d[:]
	}
	if k.pub.Type == SM2 {
		input = k.pub.sm.digest(msg)
	}
	sig, err := k.ext.SignRaw(input)
	if err != nil {
		return nil, err
	}
	if len(sig) != SignatureSize {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrExternalSignature, len(sig), SignatureSize)
	}
	sig = LowS(k.pub.Type, sig) // a module's ECDSA s may be high
	if !k.pub.Verify(msg, sig) {
		return nil, ErrExternalSignature
	}
	return sig, nil
}
