package jose_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/emmansun/gmsm/sm2"

	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
)

// TestJWS_SM2: an SM2 key signs a compact JWS with "alg" "SM2" whose
// signature is r‖s over SM3(Z_A ‖ signing input) with the default
// identifier, which gmsm verifies on its own; tampering and a key of
// another type are refused.
func TestJWS_SM2(t *testing.T) {
	t.Parallel()
	k := keytest.New(t, keys.SM2)
	tok, err := jose.Sign(k, jose.Header{Typ: "vc+jwt", Kid: testKid}, testPayload)
	if err != nil {
		t.Fatal(err)
	}
	j, err := jose.Parse(tok, "vc+jwt")
	if err != nil {
		t.Fatal(err)
	}
	if j.Header.Alg != jose.AlgSM2 {
		t.Fatalf("alg %q", j.Header.Alg)
	}
	if err := j.Verify(k.Public()); err != nil {
		t.Fatal(err)
	}
	// Independently: gmsm's SM2-with-SM3 and default identifier over the
	// JWS signing input.
	parts := strings.Split(tok, ".")
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	der, err := keys.SM2SignatureDER(sig)
	if err != nil {
		t.Fatal(err)
	}
	if !sm2.VerifyASN1WithSM2(k.Public().SM2Key(), nil, []byte(parts[0]+"."+parts[1]), der) {
		t.Fatal("gmsm does not verify the JWS signature")
	}
	tj, err := jose.Parse(tamper(tok), "vc+jwt")
	if err != nil {
		t.Fatal(err)
	}
	if err := tj.Verify(k.Public()); !errors.Is(err, jose.ErrBadSignature) {
		t.Fatalf("tampered: %v", err)
	}
	for _, kt := range []keys.Type{keys.P256, keys.Secp256k1, keys.Ed25519} {
		other, _ := keys.Generate(kt)
		if err := j.Verify(other.Public()); !errors.Is(err, jose.ErrUnsupportedAlg) {
			t.Fatalf("%s key for SM2: %v", kt, err)
		}
	}
	other, _ := keys.Generate(keys.SM2)
	if err := j.Verify(other.Public()); !errors.Is(err, jose.ErrBadSignature) {
		t.Fatalf("another SM2 key: %v", err)
	}
	if alg, err := jose.AlgFor(keys.SM2); err != nil || alg != "SM2" {
		t.Fatalf("AlgFor(SM2) = %q, %v", alg, err)
	}
	if kt, err := jose.KeyTypeFor("SM2"); err != nil || kt != keys.SM2 {
		t.Fatalf("KeyTypeFor(SM2) = %q, %v", kt, err)
	}
}

// TestPublicJWK_SM2: {"kty": "EC", "crv": "SM2"} round-trips; an SM2 curve
// under another kty, or another curve's point named SM2, is refused clearly.
func TestPublicJWK_SM2(t *testing.T) {
	t.Parallel()
	k, _ := keys.Generate(keys.SM2)
	raw, err := jose.PublicJWK(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil || m["kty"] != "EC" || m["crv"] != "SM2" || len(m["x"]) != 43 || len(m["y"]) != 43 {
		t.Fatalf("SM2 JWK %s", raw)
	}
	pk, err := jose.ParsePublicJWK(raw)
	if err != nil || !pk.Equal(k.Public()) {
		t.Fatalf("round trip: %v", err)
	}
	p, _ := keys.Generate(keys.P256)
	pj, _ := jose.PublicJWK(p.Public())
	tests := map[string]struct {
		jwk  string
		want string
	}{
		"kty OKP":               {strings.Replace(string(raw), `"EC"`, `"OKP"`, 1), `"kty": "EC"`},
		"kty RSA":               {strings.Replace(string(raw), `"EC"`, `"RSA"`, 1), `"kty": "EC"`},
		"no kty":                {strings.Replace(string(raw), `"kty":"EC",`, ``, 1), `"kty": "EC"`},
		"P-256 point named SM2": {strings.Replace(string(pj), `"P-256"`, `"SM2"`, 1), "SM2 curve"},
		"short x":               {strings.Replace(string(raw), m["x"], m["x"][:40], 1), "32 bytes"},
		"with d":                {strings.Replace(string(raw), `}`, `,"d":"AAAA"}`, 1), "private"},
	}
	for name, tt := range tests {
		_, err := jose.ParsePublicJWK([]byte(tt.jwk))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %s: error %v, want one mentioning %q", name, tt.jwk, err, tt.want)
		}
	}
}
