package credentials

import (
	"net/http"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/credential"
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
// consuming the challenge it carries: 200 with the verdict when verified,
// 400 with it (a presentation.verificationFailed problem, as Verify
// answers) when a check failed, 400 without one when the request is
// malformed: POST /presentations/verify.
func (h *Handlers) VerifyPresentation(w http.ResponseWriter, r *http.Request) error {
	var req api.VerifyPresentationRequest
	if err := httpx.DecodeLenient(r, &req); err != nil {
		return err
	}
	o, err := credential.PresentationOptionsFrom(req.Options)
	if err != nil {
		return err
	}
	o.Challenges = h.challenges
	res, err := h.Node.Verifier().VerifyPresentation(r.Context(), req.VerifiablePresentation, o)
	if err != nil {
		return err
	}
	return verdict(w, r, "presentation", api.CodePresentationNotVerified, &res.Verdict, res.Err, res)
}
