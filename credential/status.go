package credential

import (
	"fmt"
	"strings"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
)

// Status purposes of W3C Bitstring Status List v1.0 (§2.1) that the
// status check understands.
const (
	PurposeRevocation = "revocation"
	PurposeSuspension = "suspension"
)

// StatusOutcome is what a StatusChecker read for one credentialStatus
// entry.
type StatusOutcome struct {
	// Known is false when the entry is not one the checker can read (a
	// status list of another system, or an unsupported purpose): the
	// status check then warns instead of deciding.
	Known bool
	// Purpose is the entry's statusPurpose.
	Purpose string
	// Set reports that the credential's bit is set: revoked or suspended.
	Set bool
	// Where names the list and index, for the check's detail.
	Where string
}

// StatusChecker reads the status of a credential from one of its
// credentialStatus entries, as of the ledger state st. An *errs.Error
// with a 4xx status means the entry itself is wrong (malformed, or a list
// of another issuer): the status check fails with its detail. Any other
// error is the verifier's own failure.
type StatusChecker interface {
	CheckStatus(st chain.Reader, issuer string, entry map[string]any) (StatusOutcome, error)
}

// status runs the status check.
func (v *Verifier) status(r *Result, c *Credential) {
	if tc := c.tokenCheck; tc != nil && (tc.Status != StatusPassed || len(c.Statuses) == 0) {
		// An SD-JWT VC's Token Status List decides, unless it passed and
		// the credential also has credentialStatus entries to read.
		r.Checks = append(r.Checks, *tc)
		return
	}
	if len(c.Statuses) == 0 {
		r.addCode(CheckStatus, StatusSkipped, ReasonStatusNone, nil, "the credential has no credentialStatus")
		return
	}
	if v.Status == nil || v.State == nil {
		r.addCode(CheckStatus, StatusWarning, ReasonStatusNoList, nil, "no status list is available to this verifier: the credential's revocation or suspension was not checked")
		return
	}
	var passed, unknown []string
	for i, entry := range c.Statuses {
		o, err := v.Status.CheckStatus(v.State, c.Issuer, entry)
		if err != nil {
			if e, ok := errs.As(err); ok && e.Status < 500 {
				r.addCode(CheckStatus, StatusFailed, ReasonStatusBadEntry, nil, fmt.Sprintf("credentialStatus %d: %s", i, e.Detail))
				return
			}
			r.internal(fmt.Errorf("read credentialStatus %d: %w", i, err))
			r.addCode(CheckStatus, StatusFailed, ReasonStatusUnreadable, nil, fmt.Sprintf("credentialStatus %d could not be read", i))
			return
		}
		switch {
		case !o.Known:
			unknown = append(unknown, o.Where)
		case o.Set && o.Purpose == PurposeRevocation:
			r.addCode(CheckStatus, StatusFailed, ReasonStatusRevoked, entryParams(entry), "revoked ("+o.Where+")")
			return
		case o.Set && o.Purpose == PurposeSuspension:
			r.addCode(CheckStatus, StatusFailed, ReasonStatusSuspended, entryParams(entry), "suspended ("+o.Where+")")
			return
		case o.Set:
			p := entryParams(entry)
			p["purpose"] = o.Purpose
			r.addCode(CheckStatus, StatusFailed, ReasonStatusSet, p, fmt.Sprintf("status %q is set (%s)", o.Purpose, o.Where))
			return
		default:
			passed = append(passed, "not "+pastTense(o.Purpose))
		}
	}
	if len(unknown) > 0 {
		r.addCode(CheckStatus, StatusWarning, ReasonStatusUnknownList, nil, "not checked (not a status list of this ledger): "+strings.Join(unknown, ", "))
		return
	}
	r.addCode(CheckStatus, StatusPassed, ReasonStatusOK, nil, strings.Join(passed, ", "))
}

// entryParams names a credentialStatus entry's list (the last segment of
// its statusListCredential URL) and index (Bitstring Status List v1.0
// §2.1), for the status check's Params.
func entryParams(entry map[string]any) map[string]string {
	list, _ := entry["statusListCredential"].(string)
	if i := strings.LastIndexByte(list, '/'); i >= 0 {
		list = list[i+1:]
	}
	return params("list", truncate(list, 100), "index", truncate(fmt.Sprint(entry["statusListIndex"]), 20))
}

func pastTense(purpose string) string {
	switch purpose {
	case PurposeRevocation:
		return "revoked"
	case PurposeSuspension:
		return "suspended"
	}
	return purpose
}
