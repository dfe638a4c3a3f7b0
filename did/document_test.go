package did

import (
	"testing"

	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
)

func TestVerificationMethodPublicKey_MultikeyJWKAndNone(t *testing.T) {
	k := keytest.New(t, keys.P256)
	jwk, err := jose.PublicJWK(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		vm   VerificationMethod
		ok   bool
	}{
		{"Multikey", VerificationMethod{Type: MultikeyType, PublicKeyMultibase: k.Public().Multibase()}, true},
		{"JsonWebKey", VerificationMethod{Type: JSONWebKeyType, PublicKeyJwk: jwk}, true},
		{"publicKeyBase58", VerificationMethod{Type: "Ed25519VerificationKey2018", PublicKeyBase58: "11111111111111111111111111111111"}, false},
		{"bad multibase", VerificationMethod{Type: MultikeyType, PublicKeyMultibase: "zNotAKey"}, false},
	} {
		pk, err := tt.vm.PublicKey()
		if tt.ok != (err == nil) {
			t.Fatalf("%s: err %v, want ok %v", tt.name, err, tt.ok)
		}
		if tt.ok && !pk.Equal(k.Public()) {
			t.Fatalf("%s: got another key", tt.name)
		}
	}
}
