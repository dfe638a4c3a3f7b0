// Package exchange serves a data holder's exchange service (package
// exchange: the nonces, the checks, the release) over HTTP:
// POST /v1/exchange/{resource}/nonce and POST /v1/exchange/{resource},
// mounted by server.NewExchange. The service, not this package, decides;
// a handler reads the request and writes the answer.
package exchange

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/exchange"
	"github.com/weidgo/weid/grants"
	"github.com/weidgo/weid/server/httpx"
)

// resource is the path's resource name, as sent: the service checks it
// (grants.ValidResourceName) and names the grant's resource URL with it.
func resource(r *http.Request) string { return chi.URLParam(r, "resource") }

// Handlers serves one exchange service.
type Handlers struct{ Service *exchange.Service }

// Nonce issues a single-use nonce: POST /v1/exchange/{resource}/nonce.
func (h *Handlers) Nonce(w http.ResponseWriter, r *http.Request) error {
	n, err := h.Service.Nonce(r.Context(), resource(r))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return httpx.JSON(w, http.StatusCreated, n)
}

// Release answers an exchange request with the data, encrypted to the
// grantee: POST /v1/exchange/{resource}.
func (h *Handlers) Release(w http.ResponseWriter, r *http.Request) error {
	body, err := httpx.ReadBody(r)
	if err != nil {
		return err
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	a, err := h.Service.Release(r.Context(), exchange.Request{Resource: resource(r), Method: r.Method, Path: r.URL.EscapedPath(),
		Origin: scheme + "://" + r.Host, Body: body, Proof: r.Header.Get(grants.ProofHeader)})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", grants.MediaTypeJWE)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set(api.AccessReceiptHeader, a.AccessReceipt)
	w.WriteHeader(http.StatusOK)
	_, err = w.Write([]byte(a.JWE))
	return err
}
