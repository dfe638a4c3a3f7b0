// Package credentials serves W3C VCALM's credential endpoints: issuing
// (POST /credentials/issue, and through a named issuer instance, POST
// /issuers/{name}/credentials/issue, with the instances under
// /v1/issuer-instances), verifying (POST /credentials/verify), and
// verifying presentations against single-use challenges (POST
// /challenges, POST /presentations/verify). Credentials are answered in
// the VC 2.0 enveloped form of VC-JOSE-COSE (VC DM 2.0 §4.13) or with
// their Data Integrity proof; the node does the work (node.Issue,
// node.Verifier).
package credentials

import (
	"log/slog"
	"net/http"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/server/httpx"
)

// Handlers serves the credential endpoints of one node.
type Handlers struct {
	Node *node.Node
	// BaseURL is the node's public URL as a request reaches it, the base
	// of the schema and status list URLs written into credentials.
	BaseURL func(*http.Request) string
	// challenges are the single-use challenges of POST /challenges.
	challenges *credential.Challenges
}

// New returns the credential handlers of n, with a fresh challenge key.
func New(n *node.Node, baseURL func(*http.Request) string) *Handlers {
	return &Handlers{Node: n, BaseURL: baseURL, challenges: credential.NewChallenges()}
}

// Issue signs a credential whose issuer is a DID the caller's account
// keeps a key for, in the securing mechanism options.format names: 201,
// or 400 for a mistake in the request as VCALM lists (node.Issue): POST
// /credentials/issue.
func (h *Handlers) Issue(w http.ResponseWriter, r *http.Request) error {
	acct, err := httpx.Account(r, h.Node)
	if err != nil {
		return err
	}
	return h.issue(w, r, acct, nil)
}

// IssueWithInstance issues through the caller's issuer instance of the
// path (its issuer, format, schema, types, status purposes and
// disclosable claims, which options override): POST
// /issuers/{name}/credentials/issue.
func (h *Handlers) IssueWithInstance(w http.ResponseWriter, r *http.Request) error {
	acct, in, err := h.instance(r)
	if err != nil {
		return err
	}
	return h.issue(w, r, acct, in)
}

func (h *Handlers) issue(w http.ResponseWriter, r *http.Request, acct *node.Account, in *api.IssuerInstance) error {
	var req api.IssueRequest
	if err := httpx.DecodeLenient(r, &req); err != nil {
		return err
	}
	res, err := h.Node.Issue(r.Context(), acct, in, &req, h.BaseURL(r))
	return httpx.Reply(w, http.StatusCreated, res, err)
}

// Verify verifies one credential and reports every check: 200 with the
// verdict when verified; 400 when a check failed, a problem that carries
// the verdict; 400 too, without one, when the request is malformed: POST
// /credentials/verify.
func (h *Handlers) Verify(w http.ResponseWriter, r *http.Request) error {
	var req api.VerifyRequest
	if err := httpx.DecodeLenient(r, &req); err != nil {
		return err
	}
	res, err := h.Node.Verifier().Verify(r.Context(), req.VerifiableCredential, credential.PolicyFrom(req.Options))
	if err == nil {
		err = unavailable(r, res.Err)
	}
	if err != nil || res.Verified {
		return httpx.Reply(w, http.StatusOK, res, err)
	}
	// When a check failed, 400 — W3C VCALM lists 200 ("successfully
	// verified") and 400 for POST /credentials/verify — as an RFC 9457
	// problem whose detail names the first failed check and whose
	// extension members (§3.2) are the result's: verified, checks, errors,
	// warnings and the rest, so a VCALM client reads the verdict as from a
	// 200 and a problem-aware one sees why.
	return httpx.ProblemWith(w, r, errs.New(http.StatusBadRequest, api.CodeCredentialNotVerified, "%s", res.FailureDetail("credential")), res)
}

// unavailable is the 503 of a verification a check of which could not be
// made on this side (internal is not nil; the detail logged, not shown),
// nil when every check was made.
func unavailable(r *http.Request, internal error) error {
	if internal == nil {
		return nil
	}
	slog.ErrorContext(r.Context(), "verification: a check could not be made", "path", r.URL.Path, "err", internal)
	return errs.New(http.StatusServiceUnavailable, "ledger.unavailable", "a check could not be made; retry later")
}
