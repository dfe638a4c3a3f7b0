package grants

import (
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm4"

	"github.com/weidgo/weid/keys"
)

// The compact JWE (RFC 7516 §7.1) of an exchange response to an SM2 key.
// No JOSE specification defines SM2 encryption or SM4 (draft-dang-webauthn-
// sm2 covers signatures only), so both names are weid's own, private
// values in the sense of RFC 7516 §4.1.1–4.1.2:
//
//   - "alg": "SM2-PKE" — the content encryption key is encrypted to the
//     recipient's SM2 public key with SM2 public-key encryption (GB/T
//     32918.4-2016, GM/T 0003.4): C1 ‖ C3 ‖ C2, C1 an uncompressed point
//     (65 bytes), C3 the SM3 check value (32 bytes), C2 the encrypted key.
//     Not "SM2", the JWS name of SM2 signatures: JWS and JWE share the
//     "alg" registry.
//   - "enc": "SM4GCM" — SM4 (GB/T 32907-2016) in GCM (NIST SP 800-38D) with
//     a 128-bit key, a 96-bit IV and a 128-bit tag, the Additional
//     Authenticated Data being the ASCII of the encoded protected header
//     (RFC 7516 §5.1 step 14), as A128GCM does with AES.
const (
	KeyAlgorithmSM2     = "SM2-PKE"
	ContentAlgorithmSM4 = "SM4GCM"
)

// sm2JWEHeader is the protected header of an SM2 JWE.
type sm2JWEHeader struct {
	Alg string `json:"alg"`
	Enc string `json:"enc"`
	Kid string `json:"kid,omitempty"`
}

var b64 = base64.RawURLEncoding.Strict()

// encryptSM2 encrypts plaintext to an SM2 public key: a random SM4 key
// encrypts the content in GCM and is itself encrypted with SM2.
func encryptSM2(pk keys.PublicKey, kid string, plaintext []byte) (string, error) {
	cek := make([]byte, 16)
	iv := make([]byte, 12)
	if _, err := rand.Read(cek); err != nil {
		return "", err
	}
	if _, err := rand.Read(iv); err != nil {
		return "", err
	}
	ek, err := sm2.Encrypt(rand.Reader, pk.SM2Key(), cek, sm2.NewPlainEncrypterOpts(sm2.MarshalUncompressed, sm2.C1C3C2))
	if err != nil {
		return "", fmt.Errorf("encrypt: SM2: %w", err)
	}
	hdr, err := json.Marshal(sm2JWEHeader{Alg: KeyAlgorithmSM2, Enc: ContentAlgorithmSM4, Kid: kid})
	if err != nil {
		return "", err
	}
	protected := b64.EncodeToString(hdr)
	aead, err := sm4GCM(cek)
	if err != nil {
		return "", err
	}
	sealed := aead.Seal(nil, iv, plaintext, []byte(protected))
	ct, tag := sealed[:len(sealed)-aead.Overhead()], sealed[len(sealed)-aead.Overhead():]
	return strings.Join([]string{protected, b64.EncodeToString(ek), b64.EncodeToString(iv), b64.EncodeToString(ct), b64.EncodeToString(tag)}, "."), nil
}

// decryptSM2 decrypts a compact JWE made by encryptSM2 with the
// recipient's SM2 private key, strictly: five segments, a header naming
// exactly SM2-PKE and SM4GCM (and no "crit" or "zip"), a 12-byte IV and a
// 16-byte tag.
func decryptSM2(k *keys.PrivateKey, token string) ([]byte, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("decrypt the response: malformed SM2 JWE: %s", fmt.Sprintf(format, args...))
	}
	parts := strings.Split(token, ".")
	if len(parts) != 5 {
		return nil, bad("want 5 segments, got %d", len(parts))
	}
	raw := make([][]byte, 5)
	for i, p := range parts {
		b, err := b64.DecodeString(p)
		if err != nil {
			return nil, bad("segment %d is not base64url", i+1)
		}
		raw[i] = b
	}
	var h map[string]any
	if err := json.Unmarshal(raw[0], &h); err != nil {
		return nil, bad("protected header: %v", err)
	}
	if h["alg"] != KeyAlgorithmSM2 || h["enc"] != ContentAlgorithmSM4 {
		return nil, bad("want \"alg\": %q and \"enc\": %q", KeyAlgorithmSM2, ContentAlgorithmSM4)
	}
	if _, ok := h["crit"]; ok {
		return nil, bad("\"crit\" is not supported")
	}
	if _, ok := h["zip"]; ok {
		return nil, bad("\"zip\" is not supported")
	}
	if len(raw[2]) != 12 || len(raw[4]) != 16 {
		return nil, bad("the IV must be 12 bytes and the tag 16")
	}
	cek, err := sm2.Decrypt(k.SM2Key(), raw[1])
	if err != nil || len(cek) != 16 {
		return nil, errors.New("decrypt the response: the encrypted key does not decrypt with this SM2 key")
	}
	aead, err := sm4GCM(cek)
	if err != nil {
		return nil, err
	}
	pt, err := aead.Open(nil, raw[2], append(raw[3], raw[4]...), []byte(parts[0]))
	if err != nil {
		return nil, errors.New("decrypt the response: the SM4-GCM content does not authenticate")
	}
	return pt, nil
}

func sm4GCM(key []byte) (cipher.AEAD, error) {
	block, err := sm4.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
