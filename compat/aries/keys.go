package main

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/hyperledger/aries-framework-go/pkg/vdr/fingerprint"
)

// seedKey turns a 64-hex-digit Ed25519 seed (RFC 8032 §5.1.5 private key)
// into a key pair.
func seedKey(seedHex string) (ed25519.PrivateKey, error) {
	seed, err := hex.DecodeString(seedHex)
	if err != nil {
		return nil, fmt.Errorf("--seed: %w", err)
	}
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("--seed: want %d bytes (%d hex digits), got %d bytes", ed25519.SeedSize, 2*ed25519.SeedSize, len(seed))
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// multibaseKey decodes a Multikey publicKeyMultibase value ("z6Mk…":
// base58btc of the ed25519-pub multicodec 0xed followed by the raw key), the
// same encoding a did:key method-specific id uses, with aries's fingerprint
// package.
func multibaseKey(mb string) (ed25519.PublicKey, error) {
	raw, code, err := fingerprint.PubKeyFromFingerprint(mb)
	if err != nil {
		return nil, err
	}
	if code != fingerprint.ED25519PubKeyMultiCodec {
		return nil, fmt.Errorf("multicodec 0x%x is not ed25519-pub (0x%x)", code, fingerprint.ED25519PubKeyMultiCodec)
	}
	if len(raw) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("ed25519 public key has %d bytes, want %d", len(raw), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(raw), nil
}

// didKey returns the did:key DID of an Ed25519 public key and the DID URL of
// its verification method (did:key:z6Mk…#z6Mk…), as aries builds them.
func didKey(pub ed25519.PublicKey) (did, vm string) {
	return fingerprint.CreateDIDKey(pub)
}

// bareDID strips a DID URL down to its DID (no path, query or fragment).
func bareDID(u string) (string, error) {
	if !strings.HasPrefix(u, "did:") {
		return "", errors.New("not a DID")
	}
	if i := strings.IndexAny(u, "/?#"); i >= 0 {
		u = u[:i]
	}
	return u, nil
}
