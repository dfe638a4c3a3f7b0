package keys

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/mr-tron/base58"
)

// Multicodec codes of the public keys weid encodes as Multikey
// (https://github.com/multiformats/multicodec/blob/master/table.csv).
const (
	codecEd25519Pub   = 0xed
	codecSecp256k1Pub = 0xe7
	codecP256Pub      = 0x1200
	codecX25519Pub    = 0xec
	codecP384Pub      = 0x1201
	codecSM2Pub       = 0x1206 // sm2-pub, the compressed point
)

// ErrMultibase reports a malformed multibase or multicodec value.
var ErrMultibase = errors.New("invalid multikey")

// Multibase returns the key as publicKeyMultibase: base58btc ('z') of the
// multicodec varint prefix followed by the raw (compressed) key.
func (k PublicKey) Multibase() string {
	var codec uint64
	switch k.Type {
	case Ed25519:
		codec = codecEd25519Pub
	case P256:
		codec = codecP256Pub
	case Secp256k1:
		codec = codecSecp256k1Pub
	case SM2:
		codec = codecSM2Pub
	default:
		return ""
	}
	buf := binary.AppendUvarint(make([]byte, 0, 2+len(k.Bytes)), codec)
	return "z" + base58.Encode(append(buf, k.Bytes...))
}

// ParseMultibase decodes a publicKeyMultibase value of a supported key type.
func ParseMultibase(s string) (PublicKey, error) {
	codec, raw, err := DecodeMultikey(s)
	if err != nil {
		return PublicKey{}, err
	}
	var t Type
	switch codec {
	case codecEd25519Pub:
		t = Ed25519
	case codecP256Pub:
		t = P256
	case codecSecp256k1Pub:
		t = Secp256k1
	case codecSM2Pub:
		if len(raw) != 33 {
			return PublicKey{}, fmt.Errorf("%w: an sm2-pub Multikey is a 33-byte compressed point, got %d bytes", ErrMultibase, len(raw))
		}
		t = SM2
	case codecX25519Pub:
		return PublicKey{}, fmt.Errorf("%w: X25519 is a key-agreement key, not a signing key", ErrUnsupportedKeyType)
	default:
		return PublicKey{}, fmt.Errorf("%w: multicodec 0x%x", ErrUnsupportedKeyType, codec)
	}
	return NewPublicKey(t, raw)
}

// DecodeMultikey splits a base58btc multibase value into its multicodec code
// and key bytes without interpreting the key.
func DecodeMultikey(s string) (uint64, []byte, error) {
	if len(s) < 2 || s[0] != 'z' {
		return 0, nil, fmt.Errorf("%w: want base58btc multibase starting with 'z'", ErrMultibase)
	}
	if len(s) > 256 {
		return 0, nil, fmt.Errorf("%w: too long", ErrMultibase)
	}
	b, err := base58.Decode(s[1:])
	if err != nil {
		return 0, nil, fmt.Errorf("%w: %v", ErrMultibase, err)
	}
	codec, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, nil, fmt.Errorf("%w: bad multicodec prefix", ErrMultibase)
	}
	return codec, b[n:], nil
}
