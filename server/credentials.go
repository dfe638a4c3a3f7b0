package server

import (
	"encoding/json"
	"net/http"
	"strings"
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

const vcJWTDataPrefix = "data:application/vc+jwt,"

// IssueRequest is the body of POST /credentials/issue.
type IssueRequest struct {
	Credential json.RawMessage `json:"credential"`
	Options    *IssueOptions   `json:"options,omitempty"`
}

// IssueOptions are the issuance choices; format "vc+jwt" is the default and
// the only one so far.
type IssueOptions struct {
	Format string `json:"format,omitempty"`
}

// IssueResponse is the body of a 201 from POST /credentials/issue.
type IssueResponse struct {
	VerifiableCredential EnvelopedCredential `json:"verifiableCredential"`
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
	if req.Options != nil && req.Options.Format != "" && req.Options.Format != "vc+jwt" {
		renderError(w, r, errs.BadRequest("credential.unsupportedFormat", "options.format %q is not supported (supported: vc+jwt)", req.Options.Format))
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
	jwt, err := credential.IssueJWT(credential.Signer{DID: issuer, VerificationMethod: vm, Key: key}, req.Credential, time.Now(),
		credential.IssueOptions{State: s.node.Ledger, Schemas: s.schemas})
	if err != nil {
		if _, ok := errs.As(err); !ok {
			err = errs.BadRequest("credential.invalid", "%v", err)
		}
		renderError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, IssueResponse{VerifiableCredential: EnvelopedCredential{
		Context: "https://www.w3.org/ns/credentials/v2", ID: vcJWTDataPrefix + jwt, Type: "EnvelopedVerifiableCredential"}})
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
	token, err := compactJWT(req.VerifiableCredential)
	if err != nil {
		renderError(w, r, err)
		return
	}
	var p credential.Policy
	if v, ok := req.Options["requireAccreditation"].(bool); ok {
		p.RequireAccreditation = v
	}
	if v, ok := req.Options["requireBinding"].(bool); ok {
		p.RequireBinding = v
	}
	v := &credential.Verifier{Resolver: s.node.Resolver, State: s.node.Ledger, Schemas: s.schemas, ClockSkew: 5 * time.Minute}
	res := v.VerifyJWT(r.Context(), token, p)
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

// compactJWT takes the credential as a compact JWT string or an
// EnvelopedVerifiableCredential holding one.
func compactJWT(raw json.RawMessage) (string, error) {
	if len(raw) == 0 {
		return "", errs.BadRequest("credential.invalid", "verifiableCredential is required")
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var env EnvelopedCredential
	if err := json.Unmarshal(raw, &env); err == nil && env.Type == "EnvelopedVerifiableCredential" {
		if jwt, ok := strings.CutPrefix(env.ID, vcJWTDataPrefix); ok {
			return jwt, nil
		}
		return "", errs.BadRequest("credential.unsupportedFormat", "the enveloped credential's id must be a %s data URL", vcJWTDataPrefix)
	}
	return "", errs.BadRequest("credential.unsupportedFormat", "verifiableCredential must be a vc+jwt (a compact JWT string or an EnvelopedVerifiableCredential); Data Integrity proofs are not supported yet")
}
