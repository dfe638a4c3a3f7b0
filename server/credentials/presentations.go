package credentials

import (
	"net/http"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/server/httpx"
)

// Challenge issues a single-use challenge for a presentation (kept in
// memory only once used, and for credential.ChallengeTTL; a restart fails
// closed): POST /challenges.
func (h *Handlers) Challenge(w http.ResponseWriter, r *http.Request) error {
	ch, exp := h.challenges.Issue()
	return httpx.JSON(w, http.StatusOK, api.ChallengeResponse{Challenge: ch, Expires: exp.UTC()})
}

// VerifyPresentation verifies a presentation and the credentials in it,
// consuming the challenge it carries: 200 with the verdict, verified or
// not — W3C VCALM: "a 200 status indicates the verification process
// itself succeeded, regardless of whether the presentation and/or
// credentials were determined to be valid or invalid" —, 400 when the
// request is malformed ("invalid or malformed input that prevented the
// verification process from being performed"), which includes a document
// that fails the structure check: POST /presentations/verify.
func (h *Handlers) VerifyPresentation(w http.ResponseWriter, r *http.Request) error {
	var req api.VerifyPresentationRequest
	if err := httpx.DecodeLenient(r, &req); err != nil {
		return err
	}
	vp, err := req.Document()
	if err != nil {
		return err
	}
	o, err := credential.PresentationOptionsFrom(req.Options)
	if err != nil {
		return err
	}
	o.Challenges = h.challenges
	res, err := h.Node.Verifier().VerifyPresentation(r.Context(), vp, o)
	if err == nil {
		err = unavailable(r, res.Err)
	}
	if err == nil && res.StructureFailed() {
		// Not a presentation weid reads: none of its other checks could
		// be made, the "invalid or malformed input that prevented the
		// verification process from being performed" ("issues with the
		// request format, structure") of VCALM's 400 — as a malformed
		// envelope is. The problem carries the verdict.
		return httpx.ProblemWith(w, r, errs.New(http.StatusBadRequest, "presentation.invalid", "%s", res.FailureDetail("presentation")), res)
	}
	return httpx.Reply(w, http.StatusOK, res, err)
}
