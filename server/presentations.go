package server

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/errs"
)

// Challenges (VCALM POST /challenges) are kept in memory: a challenge is a
// verifier's one-time, short-lived nonce, not ledger data. A restart
// forgets them all, which fails closed: a presentation made for a
// forgotten challenge is no longer accepted as fresh.
const (
	// ChallengeTTL is how long a challenge may be used.
	ChallengeTTL = 10 * time.Minute
	// MaxChallenges bounds the challenges kept at once; past it, POST
	// /challenges answers 503 until some expire.
	MaxChallenges = 1 << 20
)

// challengeStore implements credential.ChallengeStore.
type challengeStore struct {
	mu  sync.Mutex
	m   map[string]challengeEntry
	now func() time.Time
}

type challengeEntry struct {
	expires time.Time
	used    bool
}

func newChallengeStore() *challengeStore {
	return &challengeStore{m: make(map[string]challengeEntry), now: time.Now}
}

// issue returns a new random challenge.
func (c *challengeStore) issue() (string, time.Time, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", time.Time{}, err
	}
	ch := base64.RawURLEncoding.EncodeToString(b[:])
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= MaxChallenges {
		for k, e := range c.m {
			if now.After(e.expires) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= MaxChallenges {
			return "", time.Time{}, errs.New(http.StatusServiceUnavailable, "challenge.exhausted", "too many outstanding challenges; retry later")
		}
	}
	exp := now.Add(ChallengeTTL)
	c.m[ch] = challengeEntry{expires: exp}
	return ch, exp, nil
}

// Consume implements credential.ChallengeStore: an expired challenge is
// reported used.
func (c *challengeStore) Consume(ch string) (issued, fresh bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[ch]
	if !ok {
		return false, false
	}
	if e.used || c.now().After(e.expires) {
		return true, false
	}
	e.used = true
	c.m[ch] = e
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
	writeJSON(w, http.StatusOK, ChallengeResponse{Challenge: ch, Expires: exp.UTC().Truncate(time.Second)})
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
	if res.Err != nil {
		renderError(w, r, errs.New(http.StatusServiceUnavailable, "ledger.unavailable", "a check could not be made: %v", res.Err))
		return
	}
	status := http.StatusOK
	if !res.Verified {
		status = http.StatusUnprocessableEntity
	}
	writeJSON(w, status, res)
}
