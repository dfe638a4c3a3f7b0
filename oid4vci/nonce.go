package oid4vci

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"sync"
	"time"
)

// A c_nonce is 8 bytes of expiry (Unix seconds, big endian), 12 random
// bytes, and 16 bytes of HMAC-SHA256 over them and the issuer identifier.
const nonceBytes = 8 + 12 + 16

// nonces makes c_nonces and remembers the used ones until they expire.
type nonces struct {
	key       [32]byte
	mu        sync.Mutex
	used      map[string]time.Time
	lastSweep time.Time
}

func (ns *nonces) mac(issuer string, b []byte) []byte {
	h := hmac.New(sha256.New, ns.key[:])
	h.Write(b)
	h.Write([]byte(issuer))
	return h.Sum(nil)[:16]
}

// Nonce is the nonce endpoint of the issuer u (§7): a fresh c_nonce for
// key proofs. Nothing is stored until it is used.
func (iss *Issuer) Nonce(u IssuerURL) (*NonceResponse, error) {
	if _, err := iss.instance(u); err != nil {
		return nil, err
	}
	b := make([]byte, 20, nonceBytes)
	binary.BigEndian.PutUint64(b, uint64(time.Now().Add(NonceTTL).Unix()))
	rand.Read(b[8:20]) // never fails (crypto/rand, Go 1.24+)
	b = append(b, iss.nonces.mac(u.String(), b)...)
	return &NonceResponse{CNonce: base64.RawURLEncoding.EncodeToString(b)}, nil
}

// consume accepts a c_nonce of issuer once, until it expires.
func (ns *nonces) consume(issuer, n string) bool {
	b, err := base64.RawURLEncoding.DecodeString(n)
	if err != nil || len(b) != nonceBytes || !hmac.Equal(b[20:], ns.mac(issuer, b[:20])) {
		return false
	}
	now := time.Now()
	exp := time.Unix(int64(binary.BigEndian.Uint64(b[:8])), 0)
	if now.After(exp) {
		return false
	}
	ns.mu.Lock()
	defer ns.mu.Unlock()
	if now.Sub(ns.lastSweep) > NonceTTL/4 {
		for k, e := range ns.used {
			if now.After(e) {
				delete(ns.used, k)
			}
		}
		ns.lastSweep = now
	}
	if _, used := ns.used[n]; used {
		return false
	}
	ns.used[n] = exp
	return true
}
