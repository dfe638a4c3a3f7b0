package wallet

import (
	"context"
	"strings"
	"time"

	"github.com/weidgo/weid/credential"
)

// What may be known against a held credential (Standing): the words
// "weid wallet list" shows as its status.
const (
	StandingRevoked   = "revoked"
	StandingSuspended = "suspended"
	StandingExpired   = "expired"
)

// Standing says what is known against sc at now: StandingExpired when its
// validUntil (or exp) has passed, else what v's verdict says of its status
// or validity (revoked, suspended, expired); "" when nothing is known
// against it — v nil or not answering is no verdict. v is sent the
// credential as Receive sends it (an SD-JWT without its disclosures).
func Standing(ctx context.Context, v CredentialVerifier, sc *Stored, now time.Time) string {
	if until, err := time.Parse(time.RFC3339, sc.ValidUntil); err == nil && until.Before(now) {
		return StandingExpired
	}
	if v == nil {
		return ""
	}
	vd, err := verify(ctx, v, sc)
	if err != nil {
		return ""
	}
	for _, c := range vd.Errors {
		switch {
		case c.Name == credential.CheckStatus && strings.HasPrefix(c.Detail, StandingRevoked):
			return StandingRevoked
		case c.Name == credential.CheckStatus && strings.HasPrefix(c.Detail, StandingSuspended):
			return StandingSuspended
		case c.Name == credential.CheckValidityPeriod && strings.HasPrefix(c.Detail, StandingExpired):
			return StandingExpired
		}
	}
	return ""
}
