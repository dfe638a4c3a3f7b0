package oid4vp

// The response endpoint's state machine (§8.2): a wallet's answer is
// parsed and bound to its request (state; for direct_post.jwt the
// request's key), claimed so that only one answer is verified, verified
// (verdict.go), and recorded once.

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/credential"
)

// Answer takes a wallet's response to request id, body as posted
// (application/x-www-form-urlencoded). Protocol errors — an unknown,
// expired or answered request, a wrong state, a malformed or undecryptable
// response, a vp_token that does not fit the query's shape — are *Error
// (§8.5) and change nothing; so is an answer whose holder proofs are not
// bound to this request (holderProof, nonce, audience), which anyone who
// saw the QR code could send (§14.2). Another well-formed answer is
// verified and recorded, once: verified (nil), or rejected (an
// invalid_request *Error naming the failed checks, never a claim). A
// wallet's error response is recorded as rejected and answered nil.
func (v *Verifier) Answer(ctx context.Context, id string, body []byte) error {
	rec, err := v.openRequest(id)
	if err != nil {
		return err
	}
	resp, q, byID, err := parseAnswer(rec, body)
	if err != nil {
		return err
	}
	release, err := v.claim(id)
	if err != nil {
		return err
	}
	defer release()
	res, err := v.result(ctx, rec, resp, q, byID)
	if err != nil {
		return err
	}
	if err := v.record(id, res); err != nil {
		return err
	}
	if res.Verified || resp.Error != "" {
		return nil // §8.2: an error response processed is a 200
	}
	var failed []string
	for _, c := range res.Errors {
		if !slices.Contains(failed, c.Name) {
			failed = append(failed, c.Name)
		}
	}
	slog.InfoContext(ctx, "oid4vp: a presentation was rejected", "request", id, "failed", failed)
	return Errorf(ErrInvalidRequest, "the presentation was rejected: %s failed", strings.Join(failed, ", "))
}

// openRequest returns request id if it may still be answered.
func (v *Verifier) openRequest(id string) (*Record, error) {
	rec, err := v.store.Get(id)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(ErrInvalidRequest, "no presentation request answers here")
	} else if err != nil {
		return nil, err
	}
	return rec, openError(rec.StatusAt(v.now()))
}

// openError says why a request in status st can no longer be answered.
func openError(st string) error {
	switch st {
	case api.VPPending, api.VPRetrieved:
		return nil
	case api.VPExpired:
		return Errorf(ErrInvalidRequest, "the presentation request has expired")
	default:
		return Errorf(ErrInvalidRequest, "the presentation request was already answered")
	}
}

// parseAnswer reads a response to rec: its form, decrypted with the
// request's key for direct_post.jwt (§8.3.1), its state, and its vp_token
// by credential query id (none for a wallet's error response).
func parseAnswer(rec *Record, body []byte) (*Response, *DCQL, map[string][]json.RawMessage, error) {
	// A state sent beside an encrypted response is checked before the
	// (costly) decryption; inside or not, it is checked below.
	if form, err := url.ParseQuery(string(body)); err == nil && len(form["state"]) == 1 && form.Get("state") != "" &&
		subtle.ConstantTimeCompare([]byte(form.Get("state")), []byte(rec.State)) != 1 {
		return nil, nil, nil, Errorf(ErrInvalidRequest, "state is not this request's")
	}
	resp, err := ParseResponseForm(body, rec.ResponseMode, func(token string) ([]byte, error) {
		ek, err := rec.ephemeralKey()
		if err != nil {
			return nil, err
		}
		return ek.Decrypt(token)
	})
	if err != nil {
		return nil, nil, nil, err
	}
	if subtle.ConstantTimeCompare([]byte(resp.State), []byte(rec.State)) != 1 {
		return nil, nil, nil, Errorf(ErrInvalidRequest, "state is not this request's")
	}
	q, pd, err := rec.queries()
	if err != nil || resp.Error != "" {
		return resp, q, nil, err
	}
	byID, err := resp.Presentations(q, pd)
	return resp, q, byID, err
}

// queries reads the request's query (and presentation definition) as it
// was checked when the request was made (integers as json.Number, which
// the matcher compares).
func (rec *Record) queries() (*DCQL, *PresentationDefinition, error) {
	q, err := ParseDCQL(rec.Query)
	if err != nil {
		return nil, nil, fmt.Errorf("presentation request %s: its stored query: %w", rec.ID, err)
	}
	var pd *PresentationDefinition
	if rec.PD != nil {
		if pd, _, err = ParsePresentationDefinition(rec.PD); err != nil {
			return nil, nil, err
		}
	}
	return q, pd, nil
}

// claim marks request id as being answered, so that one answer is
// verified and a concurrent other refused; release unmarks it.
func (v *Verifier) claim(id string) (release func(), err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.inflight[id] {
		return nil, Errorf(ErrInvalidRequest, "the presentation request is being answered")
	}
	v.inflight[id] = true
	return func() {
		v.mu.Lock()
		delete(v.inflight, id)
		v.mu.Unlock()
	}, nil
}

// result verifies an answer: a wallet's error response is a rejection;
// presentations not bound to the request by their holder are refused.
func (v *Verifier) result(ctx context.Context, rec *Record, resp *Response, q *DCQL, byID map[string][]json.RawMessage) (*api.PresentationRequestResult, error) {
	if resp.Error != "" {
		res := &api.PresentationRequestResult{
			Checks:      []credential.Check{{Name: "wallet", Status: credential.StatusFailed, Code: ReasonWalletDeclined, Params: map[string]string{"error": truncate(resp.Error, 64)}, Detail: "the wallet declined: " + truncate(resp.Error, 64)}},
			Credentials: []api.PresentedCredential{}, Warnings: []credential.Check{}, WalletError: truncate(resp.Error, 64),
		}
		res.Errors = res.Checks
		return res, nil
	}
	res, unproven, err := v.verifyVPToken(ctx, rec, q, byID)
	if err != nil {
		return nil, err
	}
	if len(unproven) > 0 {
		// Not the holder's answer to this request (no valid holder proof,
		// another nonce or audience): refused, and the request stays open
		// for the wallet the QR code was meant for (§14.2).
		slog.InfoContext(ctx, "oid4vp: an answer not bound to the request was refused", "request", rec.ID, "failed", unproven)
		return nil, Errorf(ErrInvalidRequest, "the presentation was refused: %s failed; the request stays open", strings.Join(unproven, ", "))
	}
	return res, nil
}

// record keeps the outcome of request id, unless the request changed
// meanwhile, and drops its decryption key, which has done its work.
func (v *Verifier) record(id string, res *api.PresentationRequestResult) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	cur, err := v.store.Get(id)
	if err != nil {
		return err
	}
	if err := openError(cur.StatusAt(v.now())); err != nil {
		return err
	}
	cur.Result, cur.Answered = res, v.now().UTC().Truncate(time.Second)
	cur.Status = api.VPRejected
	if res.Verified {
		cur.Status = api.VPVerified
	}
	cur.EncKey = ""
	if err := v.store.Put(cur); err != nil {
		return err
	}
	v.notifyLocked(id)
	return nil
}
