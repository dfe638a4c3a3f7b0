package keys

import (
	"bytes"
	"math/big"
	"testing"
)

// TestLowS_HighSBecomesTheLowForm: an ECDSA signature with its s replaced
// by n−s is turned back into the signature Sign made, which verifies;
// low-S and Ed25519 signatures are left as they are.
func TestLowS_HighSBecomesTheLowForm(t *testing.T) {
	msg := []byte("weid")
	for _, tc := range []struct {
		t Type
		n *big.Int
	}{{P256, orderP256}, {Secp256k1, orderSecp256k1}} {
		k, err := Generate(tc.t)
		if err != nil {
			t.Fatal(err)
		}
		low, err := k.Sign(msg)
		if err != nil {
			t.Fatal(err)
		}
		high := bytes.Clone(low)
		new(big.Int).Sub(tc.n, new(big.Int).SetBytes(low[32:])).FillBytes(high[32:])
		if k.Public().Verify(msg, high) {
			t.Fatalf("%s: Verify took a high-S signature", tc.t)
		}
		if got := LowS(tc.t, high); !bytes.Equal(got, low) || !k.Public().Verify(msg, got) {
			t.Errorf("%s: LowS of the high-S signature is not the low one", tc.t)
		}
		if got := LowS(tc.t, low); !bytes.Equal(got, low) {
			t.Errorf("%s: LowS changed a low-S signature", tc.t)
		}
	}
	ed, err := Generate(Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	sig, _ := ed.Sign(msg)
	if got := LowS(Ed25519, sig); !bytes.Equal(got, sig) {
		t.Error("LowS changed an Ed25519 signature")
	}
}
