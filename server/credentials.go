package server

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/errs"
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

// IssueOptions are the issuance choices: format "vc+jwt" (the default) or
// "eddsa-jcs-2022" (a Data Integrity proof; Ed25519 issuer keys).
type IssueOptions struct {
	Format string `json:"format,omitempty"`
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
// account keeps a key for.
func (s *Server) issueCredential(w http.ResponseWriter, r *http.Request) {
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
	format := "vc+jwt"
	if req.Options != nil && req.Options.Format != "" {
		format = req.Options.Format
	}
	if format != "vc+jwt" && format != credential.CryptosuiteEdDSAJCS2022 {
		renderError(w, r, errs.BadRequest("credential.unsupportedFormat", "options.format %q is not supported (supported: vc+jwt, eddsa-jcs-2022)", format))
		return
	}
	var head struct {
		Issuer json.RawMessage `json:"issuer"`
	}
	_ = json.Unmarshal(req.Credential, &head)
	issuer := issuerID(head.Issuer)
	if issuer == "" {
		renderError(w, r, errs.BadRequest("credential.invalid", "credential.issuer must be a DID of your account"))
		return
	}
	vm, key, err := s.node.SignerKey(acct, issuer)
	if err != nil {
		renderError(w, r, err)
		return
	}
	signer := credential.Signer{DID: issuer, VerificationMethod: vm, Key: key}
	var out any
	if format == credential.CryptosuiteEdDSAJCS2022 {
		// Claims are checked against their schema exactly as for vc+jwt.
		if err = credential.CheckClaims(req.Credential, credential.IssueOptions{State: s.node.Ledger, Schemas: s.schemas}); err == nil {
			var signed json.RawMessage
			if signed, err = credential.SignDataIntegrityJCS(signer, req.Credential, time.Now()); err == nil {
				out = signed
			}
		}
	} else {
		var jwt string
		if jwt, err = credential.IssueJWT(signer, req.Credential, time.Now(), credential.IssueOptions{State: s.node.Ledger, Schemas: s.schemas}); err == nil {
			out = EnvelopedCredential{Context: "https://www.w3.org/ns/credentials/v2", ID: credential.DataURLVCJWT + jwt, Type: "EnvelopedVerifiableCredential"}
		}
	}
	if err != nil {
		if _, ok := errs.As(err); !ok {
			err = errs.BadRequest("credential.invalid", "%v", err)
		}
		renderError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, IssueResponse{VerifiableCredential: out})
}

func issuerID(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(raw, &o)
	return o.ID
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
	if res.Err != nil {
		renderError(w, r, errs.New(http.StatusServiceUnavailable, "ledger.unavailable", "a check could not be made: %v", res.Err))
		return
	}
	status := http.StatusOK
	if !res.Verified {
		status = http.StatusUnprocessableEntity
	}
	writeJSON(w, status, res)
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
	return &credential.Verifier{Resolver: s.node.Resolver, State: s.node.Ledger, Schemas: s.schemas, ClockSkew: 5 * time.Minute}
}
