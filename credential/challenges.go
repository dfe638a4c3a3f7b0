package credential

import (
	"time"

	"github.com/weidgo/weid/internal/onetime"
)

// ChallengeTTL is how long a challenge of Challenges may be used.
const ChallengeTTL = 10 * time.Minute

// Challenges issues the single-use challenges of W3C VCALM's POST
// /challenges and implements ChallengeStore for them: stateless until
// used, remembered once consumed until they expire, and no longer
// accepted after a restart (package onetime).
type Challenges struct{ t *onetime.Tokens }

// NewChallenges returns a store with a fresh key.
func NewChallenges() *Challenges { return &Challenges{onetime.New(ChallengeTTL)} }

// Issue returns a new challenge and its expiry.
func (c *Challenges) Issue() (string, time.Time) { return c.t.Issue("") }

// Consume implements ChallengeStore: a challenge this store issued (its
// HMAC verifies) is fresh once, until it expires.
func (c *Challenges) Consume(ch string) (issued, fresh bool) { return c.t.Consume("", ch) }
