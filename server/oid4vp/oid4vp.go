// Package oid4vp serves weid's OpenID for Verifiable Presentations 1.0
// verifier (package oid4vp, the service) over HTTP: an account's backend
// makes presentation requests and follows them under
// /v1/presentation-requests (with a QR code and a server-sent events
// stream, events.go), and the wallet fetches a request object from
// /oid4vp/requests/{id} (§5.7) and posts its response to
// /oid4vp/responses/{id} (§8.2), whose errors are OAuth error responses
// (§8.5), not problems.
package oid4vp

import (
	"errors"
	"net/http"
	"strings"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/oid4vp"
	"github.com/weidgo/weid/server/httpx"
)

// Handlers serves the OpenID4VP endpoints of one node.
type Handlers struct {
	Node     *node.Node
	Verifier *oid4vp.Verifier
	// BaseURL is the node's URL as the request reached it (or as
	// configured), the base of the links a request carries.
	BaseURL func(*http.Request) string
}

// caller is acct, the account of the request's bearer token
// (httpx.Account, httpx.AccountDecode), as package oid4vp knows it, or err.
func caller(acct *node.Account, err error) (oid4vp.Caller, error) {
	if err != nil {
		return oid4vp.Caller{}, err
	}
	return oid4vp.Caller{Account: acct.Name, Admin: acct.Admin}, nil
}

// own returns the caller's presentation request of the path.
func (h *Handlers) own(r *http.Request) (*oid4vp.Record, error) {
	c, err := caller(httpx.Account(r, h.Node))
	if err != nil {
		return nil, err
	}
	return h.Verifier.Request(c, httpx.Param(r, "id"))
}

// Create makes a presentation request of the caller's verifier DID: POST
// /v1/presentation-requests.
func (h *Handlers) Create(w http.ResponseWriter, r *http.Request) error {
	var req api.PresentationRequestBody
	c, err := caller(httpx.AccountDecode(r, h.Node, &req))
	if err != nil {
		return err
	}
	base := h.BaseURL(r)
	out, err := h.Verifier.Create(r.Context(), c, base, &req)
	if err != nil {
		return err
	}
	qr := base + "/v1/presentation-requests/" + out.ID + "/qr?format="
	out.QR = api.VPQRLinks{PNG: qr + "png", SVG: qr + "svg"}
	return httpx.JSON(w, http.StatusCreated, out)
}

// Get reports one of the caller's requests: GET
// /v1/presentation-requests/{id}.
func (h *Handlers) Get(w http.ResponseWriter, r *http.Request) error {
	rec, err := h.own(r)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return httpx.JSON(w, http.StatusOK, h.Verifier.Status(rec))
}

// QR serves the QR code of a request's deep link: GET
// /v1/presentation-requests/{id}/qr, image/png or, with ?format=svg,
// image/svg+xml.
func (h *Handlers) QR(w http.ResponseWriter, r *http.Request) error {
	rec, err := h.own(r)
	if err != nil {
		return err
	}
	return httpx.QR(w, r, rec.DeepLink(h.BaseURL(r)), "presentationRequest.invalid")
}

// RequestObject serves a request's signed request object to the wallet
// while the request may be answered, and marks it retrieved: GET
// /oid4vp/requests/{id}.
func (h *Handlers) RequestObject(w http.ResponseWriter, r *http.Request) error {
	ro, err := h.Verifier.RequestObject(httpx.Param(r, "id"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", oid4vp.MediaTypeRequestObject)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(ro))
	return nil
}

// Response is the response endpoint, POST /oid4vp/responses/{id}: the
// wallet's answer (oid4vp.Verifier.Answer says what is refused, recorded
// or rejected). 200 {} when it was recorded as verified or as a wallet's
// error response.
func (h *Handlers) Response(w http.ResponseWriter, r *http.Request) error {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		return oauthError(w, oid4vp.Errorf(oid4vp.ErrInvalidRequest, "the response is application/x-www-form-urlencoded (§8.2)"))
	}
	body, err := httpx.ReadBody(r)
	if err != nil {
		return err
	}
	if err := h.Verifier.Answer(r.Context(), httpx.Param(r, "id"), body); err != nil {
		return oauthError(w, err)
	}
	w.Header().Set("Cache-Control", "no-store")
	return httpx.JSON(w, http.StatusOK, struct{}{})
}

// oauthError writes err as an OAuth error response (400, §8.5) if it is
// one, and returns anything else for httpx.Handle to render as a problem.
func oauthError(w http.ResponseWriter, err error) error {
	var oe *oid4vp.Error
	if !errors.As(err, &oe) {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return httpx.JSON(w, http.StatusBadRequest, oe)
}
