package jose_test

import (
	"bytes"
	"crypto/elliptic"
	"encoding/base64"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
)

var testPayload = []byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"issuer":"did:example:issuer","credentialSubject":{"name":"Alice"}}`)

const testKid = "did:example:issuer#key-1"

// jwxKeys returns the jwx algorithm and the stdlib private and public keys
// of k.
func jwxKeys(t *testing.T, k *keys.PrivateKey) (jwa.SignatureAlgorithm, any, any) {
	t.Helper()
	switch k.Type() {
	case keys.Ed25519:
		return jwa.EdDSA, k.Ed25519Key(), k.Public().Ed25519Key()
	case keys.P256:
		return jwa.ES256, k.ECDSAKey(), k.Public().ECDSAKey()
	}
	t.Fatalf("no jwx algorithm for %s", k.Type())
	return "", nil, nil
}

// tamper returns tok with its payload replaced by a slightly different
// one, keeping the header and signature.
func tamper(tok string) string {
	parts := strings.Split(tok, ".")
	p, _ := base64.RawURLEncoding.DecodeString(parts[1])
	p = bytes.Replace(p, []byte("Alice"), []byte("Alicf"), 1)
	parts[1] = base64.RawURLEncoding.EncodeToString(p)
	return strings.Join(parts, ".")
}

// TestJWSDifferential checks SignJWS and ParseJWS/Verify against
// github.com/lestrrat-go/jwx/v2: each verifies what the other signs, and
// neither accepts a tampered token.
func TestJWSDifferential(t *testing.T) {
	for _, kt := range []keys.Type{keys.Ed25519, keys.P256} {
		t.Run(string(kt), func(t *testing.T) {
			k := keytest.New(t, kt)
			alg, priv, pub := jwxKeys(t, k)
			highS := 0
			for i := 0; i < 32; i++ {
				// Ours → jwx.
				tok, err := credential.SignJWS(k, testKid, testPayload)
				if err != nil {
					t.Fatal(err)
				}
				got, err := jws.Verify([]byte(tok), jws.WithKey(alg, pub))
				if err != nil {
					t.Fatalf("jwx rejects our token: %v", err)
				}
				if !bytes.Equal(got, testPayload) {
					t.Fatalf("jwx payload %s", got)
				}
				if _, err := jws.Verify([]byte(tamper(tok)), jws.WithKey(alg, pub)); err == nil {
					t.Fatal("jwx accepts our tampered token")
				}

				// jwx → ours.
				hdr := jws.NewHeaders()
				for name, v := range map[string]string{"typ": "vc+jwt", "cty": "vc", "kid": testKid} {
					if err := hdr.Set(name, v); err != nil {
						t.Fatal(err)
					}
				}
				theirs, err := jws.Sign(testPayload, jws.WithKey(alg, priv, jws.WithProtectedHeaders(hdr)))
				if err != nil {
					t.Fatal(err)
				}
				j, err := credential.ParseJWS(string(theirs))
				if err != nil {
					t.Fatalf("ParseJWS(jwx token): %v", err)
				}
				if j.Header.Kid != testKid || j.Header.Alg != alg.String() || !bytes.Equal(j.Payload, testPayload) {
					t.Fatalf("parsed %+v %s", j.Header, j.Payload)
				}
				if err := j.Verify(k.Public()); err != nil {
					t.Fatalf("we reject jwx's token: %v", err)
				}
				if kt == keys.P256 && isHighS(j.Signature) {
					highS++
				}
				tj, err := credential.ParseJWS(tamper(string(theirs)))
				if err != nil {
					t.Fatal(err)
				}
				if err := tj.Verify(k.Public()); !errors.Is(err, jose.ErrBadSignature) {
					t.Fatalf("tampered jwx token: %v", err)
				}
			}
			if kt == keys.P256 && highS == 0 {
				t.Error("jwx produced no high-S signature in 32 tries, so their acceptance is untested") // probability 2^-32
			}
		})
	}
}

func isHighS(sig []byte) bool {
	s := new(big.Int).SetBytes(sig[32:])
	return s.Cmp(new(big.Int).Rsh(elliptic.P256().Params().N, 1)) > 0
}

func TestJWSES256K(t *testing.T) {
	k := keytest.New(t, keys.Secp256k1)
	tok, err := credential.SignJWS(k, testKid, testPayload)
	if err != nil {
		t.Fatal(err)
	}
	j, err := credential.ParseJWS(tok)
	if err != nil {
		t.Fatal(err)
	}
	if j.Header.Alg != "ES256K" {
		t.Fatalf("alg %s", j.Header.Alg)
	}
	if err := j.Verify(k.Public()); err != nil {
		t.Fatal(err)
	}
	// The high-S twin of the signature verifies too (JOSE allows it).
	n := new(big.Int).SetBytes([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
		0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41})
	s := new(big.Int).SetBytes(j.Signature[32:])
	high := append([]byte(nil), j.Signature...)
	new(big.Int).Sub(n, s).FillBytes(high[32:])
	parts := strings.Split(tok, ".")
	twin, err := credential.ParseJWS(parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(high))
	if err != nil {
		t.Fatal(err)
	}
	if err := twin.Verify(k.Public()); err != nil {
		t.Fatalf("high-S twin: %v", err)
	}
	tj, err := credential.ParseJWS(tamper(tok))
	if err != nil {
		t.Fatal(err)
	}
	if err := tj.Verify(k.Public()); !errors.Is(err, jose.ErrBadSignature) {
		t.Fatalf("tampered: %v", err)
	}
	// A key of another type is refused for the alg.
	other, _ := keys.Generate(keys.P256)
	if err := j.Verify(other.Public()); !errors.Is(err, jose.ErrUnsupportedAlg) {
		t.Fatalf("P-256 key for ES256K: %v", err)
	}
}

func TestParseJWSStrict(t *testing.T) {
	k, _ := keys.Generate(keys.Ed25519)
	good, err := credential.SignJWS(k, testKid, testPayload)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, ".")
	enc := base64.RawURLEncoding.EncodeToString
	withHeader := func(h string) string { return enc([]byte(h)) + "." + parts[1] + "." + parts[2] }
	for name, tok := range map[string]string{
		"empty":             "",
		"two segments":      parts[0] + "." + parts[1],
		"four segments":     good + "." + parts[2],
		"empty payload":     parts[0] + ".." + parts[2],
		"padding":           parts[0] + "." + parts[1] + "=." + parts[2],
		"newline":           parts[0] + "." + parts[1][:10] + "\n" + parts[1][10:] + "." + parts[2],
		"std alphabet":      parts[0] + "." + strings.NewReplacer("-", "+", "_", "/").Replace(parts[1]) + "+." + parts[2],
		"short signature":   parts[0] + "." + parts[1] + "." + parts[2][:40],
		"too long":          parts[0] + "." + strings.Repeat("A", credential.MaxTokenBytes) + "." + parts[2],
		"header not JSON":   withHeader(`alg=EdDSA`),
		"header array":      withHeader(`["EdDSA"]`),
		"alg none":          withHeader(`{"alg":"none","typ":"vc+jwt"}`),
		"alg HS256":         withHeader(`{"alg":"HS256","typ":"vc+jwt"}`),
		"alg missing":       withHeader(`{"typ":"vc+jwt"}`),
		"alg number":        withHeader(`{"alg":1,"typ":"vc+jwt"}`),
		"typ JWT":           withHeader(`{"alg":"EdDSA","typ":"JWT"}`),
		"typ missing":       withHeader(`{"alg":"EdDSA"}`),
		"cty wrong":         withHeader(`{"alg":"EdDSA","typ":"vc+jwt","cty":"vp"}`),
		"kid number":        withHeader(`{"alg":"EdDSA","typ":"vc+jwt","kid":7}`),
		"crit":              withHeader(`{"alg":"EdDSA","typ":"vc+jwt","crit":["exp"],"exp":1}`),
		"b64 false":         withHeader(`{"alg":"EdDSA","typ":"vc+jwt","b64":false,"crit":["b64"]}`),
		"b64 false alone":   withHeader(`{"alg":"EdDSA","typ":"vc+jwt","b64":false}`),
		"duplicate alg":     withHeader(`{"alg":"EdDSA","typ":"vc+jwt","alg":"ES256"}`),
		"trailing data":     withHeader(`{"alg":"EdDSA","typ":"vc+jwt"} {}`),
		"non-canonical b64": parts[0] + "." + parts[1] + "." + parts[2][:len(parts[2])-1] + "B",
	} {
		if _, err := credential.ParseJWS(tok); !errors.Is(err, jose.ErrMalformedJWS) {
			t.Errorf("%s: got %v, want ErrMalformedJWS", name, err)
		}
	}
	// Accepted variants.
	for name, h := range map[string]string{
		"application typ": `{"alg":"EdDSA","typ":"application/vc+jwt"}`,
		"no cty, no kid":  `{"alg":"EdDSA","typ":"vc+jwt"}`,
		"b64 true":        `{"alg":"EdDSA","typ":"vc+jwt","b64":true}`,
		"unknown ignored": `{"alg":"EdDSA","typ":"vc+jwt","x-note":"hi"}`,
	} {
		if _, err := credential.ParseJWS(withHeader(h)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
