package grants_test

import (
	"bytes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm4"

	"github.com/weidgo/weid/grants"
	"github.com/weidgo/weid/keys"
)

// TestJWE_SM2: a response to an SM2 key is a compact JWE with "alg"
// "SM2-PKE" and "enc" "SM4GCM" that gmsm's SM2 decryption and SM4-GCM open
// on their own; tampering with any part, another key, or another
// algorithm's JWE fail with a clear error.
func TestJWE_SM2(t *testing.T) {
	t.Parallel()
	k, _ := keys.Generate(keys.SM2)
	msg := []byte(`{"degree":"Bachelor","awardedDate":"2026-07-01"}`)
	tok, err := grants.Encrypt(k.Public(), "did:weid:1:0x01#key-1", msg)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 5 {
		t.Fatalf("%d segments", len(parts))
	}
	dec := func(s string) []byte { b, _ := base64.RawURLEncoding.DecodeString(s); return b }
	var h map[string]string
	if err := json.Unmarshal(dec(parts[0]), &h); err != nil || h["alg"] != "SM2-PKE" || h["enc"] != "SM4GCM" || h["kid"] != "did:weid:1:0x01#key-1" {
		t.Fatalf("header %s", dec(parts[0]))
	}
	// Independently: SM2 (C1‖C3‖C2) then SM4-GCM with the header as AAD.
	ek := dec(parts[1])
	if len(ek) != 65+32+16 || ek[0] != 4 {
		t.Fatalf("encrypted key of %d bytes", len(ek))
	}
	cek, err := sm2.Decrypt(k.SM2Key(), ek)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := sm4.NewCipher(cek)
	gcm, _ := cipher.NewGCM(block)
	pt, err := gcm.Open(nil, dec(parts[2]), append(dec(parts[3]), dec(parts[4])...), []byte(parts[0]))
	if err != nil || !bytes.Equal(pt, msg) {
		t.Fatalf("independent decryption: %v", err)
	}
	if pt, err := grants.Decrypt(k, tok); err != nil || !bytes.Equal(pt, msg) {
		t.Fatalf("Decrypt: %v", err)
	}
	if err := grants.CanReceive(k.Public()); err != nil {
		t.Fatal(err)
	}
	flip := func(i int) string {
		p := append([]string(nil), parts...)
		b := dec(p[i])
		b[len(b)/2] ^= 1
		p[i] = base64.RawURLEncoding.EncodeToString(b)
		return strings.Join(p, ".")
	}
	other, _ := keys.Generate(keys.SM2)
	ed, _ := keys.Generate(keys.Ed25519)
	edTok, _ := grants.Encrypt(ed.Public(), "x", msg)
	bad := map[string]struct {
		key *keys.PrivateKey
		tok string
	}{
		"another SM2 key":    {other, tok},
		"header changed":     {k, flip(0)},
		"key changed":        {k, flip(1)},
		"IV changed":         {k, flip(2)},
		"ciphertext":         {k, flip(3)},
		"tag changed":        {k, flip(4)},
		"four segments":      {k, strings.Join(parts[:4], ".")},
		"ECDH-ES JWE":        {k, edTok},
		"alg A256GCM":        {k, base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"ECDH-ES","enc":"SM4GCM"}`)) + "." + strings.Join(parts[1:], ".")},
		"not base64":         {k, "!." + strings.Join(parts[1:], ".")},
		"crit":               {k, base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"SM2-PKE","enc":"SM4GCM","crit":["x"]}`)) + "." + strings.Join(parts[1:], ".")},
		"short tag":          {k, strings.Join(append(append([]string(nil), parts[:4]...), "AAAA"), ".")},
		"SM2 JWE to Ed25519": {ed, tok},
	}
	for name, b := range bad {
		if _, err := grants.Decrypt(b.key, b.tok); err == nil {
			t.Errorf("%s: decrypts", name)
		} else if strings.Contains(err.Error(), "Bachelor") {
			t.Errorf("%s: the error shows the plaintext: %v", name, err)
		}
	}
}

// FuzzDecryptSM2: any token given to an SM2 key decrypts or fails with an
// error, never a panic.
func FuzzDecryptSM2(f *testing.F) {
	k, _ := keys.Generate(keys.SM2)
	msg := []byte(`{"degree":"Bachelor"}`)
	tok, _ := grants.Encrypt(k.Public(), "kid", msg)
	f.Add(tok)
	f.Add(strings.Replace(tok, ".", "..", 1))
	f.Add("e30.AA.AA.AA.AA")
	f.Fuzz(func(t *testing.T, s string) {
		// Only a token made for k by Encrypt authenticates; anything else
		// is an error (SM4-GCM's tag covers the header, IV and content).
		if pt, err := grants.Decrypt(k, s); err == nil && s != tok && bytes.Equal(pt, msg) && strings.Split(s, ".")[3] != strings.Split(tok, ".")[3] {
			t.Fatalf("%q decrypts to the message with another ciphertext", s)
		}
	})
}
