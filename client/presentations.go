package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/weidgo/weid/api"
)

// Challenge asks the node for a single-use challenge (POST /challenges):
// a holder puts it in a presentation, and the node accepts a presentation
// carrying it once, until it expires. It returns the challenge and when it
// expires.
func (c *Client) Challenge(ctx context.Context) (string, time.Time, error) {
	var r api.ChallengeResponse
	if _, err := c.do(ctx, http.MethodPost, "/challenges", struct{}{}, &r); err != nil {
		return "", time.Time{}, err
	}
	if r.Challenge == "" {
		return "", time.Time{}, errors.New("the node answered without a challenge")
	}
	return r.Challenge, r.Expires, nil
}

// VerifyPresentation verifies a presentation (POST /presentations/verify):
// vp is the JSON of a compact vp+jwt or SD-JWT (a JSON string) or of a
// presentation object; options are the verifier's ("challenge", "domain",
// "requireAccreditation", …). It returns the result and the HTTP status: a
// presentation that fails a check is a result with Verified false, not an
// error — status 200, as W3C VCALM has it, or 400 from nodes that answered
// it as a presentation.verificationFailed problem carrying the verdict —,
// and so is a document that failed the structure check (400
// presentation.invalid carrying the verdict, VCALM's "issues with the
// request format, structure"); a presentation.invalid without a verdict
// (an envelope that is not well formed) is an error.
func (c *Client) VerifyPresentation(ctx context.Context, vp json.RawMessage, options map[string]any) (*api.PresentationVerifyResult, int, error) {
	var r api.PresentationVerifyResult
	body := api.VerifyPresentationRequest{VerifiablePresentation: vp, Options: options}
	st, err := c.verify(ctx, "/presentations/verify", body, &r, api.CodePresentationNotVerified, api.CodePresentationInvalid)
	if err != nil {
		return nil, st, err
	}
	return &r, st, nil
}
