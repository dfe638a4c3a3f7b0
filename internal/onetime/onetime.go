// Package onetime issues stateless single-use tokens: the challenges of
// W3C VCALM's POST /challenges and the c_nonces of OpenID4VCI. A token is
// its expiry time and random bytes, authenticated with an HMAC under a key
// drawn when the Tokens is made, so issuing one stores nothing and anyone
// may ask for as many as they like. Only consumed tokens are remembered,
// until they expire. A new Tokens (a restart) draws a new key, which fails
// closed: tokens issued before it are no longer accepted.
package onetime

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"sync"
	"time"
)

// size is the layout of a token: 8 bytes of expiry (Unix seconds, big
// endian), 12 random bytes, 16 bytes of HMAC-SHA256 over the first 20 and
// the token's scope.
const size = 8 + 12 + 16

// Tokens issues and consumes tokens that live for one TTL.
type Tokens struct {
	key       [32]byte
	ttl       time.Duration
	now       func() time.Time
	mu        sync.Mutex
	used      map[string]time.Time // consumed token → its expiry
	lastSweep time.Time
}

// New returns Tokens with a fresh key whose tokens live for ttl.
func New(ttl time.Duration) *Tokens {
	t := &Tokens{ttl: ttl, now: time.Now, used: make(map[string]time.Time)}
	_, _ = rand.Read(t.key[:]) // never fails (crypto/rand, Go 1.24+)
	return t
}

// SetClock makes t read the time from now (for tests).
func (t *Tokens) SetClock(now func() time.Time) { t.now = now }

func (t *Tokens) mac(scope string, b []byte) []byte {
	h := hmac.New(sha256.New, t.key[:])
	h.Write(b)
	h.Write([]byte(scope))
	return h.Sum(nil)[:16]
}

// Issue returns a new token for scope (e.g. an issuer's identifier; a
// token is accepted only for the scope it was issued for) and its expiry,
// truncated to the second.
func (t *Tokens) Issue(scope string) (string, time.Time) {
	exp := t.now().Add(t.ttl).Truncate(time.Second)
	b := make([]byte, 20, size)
	binary.BigEndian.PutUint64(b, uint64(exp.Unix()))
	_, _ = rand.Read(b[8:20])
	b = append(b, t.mac(scope, b)...)
	return base64.RawURLEncoding.EncodeToString(b), exp
}

// Consume reports whether tok was issued by t for scope (its HMAC
// verifies) and whether it is fresh: not expired and not consumed before.
// A fresh token is consumed.
func (t *Tokens) Consume(scope, tok string) (issued, fresh bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) != size || !hmac.Equal(b[20:], t.mac(scope, b[:20])) {
		return false, false
	}
	now := t.now()
	exp := time.Unix(int64(binary.BigEndian.Uint64(b[:8])), 0)
	if now.After(exp) {
		return true, false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if now.Sub(t.lastSweep) > t.ttl/4 {
		for k, e := range t.used {
			if now.After(e) {
				delete(t.used, k)
			}
		}
		t.lastSweep = now
	}
	if _, used := t.used[tok]; used {
		return true, false
	}
	t.used[tok] = exp
	return true, true
}

// remembered is how many consumed tokens t keeps.
func (t *Tokens) remembered() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.used)
}
