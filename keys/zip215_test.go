package keys

import (
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"testing"
)

// Small-order and non-canonical encodings: the cases where Ed25519
// verification rules differ (ZIP-215's test vectors use them).
var edgePoints = []string{
	"0100000000000000000000000000000000000000000000000000000000000000", // identity
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // order 2
	"0000000000000000000000000000000000000000000000000000000000000080", // order 4, x sign bit
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", // order 8
	"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // y = p+1 (non-canonical identity)
	"0100000000000000000000000000000000000000000000000000000000000080", // identity with x sign
}

// TestZIP215_BatchAgreesWithSingle checks that a batch's verdict on each
// signature is ZIP-215 single verification's, on valid and tampered
// signatures and on small-order and non-canonical keys and R values, and
// that ZIP-215 accepts every signature crypto/ed25519 accepts.
func TestZIP215_BatchAgreesWithSingle(t *testing.T) {
	type item struct {
		pk       ed25519.PublicKey
		msg, sig []byte
	}
	var items []item
	for i := range 8 {
		k, _ := Generate(Ed25519)
		msg := []byte(fmt.Sprintf("message %d", i))
		sig, _ := k.Sign(msg)
		items = append(items, item{k.Public().Ed25519Key(), msg, sig})
		bad := append([]byte(nil), sig...)
		bad[5] ^= 1
		items = append(items, item{k.Public().Ed25519Key(), msg, bad})
	}
	for _, a := range edgePoints {
		for _, r := range edgePoints {
			pk, _ := hex.DecodeString(a)
			rb, _ := hex.DecodeString(r)
			sig := append(rb, make([]byte, 32)...) // S = 0
			items = append(items, item{pk, []byte("edge"), sig})
		}
	}
	items = append(items, item{ed25519.PublicKey(make([]byte, 31)), []byte("short key"), make([]byte, 64)})
	offCurve, _ := hex.DecodeString("0200000000000000000000000000000000000000000000000000000000000000")
	items = append(items, item{offCurve, []byte("not a point"), make([]byte, 64)})

	b := NewEd25519Batch(len(items))
	want := make([]bool, len(items))
	for i, it := range items {
		want[i] = VerifyEd25519ZIP215(it.pk, it.msg, it.sig)
		if len(it.pk) == ed25519.PublicKeySize && ed25519.Verify(it.pk, it.msg, it.sig) && !want[i] {
			t.Errorf("item %d: crypto/ed25519 accepts what ZIP-215 refuses", i)
		}
		b.Add(ExpandEd25519(it.pk), it.msg, it.sig)
	}
	ok, valid := b.Verify(nil)
	all := true
	for i := range items {
		all = all && want[i]
		if valid[i] != want[i] {
			t.Errorf("item %d: batch says %v, single %v", i, valid[i], want[i])
		}
	}
	if ok != all || ok {
		t.Errorf("batch ok = %v, want %v (the items include invalid ones)", ok, all)
	}
	smallOrder := 0
	for i := 16; i < len(items)-2; i++ {
		if want[i] {
			smallOrder++
		}
	}
	if smallOrder == 0 {
		t.Error("ZIP-215 should accept S = 0 signatures by small-order keys with small-order R")
	}

	// All valid: the batch equation holds without the fallback.
	b.Reset()
	for i := 0; i < 16; i += 2 {
		b.Add(ExpandEd25519(items[i].pk), items[i].msg, items[i].sig)
	}
	if ok, valid := b.Verify(nil); !ok || len(valid) != 8 {
		t.Fatalf("valid batch: %v %v", ok, valid)
	}
	// The key's verifier hook routes Ed25519 through ZIP-215.
	k, _ := Generate(Ed25519)
	sig, _ := k.Sign([]byte("m"))
	pk := k.Public().WithEd25519Verifier(ZIP215)
	if !pk.Verify([]byte("m"), sig) || pk.Verify([]byte("n"), sig) {
		t.Fatal("ZIP215 hook")
	}
}
