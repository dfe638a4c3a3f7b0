package exchange

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"sync"
	"time"

	"github.com/weidgo/weid/errs"
)

// Nonces of the exchange.
const (
	// NonceTTL is how long a nonce may be used.
	NonceTTL = 5 * time.Minute
	// MaxNonces bounds the nonces kept at once (503 exchange.busy past it).
	MaxNonces = 100000
)

type nonceEntry struct {
	resource string
	expires  time.Time
	used     bool
}

// nonces are the nonces a service issued: used ones are kept until they
// expire, so that a replay is named as such.
type nonces struct {
	max int
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]*nonceEntry
}

func newNonces(max int, ttl time.Duration) *nonces {
	return &nonces{max: max, ttl: ttl, m: map[string]*nonceEntry{}}
}

// issue returns a new nonce for resource and when it expires. Expired
// nonces are forgotten only when the store is full, so a busy store costs
// one sweep per nonce issued past the bound, not one per request.
func (ns *nonces) issue(resource string, now time.Time) (string, time.Time, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", time.Time{}, err
	}
	n := base64.RawURLEncoding.EncodeToString(b[:])
	exp := now.Add(ns.ttl)
	ns.mu.Lock()
	defer ns.mu.Unlock()
	if len(ns.m) >= ns.max {
		for k, e := range ns.m {
			if now.After(e.expires) {
				delete(ns.m, k)
			}
		}
	}
	if len(ns.m) >= ns.max {
		return "", time.Time{}, errs.New(http.StatusServiceUnavailable, "exchange.busy", "too many outstanding nonces; retry later")
	}
	ns.m[n] = &nonceEntry{resource: resource, expires: exp}
	return n, exp, nil
}

// consume uses nonce n for resource once.
func (ns *nonces) consume(n, resource string, now time.Time) error {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	e, ok := ns.m[n]
	switch {
	case !ok || now.After(e.expires):
		return errs.New(http.StatusUnauthorized, "exchange.unknownNonce", "the proof's nonce was not issued by this data holder or has expired; get one from POST …/nonce")
	case e.used:
		return errs.New(http.StatusConflict, "exchange.replayed", "the proof's nonce was already used: a request is served once")
	case e.resource != resource:
		return errs.New(http.StatusUnauthorized, "exchange.unknownNonce", "the proof's nonce was issued for another resource")
	}
	e.used = true
	return nil
}
