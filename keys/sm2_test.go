package keys

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"
)

// TestSM3_KnownVectors: the examples of GB/T 32905-2016 Appendix A.
func TestSM3_KnownVectors(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"abc":                      "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0",
		strings.Repeat("abcd", 16): "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732",
	}
	for in, want := range tests {
		sum := SM3([]byte(in))
		if got := hex.EncodeToString(sum[:]); got != want {
			t.Errorf("SM3(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestSM2_SignaturesHaveOneEncoding: the ECDSA twin (r, n−s) of an SM2
// signature does not verify, nor do r or s pushed past n, so r‖s is the
// only encoding of a signature (sm2.go explains why no low-S rule applies).
func TestSM2_SignaturesHaveOneEncoding(t *testing.T) {
	t.Parallel()
	k := mustGenerate(t, SM2)
	n := sm2Order
	for i := range 32 {
		msg := []byte{byte(i), 's', 'm', '2'}
		sig, err := k.Sign(msg)
		if err != nil {
			t.Fatal(err)
		}
		r := new(big.Int).SetBytes(sig[:32])
		s := new(big.Int).SetBytes(sig[32:])
		variants := map[string][2]*big.Int{
			"(r, n-s)":   {r, new(big.Int).Sub(n, s)},
			"(r, s+n)":   {r, new(big.Int).Add(s, n)},
			"(r+n, s)":   {new(big.Int).Add(r, n), s},
			"(n-r, s)":   {new(big.Int).Sub(n, r), s},
			"(r, s-1)":   {r, new(big.Int).Sub(s, big.NewInt(1))},
			"(n-r, n-s)": {new(big.Int).Sub(n, r), new(big.Int).Sub(n, s)},
		}
		for name, v := range variants {
			if v[0].BitLen() > 256 || v[1].BitLen() > 256 {
				continue
			}
			o := make([]byte, 64)
			v[0].FillBytes(o[:32])
			v[1].FillBytes(o[32:])
			if k.Public().Verify(msg, o) {
				t.Fatalf("%s of a signature verifies", name)
			}
		}
	}
}

// TestSM2_OtherDistinguishingIDRefused: a signature over Z_A of another
// identifier is not a weid signature; one made by gmsm with the default
// identifier is.
func TestSM2_OtherDistinguishingIDRefused(t *testing.T) {
	t.Parallel()
	k := mustGenerate(t, SM2)
	msg := []byte("message digest")
	for _, tt := range []struct {
		uid  string
		want bool
	}{
		{"", true}, // gmsm's default: 1234567812345678
		{SM2DistinguishingID, true},
		{"ALICE123@YAHOO.COM", false}, // GB/T 32918.2 Appendix A's identifier
		{"1234567812345679", false},
	} {
		der, err := k.SM2Key().Sign(rand.Reader, msg, sm2.NewSM2SignerOption(true, []byte(tt.uid)))
		if err != nil {
			t.Fatal(err)
		}
		sig, err := SM2SignatureFromDER(der)
		if err != nil {
			t.Fatal(err)
		}
		if got := k.Public().Verify(msg, sig); got != tt.want {
			t.Errorf("identifier %q: verifies = %v, want %v", tt.uid, got, tt.want)
		}
	}
	// weid's own signature verifies with gmsm's default identifier.
	sig, _ := k.Sign(msg)
	der, err := SM2SignatureDER(sig)
	if err != nil {
		t.Fatal(err)
	}
	if !sm2.VerifyASN1WithSM2(k.Public().SM2Key(), nil, msg, der) {
		t.Fatal("gmsm does not verify weid's SM2 signature with the default identifier")
	}
	if sm2.VerifyASN1WithSM2(k.Public().SM2Key(), []byte("ALICE123@YAHOO.COM"), msg, der) {
		t.Fatal("weid's SM2 signature verifies under another identifier")
	}
}

// TestSM2_BadPublicKeys: another curve's point, wrong lengths and prefixes
// are refused with an error naming SM2.
func TestSM2_BadPublicKeys(t *testing.T) {
	t.Parallel()
	p256 := mustGenerate(t, P256).Public()
	k1 := mustGenerate(t, Secp256k1).Public()
	sm := mustGenerate(t, SM2).Public()
	unc := append([]byte{4}, sm.Uncompressed()...)
	bad := map[string][]byte{
		"P-256 point":         append([]byte{4}, p256.Uncompressed()...),
		"secp256k1 point":     append([]byte{4}, k1.Uncompressed()...),
		"empty":               nil,
		"32 bytes":            sm.Bytes[1:],
		"34 bytes":            append(append([]byte{}, sm.Bytes...), 0),
		"64 bytes (no 0x04)":  unc[1:],
		"66 bytes":            append(append([]byte{}, unc...), 0),
		"compressed with 04":  append([]byte{4}, sm.Bytes[1:]...),
		"uncompressed with 2": append([]byte{2}, unc[1:]...),
		"y changed":           append(append([]byte{}, unc[:64]...), unc[64]^1),
		"point at infinity":   make([]byte, 65),
		"x = p":               append([]byte{2}, sm2P()...),
	}
	for name, raw := range bad {
		_, err := NewPublicKey(SM2, raw)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if !strings.Contains(err.Error(), "SM2") {
			t.Errorf("%s: error %q does not name SM2", name, err)
		}
	}
	// Both encodings give one key, one compressed form and one address.
	a, err := NewPublicKey(SM2, unc)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Equal(sm) || a.Address() != sm.Address() || len(a.Bytes) != 33 {
		t.Fatal("the uncompressed form parses to another key")
	}
	// An SM2 signature is not a P-256 signature of the same bytes, even with
	// the same scalar: the curves and hashes differ.
	seed := mustGenerate(t, SM2).Seed()
	ks, _ := PrivateKeyFromSeed(SM2, seed)
	kp, err := PrivateKeyFromSeed(P256, seed)
	if err == nil {
		sig, _ := ks.Sign([]byte("m"))
		if kp.Public().Verify([]byte("m"), sig) {
			t.Fatal("an SM2 signature verifies as P-256")
		}
	}
}

func sm2P() []byte { return sm2Curve().Params().P.FillBytes(make([]byte, 32)) }

func sm2Curve() elliptic.Curve { return sm2.P256() }

func TestSM2_BadSeeds(t *testing.T) {
	t.Parallel()
	nMinus1 := new(big.Int).Sub(sm2Order, big.NewInt(1))
	for name, seed := range map[string][]byte{
		"zero":     make([]byte, 32),
		"n":        sm2Order.FillBytes(make([]byte, 32)),
		"n-1":      nMinus1.FillBytes(make([]byte, 32)), // GB/T 32918.1: d ≤ n−2
		"all ff":   bytes.Repeat([]byte{0xff}, 32),
		"short":    make([]byte, 31),
		"too long": make([]byte, 33),
	} {
		if _, err := PrivateKeyFromSeed(SM2, seed); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestSM2_SignatureDER(t *testing.T) {
	t.Parallel()
	k := mustGenerate(t, SM2)
	sig, _ := k.Sign([]byte("x"))
	der, err := SM2SignatureDER(sig)
	if err != nil {
		t.Fatal(err)
	}
	back, err := SM2SignatureFromDER(der)
	if err != nil || !bytes.Equal(back, sig) {
		t.Fatalf("DER round trip: %v", err)
	}
	bad := map[string][]byte{
		"empty":    nil,
		"trailing": append(append([]byte{}, der...), 0),
		"not seq":  {0x02, 0x01, 0x01},
		"one int":  {0x30, 0x03, 0x02, 0x01, 0x01},
		"negative": {0x30, 0x06, 0x02, 0x01, 0xff, 0x02, 0x01, 0x01},
		"zero r":   {0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01},
	}
	for name, b := range bad {
		if _, err := SM2SignatureFromDER(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := SM2SignatureDER(make([]byte, 64)); err == nil {
		t.Error("zero r‖s accepted")
	}
	if _, err := SM2SignatureDER(sig[:63]); err == nil {
		t.Error("63 bytes accepted")
	}
}

// opensslSM2 returns the openssl binary when it is installed and knows SM2
// and SM3 (OpenSSL ≥ 1.1.1), or skips the test saying why.
func opensslSM2(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl is not installed (apt-get install openssl): the SM2/SM3 interoperability checks with OpenSSL 3 are skipped")
	}
	if out, err := exec.Command(bin, "list", "-digest-algorithms").CombinedOutput(); err != nil || !strings.Contains(strings.ToUpper(string(out)), "SM3") {
		t.Skipf("this openssl has no SM3 (%v): the SM2/SM3 interoperability checks are skipped", err)
	}
	return bin
}

func run(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

// TestSM2_AddressIsSM3OfXYPerOpenSSL: an SM2 key's address is the last 20
// bytes of SM3(X‖Y) as `openssl dgst -sm3` computes it (the FISCO BCOS 国密
// account address; no published key→address pair could be found to cite).
func TestSM2_AddressIsSM3OfXYPerOpenSSL(t *testing.T) {
	t.Parallel()
	bin := opensslSM2(t)
	dir := t.TempDir()
	for i := range 3 {
		k := mustGenerate(t, SM2).Public()
		f := filepath.Join(dir, "xy")
		if err := os.WriteFile(f, k.Uncompressed(), 0o600); err != nil {
			t.Fatal(err)
		}
		out := string(run(t, bin, "dgst", "-sm3", "-r", f))
		sum, _, _ := strings.Cut(out, " ")
		addr := k.Address()
		if len(sum) != 64 || sum[24:] != hex.EncodeToString(addr[:]) {
			t.Fatalf("key %d: openssl SM3 %s, address %x", i, sum, addr)
		}
	}
}

// TestSM2_InteropWithOpenSSL: a weid signature verifies with OpenSSL 3's
// `pkeyutl -verify -rawin -digest sm3 -pkeyopt distid:1234567812345678`
// (DER signature, PEM public key), and OpenSSL's signatures verify in weid.
func TestSM2_InteropWithOpenSSL(t *testing.T) {
	t.Parallel()
	bin := opensslSM2(t)
	dir := t.TempDir()
	file := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	distid := "distid:" + SM2DistinguishingID

	// weid signs, OpenSSL verifies.
	k := mustGenerate(t, SM2)
	spki, err := smx509.MarshalPKIXPublicKey(k.Public().SM2Key())
	if err != nil {
		t.Fatal(err)
	}
	pub := file("weid.pub.pem", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: spki}))
	msg := []byte(`{"chainId":"1","type":"did.create"}`)
	msgFile := file("msg", msg)
	sig, err := k.Sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := SM2SignatureDER(sig)
	out := run(t, bin, "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pkeyopt", distid,
		"-pubin", "-inkey", pub, "-in", msgFile, "-sigfile", file("weid.sig", der))
	if !strings.Contains(string(out), "Verified Successfully") {
		t.Fatalf("openssl: %s", out)
	}
	// ... and refuses it under another identifier.
	if out, err := exec.Command(bin, "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pkeyopt", "distid:ALICE123@YAHOO.COM",
		"-pubin", "-inkey", pub, "-in", msgFile, "-sigfile", filepath.Join(dir, "weid.sig")).CombinedOutput(); err == nil {
		t.Fatalf("openssl verifies under another identifier: %s", out)
	}

	// OpenSSL signs, weid verifies; the key OpenSSL generated rebuilds in weid.
	key := filepath.Join(dir, "ossl.pem")
	run(t, bin, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2", "-out", key)
	sigFile := filepath.Join(dir, "ossl.sig")
	run(t, bin, "pkeyutl", "-sign", "-rawin", "-digest", "sm3", "-pkeyopt", distid, "-inkey", key, "-in", msgFile, "-out", sigFile)
	pubPEM := run(t, bin, "pkey", "-in", key, "-pubout")
	blk, _ := pem.Decode(pubPEM)
	if blk == nil {
		t.Fatalf("openssl public key: %s", pubPEM)
	}
	anyPub, err := smx509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	ep := anyPub.(*ecdsa.PublicKey)
	wk, err := NewPublicKey(SM2, elliptic.Marshal(ep.Curve, ep.X, ep.Y)) //nolint:staticcheck // the SEC 1 form of gmsm's key
	if err != nil {
		t.Fatal(err)
	}
	osig, _ := os.ReadFile(sigFile)
	rs, err := SM2SignatureFromDER(osig)
	if err != nil {
		t.Fatal(err)
	}
	if !wk.Verify(msg, rs) {
		t.Fatal("weid does not verify OpenSSL's SM2 signature")
	}
	if wk.Verify(append(msg, ' '), rs) {
		t.Fatal("OpenSSL's signature verifies another message")
	}
	keyPEM, _ := os.ReadFile(key)
	kb, _ := pem.Decode(keyPEM)
	anyPriv, err := smx509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	sk := anyPriv.(*sm2.PrivateKey)
	wsk, err := PrivateKeyFromSeed(SM2, sk.D.FillBytes(make([]byte, 32)))
	if err != nil || !wsk.Public().Equal(wk) {
		t.Fatalf("OpenSSL's private key rebuilds to another key: %v", err)
	}
}

// FuzzSM2Public: any bytes given as an SM2 public key, a Multikey or a DER
// signature are parsed or refused, never a panic; what parses round-trips.
func FuzzSM2Public(f *testing.F) {
	k, _ := Generate(SM2)
	sig, _ := k.Sign([]byte("m"))
	der, _ := SM2SignatureDER(sig)
	f.Add(k.Public().Bytes)
	f.Add(append([]byte{4}, k.Public().Uncompressed()...))
	f.Add(der)
	f.Add([]byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		if pk, err := NewPublicKey(SM2, b); err == nil {
			back, err := ParseMultibase(pk.Multibase())
			if err != nil || !back.Equal(pk) {
				t.Fatalf("%x: Multikey round trip: %v", b, err)
			}
			_ = pk.Verify([]byte("m"), sig)
			_ = pk.Address()
		}
		if rs, err := SM2SignatureFromDER(b); err == nil {
			again, err := SM2SignatureDER(rs)
			if err != nil {
				t.Fatalf("%x: parsed but does not re-encode: %v", b, err)
			}
			if _, err := SM2SignatureFromDER(again); err != nil {
				t.Fatal(err)
			}
			_ = k.Public().Verify([]byte("m"), rs)
		}
	})
}
