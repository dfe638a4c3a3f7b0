// Package oid4vci serves OpenID for Verifiable Credential Issuance 1.0
// (package oid4vci is the issuer; this is its routing and encoding): the
// institution's offers under /v1/offers (account token), and each issuer
// instance's credential issuer at /issuers/{account}/{instance} — its
// metadata at the well-known URIs (§12.2.2, RFC 8414 §3), the offer by
// reference (§4.1.3), and the token (§6), nonce (§7) and credential (§8)
// endpoints, whose errors are OAuth error responses (RFC 6749 §5.2,
// RFC 6750 §3.1) rather than problems.
package oid4vci

import (
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/internal/qr"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/oid4vci"
	"github.com/weidgo/weid/server/httpx"
)

// Handlers serves the OpenID4VCI endpoints of one node.
type Handlers struct {
	// Node authenticates the institutions' account tokens.
	Node *node.Node
	// Issuer is the node's credential issuer (node.NewCredentialIssuer).
	Issuer *oid4vci.Issuer
	// BaseURL is the node's public URL as a request reaches it.
	BaseURL func(*http.Request) string
}

// issuer is the credential issuer the path names.
func (h *Handlers) issuer(r *http.Request) oid4vci.IssuerURL {
	return oid4vci.IssuerURL{Base: h.BaseURL(r), Account: chi.URLParam(r, "account"), Instance: chi.URLParam(r, "instance")}
}

// account is a, the institution account of the request's bearer token
// (httpx.Account, httpx.AccountDecode), as package oid4vci knows it, or err.
func account(a *node.Account, err error) (oid4vci.Account, error) {
	if err != nil {
		return oid4vci.Account{}, err
	}
	return oid4vci.Account{Name: a.Name, Admin: a.Admin}, nil
}

// CreateOffer makes a credential offer of the caller's issuer instance:
// POST /v1/offers. The answer carries its links and the QR code of the
// link by reference.
func (h *Handlers) CreateOffer(w http.ResponseWriter, r *http.Request) error {
	var req api.OfferRequest
	acct, err := account(httpx.AccountDecode(r, h.Node, &req))
	if err != nil {
		return err
	}
	base := h.BaseURL(r)
	o, err := h.Issuer.CreateOffer(r.Context(), base, acct, &req)
	if err != nil {
		return err
	}
	png, err := qr.PNG(o.OfferURIByReference)
	if err != nil {
		return err
	}
	o.QRPNG = base64.StdEncoding.EncodeToString(png)
	o.QRURL = base + "/v1/offers/" + o.ID + "/qr"
	return httpx.JSON(w, http.StatusCreated, o)
}

// GetOffer reports the state of one of the caller's offers:
// GET /v1/offers/{id}.
func (h *Handlers) GetOffer(w http.ResponseWriter, r *http.Request) error {
	acct, err := account(httpx.Account(r, h.Node))
	if err != nil {
		return err
	}
	st, err := h.Issuer.OfferStatus(h.BaseURL(r), acct, chi.URLParam(r, "id"))
	return httpx.Reply(w, http.StatusOK, st, err)
}

// OfferQR serves the QR code of one of the caller's offers (its link by
// reference): GET /v1/offers/{id}/qr, image/png or, with ?format=svg,
// image/svg+xml.
func (h *Handlers) OfferQR(w http.ResponseWriter, r *http.Request) error {
	acct, err := account(httpx.Account(r, h.Node))
	if err != nil {
		return err
	}
	link, err := h.Issuer.OfferLink(h.BaseURL(r), acct, chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	return httpx.QR(w, r, link, "offer.invalid")
}

// Metadata serves an instance's credential issuer metadata:
// GET /.well-known/openid-credential-issuer/issuers/{account}/{instance},
// and the drafts' appended form
// /issuers/{account}/{instance}/.well-known/openid-credential-issuer.
func (h *Handlers) Metadata(w http.ResponseWriter, r *http.Request) error {
	m, err := h.Issuer.Metadata(h.issuer(r))
	return httpx.Reply(w, http.StatusOK, m, err)
}

// AuthorizationServer serves the RFC 8414 metadata of an instance's own
// authorization server:
// GET /.well-known/oauth-authorization-server/issuers/{account}/{instance}.
func (h *Handlers) AuthorizationServer(w http.ResponseWriter, r *http.Request) error {
	m, err := h.Issuer.AuthorizationServer(h.issuer(r))
	return httpx.Reply(w, http.StatusOK, m, err)
}

// Offer serves an offer by reference while it may be redeemed:
// GET /issuers/{account}/{instance}/offers/{id}.
func (h *Handlers) Offer(w http.ResponseWriter, r *http.Request) error {
	o, err := h.Issuer.Offer(h.issuer(r), chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	return noStore(w, o)
}

// Token is the token endpoint: POST /issuers/{account}/{instance}/token,
// form-encoded, the pre-authorized code grant; 404 when no credential
// issuer is at the path (oid4vci.Issuer.Known), whatever the request.
func (h *Handlers) Token(w http.ResponseWriter, r *http.Request) error {
	if err := h.Issuer.Known(h.issuer(r)); err != nil {
		return err
	}
	return exchange(w, r, "the token request", "application/x-www-form-urlencoded", oid4vci.ErrInvalidRequest,
		oid4vci.ParseTokenRequest, func(req *oid4vci.TokenRequest) (*oid4vci.TokenResponse, error) {
			return h.Issuer.Token(h.issuer(r), req)
		})
}

// Nonce is the nonce endpoint: POST /issuers/{account}/{instance}/nonce.
func (h *Handlers) Nonce(w http.ResponseWriter, r *http.Request) error {
	n, err := h.Issuer.Nonce(h.issuer(r))
	if err != nil {
		return err
	}
	return noStore(w, n)
}

// Credential is the credential endpoint:
// POST /issuers/{account}/{instance}/credential with the access token as
// a bearer token and a JSON credential request.
func (h *Handlers) Credential(w http.ResponseWriter, r *http.Request) error {
	tok, err := api.BearerToken(r.Header)
	if err != nil {
		return httpx.OAuth(w, oid4vci.Errorf(oid4vci.ErrInvalidRequest, "%v", err))
	}
	a, err := h.Issuer.Authorize(h.issuer(r), tok)
	if err != nil {
		return httpx.OAuth(w, err)
	}
	return exchange(w, r, "the credential request", "application/json", oid4vci.ErrInvalidCredentialRequest,
		oid4vci.ParseCredentialRequest, func(req *oid4vci.CredentialRequest) (*oid4vci.CredentialResponse, error) {
			return h.Issuer.Issue(r.Context(), a, req)
		})
}

// exchange answers a request of the issuer's OAuth-style endpoints (token,
// credential): its body, which must be of media type mt (else the error
// code, OpenID4VCI 1.0 §6.3, §8.3.1.2), read by parse and answered by
// answer, not to be cached; what goes wrong is an OAuth error response.
func exchange[Req, Resp any](w http.ResponseWriter, r *http.Request, what, mt, code string,
	parse func([]byte) (Req, error), answer func(Req) (Resp, error)) error {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, mt) {
		return httpx.OAuth(w, oid4vci.Errorf(code, "%s is %s", what, mt))
	}
	body, err := httpx.ReadBody(r)
	if err != nil {
		return err
	}
	req, err := parse(body)
	var resp Resp
	if err == nil {
		resp, err = answer(req)
	}
	if err != nil {
		return httpx.OAuth(w, err)
	}
	return noStore(w, resp)
}

// noStore answers 200 with v, not to be cached (tokens, nonces, offers
// and credentials are single-use).
func noStore(w http.ResponseWriter, v any) error {
	w.Header().Set("Cache-Control", "no-store")
	return httpx.JSON(w, http.StatusOK, v)
}
