package keys

// Bring your own key: the private key formats an institution already has.
//
//   - a weid key file (EncryptKeyFile), opened with its passphrase;
//   - PEM: PKCS#8 "PRIVATE KEY" (RFC 5208, RFC 5958; Ed25519 per RFC 8410
//     §7), PKCS#8 "ENCRYPTED PRIVATE KEY" (RFC 5958 §3 with PBES2, RFC 8018
//     §6.2: PBKDF2 or scrypt, RFC 7914 §7, and AES-CBC — what OpenSSL 3
//     writes), SEC 1 "EC PRIVATE KEY" (RFC 5915, what `openssl ecparam
//     -genkey` writes);
//   - a private JWK (RFC 7517, RFC 7518 §6.2.2, RFC 8037 §2): "d" present;
//   - a bare private scalar in decimal or 0x-hex: the secp256k1 form
//     WeIdentity's Java SDK and FISCO BCOS tools print.
//
// Public keys, certificates and JWKs without "d" are refused with
// ErrPublicOnly; an encrypted file without its passphrase with
// ErrPassphraseRequired.

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"math/big"
	"strings"

	"golang.org/x/crypto/scrypt"

	"github.com/weidgo/weid/internal/strictjson"
)

// Errors of ParsePrivateKey that callers branch on.
var (
	// ErrKeyFormat reports input that is no private key format weid reads.
	ErrKeyFormat = errors.New("not a private key weid can import")
	// ErrPublicOnly reports a public key, certificate or public JWK where a
	// private key is needed.
	ErrPublicOnly = errors.New("the file holds a public key only; a private key is needed")
	// ErrPassphraseRequired reports an encrypted key given without its passphrase.
	ErrPassphraseRequired = errors.New("the private key is encrypted; its passphrase is needed")
)

// MaxImportSize bounds the input of ParsePrivateKey.
const MaxImportSize = 64 << 10

// Bounds on the key derivation of an encrypted PKCS#8 file: what OpenSSL
// writes (2,048 PBKDF2 iterations, scrypt N = 2^14) is far below them, and
// they keep a hostile file from costing minutes.
const (
	maxPBKDF2Iterations = 10_000_000
	maxScryptN          = 1 << 20
)

// ParsePrivateKey reads a private key in any format this file lists.
// passphrase opens an encrypted key (a weid key file, an encrypted PKCS#8
// PEM) and is ignored otherwise.
func ParsePrivateKey(data, passphrase []byte) (*PrivateKey, error) {
	if len(data) > MaxImportSize {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrKeyFormat, MaxImportSize)
	}
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		return nil, fmt.Errorf("%w: empty", ErrKeyFormat)
	case trimmed[0] == '{':
		return parseJSONKey(trimmed, passphrase)
	case bytes.HasPrefix(trimmed, []byte("-----BEGIN ")):
		return parsePEMKey(trimmed, passphrase)
	}
	if k, ok, err := parseBareScalar(trimmed); ok {
		return k, err
	}
	return nil, fmt.Errorf("%w: want a weid key file, a PEM private key, a private JWK or a secp256k1 private key in decimal or hex", ErrKeyFormat)
}

// parseJSONKey reads a weid key file or a JWK.
func parseJSONKey(b, passphrase []byte) (*PrivateKey, error) {
	m, err := strictjson.DecodeObject(b, strictjson.Limits{Depth: 4, Array: 16, Members: 32})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKeyFormat, err)
	}
	if _, ok := m["ciphertext"]; ok {
		if len(passphrase) == 0 {
			return nil, fmt.Errorf("weid key file: %w", ErrPassphraseRequired)
		}
		k, _, err := DecryptKeyFile(b, passphrase)
		return k, err
	}
	if _, ok := m["kty"]; ok {
		return parsePrivateJWK(m)
	}
	return nil, fmt.Errorf("%w: a JSON object that is neither a weid key file nor a JWK", ErrKeyFormat)
}

var b64url = base64.RawURLEncoding.Strict()

// parsePrivateJWK reads an Ed25519 (OKP) or EC private JWK and checks that
// its public members are the private key's.
func parsePrivateJWK(m map[string]any) (*PrivateKey, error) {
	str := func(name string) string { s, _ := m[name].(string); return s }
	field := func(name string) ([]byte, error) {
		b, err := b64url.DecodeString(str(name))
		if err != nil || len(b) != 32 {
			return nil, fmt.Errorf("%w: JWK %q must be 32 bytes of base64url", ErrKeyFormat, name)
		}
		return b, nil
	}
	kty, crv := str("kty"), str("crv")
	if _, ok := m["d"]; !ok {
		return nil, fmt.Errorf("JWK (kty %q): %w", strictjson.Truncate(kty, 16), ErrPublicOnly)
	}
	var t Type
	switch {
	case kty == "OKP" && crv == "Ed25519":
		t = Ed25519
	case kty == "EC" && crv == "P-256":
		t = P256
	case kty == "EC" && crv == "secp256k1":
		t = Secp256k1
	case kty == "EC" && crv == "SM2": // draft-dang-webauthn-sm2
		t = SM2
	default:
		return nil, fmt.Errorf("%w: JWK kty %q crv %q (want OKP Ed25519, EC P-256, EC secp256k1 or EC SM2)", ErrUnsupportedKeyType, strictjson.Truncate(kty, 16), strictjson.Truncate(crv, 16))
	}
	d, err := field("d")
	if err != nil {
		return nil, err
	}
	k, err := PrivateKeyFromSeed(t, d)
	if err != nil {
		return nil, err
	}
	x, err := field("x")
	if err != nil {
		return nil, err
	}
	want := x
	if t != Ed25519 {
		y, err := field("y")
		if err != nil {
			return nil, err
		}
		want = append(x, y...)
	}
	if subtle.ConstantTimeCompare(k.Public().Uncompressed(), want) != 1 {
		return nil, fmt.Errorf("%w: the JWK's public key is not its private key's", ErrKeyFormat)
	}
	return k, nil
}

// parsePEMKey reads the first private key block of a PEM file, skipping EC
// PARAMETERS blocks (which `openssl ecparam -genkey` writes first).
func parsePEMKey(b, passphrase []byte) (*PrivateKey, error) {
	rest := b
	public := false
	for {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		switch blk.Type {
		case "EC PARAMETERS":
			continue
		case "PUBLIC KEY", "EC PUBLIC KEY", "CERTIFICATE":
			public = true
			continue
		case "PRIVATE KEY":
			return parsePKCS8(blk.Bytes)
		case "ENCRYPTED PRIVATE KEY":
			if len(passphrase) == 0 {
				return nil, fmt.Errorf("PEM: %w", ErrPassphraseRequired)
			}
			der, err := decryptPKCS8(blk.Bytes, passphrase)
			if err != nil {
				return nil, err
			}
			return parsePKCS8(der)
		case "EC PRIVATE KEY":
			if _, ok := blk.Headers["DEK-Info"]; ok {
				// RFC 1423 encryption derives its key with one MD5: too weak to
				// accept a key from.
				return nil, fmt.Errorf("%w: the PEM uses OpenSSL's legacy encryption; convert it with `openssl pkcs8 -topk8 -in KEY -out KEY.p8` (PKCS#8, encrypted or not)", ErrKeyFormat)
			}
			return parseSEC1(blk.Bytes, nil)
		default:
			return nil, fmt.Errorf("%w: PEM block %q (want PRIVATE KEY, ENCRYPTED PRIVATE KEY or EC PRIVATE KEY)", ErrKeyFormat, strictjson.Truncate(blk.Type, 32))
		}
	}
	if public {
		return nil, fmt.Errorf("PEM: %w", ErrPublicOnly)
	}
	return nil, fmt.Errorf("%w: no PEM private key block", ErrKeyFormat)
}

// Object identifiers of the keys and algorithms read here.
var (
	oidEd25519     = asn1.ObjectIdentifier{1, 3, 101, 112}                 // RFC 8410 §3
	oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}         // RFC 5480 §2.1.1
	oidP256        = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}      // RFC 5480 §2.1.1.1
	oidSecp256k1   = asn1.ObjectIdentifier{1, 3, 132, 0, 10}               // SEC 2 §A.2
	oidSM2         = asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 301}       // GM/T 0006
	oidPBES2       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}    // RFC 8018 §A.4
	oidPBKDF2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}    // RFC 8018 §A.2
	oidScrypt      = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11591, 4, 11} // RFC 7914 §7
	oidHMACSHA1    = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA256  = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACSHA512  = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidAES128CBC   = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC   = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC   = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
)

type algorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

// oneAsymmetricKey is RFC 5958 §2 (PKCS#8 v1 and v2); attributes and the
// v2 public key are read and ignored (the public key is derived).
type oneAsymmetricKey struct {
	Version    int
	Algorithm  algorithmIdentifier
	PrivateKey []byte
	Attributes asn1.RawValue `asn1:"optional,tag:0"`
	PublicKey  asn1.RawValue `asn1:"optional,tag:1"`
}

// ecPrivateKey is RFC 5915 §3.
type ecPrivateKey struct {
	Version    int
	PrivateKey []byte
	Curve      asn1.ObjectIdentifier `asn1:"optional,explicit,tag:0"`
	PublicKey  asn1.BitString        `asn1:"optional,explicit,tag:1"`
}

func parsePKCS8(der []byte) (*PrivateKey, error) {
	var p oneAsymmetricKey
	if rest, err := asn1.Unmarshal(der, &p); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("%w: malformed PKCS#8", ErrKeyFormat)
	}
	if p.Version != 0 && p.Version != 1 {
		return nil, fmt.Errorf("%w: PKCS#8 version %d", ErrKeyFormat, p.Version)
	}
	switch {
	case p.Algorithm.Algorithm.Equal(oidEd25519):
		var seed []byte
		if rest, err := asn1.Unmarshal(p.PrivateKey, &seed); err != nil || len(rest) > 0 || len(seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("%w: malformed Ed25519 private key", ErrKeyFormat)
		}
		return PrivateKeyFromSeed(Ed25519, seed)
	case p.Algorithm.Algorithm.Equal(oidECPublicKey):
		var curve asn1.ObjectIdentifier
		if rest, err := asn1.Unmarshal(p.Algorithm.Parameters.FullBytes, &curve); err != nil || len(rest) > 0 {
			return nil, fmt.Errorf("%w: EC key without a named curve", ErrKeyFormat)
		}
		return parseSEC1(p.PrivateKey, curve)
	case p.Algorithm.Algorithm.Equal(oidSM2):
		// Some encoders (GmSSL, older OpenSSL builds) name the SM2 curve as
		// the algorithm itself.
		return parseSEC1(p.PrivateKey, oidSM2)
	}
	return nil, fmt.Errorf("%w: PKCS#8 algorithm %v (want Ed25519 or an EC key)", ErrUnsupportedKeyType, p.Algorithm.Algorithm)
}

// parseSEC1 reads an RFC 5915 EC private key; curve is the PKCS#8
// algorithm's parameter, nil when the key stands alone.
func parseSEC1(der []byte, curve asn1.ObjectIdentifier) (*PrivateKey, error) {
	var ec ecPrivateKey
	if rest, err := asn1.Unmarshal(der, &ec); err != nil || len(rest) > 0 || ec.Version != 1 {
		return nil, fmt.Errorf("%w: malformed EC private key", ErrKeyFormat)
	}
	if curve == nil {
		curve = ec.Curve
	} else if ec.Curve != nil && !ec.Curve.Equal(curve) {
		return nil, fmt.Errorf("%w: the EC private key names two curves", ErrKeyFormat)
	}
	var t Type
	switch {
	case curve.Equal(oidP256):
		t = P256
	case curve.Equal(oidSecp256k1):
		t = Secp256k1
	case curve.Equal(oidSM2):
		t = SM2
	case curve == nil:
		return nil, fmt.Errorf("%w: the EC private key names no curve", ErrKeyFormat)
	default:
		return nil, fmt.Errorf("%w: EC curve %v (want P-256, secp256k1 or SM2)", ErrUnsupportedKeyType, curve)
	}
	// RFC 5915 fixes the length, but some encoders drop leading zeros.
	if len(ec.PrivateKey) == 0 || len(ec.PrivateKey) > 32 {
		return nil, fmt.Errorf("%w: the %s private key is %d bytes", ErrKeyFormat, t, len(ec.PrivateKey))
	}
	k, err := PrivateKeyFromSeed(t, leftPad32(ec.PrivateKey))
	if err != nil {
		return nil, err
	}
	if len(ec.PublicKey.Bytes) > 0 {
		pub, err := NewPublicKey(t, ec.PublicKey.Bytes)
		if err != nil || !pub.Equal(k.Public()) {
			return nil, fmt.Errorf("%w: the EC private key's public key is not its own", ErrKeyFormat)
		}
	}
	return k, nil
}

func leftPad32(b []byte) []byte {
	out := make([]byte, 32)
	copy(out[32-len(b):], b)
	return out
}

// encryptedPrivateKeyInfo is RFC 5958 §3.
type encryptedPrivateKeyInfo struct {
	Algorithm algorithmIdentifier
	Data      []byte
}

type pbes2Params struct {
	KDF    algorithmIdentifier
	Scheme algorithmIdentifier
}

type pbkdf2Params struct {
	Salt       []byte
	Iterations int
	KeyLength  int                 `asn1:"optional"`
	PRF        algorithmIdentifier `asn1:"optional"`
}

type scryptParams struct {
	Salt      []byte
	N         int
	R         int
	P         int
	KeyLength int `asn1:"optional"`
}

// decryptPKCS8 opens an RFC 5958 EncryptedPrivateKeyInfo under PBES2.
func decryptPKCS8(der, passphrase []byte) ([]byte, error) {
	bad := func(what string) error { return fmt.Errorf("%w: encrypted PKCS#8: %s", ErrKeyFormat, what) }
	var info encryptedPrivateKeyInfo
	if rest, err := asn1.Unmarshal(der, &info); err != nil || len(rest) > 0 {
		return nil, bad("malformed")
	}
	if !info.Algorithm.Algorithm.Equal(oidPBES2) {
		return nil, bad(fmt.Sprintf("scheme %v (want PBES2)", info.Algorithm.Algorithm))
	}
	var params pbes2Params
	if rest, err := asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &params); err != nil || len(rest) > 0 {
		return nil, bad("malformed PBES2 parameters")
	}
	var keyLen int
	switch s := params.Scheme.Algorithm; {
	case s.Equal(oidAES128CBC):
		keyLen = 16
	case s.Equal(oidAES192CBC):
		keyLen = 24
	case s.Equal(oidAES256CBC):
		keyLen = 32
	default:
		return nil, bad(fmt.Sprintf("cipher %v (want AES-CBC)", s))
	}
	var iv []byte
	if rest, err := asn1.Unmarshal(params.Scheme.Parameters.FullBytes, &iv); err != nil || len(rest) > 0 || len(iv) != aes.BlockSize {
		return nil, bad("malformed AES-CBC IV")
	}
	key, err := deriveKey(params.KDF, passphrase, keyLen)
	if err != nil {
		return nil, err
	}
	if len(info.Data) == 0 || len(info.Data)%aes.BlockSize != 0 {
		return nil, bad("ciphertext is not whole AES blocks")
	}
	block, _ := aes.NewCipher(key)
	plain := make([]byte, len(info.Data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, info.Data)
	// PKCS#7 padding (RFC 8018 §6.2.1): a wrong passphrase almost always
	// breaks it, and otherwise breaks the DER below.
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > aes.BlockSize || !bytes.Equal(plain[len(plain)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return nil, ErrWrongPassphrase
	}
	plain = plain[:len(plain)-pad]
	var probe oneAsymmetricKey
	if rest, err := asn1.Unmarshal(plain, &probe); err != nil || len(rest) > 0 {
		return nil, ErrWrongPassphrase
	}
	return plain, nil
}

// deriveKey derives a PBES2 encryption key with PBKDF2 or scrypt.
func deriveKey(kdf algorithmIdentifier, passphrase []byte, keyLen int) ([]byte, error) {
	bad := func(what string) error { return fmt.Errorf("%w: encrypted PKCS#8: %s", ErrKeyFormat, what) }
	switch {
	case kdf.Algorithm.Equal(oidPBKDF2):
		var p pbkdf2Params
		if rest, err := asn1.Unmarshal(kdf.Parameters.FullBytes, &p); err != nil || len(rest) > 0 {
			return nil, bad("malformed PBKDF2 parameters")
		}
		if p.Iterations < 1 || p.Iterations > maxPBKDF2Iterations || (p.KeyLength != 0 && p.KeyLength != keyLen) {
			return nil, bad("PBKDF2 parameters out of range")
		}
		var h func() hash.Hash
		switch prf := p.PRF.Algorithm; {
		case prf == nil || prf.Equal(oidHMACSHA1):
			h = sha1.New
		case prf.Equal(oidHMACSHA256):
			h = sha256.New
		case prf.Equal(oidHMACSHA512):
			h = sha512.New
		default:
			return nil, bad(fmt.Sprintf("PBKDF2 PRF %v", prf))
		}
		return pbkdf2.Key(h, string(passphrase), p.Salt, p.Iterations, keyLen)
	case kdf.Algorithm.Equal(oidScrypt):
		var p scryptParams
		if rest, err := asn1.Unmarshal(kdf.Parameters.FullBytes, &p); err != nil || len(rest) > 0 {
			return nil, bad("malformed scrypt parameters")
		}
		if p.N < 2 || p.N > maxScryptN || p.R < 1 || p.R > 32 || p.N*p.R > maxScryptN*8 || p.P < 1 || p.P > 16 || (p.KeyLength != 0 && p.KeyLength != keyLen) {
			return nil, bad("scrypt parameters out of range")
		}
		return scrypt.Key(passphrase, p.Salt, p.N, p.R, p.P, keyLen)
	}
	return nil, bad(fmt.Sprintf("key derivation %v (want PBKDF2 or scrypt)", kdf.Algorithm))
}

// parseBareScalar reads a secp256k1 private key written as one decimal or
// 0x-prefixed hexadecimal integer; ok is false when b is not such a number.
func parseBareScalar(b []byte) (*PrivateKey, bool, error) {
	s := string(b)
	base := 10
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		s, base = s[2:], 16
	}
	if s == "" || len(s) > 80 || strings.TrimLeft(s, "0123456789abcdefABCDEF") != "" {
		return nil, false, nil
	}
	n, ok := new(big.Int).SetString(s, base)
	if !ok {
		return nil, false, nil
	}
	if n.Sign() <= 0 || n.BitLen() > 256 {
		return nil, true, fmt.Errorf("%w: a secp256k1 private key is a positive 256-bit integer", ErrKeyFormat)
	}
	k, err := PrivateKeyFromSeed(Secp256k1, n.FillBytes(make([]byte, 32)))
	return k, true, err
}

// MarshalPrivateJWK returns k as a private JWK (RFC 7517; OKP for Ed25519,
// RFC 8037 §2; EC otherwise, RFC 7518 §6.2.2) — the form the HTTP API takes
// an imported key in. A key held in a hardware module has no JWK
// (ErrNotExportable).
func MarshalPrivateJWK(k *PrivateKey) ([]byte, error) {
	seed, err := k.ExportSeed()
	if err != nil {
		return nil, err
	}
	type jwk struct {
		Kty string `json:"kty"`
		Crv string `json:"crv"`
		X   string `json:"x"`
		Y   string `json:"y,omitempty"`
		D   string `json:"d"`
	}
	u := k.Public().Uncompressed()
	switch k.Type() {
	case Ed25519:
		return json.Marshal(jwk{Kty: "OKP", Crv: "Ed25519", X: b64url.EncodeToString(u), D: b64url.EncodeToString(seed)})
	case P256, Secp256k1, SM2:
		crv := map[Type]string{P256: "P-256", Secp256k1: "secp256k1", SM2: "SM2"}[k.Type()]
		return json.Marshal(jwk{Kty: "EC", Crv: crv, X: b64url.EncodeToString(u[:32]), Y: b64url.EncodeToString(u[32:]), D: b64url.EncodeToString(seed)})
	}
	return nil, fmt.Errorf("%w %q", ErrUnsupportedKeyType, k.Type())
}
