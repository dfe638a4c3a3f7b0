package server

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/node"
)

// W3C VCALM endpoints. Credentials are issued and verified in the VC 2.0
// enveloped form of VC-JOSE-COSE: an EnvelopedVerifiableCredential whose id
// is a data: URL holding the compact vc+jwt (VC DM 2.0 §4.13); verify also
// takes the compact JWT as a bare string.

// EnvelopedCredential is an EnvelopedVerifiableCredential.
type EnvelopedCredential struct {
	Context string `json:"@context"`
	ID      string `json:"id"`
	Type    string `json:"type"`
}

// IssueRequest is the body of POST /credentials/issue.
type IssueRequest struct {
	Credential json.RawMessage `json:"credential"`
	Options    *IssueOptions   `json:"options,omitempty"`
}

// IssueOptions are the issuance choices (W3C VCALM options), each
// overriding the issuer instance's: the securing mechanism ("vc+jwt", the
// default; "dc+sd-jwt"; "eddsa-jcs-2022", "eddsa-rdfc-2022",
// "ecdsa-rdfc-2019"), the weid schema, the status purposes and, for
// dc+sd-jwt, the selectively disclosable claims.
type IssueOptions struct {
	Format      string   `json:"format,omitempty"`
	Schema      uint64   `json:"schema,omitempty"`
	Status      []string `json:"status,omitempty"`
	Disclosable []string `json:"disclosable,omitempty"`
}

// IssueResponse is the body of a 201 from POST /credentials/issue: an
// EnvelopedVerifiableCredential for vc+jwt, the secured credential itself
// for Data Integrity.
type IssueResponse struct {
	VerifiableCredential any `json:"verifiableCredential"`
}

// VerifyRequest is the body of POST /credentials/verify. Unknown option
// keys are tolerated, as VCALM asks.
type VerifyRequest struct {
	VerifiableCredential json.RawMessage `json:"verifiableCredential"`
	Options              map[string]any  `json:"options,omitempty"`
}

// issueCredential signs a credential whose issuer is a DID the caller's
// account keeps a key for, in the securing mechanism options.format names.
func (s *Server) issueCredential(w http.ResponseWriter, r *http.Request) {
	s.issue(w, r, nil)
}

// issueWithInstance issues through the issuer instance of the path: its
// issuer, format, schema, types, status purposes and disclosable claims.
func (s *Server) issueWithInstance(w http.ResponseWriter, r *http.Request) {
	acct, err := s.account(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	in, err := s.node.IssuerInstance(acct, chi.URLParam(r, "name"))
	if err != nil {
		renderError(w, r, err)
		return
	}
	s.issue(w, r, in)
}

func (s *Server) issue(w http.ResponseWriter, r *http.Request, in *node.IssuerInstance) {
	acct, err := s.account(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	var req IssueRequest
	body, err := readBody(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	// VCALM: unknown members are the caller's mistake here, but the
	// credential itself is free-form JSON.
	if err := json.Unmarshal(body, &req); err != nil {
		renderError(w, r, errs.BadRequest("request.malformed", "request body: %v", err))
		return
	}
	if len(req.Credential) == 0 {
		renderError(w, r, errs.BadRequest("credential.invalid", "credential is required"))
		return
	}
	var p node.IssueProfile
	issuer := ""
	if in != nil {
		p, issuer = in.IssueProfile, in.Issuer
	}
	if o := req.Options; o != nil {
		if o.Format != "" {
			p.Format = o.Format
		}
		if o.Schema != 0 {
			p.Schema = o.Schema
		}
		if o.Status != nil {
			p.Status = o.Status
		}
		if o.Disclosable != nil {
			p.Disclosable = o.Disclosable
		}
	}
	issued, err := s.node.IssueCredential(r.Context(), acct, req.Credential, p, issuer, s.baseURL(r))
	if err != nil {
		renderError(w, r, err)
		return
	}
	var out any
	switch {
	case issued.Document != nil:
		out = issued.Document
	case issued.Format == node.FormatSDJWT:
		out = EnvelopedCredential{Context: credential.ContextV2, ID: credential.DataURLSDJWT + issued.Compact, Type: "EnvelopedVerifiableCredential"}
	default:
		out = EnvelopedCredential{Context: credential.ContextV2, ID: credential.DataURLVCJWT + issued.Compact, Type: "EnvelopedVerifiableCredential"}
	}
	writeJSON(w, http.StatusCreated, IssueResponse{VerifiableCredential: out})
}

// baseURL is the node's public URL: the configured one, or else the one
// the request was sent to.
func (s *Server) baseURL(r *http.Request) string {
	if s.PublicURL != "" {
		return strings.TrimRight(s.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// verifyCredential verifies one credential and reports every check: 200
// when verified, 422 when a check failed, 400 when the request is malformed.
func (s *Server) verifyCredential(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	var req VerifyRequest
	if err := json.Unmarshal(body, &req); err != nil {
		renderError(w, r, errs.BadRequest("request.malformed", "request body: %v", err))
		return
	}
	p := policyFrom(req.Options)
	res, err := s.verifier().Verify(r.Context(), req.VerifiableCredential, p)
	if err != nil {
		renderError(w, r, err)
		return
	}
	renderVerdict(w, r, res.Verified, res.Err, res)
}

// renderVerdict answers a verification: 200 with the result when verified,
// 422 with it when a check failed, and 503 (the detail logged, not shown)
// when a check could not be made on this side (internal is not nil).
func renderVerdict(w http.ResponseWriter, r *http.Request, verified bool, internal error, result any) {
	if internal != nil {
		slog.ErrorContext(r.Context(), "verification: a check could not be made", "path", r.URL.Path, "err", internal)
		renderError(w, r, errs.New(http.StatusServiceUnavailable, "ledger.unavailable", "a check could not be made; retry later"))
		return
	}
	status := http.StatusOK
	if !verified {
		status = http.StatusUnprocessableEntity
	}
	writeJSON(w, status, result)
}

// policyFrom reads the verification policy from a request's options
// (VCALM: unknown keys are tolerated).
func policyFrom(options map[string]any) credential.Policy {
	var p credential.Policy
	if v, ok := options["requireAccreditation"].(bool); ok {
		p.RequireAccreditation = v
	}
	if v, ok := options["requireBinding"].(bool); ok {
		p.RequireBinding = v
	}
	return p
}

// verifier returns the credential verifier of the node's ledger.
func (s *Server) verifier() *credential.Verifier {
	return s.node.Verifier()
}
