package keys

import (
	"bytes"
	"crypto/ed25519"
	"crypto/elliptic"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/mr-tron/base58"
)

var allTypes = []Type{Ed25519, P256, Secp256k1, SM2}

func mustGenerate(t *testing.T, typ Type) *PrivateKey {
	t.Helper()
	k, err := Generate(typ)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// forEachType runs f in a parallel subtest for every key type.
func forEachType(t *testing.T, f func(t *testing.T, typ Type)) {
	for _, typ := range allTypes {
		t.Run(string(typ), func(t *testing.T) {
			t.Parallel()
			f(t, typ)
		})
	}
}

func TestSignVerify(t *testing.T) {
	t.Parallel()
	forEachType(t, func(t *testing.T, typ Type) {
		k := mustGenerate(t, typ)
		other := mustGenerate(t, typ)
		if k.Type() != typ || k.Public().Type != typ {
			t.Fatalf("type %s / %s", k.Type(), k.Public().Type)
		}
		wantLen := 33
		if typ == Ed25519 {
			wantLen = 32
		}
		if len(k.Public().Bytes) != wantLen {
			t.Fatalf("public key is %d bytes, want %d", len(k.Public().Bytes), wantLen)
		}
		for _, msg := range [][]byte{nil, []byte("hello"), bytes.Repeat([]byte{0xff}, 1000)} {
			sig, err := k.Sign(msg)
			if err != nil {
				t.Fatal(err)
			}
			if len(sig) != SignatureSize {
				t.Fatalf("signature is %d bytes", len(sig))
			}
			if !k.Public().Verify(msg, sig) {
				t.Fatal("signature does not verify")
			}
			rejects := map[string]struct {
				pub PublicKey
				msg []byte
				sig []byte
			}{
				"other key":         {other.Public(), msg, sig},
				"other message":     {k.Public(), append(append([]byte{}, msg...), 0), sig},
				"flipped bit":       {k.Public(), msg, flip(sig, 7)},
				"flipped last bit":  {k.Public(), msg, flip(sig, 63)},
				"truncated":         {k.Public(), msg, sig[:63]},
				"extended":          {k.Public(), msg, append(append([]byte{}, sig...), 0)},
				"empty":             {k.Public(), msg, nil},
				"zero":              {k.Public(), msg, make([]byte, 64)},
				"zero public key":   {PublicKey{}, msg, sig},
				"wrong type tag":    {PublicKey{Type: "RSA", Bytes: k.Public().Bytes}, msg, sig},
				"r zero, s kept":    {k.Public(), msg, append(make([]byte, 32), sig[32:]...)},
				"s zero, r kept":    {k.Public(), msg, append(append([]byte{}, sig[:32]...), make([]byte, 32)...)},
				"all ones":          {k.Public(), msg, bytes.Repeat([]byte{0xff}, 64)},
				"r and s swapped":   {k.Public(), msg, append(append([]byte{}, sig[32:]...), sig[:32]...)},
				"halves duplicated": {k.Public(), msg, append(append([]byte{}, sig[:32]...), sig[:32]...)},
			}
			for name, r := range rejects {
				if r.pub.Verify(r.msg, r.sig) {
					t.Errorf("%s: verifies", name)
				}
			}
		}
	})
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 1
	return c
}

// TestECDSASignaturesAreLowS: every ECDSA signature has s <= n/2, and the
// other valid encoding of the same signature, (r, n-s), is refused.
func TestECDSASignaturesAreLowS(t *testing.T) {
	t.Parallel()
	orders := map[Type]*big.Int{
		P256:      elliptic.P256().Params().N,
		Secp256k1: secp256k1Order,
	}
	for typ, n := range orders {
		t.Run(string(typ), func(t *testing.T) {
			t.Parallel()
			half := new(big.Int).Rsh(n, 1)
			k := mustGenerate(t, typ)
			for i := range 64 {
				msg := []byte{byte(i), 'm'}
				sig, err := k.Sign(msg)
				if err != nil {
					t.Fatal(err)
				}
				s := new(big.Int).SetBytes(sig[32:])
				if s.Sign() == 0 || s.Cmp(half) > 0 {
					t.Fatalf("s = %x is not low", s)
				}
				high := make([]byte, 64)
				copy(high, sig[:32])
				new(big.Int).Sub(n, s).FillBytes(high[32:])
				if k.Public().Verify(msg, high) {
					t.Fatalf("the high-S form (r, n-s) of a signature verifies")
				}
				// s + n overflows 32 bytes or is >= n: refused as well.
				over := new(big.Int).Add(s, n)
				if over.BitLen() <= 256 {
					o := make([]byte, 64)
					copy(o, sig[:32])
					over.FillBytes(o[32:])
					if k.Public().Verify(msg, o) {
						t.Fatal("s + n verifies")
					}
				}
			}
		})
	}
}

func TestSecp256k1SignatureIsDeterministic(t *testing.T) {
	t.Parallel()
	k := mustGenerate(t, Secp256k1)
	a, _ := k.Sign([]byte("m"))
	b, _ := k.Sign([]byte("m"))
	if !bytes.Equal(a, b) {
		t.Fatal("RFC 6979 signatures of the same message differ")
	}
}

func TestSeedRoundTrip(t *testing.T) {
	t.Parallel()
	for _, typ := range allTypes {
		k := mustGenerate(t, typ)
		seed := k.Seed()
		if len(seed) != 32 {
			t.Fatalf("%s: seed is %d bytes", typ, len(seed))
		}
		k2, err := PrivateKeyFromSeed(typ, seed)
		if err != nil {
			t.Fatal(err)
		}
		if !k2.Public().Equal(k.Public()) || !bytes.Equal(k2.Seed(), seed) {
			t.Fatalf("%s: the seed does not rebuild the key", typ)
		}
		sig, _ := k2.Sign([]byte("x"))
		if !k.Public().Verify([]byte("x"), sig) {
			t.Fatalf("%s: the rebuilt key signs differently", typ)
		}
	}
	bad := []struct {
		typ  Type
		seed []byte
	}{
		{Ed25519, make([]byte, 31)},
		{P256, make([]byte, 33)},
		{P256, make([]byte, 32)},                                // zero scalar
		{P256, bytes.Repeat([]byte{0xff}, 32)},                  // >= n
		{Secp256k1, make([]byte, 32)},                           // zero scalar
		{Secp256k1, bytes.Repeat([]byte{0xff}, 32)},             // >= n
		{Secp256k1, secp256k1Order.FillBytes(make([]byte, 32))}, // == n
		{"RSA", make([]byte, 32)},
	}
	for _, b := range bad {
		if _, err := PrivateKeyFromSeed(b.typ, b.seed); err == nil {
			t.Errorf("PrivateKeyFromSeed(%s, %x) accepted", b.typ, b.seed)
		}
	}
	if _, err := Generate("RSA"); !errors.Is(err, ErrUnsupportedKeyType) {
		t.Errorf("Generate(RSA) = %v", err)
	}
}

func TestParseType(t *testing.T) {
	t.Parallel()
	tests := map[string]Type{
		"": Ed25519, "Ed25519": Ed25519, "ed25519": Ed25519, "EdDSA": Ed25519,
		"P-256": P256, "p256": P256, "P256": P256, "ES256": P256, "secp256r1": P256,
		"secp256k1": Secp256k1, "Secp256k1": Secp256k1, "ES256K": Secp256k1,
		"SM2": SM2, "sm2": SM2,
	}
	for in, want := range tests {
		if got, err := ParseType(in); err != nil || got != want {
			t.Errorf("ParseType(%q) = %s, %v", in, got, err)
		}
	}
	for _, in := range []string{"RSA", "X25519", "P-384", "ed448"} {
		if _, err := ParseType(in); !errors.Is(err, ErrUnsupportedKeyType) {
			t.Errorf("ParseType(%q) = %v", in, err)
		}
	}
}

func TestMultibase(t *testing.T) {
	t.Parallel()
	prefixes := map[Type]string{Ed25519: "z6Mk", P256: "zDn", Secp256k1: "zQ3s", SM2: "zEPJ"}
	for _, typ := range allTypes {
		for range 20 {
			k := mustGenerate(t, typ).Public()
			mb := k.Multibase()
			if !strings.HasPrefix(mb, prefixes[typ]) {
				t.Fatalf("%s key %s does not start with %s", typ, mb, prefixes[typ])
			}
			back, err := ParseMultibase(mb)
			if err != nil {
				t.Fatal(err)
			}
			if !back.Equal(k) || back.Multibase() != mb {
				t.Fatalf("%s: %s round-trips to %s", typ, mb, back.Multibase())
			}
		}
	}
	if (PublicKey{}).Multibase() != "" {
		t.Fatal("a zero key has a multibase form")
	}
}

// TestMultibaseKnownVectors uses keys published in the did:key and Multikey
// specifications.
func TestMultibaseKnownVectors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		mb  string
		typ Type
	}{
		{"z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", Ed25519},
		{"z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", Ed25519},
		{"zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169", P256},
		{"zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme", Secp256k1},
	}
	for _, tt := range tests {
		k, err := ParseMultibase(tt.mb)
		if err != nil {
			t.Fatalf("%s: %v", tt.mb, err)
		}
		if k.Type != tt.typ || k.Multibase() != tt.mb {
			t.Fatalf("%s: %s key re-encodes as %s", tt.mb, k.Type, k.Multibase())
		}
	}
}

func TestParseMultibaseRejects(t *testing.T) {
	t.Parallel()
	enc := func(codec uint64, raw []byte) string {
		return "z" + base58.Encode(append(binary.AppendUvarint(nil, codec), raw...))
	}
	ed := mustGenerate(t, Ed25519).Public()
	p := mustGenerate(t, P256).Public()
	tests := []struct {
		name string
		in   string
		want error // nil: any error
	}{
		{"empty", "", ErrMultibase},
		{"just z", "z", ErrMultibase},
		{"base64 multibase", "m" + ed.Multibase()[1:], ErrMultibase},
		{"not base58", "z0OIl", ErrMultibase},
		{"too long", "z" + strings.Repeat("2", 300), ErrMultibase},
		{"no varint", "z" + base58.Encode([]byte{0x80}), ErrMultibase},
		{"X25519", enc(0xec, make([]byte, 32)), ErrUnsupportedKeyType},
		{"P-384", enc(0x1201, make([]byte, 49)), ErrUnsupportedKeyType},
		{"unknown codec", enc(0x99, make([]byte, 32)), ErrUnsupportedKeyType},
		{"Ed25519 too short", enc(0xed, ed.Bytes[:31]), nil},
		{"Ed25519 too long", enc(0xed, append(append([]byte{}, ed.Bytes...), 0)), nil},
		{"P-256 off the curve", enc(0x1200, append([]byte{2}, bytes.Repeat([]byte{0xff}, 32)...)), nil},
		{"P-256 bad prefix", enc(0x1200, append([]byte{5}, p.Bytes[1:]...)), nil},
		{"P-256 key under the secp256k1 codec", enc(0xe7, append([]byte{4}, make([]byte, 64)...)), nil},
		{"secp256k1 truncated", enc(0xe7, make([]byte, 20)), nil},
		{"SM2 uncompressed", enc(0x1206, append([]byte{4}, mustGenerate(t, SM2).Public().Uncompressed()...)), ErrMultibase},
		{"SM2 P-256 key", enc(0x1206, p.Bytes[:32]), nil},
		{"SM2 bad prefix", enc(0x1206, append([]byte{5}, p.Bytes[1:]...)), nil},
	}
	for _, tt := range tests {
		_, err := ParseMultibase(tt.in)
		if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
			t.Errorf("%s: ParseMultibase = %v, want %v", tt.name, err, tt.want)
		}
	}
	codec, raw, err := DecodeMultikey(ed.Multibase())
	if err != nil || codec != 0xed || !bytes.Equal(raw, ed.Bytes) {
		t.Fatalf("DecodeMultikey = %x %x %v", codec, raw, err)
	}
}

func TestNewPublicKeyForms(t *testing.T) {
	t.Parallel()
	for _, typ := range []Type{P256, Secp256k1, SM2} {
		k := mustGenerate(t, typ).Public()
		unc := append([]byte{4}, k.Uncompressed()...)
		if len(unc) != 65 {
			t.Fatalf("%s: uncompressed is %d bytes", typ, len(unc))
		}
		k2, err := NewPublicKey(typ, unc)
		if err != nil {
			t.Fatal(err)
		}
		if !k2.Equal(k) || !bytes.Equal(k2.Uncompressed(), k.Uncompressed()) {
			t.Fatalf("%s: uncompressed form parses to another key", typ)
		}
		if k2.Address() != k.Address() {
			t.Fatalf("%s: address depends on the encoding", typ)
		}
	}
	ed := mustGenerate(t, Ed25519).Public()
	if ed.Ed25519Key() == nil || ed.ECDSAKey() != nil || !bytes.Equal(ed.Uncompressed(), ed.Bytes) {
		t.Fatal("Ed25519 accessors")
	}
	if (PublicKey{}).IsZero() != true || ed.IsZero() {
		t.Fatal("IsZero")
	}
	if _, err := NewPublicKey("RSA", ed.Bytes); !errors.Is(err, ErrUnsupportedKeyType) {
		t.Fatalf("NewPublicKey(RSA) = %v", err)
	}
	p := mustGenerate(t, P256)
	if p.ECDSAKey() == nil || p.Ed25519Key() != nil || p.Public().ECDSAKey() == nil {
		t.Fatal("P-256 accessors")
	}
}

// TestSecp256k1AddressIsEthereum checks the Keccak address against a
// published Ethereum vector (web3.js accounts documentation).
func TestSecp256k1AddressIsEthereum(t *testing.T) {
	t.Parallel()
	seed, _ := hex.DecodeString("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
	k, err := PrivateKeyFromSeed(Secp256k1, seed)
	if err != nil {
		t.Fatal(err)
	}
	addr := k.Public().Address()
	if got := hex.EncodeToString(addr[:]); got != "2c7536e3605d9c16a7a3d7b1898e529396a65c23" {
		t.Fatalf("address %s", got)
	}
	// The address does not depend on how the public key was given.
	pk, err := NewPublicKey(Secp256k1, append([]byte{4}, k.Public().Uncompressed()...))
	if err != nil || pk.Address() != addr {
		t.Fatalf("address from the uncompressed key differs: %v", err)
	}
}

func TestKeyFile(t *testing.T) {
	t.Parallel()
	k := mustGenerate(t, Secp256k1)
	pass := []byte("correct horse battery staple")
	const did = "did:weid:1:0x2c7536e3605d9c16a7a3d7b1898e529396a65c23"
	file, err := EncryptKeyFile(k, did, pass)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(file, []byte(hex.EncodeToString(k.Seed()))) {
		t.Fatal("the key file holds the secret in the clear")
	}
	var kf KeyFile
	if err := json.Unmarshal(file, &kf); err != nil {
		t.Fatal(err)
	}
	if kf.N != ScryptN || kf.Type != Secp256k1 || kf.PublicKeyMultibase != k.Public().Multibase() || kf.DID != did {
		t.Fatalf("key file %+v", kf)
	}
	if _, err := EncryptKeyFile(k, did, nil); err == nil {
		t.Fatal("empty passphrase accepted")
	}

	edit := func(f func(kf *KeyFile)) []byte {
		c := kf
		f(&c)
		b, _ := json.Marshal(c)
		return b
	}
	other := mustGenerate(t, Secp256k1).Public().Multibase()
	tests := []struct {
		name string
		file []byte
		pass []byte
		want error // nil: any error
		ok   bool
	}{
		{"round trip", file, pass, nil, true},
		{"wrong passphrase", file, []byte("Correct horse battery staple"), ErrWrongPassphrase, false},
		{"tampered public key", edit(func(kf *KeyFile) { kf.PublicKeyMultibase = other }), pass, nil, false},
		{"tampered DID", edit(func(kf *KeyFile) { kf.DID = "did:weid:1:0x00" }), pass, ErrWrongPassphrase, false},
		{"tampered ciphertext", edit(func(kf *KeyFile) {
			ct := []byte(kf.Ciphertext)
			ct[3] ^= 1
			if ct[3] == '-' || ct[3] == '_' {
				ct[3] = 'A'
			}
			kf.Ciphertext = string(ct)
		}), pass, nil, false},
		// Cheap refusals: no key derivation needed.
		{"unknown version", edit(func(kf *KeyFile) { kf.Version = 2 }), pass, nil, false},
		{"other KDF", edit(func(kf *KeyFile) { kf.KDF = "pbkdf2" }), pass, nil, false},
		{"N too small", edit(func(kf *KeyFile) { kf.N = 1 << 4 }), pass, nil, false},
		{"N too large", edit(func(kf *KeyFile) { kf.N = 1 << 30 }), pass, nil, false},
		{"bad nonce", edit(func(kf *KeyFile) { kf.Nonce = "AAAA" }), pass, nil, false},
		{"bad salt encoding", edit(func(kf *KeyFile) { kf.Salt = "!!" }), pass, nil, false},
		{"not JSON", []byte("{"), pass, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, gotKF, err := DecryptKeyFile(tt.file, tt.pass)
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got.Seed(), k.Seed()) || !got.Public().Equal(k.Public()) || gotKF.DID != did {
					t.Fatal("the key file opens to another key")
				}
				return
			}
			if err == nil {
				t.Fatal("DecryptKeyFile accepted it")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("DecryptKeyFile = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestKeyFileEveryType encrypts and decrypts a key of each type.
func TestKeyFileEveryType(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("skipped with -short: each key file costs a deliberate scrypt derivation (N=2^15); make test runs it")
	}
	for _, typ := range []Type{Ed25519, P256, SM2} { // secp256k1 is in TestKeyFile
		t.Run(string(typ), func(t *testing.T) {
			t.Parallel()
			k := mustGenerate(t, typ)
			file, err := EncryptKeyFile(k, "", []byte("pw"))
			if err != nil {
				t.Fatal(err)
			}
			got, kf, err := DecryptKeyFile(file, []byte("pw"))
			if err != nil {
				t.Fatal(err)
			}
			if !got.Public().Equal(k.Public()) || kf.Type != typ {
				t.Fatalf("round trip gives a %s key %s", kf.Type, got.Public().Multibase())
			}
		})
	}
}

// Ed25519 verification uses curve25519-voi with the standard library's
// rules: it must agree with crypto/ed25519 on valid, tampered and malformed
// signatures, including non-canonical S and small-order keys.
func TestVerify_Ed25519AgreesWithStdlib(t *testing.T) {
	t.Parallel()
	msg := []byte("weid differential test")
	for i := 0; i < 300; i++ {
		k, _ := Generate(Ed25519)
		sig, _ := k.Sign(msg)
		variants := [][]byte{sig}
		for _, pos := range []int{0, 31, 32, 63} {
			v := append([]byte(nil), sig...)
			v[pos] ^= byte(1 << (i % 8))
			variants = append(variants, v)
		}
		// S + L (non-canonical S) must be rejected by both.
		v := append([]byte(nil), sig...)
		addL(v[32:])
		variants = append(variants, v)
		for j, s := range variants {
			want := ed25519.Verify(k.Public().Ed25519Key(), msg, s)
			if got := k.Public().Verify(msg, s); got != want {
				t.Fatalf("key %d variant %d: voi says %v, crypto/ed25519 says %v", i, j, got, want)
			}
		}
	}
}

// addL adds the group order L to a little-endian 32-byte scalar in place.
func addL(s []byte) {
	l := [32]byte{0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10}
	carry := 0
	for i := range s {
		v := int(s[i]) + int(l[i]) + carry
		s[i] = byte(v)
		carry = v >> 8
	}
}

// secp256k1Order is the group order n of secp256k1 (SEC 2 §2.4.1).
var secp256k1Order, _ = new(big.Int).SetString("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", 16)
