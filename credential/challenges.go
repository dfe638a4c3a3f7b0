package credential

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"sync"
	"time"
)

// ChallengeTTL is how long a challenge of Challenges may be used.
const ChallengeTTL = 10 * time.Minute

// Challenges issues the single-use challenges of W3C VCALM's POST
// /challenges and implements ChallengeStore for them. A challenge is
// stateless until used: its expiry time and random bytes, authenticated
// with an HMAC under a key drawn when the store is made, so issuing one
// stores nothing and anyone may ask for as many as they like. Only
// consumed challenges are remembered, until they expire. A new store (a
// restart) draws a new key, which fails closed: challenges issued before
// it are no longer accepted.
type Challenges struct {
	key       [32]byte
	mu        sync.Mutex
	used      map[string]time.Time // consumed challenge → its expiry
	lastSweep time.Time
	now       func() time.Time
}

// NewChallenges returns a store with a fresh key.
func NewChallenges() *Challenges {
	c := &Challenges{used: make(map[string]time.Time), now: time.Now}
	_, _ = rand.Read(c.key[:]) // never fails (crypto/rand)
	return c
}

// challenge layout: 8 bytes of expiry (Unix seconds, big endian), 12
// random bytes, 16 bytes of HMAC-SHA256 over the first 20.
const challengeBytes = 8 + 12 + 16

func (c *Challenges) mac(b []byte) []byte {
	h := hmac.New(sha256.New, c.key[:])
	h.Write(b)
	return h.Sum(nil)[:16]
}

// Issue returns a new challenge and its expiry.
func (c *Challenges) Issue() (string, time.Time) {
	exp := c.now().Add(ChallengeTTL).Truncate(time.Second)
	b := make([]byte, 20, challengeBytes)
	binary.BigEndian.PutUint64(b, uint64(exp.Unix()))
	_, _ = rand.Read(b[8:20])
	b = append(b, c.mac(b)...)
	return base64.RawURLEncoding.EncodeToString(b), exp
}

// Consume implements ChallengeStore: a challenge this store issued (its
// HMAC verifies) is fresh once, until it expires.
func (c *Challenges) Consume(ch string) (issued, fresh bool) {
	b, err := base64.RawURLEncoding.DecodeString(ch)
	if err != nil || len(b) != challengeBytes || !hmac.Equal(b[20:], c.mac(b[:20])) {
		return false, false
	}
	now := c.now()
	exp := time.Unix(int64(binary.BigEndian.Uint64(b[:8])), 0)
	if now.After(exp) {
		return true, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if now.Sub(c.lastSweep) > ChallengeTTL/4 {
		for k, e := range c.used {
			if now.After(e) {
				delete(c.used, k)
			}
		}
		c.lastSweep = now
	}
	if _, used := c.used[ch]; used {
		return true, false
	}
	c.used[ch] = exp
	return true, true
}
