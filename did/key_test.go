package did

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/elliptic"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/mr-tron/base58"

	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/keys"
)

// keyVectorDir holds the did:key test vectors of github.com/w3c-ccg/did-key-spec
// at commit 1b4f72d, copied with their license into testdata/did-key.
const keyVectorDir = "testdata/did-key"

// keyVectorVM is a verification method of a vector's didDocument.
type keyVectorVM struct {
	ID              string            `json:"id"`
	Type            string            `json:"type"`
	PublicKeyBase58 string            `json:"publicKeyBase58"`
	PublicKeyJwk    map[string]string `json:"publicKeyJwk"`
}

// keyVectorDoc is the part of a vector's didDocument the tests compare.
type keyVectorDoc struct {
	ID                   string        `json:"id"`
	VerificationMethod   []keyVectorVM `json:"verificationMethod"`
	Authentication       []string      `json:"authentication"`
	AssertionMethod      []string      `json:"assertionMethod"`
	KeyAgreement         []string      `json:"keyAgreement"`
	CapabilityInvocation []string      `json:"capabilityInvocation"`
	CapabilityDelegation []string      `json:"capabilityDelegation"`
}

// loadKeyVectors returns the didDocuments of one vector file by DID.
func loadKeyVectors(t *testing.T, file string) map[string]keyVectorDoc {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(keyVectorDir, file))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]keyVectorDoc{}
	if file == "x25519.json" {
		// This file nests the documents under one "didDocument" member.
		var v struct {
			DIDDocument map[string]keyVectorDoc `json:"didDocument"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		out = v.DIDDocument
	} else {
		var v map[string]struct {
			DIDDocument keyVectorDoc `json:"didDocument"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for did, e := range v {
			out[did] = e.DIDDocument
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s: no vectors", file)
	}
	return out
}

func fragment(id string) string {
	if i := strings.IndexByte(id, '#'); i >= 0 {
		return id[i+1:]
	}
	return id
}

func fragments(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = fragment(id)
	}
	return out
}

// uncompress returns X‖Y of a compressed point of the curve of a multicodec.
func uncompress(t *testing.T, codec uint64, b []byte) []byte {
	t.Helper()
	switch codec {
	case mcSecp256k1Pub:
		pk, err := secp256k1.ParsePubKey(b)
		if err != nil {
			t.Fatal(err)
		}
		return pk.SerializeUncompressed()[1:]
	case mcP256Pub, mcP384Pub:
		c := elliptic.P256()
		if codec == mcP384Pub {
			c = elliptic.P384()
		}
		x, y := elliptic.UnmarshalCompressed(c, b)
		if x == nil {
			t.Fatalf("bad compressed point %x", b)
		}
		size := (c.Params().BitSize + 7) / 8
		out := make([]byte, 2*size)
		x.FillBytes(out[:size])
		y.FillBytes(out[size:])
		return out
	}
	return b
}

// vmKey returns the raw key of one of our Multikey methods, with EC points
// uncompressed.
func vmKey(t *testing.T, vm VerificationMethod) (uint64, []byte) {
	t.Helper()
	if vm.Type != MultikeyType || vm.PublicKeyMultibase == "" {
		t.Fatalf("%s: want a Multikey with publicKeyMultibase, got %+v", vm.ID, vm)
	}
	codec, raw, err := decodeKeyMultibase(vm.PublicKeyMultibase)
	if err != nil {
		t.Fatalf("%s: %v", vm.ID, err)
	}
	return codec, uncompress(t, codec, raw)
}

// vectorKey returns the raw key of a vector's method in the form vmKey uses.
func vectorKey(t *testing.T, codec uint64, vm keyVectorVM) []byte {
	t.Helper()
	if vm.PublicKeyBase58 != "" {
		b, err := base58.Decode(vm.PublicKeyBase58)
		if err != nil {
			t.Fatal(err)
		}
		return uncompress(t, codec, b)
	}
	dec := func(s string) []byte {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatalf("%s: %v", vm.ID, err)
		}
		return b
	}
	jwk := vm.PublicKeyJwk
	if jwk == nil {
		t.Fatalf("%s: vector method has no key", vm.ID)
	}
	if jwk["kty"] == "OKP" {
		return dec(jwk["x"])
	}
	return append(dec(jwk["x"]), dec(jwk["y"])...)
}

func resolveKey(t *testing.T, did string) (*ResolutionResult, error) {
	t.Helper()
	return resolveWith(t, KeyMethod{}, did)
}

// resolveWith parses did and resolves it with m.
func resolveWith(t *testing.T, m MethodResolver, did string) (*ResolutionResult, error) {
	t.Helper()
	u, err := ParseDID(did)
	if err != nil {
		t.Fatalf("ParseDID(%s): %v", did, err)
	}
	return m.Resolve(context.Background(), u, Options{})
}

func TestKeyVectors(t *testing.T) {
	for _, file := range []string{"ed25519-x25519.json", "x25519.json", "secp256k1.json", "nist-curves.json"} {
		t.Run(file, func(t *testing.T) {
			for did, want := range loadKeyVectors(t, file) {
				if len(want.VerificationMethod) > 0 && want.VerificationMethod[0].PublicKeyJwk["crv"] == "P-521" {
					continue // unsupported: TestKeyUnsupportedVectors
				}
				t.Run(did[:20], func(t *testing.T) { checkKeyVector(t, did, want) })
			}
		})
	}
}

func checkKeyVector(t *testing.T, did string, want keyVectorDoc) {
	res, err := resolveKey(t, did)
	if err != nil {
		t.Fatalf("Resolve(%s): %v", did, err)
	}
	doc := res.Document
	if err := doc.Validate(); err != nil {
		t.Fatalf("document does not validate: %v", err)
	}
	if doc.ID != did || want.ID != did {
		t.Fatalf("id = %q, vector %q, want %q", doc.ID, want.ID, did)
	}
	if !slices.Equal(doc.Context, []string{ContextDIDv1, ContextMultikey}) {
		t.Errorf("@context = %q", doc.Context)
	}
	if len(doc.VerificationMethod) != len(want.VerificationMethod) {
		t.Fatalf("%d verification methods, vector has %d", len(doc.VerificationMethod), len(want.VerificationMethod))
	}
	for i, vm := range doc.VerificationMethod {
		wvm := want.VerificationMethod[i]
		if vm.ID != did+"#"+fragment(wvm.ID) {
			t.Errorf("method %d id = %q, want fragment %q", i, vm.ID, fragment(wvm.ID))
		}
		if fragment(vm.ID) != vm.PublicKeyMultibase {
			t.Errorf("method %d fragment %q is not its publicKeyMultibase %q", i, fragment(vm.ID), vm.PublicKeyMultibase)
		}
		if vm.Controller != did {
			t.Errorf("method %d controller = %q", i, vm.Controller)
		}
		codec, got := vmKey(t, vm)
		if w := vectorKey(t, codec, wvm); !bytes.Equal(got, w) {
			t.Errorf("method %d (%s) key\n got %x\nwant %x", i, wvm.Type, got, w)
		}
	}
	rels := []struct {
		name      string
		got, want []string
	}{
		{"authentication", doc.Authentication, want.Authentication},
		{"assertionMethod", doc.AssertionMethod, want.AssertionMethod},
		{"keyAgreement", doc.KeyAgreement, want.KeyAgreement},
		{"capabilityInvocation", doc.CapabilityInvocation, want.CapabilityInvocation},
		{"capabilityDelegation", doc.CapabilityDelegation, want.CapabilityDelegation},
	}
	for _, r := range rels {
		for _, ref := range r.got {
			if !strings.HasPrefix(ref, did+"#") {
				t.Errorf("%s entry %q is not a method of %s", r.name, ref, did)
			}
		}
		if !slices.Equal(fragments(r.got), fragments(r.want)) {
			t.Errorf("%s = %q, want fragments %q", r.name, fragments(r.got), fragments(r.want))
		}
	}
}

func TestKeyUnsupportedVectors(t *testing.T) {
	cases := []struct {
		file, name string
		only       func(keyVectorDoc) bool
	}{
		{"bls12381.json", "BLS12-381", nil},
		{"rsa.json", "RSA", nil},
		{"nist-curves.json", "P-521", func(d keyVectorDoc) bool {
			return len(d.VerificationMethod) > 0 && d.VerificationMethod[0].PublicKeyJwk["crv"] == "P-521"
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := 0
			for did, doc := range loadKeyVectors(t, c.file) {
				if c.only != nil && !c.only(doc) {
					continue
				}
				n++
				res, err := resolveKey(t, did)
				if !errors.Is(err, ErrInvalidPublicKey) || res != nil {
					t.Errorf("Resolve(%s) = %v, %v; want ErrInvalidPublicKey", did, res, err)
					continue
				}
				if !strings.Contains(err.Error(), c.name) {
					t.Errorf("error %q does not name the key type %s", err, c.name)
				}
				if ErrorCode(err) != "invalidPublicKey" {
					t.Errorf("ErrorCode = %q", ErrorCode(err))
				}
			}
			if n == 0 {
				t.Fatalf("no %s vectors in %s", c.name, c.file)
			}
		})
	}
}

// TestKeyDIDRoundTrip derives the DID of every signing key type weid
// handles, from the vectors and from fresh keys, and resolves it back.
func TestKeyDIDRoundTrip(t *testing.T) {
	var dids []string
	if _, err := os.Stat(keyVectorDir); err == nil {
		for _, file := range []string{"ed25519-x25519.json", "secp256k1.json", "nist-curves.json"} {
			for did := range loadKeyVectors(t, file) {
				if strings.HasPrefix(did, "did:key:z6Mk") || strings.HasPrefix(did, "did:key:zQ3s") || strings.HasPrefix(did, "did:key:zDna") {
					dids = append(dids, did)
				}
			}
		}
	}
	for _, typ := range []keys.Type{keys.Ed25519, keys.P256, keys.Secp256k1} {
		sk := keytest.New(t, typ)
		dids = append(dids, KeyDID(sk.Public()))
	}
	for _, did := range dids {
		pk, err := keys.ParseMultibase(strings.TrimPrefix(did, "did:key:"))
		if err != nil {
			t.Fatalf("%s: %v", did, err)
		}
		if got := KeyDID(pk); got != did {
			t.Errorf("KeyDID = %s, want %s", got, did)
		}
		res, err := resolveKey(t, did)
		if err != nil {
			t.Fatalf("Resolve(%s): %v", did, err)
		}
		vm := res.Document.VerificationMethod[0]
		back, err := keys.ParseMultibase(vm.PublicKeyMultibase)
		if err != nil || !back.Equal(pk) {
			t.Errorf("%s: method key %v, %v; want %x", did, back.Bytes, err, pk.Bytes)
		}
		if !res.Document.HasRelationship("authentication", vm.ID) || !res.Document.HasRelationship("assertionMethod", vm.ID) {
			t.Errorf("%s: signing key missing from authentication/assertionMethod", did)
		}
	}
	if got := KeyDID(keys.PublicKey{}); got != "" {
		t.Errorf("KeyDID(zero) = %q, want empty", got)
	}
}

// TestKeyEd25519ToX25519 checks the birational map against a second route
// to the same key: the X25519 public key of the Ed25519 secret scalar
// (RFC 8032 §5.1.5: the clamped first half of SHA-512 of the seed), computed
// by crypto/ecdh.
func TestKeyEd25519ToX25519(t *testing.T) {
	for i := 0; i < 32; i++ {
		sk := keytest.New(t, keys.Ed25519)
		h := sha512.Sum512(sk.Seed())
		xk, err := ecdh.X25519().NewPrivateKey(h[:32])
		if err != nil {
			t.Fatal(err)
		}
		got, err := ed25519ToX25519(sk.Public().Bytes)
		if err != nil {
			t.Fatal(err)
		}
		if want := xk.PublicKey().Bytes(); !bytes.Equal(got, want) {
			t.Fatalf("seed %x: X25519 key\n got %x\nwant %x", sk.Seed(), got, want)
		}
	}
}

func keyMB(codec uint64, raw []byte) string {
	return "z" + base58.Encode(append(binary.AppendUvarint(nil, codec), raw...))
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// le32 is the little-endian 32-byte encoding of n.
func le32(n *big.Int) []byte {
	b := n.FillBytes(make([]byte, 32))
	slices.Reverse(b)
	return b
}

// edwardsOffCurve returns the encoding of a y for which no x exists, found
// with Euler's criterion rather than the square root the code under test
// uses.
func edwardsOffCurve() []byte {
	p := c25519P
	exp := new(big.Int).Rsh(new(big.Int).Sub(p, big.NewInt(1)), 1)
	for y := int64(2); ; y++ {
		yy := big.NewInt(y * y)
		num := new(big.Int).Sub(yy, big.NewInt(1))
		den := new(big.Int).Mul(c25519D, yy)
		den.Add(den, big.NewInt(1)).ModInverse(den, p)
		x2 := num.Mul(num, den).Mod(num, p)
		if new(big.Int).Exp(x2, exp, p).Cmp(big.NewInt(1)) != 0 {
			return le32(big.NewInt(y))
		}
	}
}

func TestKeyInvalid(t *testing.T) {
	ed := mustHex("3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29") // RFC 8032 §7.1 test 1
	pMinus1 := new(big.Int).Sub(c25519P, big.NewInt(1))
	ff := func(n int) []byte { return bytes.Repeat([]byte{0xff}, n) }
	cases := []struct {
		name string
		id   string
		want error
		msg  string
	}{
		{"not multibase z", "6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", ErrInvalidDID, "base58btc"},
		{"base64url multibase", "u7QE7aie8zrakLWKjqNAqbw1zZTIVdx3iQ6Y6wEihi1naKQ", ErrInvalidDID, "base58btc"},
		{"not base58", "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooW0", ErrInvalidDID, "base58"},
		{"only z", "z", ErrInvalidDID, ""},
		{"bad version", "2:" + keyMB(mcEd25519Pub, ed), ErrInvalidDID, "version"},
		{"non-minimal varint", "z" + base58.Encode(append([]byte{0xed, 0x81, 0x00}, ed...)), ErrInvalidDID, "minimal"},
		{"truncated varint", "z" + base58.Encode([]byte{0xed}), ErrInvalidDID, "multicodec"},
		{"too long", "z" + strings.Repeat("2", keyMaxMultibase), ErrInvalidDID, "longer"},
		{"ed25519 short", keyMB(mcEd25519Pub, ed[:31]), ErrInvalidPublicKey, "32 bytes"},
		{"ed25519 long", keyMB(mcEd25519Pub, append(ed, 0)), ErrInvalidPublicKey, "32 bytes"},
		{"ed25519 off curve", keyMB(mcEd25519Pub, edwardsOffCurve()), ErrInvalidPublicKey, "not a point"},
		{"ed25519 identity", keyMB(mcEd25519Pub, le32(big.NewInt(1))), ErrInvalidPublicKey, "identity"},
		{"ed25519 order 2", keyMB(mcEd25519Pub, le32(pMinus1)), ErrInvalidPublicKey, "small-order"},
		{"ed25519 order 4", keyMB(mcEd25519Pub, make([]byte, 32)), ErrInvalidPublicKey, "small-order"},
		{"ed25519 y >= p", keyMB(mcEd25519Pub, le32(c25519P)), ErrInvalidPublicKey, "non-canonical"},
		{"ed25519 negative zero x", keyMB(mcEd25519Pub, func() []byte { b := le32(big.NewInt(1)); b[31] |= 0x80; return b }()), ErrInvalidPublicKey, "non-canonical"},
		{"x25519 zero", keyMB(mcX25519Pub, make([]byte, 32)), ErrInvalidPublicKey, "small-order"},
		{"x25519 order 8", keyMB(mcX25519Pub, mustHex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")), ErrInvalidPublicKey, "small-order"},
		{"x25519 u >= p", keyMB(mcX25519Pub, le32(new(big.Int).Add(c25519P, big.NewInt(9)))), ErrInvalidPublicKey, "non-canonical"},
		{"x25519 short", keyMB(mcX25519Pub, ed[:16]), ErrInvalidPublicKey, "32 bytes"},
		{"p256 uncompressed", keyMB(mcP256Pub, append([]byte{4}, ff(64)...)), ErrInvalidPublicKey, "33 bytes"},
		{"p256 x >= p", keyMB(mcP256Pub, append([]byte{2}, ff(32)...)), ErrInvalidPublicKey, "P-256"},
		{"p256 bad prefix", keyMB(mcP256Pub, append([]byte{5}, ed...)), ErrInvalidPublicKey, "P-256"},
		{"p384 x >= p", keyMB(mcP384Pub, append([]byte{3}, ff(48)...)), ErrInvalidPublicKey, "P-384"},
		{"p384 short", keyMB(mcP384Pub, append([]byte{3}, ff(32)...)), ErrInvalidPublicKey, "49 bytes"},
		{"secp256k1 x >= p", keyMB(mcSecp256k1Pub, append([]byte{2}, ff(32)...)), ErrInvalidPublicKey, "secp256k1"},
		{"secp256k1 uncompressed", keyMB(mcSecp256k1Pub, append([]byte{4}, ff(64)...)), ErrInvalidPublicKey, "33 bytes"},
		{"p521", keyMB(mcP521Pub, append([]byte{2}, ff(66)...)), ErrInvalidPublicKey, "P-521"},
		{"unknown codec", keyMB(0x99, ed), ErrInvalidPublicKey, "multicodec 0x99"},
		{"private key codec", keyMB(0x1300, ed), ErrInvalidPublicKey, "multicodec 0x1300"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := ParseDID("did:key:" + c.id)
			if err != nil {
				if c.want == ErrInvalidDID && errors.Is(err, ErrInvalidDID) {
					return // rejected by DID syntax already
				}
				t.Fatalf("ParseDID: %v", err)
			}
			wantRefused(t, KeyMethod{}, d, c.want, c.msg)
		})
	}
}

// wantRefused fails unless m refuses to resolve d with an error that is
// want and mentions msg.
func wantRefused(t *testing.T, m MethodResolver, d DIDURL, want error, msg string) {
	t.Helper()
	res, err := m.Resolve(context.Background(), d, Options{})
	if !errors.Is(err, want) || res != nil {
		t.Fatalf("Resolve = %v, %v; want %v", res, err, want)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Errorf("error %q does not mention %q", err, msg)
	}
}

func TestKeyResolveOptions(t *testing.T) {
	const did = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
	ctx := context.Background()
	u, _ := ParseDID(did)

	if _, err := (KeyMethod{}).Resolve(ctx, u, Options{VersionID: "1"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("versionId: %v, want ErrNotFound", err)
	}
	w, _ := ParseDID("did:web:example.com")
	// did:key v0.7 §3.1.1 step 3: the did:key method itself raises
	// invalidDid for another method; a Resolver answers methodNotSupported
	// before reaching it (TestKeyResolve_ErrorCodes).
	if _, err := (KeyMethod{}).Resolve(ctx, w, Options{}); !errors.Is(err, ErrInvalidDID) || ErrorCode(err) != "invalidDid" {
		t.Errorf("did:web: %v, want ErrInvalidDID", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := (KeyMethod{}).Resolve(cctx, u, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v", err)
	}

	// did:key v0.7 "Document Creation Algorithm": an explicit version 1 is
	// the same key.
	v, err := ParseDID("did:key:1:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp")
	if err != nil {
		t.Fatal(err)
	}
	res, err := KeyMethod{}.Resolve(ctx, v, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Document.ID != v.DID || res.Document.VerificationMethod[0].ID != v.DID+"#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp" {
		t.Errorf("versioned DID document: %+v", res.Document)
	}

	// Through the Resolver, a DID URL resolves to its DID's document.
	r := NewResolver(map[string]MethodResolver{"key": KeyMethod{}})
	res, err = r.Resolve(ctx, did+"#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Document.ID != did || res.ResolutionMetadata.ContentType != "application/did+ld+json" {
		t.Errorf("got %s, %q", res.Document.ID, res.ResolutionMetadata.ContentType)
	}
	if _, ok := res.Document.Method("#z6LShs9GGnqk85isEBzzshkuVWrVKsRp24GnDuHk8QWkARMW"); !ok {
		t.Error("derived X25519 method missing")
	}
}
