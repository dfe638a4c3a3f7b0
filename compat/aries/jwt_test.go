package main

import (
	"crypto/ed25519"
	"strings"
	"testing"
)

// TestJWT: a diploma aries signs as an EdDSA JWT verifies against its key,
// and fails with another key, a changed signature or another payload.
func TestJWT(t *testing.T) {
	k, other := newTestKey(t, 7), newTestKey(t, 8)
	pub := k.priv.Public().(ed25519.PublicKey)
	l := loader(t)
	tok, err := SignJWT(k.priv, k.vm, diploma(k.did, 1), l)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWS: %s", tok)
	}
	if err := VerifyJWT(pub, []byte(tok), l); err != nil {
		t.Fatalf("valid token: %v", err)
	}
	if err := VerifyJWT(other.priv.Public().(ed25519.PublicKey), []byte(tok), l); err == nil {
		t.Error("verified with another key")
	}
	sig := []byte(parts[2])
	if sig[10] == 'A' {
		sig[10] = 'B'
	} else {
		sig[10] = 'A'
	}
	if err := VerifyJWT(pub, []byte(parts[0]+"."+parts[1]+"."+string(sig)), l); err == nil {
		t.Error("verified with a changed signature")
	}
	tok2, err := SignJWT(k.priv, k.vm, diploma(k.did, 2), l)
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyJWT(pub, []byte(parts[0]+"."+strings.Split(tok2, ".")[1]+"."+parts[2]), l); err == nil {
		t.Error("verified with another payload")
	}
}
