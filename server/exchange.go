package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/weidgo/weid/exchange"
	xhttp "github.com/weidgo/weid/server/exchange"
)

// NewExchange returns the HTTP handler of a data holder's exchange service
// (package exchange), which `weid exchange serve` runs beside the data,
// not on the node: the whole of its API.
func NewExchange(svc *exchange.Service) http.Handler {
	x := &xhttp.Handlers{Service: svc}
	r := chi.NewRouter()
	r.Use(requestID, recoverer, limitBody)
	r.NotFound(anyQuery(notFound))
	r.MethodNotAllowed(anyQuery(methodNotAllowed(r)))
	r.Get("/healthz", anyQuery(healthz))
	r.Post("/v1/exchange/{resource}/nonce", h(x.Nonce))
	r.Post("/v1/exchange/{resource}", h(x.Release))
	return r
}
