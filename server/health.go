package server

import (
	"cmp"
	_ "embed"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/server/httpx"
)

//go:embed openapi.json
var openAPIDoc []byte

// OpenAPI returns the OpenAPI 3.1 document of the API.
func OpenAPI() []byte { return openAPIDoc }

// healthz answers while the process serves (the node's and the exchange
// service's liveness).
func healthz(w http.ResponseWriter, _ *http.Request) error {
	return httpx.JSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz reports ready once the node can serve (node.Readiness): its
// ledger has its genesis and can be read, and under CometBFT the node
// follows the chain.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	height, err := s.node.Readiness()
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, map[string]any{"status": "ready", "height": height})
}

func (s *Server) metricsHandler(w http.ResponseWriter, r *http.Request) error {
	if s.gatherer == nil {
		return errs.New(http.StatusNotFound, "metrics.disabled", "metrics are not enabled on this node")
	}
	promhttp.HandlerFor(s.gatherer, promhttp.HandlerOpts{}).ServeHTTP(w, r)
	return nil
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openAPIDoc)
}

func notFound(_ http.ResponseWriter, r *http.Request) error {
	return errs.New(http.StatusNotFound, "route.notFound", "no such endpoint: %s %s (see /openapi.json)", r.Method, r.URL.Path)
}

// methodNotAllowed answers a method routes does not serve on a path it
// serves others on: 405 with those in Allow (RFC 9110 §15.5.6: the origin
// server "MUST generate an Allow header field"; §10.2.1). chi gives a
// custom handler no list of them, so the methods are looked up in
// routes, flattened (allowed) once it is complete. A path it serves
// nothing on (a method chi does not know, on any path) is not found.
func methodNotAllowed(routes chi.Routes) httpx.HandlerFunc {
	flat := sync.OnceValue(func() *chi.Mux { return flatten(routes) })
	return func(w http.ResponseWriter, r *http.Request) error {
		allow := strings.Join(allowed(flat(), r), ", ")
		if allow == "" {
			return notFound(w, r)
		}
		w.Header().Set("Allow", allow)
		return errs.New(http.StatusMethodNotAllowed, "route.methodNotAllowed", "%s is not allowed on %s (Allow: %s)", r.Method, r.URL.Path, allow)
	}
}

// flatten returns a router without sub-routers that serves every route of
// routes (chi.Walk's whole patterns), each also without its trailing
// slash, the mount path a sub-router's "/" serves. (chi's Match on the
// router itself answers true for every method on a mount path, whatever
// its sub-router serves there.)
func flatten(routes chi.Routes) *chi.Mux {
	flat := chi.NewRouter()
	nop := func(http.ResponseWriter, *http.Request) {}
	_ = chi.Walk(routes, func(method, pattern string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		flat.MethodFunc(method, pattern, nop)
		if p := strings.TrimSuffix(pattern, "/"); p != "" && p != pattern {
			flat.MethodFunc(method, p, nop)
		}
		return nil
	})
	return flat
}

// allowed lists the methods flat serves on r's path (routed as chi routes
// it: the raw path when there is one), HEAD wherever GET is
// (middleware.GetHead; RFC 9110 §9.3.2).
func allowed(flat *chi.Mux, r *http.Request) []string {
	path := cmp.Or(r.URL.RawPath, r.URL.Path, "/")
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if flat.Match(chi.NewRouteContext(), m, path) {
			out = append(out, m)
			if m == http.MethodGet {
				out = append(out, http.MethodHead)
			}
		}
	}
	return out
}

func stack() []byte { return debug.Stack() }

// Version is set by the build (-ldflags "-X ...server.Version=...").
var Version = "dev"
