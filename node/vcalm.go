package node

// The statuses of W3C VCALM's issue and status endpoints. Its OpenAPI
// document (VCALM 0.9, paths /credentials/issue and /credentials/status)
// lists 201 and 400 for issuing — 400 for "the provided value of 'issuer'
// does not match the expected configuration" and "another condition that
// results in a Bad Request" — and 200, 400 and 404 ("Credential not
// found") for a status update. weid's codes keep their own statuses on its
// /v1 endpoints (422 schema.violation for an offer's claims, say); on these
// two endpoints a mistake in what the caller sent is a 400 with the same
// code and detail (RFC 9110 §15.5.1), so that a VCALM client needs no
// other status to tell it.
//
// What stays: 401 for a missing or invalid token and 403 for a token that
// may not use what it names — VCALM's security schemes (networkAuth,
// oAuth2, zCap) are HTTP bearer schemes, whose RFC 6750 §3.1 answers are
// invalid_token 401 and insufficient_scope 403 — and 413 for a request or
// credential larger than the node processes (RFC 9110 §15.5.14, which
// VCALM itself lists for /presentations/verify: "an implementation is
// permitted to … restrict requests … using a 413"). 409 and 5xx are the
// node's state, not the request's.

import (
	"net/http"

	"github.com/weidgo/weid/errs"
)

// issueContentError reports whether e, an error of issuing, is a mistake
// in the request's content that VCALM answers 400: a 422 (claims that do
// not conform to their schema, schema.violation), a 404 or 410 of a
// resource the body names rather than the path (schema.notFound for its
// credentialSchema, a DID issuer gone), and auth.notCustodian, an issuer
// this node keeps no key for — no issuer configured here, which VCALM
// names as a 400. auth.notOwner, an issuer another account keeps, stays a
// 403: the token may not use it.
func issueContentError(e *errs.Error) bool {
	switch e.Status {
	case http.StatusUnprocessableEntity, http.StatusNotFound, http.StatusGone:
		return true
	}
	return e.Code == "auth.notCustodian"
}

// statusContentError reports whether e, an error of a status update, is a
// mistake in the request's content that VCALM answers 400: a 422
// (status.purposeMismatch, an entry named under another purpose than its
// list's). 404 credential.notFound is VCALM's own "Credential not found".
func statusContentError(e *errs.Error) bool {
	return e.Status == http.StatusUnprocessableEntity
}

// asBadRequest returns err as a 400 of the same code and detail when it
// carries an *errs.Error that content says is the caller's mistake, and
// err itself otherwise.
func asBadRequest(err error, content func(*errs.Error) bool) error {
	e, ok := errs.As(err)
	if !ok || e.Status == http.StatusBadRequest || !content(e) {
		return err
	}
	return &errs.Error{Status: http.StatusBadRequest, Code: e.Code, Detail: e.Detail, Err: e.Err}
}
