package keys

import (
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	k1ecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/emmansun/gmsm/sm2"
)

func TestParsePrivateKey_OpenSSLFiles(t *testing.T) {
	t.Parallel()
	pass := []byte("correct-horse")
	for _, tc := range []struct {
		file string
		typ  Type
		pass []byte
	}{
		{"ed25519.pem", Ed25519, nil},
		{"p256.pem", P256, nil},
		{"secp256k1.pem", Secp256k1, nil},
		{"secp256k1-sec1.pem", Secp256k1, nil},
		{"p256-encrypted.pem", P256, pass},
		{"ed25519-scrypt.pem", Ed25519, pass},
		{"sm2.pem", SM2, nil},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			b := readVector(t, tc.file)
			k, err := ParsePrivateKey(b, tc.pass)
			if err != nil {
				t.Fatal(err)
			}
			want := strings.TrimSpace(string(readVector(t, strings.TrimSuffix(tc.file, ".pem")+".pub.hex")))
			got := k.Public().Uncompressed()
			if tc.typ != Ed25519 {
				got = append([]byte{4}, got...)
			}
			if k.Type() != tc.typ || hex.EncodeToString(got) != want {
				t.Fatalf("got %s key %x, OpenSSL says %s %s", k.Type(), got, tc.typ, want)
			}
			sig, err := k.Sign([]byte("imported"))
			if err != nil || !k.Public().Verify([]byte("imported"), sig) {
				t.Fatalf("the imported key does not sign: %v", err)
			}
		})
	}
}

func TestParsePrivateKey_RefusesClearly(t *testing.T) {
	t.Parallel()
	k := mustGenerate(t, P256)
	pubJWK := `{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}`
	other, _ := MarshalPrivateJWK(mustGenerate(t, P256))
	mixed := strings.Replace(string(other), `"d":"`, `"d":"`+string(mustJWKField(t, k, "d"))+`","e":"`, 1)
	for _, tc := range []struct {
		name string
		in   []byte
		pass []byte
		want error
		says string
	}{
		{"public PEM", readVector(t, "p256-public.pem"), nil, ErrPublicOnly, "public key only"},
		{"public JWK", []byte(pubJWK), nil, ErrPublicOnly, "public key only"},
		{"encrypted PEM without passphrase", readVector(t, "p256-encrypted.pem"), nil, ErrPassphraseRequired, "passphrase"},
		{"encrypted PEM, wrong passphrase", readVector(t, "p256-encrypted.pem"), []byte("wrong"), ErrWrongPassphrase, "wrong passphrase"},
		{"scrypt PEM, wrong passphrase", readVector(t, "ed25519-scrypt.pem"), []byte("wrong"), ErrWrongPassphrase, "wrong passphrase"},
		{"legacy encrypted PEM", readVector(t, "secp256k1-legacy-encrypted.pem"), pass("x"), ErrKeyFormat, "openssl pkcs8 -topk8"},
		{"JWK whose d is another key's", []byte(mixed), nil, ErrKeyFormat, "not its private key's"},
		{"JWK of another curve", []byte(`{"kty":"EC","crv":"P-384","x":"AA","y":"AA","d":"AA"}`), nil, ErrUnsupportedKeyType, "P-384"},
		{"JWK with kty OKP and crv P-256", []byte(`{"kty":"OKP","crv":"P-256","x":"AA","d":"AA"}`), nil, ErrUnsupportedKeyType, "kty \"OKP\""},
		{"JWK d of the wrong length", []byte(`{"kty":"OKP","crv":"Ed25519","x":"AA","d":"AAAA"}`), nil, ErrKeyFormat, "32 bytes"},
		{"weid key file without passphrase", mustKeyFile(t), nil, ErrPassphraseRequired, "passphrase"},
		{"weid key file, wrong passphrase", mustKeyFile(t), []byte("nope"), ErrWrongPassphrase, "wrong passphrase"},
		{"other JSON", []byte(`{"hello":"world"}`), nil, ErrKeyFormat, "neither"},
		{"duplicate JSON members", []byte(`{"kty":"OKP","kty":"EC"}`), nil, ErrKeyFormat, ""},
		{"empty", []byte("  \n"), nil, ErrKeyFormat, "empty"},
		{"text", []byte("hello world"), nil, ErrKeyFormat, "want a weid key file"},
		{"zero scalar", []byte("0"), nil, ErrKeyFormat, "positive"},
		{"too big scalar", []byte("0x1" + strings.Repeat("0", 64)), nil, ErrKeyFormat, "256-bit"},
		{"certificate request PEM", []byte("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"), nil, ErrKeyFormat, "CERTIFICATE REQUEST"},
		{"garbage PKCS#8", []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), nil, ErrKeyFormat, "malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParsePrivateKey(tc.in, tc.pass)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("err = %v, want %v saying %q", err, tc.want, tc.says)
			}
		})
	}
}

func pass(s string) []byte { return []byte(s) }

func TestParsePrivateKey_JWKAndKeyFileRoundTrip(t *testing.T) {
	t.Parallel()
	forEachType(t, func(t *testing.T, typ Type) {
		k := mustGenerate(t, typ)
		jwk, err := MarshalPrivateJWK(k)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParsePrivateKey(jwk, nil)
		if err != nil || !got.Public().Equal(k.Public()) {
			t.Fatalf("JWK: %v", err)
		}
		kf, err := EncryptKeyFile(k, "did:weid:1:0x00", []byte("pw"))
		if err != nil {
			t.Fatal(err)
		}
		got, err = ParsePrivateKey(kf, []byte("pw"))
		if err != nil || !got.Public().Equal(k.Public()) {
			t.Fatalf("key file: %v", err)
		}
	})
}

func TestParsePrivateKey_RFCJWKs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, jwk string }{
		// RFC 8037 §A.1 and §A.2.
		{"RFC 8037 A.1 Ed25519", `{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`},
		// RFC 7515 §A.3.1.
		{"RFC 7515 A.3 P-256", `{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}`},
	} {
		if _, err := ParsePrivateKey([]byte(tc.jwk), nil); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestParsePrivateKey_WeIdentityScalar(t *testing.T) {
	t.Parallel()
	k := mustGenerate(t, Secp256k1)
	seed := k.Seed()
	for _, in := range []string{"0x" + hex.EncodeToString(seed), bigDecimal(seed) + "\n"} {
		got, err := ParsePrivateKey([]byte(in), nil)
		if err != nil || !got.Public().Equal(k.Public()) || got.Public().Address() != k.Public().Address() {
			t.Fatalf("%q: %v", in, err)
		}
	}
}

func TestExternalKey_NotExportable(t *testing.T) {
	t.Parallel()
	mem := mustGenerate(t, Ed25519)
	k, err := NewExternalKey(mem.Public(), memSigner{mem})
	if err != nil {
		t.Fatal(err)
	}
	if k.Exportable() || k.Seed() != nil || k.Ed25519Key() != nil {
		t.Fatal("an external key shows a secret")
	}
	if _, err := k.ExportSeed(); !errors.Is(err, ErrNotExportable) {
		t.Fatalf("ExportSeed: %v", err)
	}
	if _, err := EncryptKeyFile(k, "", []byte("pw")); !errors.Is(err, ErrNotExportable) {
		t.Fatalf("EncryptKeyFile: %v", err)
	}
	if _, err := MarshalPrivateJWK(k); !errors.Is(err, ErrNotExportable) {
		t.Fatalf("MarshalPrivateJWK: %v", err)
	}
}

func readVector(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "import", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustKeyFile(t *testing.T) []byte {
	t.Helper()
	b, err := EncryptKeyFile(mustGenerate(t, Ed25519), "", []byte("right"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustJWKField(t *testing.T, k *PrivateKey, name string) string {
	t.Helper()
	b, err := MarshalPrivateJWK(k)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, `"`+name+`":"`) + len(name) + 4
	return s[i : i+strings.IndexByte(s[i:], '"')]
}

func FuzzParsePrivateKey(f *testing.F) {
	for _, name := range []string{"ed25519.pem", "p256.pem", "secp256k1-sec1.pem", "p256-encrypted.pem", "p256-public.pem", "sm2.pem"} {
		b, err := os.ReadFile(filepath.Join("testdata", "import", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`))
	f.Add([]byte("0x1234"))
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := ParsePrivateKey(b, []byte("correct-horse"))
		if err == nil {
			sig, err := k.Sign(b)
			if err != nil || !k.Public().Verify(b, sig) {
				t.Fatalf("a parsed key does not sign: %v", err)
			}
		}
	})
}

// memSigner signs as an external signer would, with an in-memory key.
type memSigner struct{ k *PrivateKey }

func (m memSigner) SignRaw(in []byte) ([]byte, error) {
	switch m.k.Type() {
	case Ed25519:
		return m.k.Sign(in)
	case SM2: // in is e = SM3(Z_A ‖ M), signed as it is
		der, err := sm2.SignASN1(rand.Reader, m.k.sm, in, nil)
		if err != nil {
			return nil, err
		}
		return SM2SignatureFromDER(der)
	}
	return signDigest(m.k, in)
}

func bigDecimal(b []byte) string { return new(big.Int).SetBytes(b).String() }

// signDigest signs a SHA-256 digest as a PKCS#11 CKM_ECDSA would: r‖s with
// whichever S the signature came out with.
func signDigest(k *PrivateKey, digest []byte) ([]byte, error) {
	out := make([]byte, SignatureSize)
	switch k.Type() {
	case P256:
		r, s, err := ecdsa.Sign(rand.Reader, k.ec, digest)
		if err != nil {
			return nil, err
		}
		r.FillBytes(out[:32])
		s.FillBytes(out[32:])
	case Secp256k1:
		sig := k1ecdsa.Sign(k.k1, digest)
		r, s := sig.R(), sig.S()
		if len(digest)%2 == 0 { // also hand back high-S signatures
			s.Negate()
		}
		r.PutBytesUnchecked(out[:32])
		s.PutBytesUnchecked(out[32:])
	}
	return out, nil
}

func TestExternalKey_SignsAsInMemory(t *testing.T) {
	t.Parallel()
	forEachType(t, func(t *testing.T, typ Type) {
		mem := mustGenerate(t, typ)
		k, err := NewExternalKey(mem.Public(), memSigner{mem})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 64 {
			msg := []byte(strings.Repeat("m", i))
			sig, err := k.Sign(msg)
			if err != nil || !mem.Public().Verify(msg, sig) {
				t.Fatalf("signature %d: %v", i, err)
			}
		}
		bad, _ := NewExternalKey(mustGenerate(t, typ).Public(), memSigner{mem})
		if _, err := bad.Sign([]byte("x")); !errors.Is(err, ErrExternalSignature) {
			t.Fatalf("a module holding another key: %v", err)
		}
	})
}
