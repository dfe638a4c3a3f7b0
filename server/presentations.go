package server

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/errs"
)

// Challenges (VCALM POST /challenges) are stateless until used: a
// challenge is its expiry time and random bytes, authenticated with an HMAC
// under a key the server draws at start, so issuing one stores nothing and
// anyone may ask for as many as they like. Only consumed challenges are
// remembered, until they expire. A restart draws a new key, which fails
// closed: challenges issued before it are no longer accepted.
const (
	// ChallengeTTL is how long a challenge may be used.
	ChallengeTTL = 10 * time.Minute
)

// challengeStore implements credential.ChallengeStore.
type challengeStore struct {
	key       [32]byte
	mu        sync.Mutex
	used      map[string]time.Time // consumed challenge → its expiry
	lastSweep time.Time
	now       func() time.Time
}

func newChallengeStore() *challengeStore {
	c := &challengeStore{used: make(map[string]time.Time), now: time.Now}
	if _, err := rand.Read(c.key[:]); err != nil {
		panic("weid: no randomness for the challenge key: " + err.Error())
	}
	return c
}

// challenge layout: 8 bytes of expiry (Unix seconds, big endian), 12
// random bytes, 16 bytes of HMAC-SHA256 over the first 20.
const challengeBytes = 8 + 12 + 16

func (c *challengeStore) mac(b []byte) []byte {
	h := hmac.New(sha256.New, c.key[:])
	h.Write(b)
	return h.Sum(nil)[:16]
}

// issue returns a new challenge and its expiry.
func (c *challengeStore) issue() (string, time.Time, error) {
	exp := c.now().Add(ChallengeTTL).Truncate(time.Second)
	b := make([]byte, 20, challengeBytes)
	binary.BigEndian.PutUint64(b, uint64(exp.Unix()))
	if _, err := rand.Read(b[8:20]); err != nil {
		return "", time.Time{}, err
	}
	b = append(b, c.mac(b)...)
	return base64.RawURLEncoding.EncodeToString(b), exp, nil
}

// Consume implements credential.ChallengeStore: a challenge this server
// issued (its HMAC verifies) is fresh once, until it expires.
func (c *challengeStore) Consume(ch string) (issued, fresh bool) {
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

// ChallengeResponse is the body of a 200 from POST /challenges.
type ChallengeResponse struct {
	Challenge string    `json:"challenge"`
	Expires   time.Time `json:"expires"`
}

// createChallenge issues a single-use challenge.
func (s *Server) createChallenge(w http.ResponseWriter, r *http.Request) {
	ch, exp, err := s.challenges.issue()
	if err != nil {
		renderError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ChallengeResponse{Challenge: ch, Expires: exp.UTC()})
}

// VerifyPresentationRequest is the body of POST /presentations/verify.
// Unknown option keys are tolerated, as VCALM asks.
type VerifyPresentationRequest struct {
	VerifiablePresentation json.RawMessage `json:"verifiablePresentation"`
	Options                map[string]any  `json:"options,omitempty"`
}

// verifyPresentation verifies a presentation and the credentials in it:
// 200 when verified, 422 when a check failed, 400 when malformed.
func (s *Server) verifyPresentation(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	var req VerifyPresentationRequest
	if err := json.Unmarshal(body, &req); err != nil {
		renderError(w, r, errs.BadRequest("request.malformed", "request body: %v", err))
		return
	}
	o := credential.PresentationOptions{Challenges: s.challenges, Policy: policyFrom(req.Options)}
	for name, dst := range map[string]*string{"challenge": &o.Challenge, "domain": &o.Domain} {
		if v, ok := req.Options[name]; ok {
			str, isStr := v.(string)
			if !isStr {
				renderError(w, r, errs.BadRequest("request.malformed", "options.%s must be a string", name))
				return
			}
			*dst = str
		}
	}
	res, err := s.verifier().VerifyPresentation(r.Context(), req.VerifiablePresentation, o)
	if err != nil {
		renderError(w, r, err)
		return
	}
	renderVerdict(w, r, res.Verified, res.Err, res)
}
