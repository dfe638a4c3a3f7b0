package credential

// The status of SD-JWT VCs as the IETF Token Status List
// (draft-ietf-oauth-status-list-17): the credential's "status" claim
// refers to index idx of the Status List Token published at uri, which
// the status check fetches (TokenStatusSource), validates (§8.3) and
// reads.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/status"
)

// Codes of the status check for a Token Status List reference (besides
// status.ok, status.revoked and status.suspended, which it shares with
// Bitstring Status List entries).
const (
	ReasonStatusBadReference     = "status.badReference"         // the "status" claim is malformed
	ReasonStatusTokenUnavailable = "status.tokenUnavailable"     // params: uri
	ReasonStatusTokenInvalid     = "status.tokenInvalid"         // params: uri
	ReasonStatusTokenSignature   = "status.tokenSignature"       // params: uri, key
	ReasonStatusTokenSubject     = "status.tokenSubjectMismatch" // params: uri, sub
	ReasonStatusTokenExpired     = "status.tokenExpired"         // params: uri, at
	ReasonStatusTokenIndex       = "status.tokenIndexOutOfRange" // params: uri, index, size
	ReasonStatusTokenValue       = "status.tokenStatusValue"     // params: uri, index, value
	ReasonStatusOtherMechanism   = "status.otherMechanism"       // a "status" claim without status_list
)

// TokenStatusSource gives the verifier the Status List Token published at
// a uri (draft-ietf-oauth-status-list-17 §8.1), as a compact JWS. A 4xx
// *errs.Error means there is none to be had (the check warns, saying why);
// any other error is the verifier's own failure. The source may cache a
// token for as long as its "ttl" allows (§5.1).
type TokenStatusSource interface {
	StatusListToken(ctx context.Context, uri string) (string, error)
}

// tokenStatus checks c's "status" claim against its Status List Token
// and returns the status check's outcome, nil if c has no "status" claim.
// It follows §8.3: the token is a statuslist+jwt JWT, signed by an
// assertion method of the credential's issuer (weid takes the
// Status Issuer to be the Issuer and trusts no third party to sign for
// it, which §8.3 leaves to the Relying Party's policy), whose "sub" is the
// referenced uri, not expired, and whose list holds the index; the status
// there is 0x00 VALID, 0x01 INVALID (revoked) or 0x02 SUSPENDED (§7.1),
// any other value fails.
//
// The error is the verifier's own failure (the check then fails saying the
// token could not be read).
func (v *Verifier) tokenStatus(ctx context.Context, c *Credential) (*Check, error) {
	if c.tokenStatus == nil {
		return nil, nil
	}
	fail := func(code string, p map[string]string, format string, args ...any) *Check {
		return &Check{Name: CheckStatus, Status: StatusFailed, Code: code, Params: p, Detail: fmt.Sprintf(format, args...)}
	}
	ref, err := status.ParseReference(c.tokenStatus)
	if errors.Is(err, status.ErrNoStatusList) {
		return &Check{Name: CheckStatus, Status: StatusWarning, Code: ReasonStatusOtherMechanism, Detail: "the SD-JWT VC's \"status\" claim names no status_list: its status mechanism is not one weid reads"}, nil
	}
	if err != nil {
		return fail(ReasonStatusBadReference, nil, "%s", errDetail(err)), nil
	}
	uri := truncate(ref.URI, 200)
	idx := strconv.FormatUint(ref.Index, 10)
	if v.TokenStatus == nil {
		return &Check{Name: CheckStatus, Status: StatusWarning, Code: ReasonStatusNoList, Detail: "no Token Status List is available to this verifier: the credential's status was not checked"}, nil
	}
	compact, err := v.TokenStatus.StatusListToken(ctx, ref.URI)
	if err != nil {
		if e, ok := errs.As(err); ok && e.Status < 500 {
			return &Check{Name: CheckStatus, Status: StatusWarning, Code: ReasonStatusTokenUnavailable, Params: params("uri", uri), Detail: fmt.Sprintf("the Status List Token at %s could not be had: %s", uri, e.Detail)}, nil
		}
		return &Check{Name: CheckStatus, Status: StatusFailed, Code: ReasonStatusUnreadable, Params: params("uri", uri), Detail: fmt.Sprintf("the Status List Token at %s could not be read", uri)}, err
	}
	tok, err := status.ParseToken(compact)
	if err != nil {
		return fail(ReasonStatusTokenInvalid, params("uri", uri), "%s: %s", uri, errDetail(err)), nil
	}
	// §8.3 step 3: the token's signature, by the credential's issuer.
	kid := tok.JWS.Header.Kid
	u, perr := did.ParseDIDURL(kid)
	if kid == "" || perr != nil || u.Fragment == "" || u.DID != c.Issuer {
		return fail(ReasonStatusTokenSignature, params("uri", uri, "key", truncate(kid, 200)), "the Status List Token at %s is signed by %q, not by a verification method of the credential's issuer %s", uri, truncate(kid, 200), truncate(c.Issuer, 200)), nil
	}
	scratch := newResult()
	pk, _, ok := v.methodKey(ctx, scratch, CheckStatus, relAssertionMethod, u, kid, time.Time{})
	if scratch.Err != nil {
		return &Check{Name: CheckStatus, Status: StatusFailed, Code: ReasonStatusUnreadable, Params: params("uri", uri), Detail: "the Status List Token's key could not be resolved"}, scratch.Err
	}
	if !ok {
		return fail(ReasonStatusTokenSignature, params("uri", uri, "key", kid), "the Status List Token at %s: %s", uri, scratch.Checks[0].Detail), nil
	}
	if err := tok.JWS.Verify(pk); err != nil {
		return fail(ReasonStatusTokenSignature, params("uri", uri, "key", kid), "the Status List Token at %s does not verify with %s: %v", uri, kid, err), nil
	}
	// §8.3 step 5: "sub" is the uri the credential names.
	if tok.Subject != ref.URI {
		return fail(ReasonStatusTokenSubject, params("uri", uri, "sub", truncate(tok.Subject, 200)), "the Status List Token fetched from %s is the token of %s (its \"sub\")", uri, truncate(tok.Subject, 200)), nil
	}
	// §8.3 step 4 and §5.1: an expired token is not used.
	now := v.now()
	if !tok.Expires.IsZero() && now.After(tok.Expires.Add(v.ClockSkew)) {
		at := tok.Expires.Format(time.RFC3339)
		return fail(ReasonStatusTokenExpired, params("uri", uri, "at", at), "the Status List Token at %s expired at %s", uri, at), nil
	}
	// §8.3 step 6: the index is in the list.
	val, err := tok.Status(ref.Index)
	if err != nil {
		return fail(ReasonStatusTokenIndex, params("uri", uri, "index", idx, "size", strconv.FormatUint(tok.Size(), 10)), "%s", errDetail(err)), nil
	}
	where := fmt.Sprintf("Token Status List %s index %d", uri, ref.Index)
	list := tokenListName(ref.URI)
	switch val {
	case status.TokenValid:
		return &Check{Name: CheckStatus, Status: StatusPassed, Code: ReasonStatusOK, Detail: "valid (" + where + ")"}, nil
	case status.TokenInvalid:
		return fail(ReasonStatusRevoked, params("list", list, "index", idx), "revoked: the status is 0x01 INVALID (%s)", where), nil
	case status.TokenSuspended:
		return fail(ReasonStatusSuspended, params("list", list, "index", idx), "suspended: the status is 0x02 SUSPENDED (%s)", where), nil
	}
	hex := fmt.Sprintf("0x%02X", val)
	return fail(ReasonStatusTokenValue, params("uri", uri, "index", idx, "value", hex), "the status is %s, which is not VALID (%s)", hex, where), nil
}

// tokenListName names the list of a Status List Token uri for the
// check's Params: the weid list id, or the uri itself.
func tokenListName(uri string) string {
	if id, ok := status.ListIDFromTokenURL(uri); ok {
		return id
	}
	return truncate(uri, 100)
}

// errDetail is the detail of an *errs.Error, or the error's text.
func errDetail(err error) string {
	if e, ok := errs.As(err); ok {
		return e.Detail
	}
	return err.Error()
}
