package jose_test

import (
	"testing"

	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
)

func TestPublicJWKRoundTrip(t *testing.T) {
	for _, kt := range []keys.Type{keys.Ed25519, keys.P256, keys.Secp256k1, keys.SM2} {
		k := keytest.New(t, kt)
		raw, err := jose.PublicJWK(k.Public())
		if err != nil {
			t.Fatal(err)
		}
		pk, err := jose.ParsePublicJWK(raw)
		if err != nil {
			t.Fatalf("%s: %v (%s)", kt, err, raw)
		}
		if !pk.Equal(k.Public()) {
			t.Fatalf("%s: round trip changed the key", kt)
		}
	}
	if _, err := jose.ParsePublicJWK([]byte(`{"kty":"OKP","crv":"Ed25519","x":"AAAA","d":"AAAA"}`)); err == nil {
		t.Fatal("a private JWK was accepted")
	}
}
