package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/scrypt"
)

// KeyFile is the on-disk form of a private key, encrypted with a passphrase:
// scrypt (RFC 7914) derives an AES-256-GCM key that seals the 32-byte secret.
// The public key, type and DID are in the clear so tools can show them
// without the passphrase; they are bound to the ciphertext as associated data.
type KeyFile struct {
	Version            int    `json:"version"`
	Type               Type   `json:"type"`
	PublicKeyMultibase string `json:"publicKeyMultibase"`
	DID                string `json:"did,omitempty"`
	KDF                string `json:"kdf"`
	N                  int    `json:"n"`
	R                  int    `json:"r"`
	P                  int    `json:"p"`
	Salt               string `json:"salt"`
	Nonce              string `json:"nonce"`
	Ciphertext         string `json:"ciphertext"`
}

// ScryptN is the scrypt cost of new key files (2^15: about 50 ms, 32 MiB).
const ScryptN = 1 << 15

// ErrWrongPassphrase is returned when a key file does not open.
var ErrWrongPassphrase = errors.New("wrong passphrase or corrupted key file")

// ErrNotKeyFile is returned, wrapped with what the bytes look like
// instead, by DecryptKeyFile for bytes that are no key file at all (a
// credential, a JWT, a JSON array, a file cut short).
var ErrNotKeyFile = errors.New("not a weid key file")

// looksLike says, cheaply, what b holds that is not a key file.
func looksLike(b []byte) string {
	t := strings.TrimSpace(string(b))
	var v any
	switch {
	case t == "":
		return "it is empty"
	case t[0] == '[':
		return "it holds a JSON array"
	case t[0] == '{' && json.Unmarshal(b, &v) != nil:
		return "it is JSON cut short or not valid"
	case t[0] == '{' && (strings.Contains(t, `"credentialSubject"`) || strings.Contains(t, `"@context"`)):
		return "it holds a credential"
	case t[0] == '{':
		return "it is a JSON object without a key file's members"
	case strings.HasPrefix(t, "ey") && strings.Count(t, ".") >= 2:
		return "it holds a JWT"
	}
	return "it is not JSON"
}

// EncryptKeyFile seals k with passphrase. did is recorded for convenience.
// A key held in a hardware module has no secret to seal (ErrNotExportable).
func EncryptKeyFile(k *PrivateKey, did string, passphrase []byte) ([]byte, error) {
	if len(passphrase) == 0 {
		return nil, errors.New("empty passphrase")
	}
	seed, err := k.ExportSeed()
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	kf := KeyFile{Version: 1, Type: k.Type(), PublicKeyMultibase: k.Public().Multibase(), DID: did, KDF: "scrypt", N: ScryptN, R: 8, P: 1}
	salt := make([]byte, 16)
	nonce := make([]byte, 12)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	aead, err := kf.aead(passphrase, salt)
	if err != nil {
		return nil, err
	}
	kf.Salt = base64.RawURLEncoding.EncodeToString(salt)
	kf.Nonce = base64.RawURLEncoding.EncodeToString(nonce)
	kf.Ciphertext = base64.RawURLEncoding.EncodeToString(aead.Seal(nil, nonce, seed, kf.ad()))
	return json.MarshalIndent(kf, "", "  ")
}

// DecryptKeyFile opens a key file made by EncryptKeyFile.
func DecryptKeyFile(b, passphrase []byte) (*PrivateKey, *KeyFile, error) {
	var kf KeyFile
	if err := json.Unmarshal(b, &kf); err != nil || kf.Ciphertext == "" && kf.KDF == "" && kf.Version == 0 {
		return nil, nil, fmt.Errorf("%w (%s)", ErrNotKeyFile, looksLike(b))
	}
	if kf.Version != 1 || kf.KDF != "scrypt" || kf.N < 1<<10 || kf.N > 1<<20 || kf.R < 1 || kf.R > 32 || kf.P < 1 || kf.P > 16 {
		return nil, nil, errors.New("key file: unsupported version or parameters")
	}
	salt, err1 := base64.RawURLEncoding.DecodeString(kf.Salt)
	nonce, err2 := base64.RawURLEncoding.DecodeString(kf.Nonce)
	ct, err3 := base64.RawURLEncoding.DecodeString(kf.Ciphertext)
	if err := errors.Join(err1, err2, err3); err != nil || len(nonce) != 12 {
		return nil, nil, fmt.Errorf("key file: bad encoding: %v", err)
	}
	aead, err := kf.aead(passphrase, salt)
	if err != nil {
		return nil, nil, err
	}
	seed, err := aead.Open(nil, nonce, ct, kf.ad())
	if err != nil {
		return nil, nil, ErrWrongPassphrase
	}
	k, err := PrivateKeyFromSeed(kf.Type, seed)
	if err != nil {
		return nil, nil, err
	}
	if k.Public().Multibase() != kf.PublicKeyMultibase {
		return nil, nil, errors.New("key file: public key does not match the private key")
	}
	return k, &kf, nil
}

func (kf *KeyFile) ad() []byte {
	return []byte("weid-keyfile-v1|" + string(kf.Type) + "|" + kf.PublicKeyMultibase + "|" + kf.DID)
}

func (kf *KeyFile) aead(passphrase, salt []byte) (cipher.AEAD, error) {
	dk, err := scrypt.Key(passphrase, salt, kf.N, kf.R, kf.P, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(dk)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
