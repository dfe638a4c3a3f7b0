package txn

import (
	"net/http"
	"strconv"
	"time"

	"github.com/weidgo/weid/errs"
)

// A transaction's validUntil bounds when it may be committed, so that a
// signed transaction withheld from the ledger cannot be submitted long
// after its signer meant it to (nonces need only be unused, so without it a
// transaction stays valid until its key is rotated). It is checked against
// the block that would commit it — its weid height or its time, both agreed
// by every node — never against a node's clock, so every node decides the
// same (Cosmos' timeout height and timestamp do the same).

// DefaultValidity is how long the transactions weid's SDK, CLI and the
// node's custodial signing make stay valid by default.
const DefaultValidity = 10 * time.Minute

// MaxValidity is how far after the block's time a validUntil time may be: a
// later one is refused (tx.malformed), so that no signed transaction lives
// longer than a day.
const MaxValidity = 24 * time.Hour

// MaxValidityBlocks is how far above the block's height a validUntil height
// may be (blocks are not a clock: weid counts only blocks that change the
// state, so a chain that needs a bound in time uses a time).
const MaxValidityBlocks = 100_000

// maxValidUntilLen bounds the validUntil string (RFC 3339 with nanoseconds
// and an offset is 35 characters).
const maxValidUntilLen = 40

// Expiry is a transaction's validUntil, read: a height or a time (the other
// zero), or neither if it has none.
type Expiry struct {
	Height uint64
	Time   time.Time
}

// None reports whether the transaction has no validUntil.
func (e Expiry) None() bool { return e.Height == 0 && e.Time.IsZero() }

// ParseValidUntil reads a validUntil: 1 to 16 decimal digits without a
// leading zero (a weid block height, ≥ 1), or an RFC 3339 date-time
// (RFC 3339 §5.6, with "T" and "Z" in upper case and an explicit offset).
// Anything else is 400 tx.malformed.
func ParseValidUntil(s string) (Expiry, error) {
	bad := func() (Expiry, error) {
		return Expiry{}, errs.BadRequest("tx.malformed", "validUntil must be a block height (decimal digits) or an RFC 3339 time such as 2026-12-05T10:00:00Z")
	}
	if s == "" || len(s) > maxValidUntilLen || !safeASCII(s, ":.+-") {
		return bad()
	}
	digits := true
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			digits = false
			break
		}
	}
	if digits {
		h, err := strconv.ParseUint(s, 10, 64)
		if err != nil || h == 0 || len(s) > 16 || s[0] == '0' {
			return bad()
		}
		return Expiry{Height: h}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return bad()
	}
	return Expiry{Time: t}, nil
}

// Expiry returns tx's validUntil, read (ParseValidUntil).
func (tx *Tx) Expiry() (Expiry, error) {
	if tx.ValidUntil == "" {
		return Expiry{}, nil
	}
	return ParseValidUntil(tx.ValidUntil)
}

// Check refuses a transaction with expiry e in a block of the given height
// and time: Passed, then TooFar.
func (e Expiry) Check(height uint64, t time.Time) error {
	if err := e.Passed(height, t); err != nil {
		return err
	}
	return e.TooFar(height, t)
}

// Passed is 400 tx.expired if a block of the given height and time is past
// e.
func (e Expiry) Passed(height uint64, t time.Time) error {
	switch {
	case e.Height != 0 && height > e.Height:
		return errs.New(http.StatusBadRequest, "tx.expired", "the transaction was valid until block %d; this is block %d", e.Height, height)
	case !e.Time.IsZero() && t.After(e.Time):
		return errs.New(http.StatusBadRequest, "tx.expired", "the transaction was valid until %s; the block's time is %s", e.Time.UTC().Format(time.RFC3339Nano), t.UTC().Format(time.RFC3339Nano))
	}
	return nil
}

// TooFar is 400 tx.malformed if e is further ahead of a block of the given
// height and time than MaxValidityBlocks or MaxValidity.
func (e Expiry) TooFar(height uint64, t time.Time) error {
	switch {
	case e.Height > height && e.Height-height > MaxValidityBlocks:
		return errs.BadRequest("tx.malformed", "validUntil %d is more than %d blocks after block %d", e.Height, MaxValidityBlocks, height)
	case !e.Time.IsZero() && e.Time.Sub(t) > MaxValidity:
		return errs.BadRequest("tx.malformed", "validUntil %s is more than %v after the block's time %s", e.Time.UTC().Format(time.RFC3339), MaxValidity, t.UTC().Format(time.RFC3339))
	}
	return nil
}

// ValidFor returns the validUntil of a transaction signed now that stays
// valid for d: now + d in RFC 3339, UTC, to the second.
func ValidFor(now time.Time, d time.Duration) string {
	return now.Add(d).UTC().Truncate(time.Second).Format(time.RFC3339)
}
