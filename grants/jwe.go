package grants

import (
	"crypto/sha512"
	"errors"
	"fmt"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwe"
	jwxx25519 "github.com/lestrrat-go/jwx/v2/x25519"
	voied25519 "github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
	voix25519 "github.com/oasisprotocol/curve25519-voi/primitives/x25519"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
)

// Content encryption of an exchange response.
const (
	KeyAlgorithm     = "ECDH-ES"
	ContentAlgorithm = "A256GCM"
	// MediaTypeJWE is the media type of a compact JWE.
	MediaTypeJWE = "application/jose"
)

// ErrNoKeyAgreement reports a key that cannot receive an encrypted
// response: exchange responses are encrypted with ECDH-ES over X25519 (for
// Ed25519 keys, converted) or P-256, or with SM2 public-key encryption.
var ErrNoKeyAgreement = errors.New("the key cannot receive ECDH-ES encryption")

// agreementKey returns the jwx recipient key for pk: the X25519 key of the
// same secret for Ed25519 (RFC 7748 §4.1 birational map), the key itself for
// P-256.
func agreementKey(pk keys.PublicKey) (any, error) {
	switch pk.Type {
	case keys.Ed25519:
		x, ok := voix25519.EdPublicKeyToX25519(voied25519.PublicKey(pk.Ed25519Key()))
		if !ok {
			return nil, fmt.Errorf("%w: the Ed25519 key does not convert to X25519", ErrNoKeyAgreement)
		}
		return jwxx25519.PublicKey(x), nil
	case keys.P256:
		return pk.ECDSAKey(), nil
	case keys.SM2:
		return pk.SM2Key(), nil // SM2 public-key encryption (jwe_sm2.go), not ECDH-ES
	}
	return nil, fmt.Errorf("%w: %s keys are not supported (Ed25519, P-256 or SM2)", ErrNoKeyAgreement, pk.Type)
}

// CanReceive reports whether pk can receive an encrypted response; the
// error is 400 exchange.keyAgreementUnsupported.
func CanReceive(pk keys.PublicKey) error {
	if _, err := agreementKey(pk); err != nil {
		return errs.BadRequest("exchange.keyAgreementUnsupported", "%v", err)
	}
	return nil
}

// Encrypt encrypts plaintext to pk as a compact JWE: ECDH-ES direct key
// agreement with an ephemeral key (X25519 for Ed25519 keys, P-256 for P-256
// keys) and A256GCM, or for an SM2 key SM2 public-key encryption of an
// SM4-GCM key (SM2-PKE, SM4GCM: jwe_sm2.go); kid names the recipient's
// verification method.
func Encrypt(pk keys.PublicKey, kid string, plaintext []byte) (string, error) {
	if pk.Type == keys.SM2 {
		return encryptSM2(pk, kid, plaintext)
	}
	rk, err := agreementKey(pk)
	if err != nil {
		return "", err
	}
	hdr := jwe.NewHeaders()
	if err := hdr.Set(jwe.KeyIDKey, kid); err != nil {
		return "", err
	}
	out, err := jwe.Encrypt(plaintext, jwe.WithKey(jwa.ECDH_ES, rk), jwe.WithContentEncryption(jwa.A256GCM), jwe.WithProtectedHeaders(hdr))
	if err != nil {
		return "", fmt.Errorf("encrypt: %w", err)
	}
	return string(out), nil
}

// Decrypt decrypts a compact JWE made by Encrypt with the recipient's
// private key. A key held in a hardware module cannot decrypt: X25519 needs
// the Ed25519 secret, and ECDH through the module (CKM_ECDH1_DERIVE) is not
// wired in, since only wallets, which hold their keys in files, fetch.
func Decrypt(k *keys.PrivateKey, token string) ([]byte, error) {
	if !k.Exportable() {
		return nil, fmt.Errorf("%w: %w", ErrNoKeyAgreement, keys.ErrNotExportable)
	}
	var key any
	switch k.Type() {
	case keys.Ed25519:
		h := sha512.Sum512(k.Seed())
		// X25519 clamps the scalar itself (RFC 7748 §5).
		xk, err := jwxx25519.NewKeyFromSeed(h[:32])
		if err != nil {
			return nil, err
		}
		key = xk
	case keys.P256:
		key = k.ECDSAKey()
	case keys.SM2:
		return decryptSM2(k, token)
	default:
		return nil, fmt.Errorf("%w: %s keys are not supported (Ed25519, P-256 or SM2)", ErrNoKeyAgreement, k.Type())
	}
	pt, err := jwe.Decrypt([]byte(token), jwe.WithKey(jwa.ECDH_ES, key))
	if err != nil {
		return nil, fmt.Errorf("decrypt the response: %w", err)
	}
	return pt, nil
}
