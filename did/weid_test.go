package did

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/weidgo/weid/keys"
)

func TestParseWeid(t *testing.T) {
	t.Parallel()
	good := "did:weid:1:0x2c7536e3605d9c16a7a3d7b1898e529396a65c23"
	cases := []struct {
		in string
		ok bool
	}{
		{good, true},
		{"did:weid:chain-A.test_1:0x2c7536e3605d9c16a7a3d7b1898e529396a65c23", true},
		{"did:weid:1:0x2C7536e3605d9c16a7a3d7b1898e529396a65c23", false}, // uppercase hex
		{"did:weid:1:2c7536e3605d9c16a7a3d7b1898e529396a65c23", false},   // no 0x
		{"did:weid:1:0x2c7536e3605d9c16a7a3d7b1898e529396a65c2", false},  // 39 digits
		{"did:weid:1:0x2c7536e3605d9c16a7a3d7b1898e529396a65c233", false},
		{"did:weid::0x2c7536e3605d9c16a7a3d7b1898e529396a65c23", false},
		{"did:weid:1:0x2c7536e3605d9c16a7a3d7b1898e529396a65c23#key-1", false},
		{"did:weid:a:b:0x2c7536e3605d9c16a7a3d7b1898e529396a65c23", false},
		{"did:weid:1:0xgc7536e3605d9c16a7a3d7b1898e529396a65c23", false},
		{"did:key:1:0x2c7536e3605d9c16a7a3d7b1898e529396a65c23", false},
		{"did:weid:" + strings.Repeat("a", 65) + ":0x2c7536e3605d9c16a7a3d7b1898e529396a65c23", false},
		{"", false},
	}
	for _, c := range cases {
		_, _, err := ParseWeid(c.in)
		if (err == nil) != c.ok {
			t.Errorf("ParseWeid(%q) error %v, want ok=%v", c.in, err, c.ok)
		}
	}
}

// The secp256k1 did:weid address is the Ethereum / FISCO BCOS account
// address, as in WeIdentity (vector: the well-known key of the web3 docs).
func TestWeidDID_Secp256k1IsEthereumAddress(t *testing.T) {
	t.Parallel()
	seed, _ := hex.DecodeString("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
	k, err := keys.PrivateKeyFromSeed(keys.Secp256k1, seed)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := WeidDID("1", k.Public()), "did:weid:1:0x2c7536e3605d9c16a7a3d7b1898e529396a65c23"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestWeidDID_RoundTripsForEveryKeyType(t *testing.T) {
	t.Parallel()
	for _, kt := range []keys.Type{keys.Ed25519, keys.P256, keys.Secp256k1} {
		k, _ := keys.Generate(kt)
		d := WeidDID("7", k.Public())
		chainID, addr, err := ParseWeid(d)
		if err != nil || chainID != "7" || addr != k.Public().Address() {
			t.Fatalf("%s: %s → %q %x %v", kt, d, chainID, addr, err)
		}
		if _, err := ParseDID(d); err != nil {
			t.Fatalf("%s: not a DID: %v", kt, err)
		}
	}
}

func FuzzParseWeid(f *testing.F) {
	for _, s := range []string{
		"did:weid:1:0x2c7536e3605d9c16a7a3d7b1898e529396a65c23",
		"did:weid:chain.a:0x0000000000000000000000000000000000000000",
		"did:weid:1:0x2C7536e3605d9c16a7a3d7b1898e529396a65c23",
		"did:weid:1:0x",
		"did:weid::",
		"did:weid:1:0x2c7536e3605d9c16a7a3d7b1898e529396a65c23#key-1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		chainID, addr, err := ParseWeid(s)
		if err != nil {
			return
		}
		// Whatever parses is a valid DID and prints back to itself.
		if _, err := ParseDID(s); err != nil {
			t.Fatalf("ParseWeid accepted %q, which is not a DID: %v", s, err)
		}
		if back := "did:weid:" + chainID + ":0x" + hex.EncodeToString(addr[:]); back != s {
			t.Fatalf("round trip %q → %q", s, back)
		}
	})
}
