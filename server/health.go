package server

import (
	_ "embed"
	"net/http"
	"runtime/debug"

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

// readyz reports ready once the ledger has its genesis and can be read.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	head := s.node.Ledger.Head()
	if head.Empty {
		return errs.New(http.StatusServiceUnavailable, "node.notReady", "the ledger has no genesis block yet")
	}
	if err := s.node.Ledger.Failed(); err != nil {
		return errs.New(http.StatusServiceUnavailable, "node.notReady", "the ledger's storage failed and it refuses writes until restarted: %v", err)
	}
	if _, err := s.node.Ledger.Block(head.Height); err != nil {
		return errs.New(http.StatusServiceUnavailable, "node.notReady", "the ledger cannot be read: %v", err)
	}
	return httpx.JSON(w, http.StatusOK, map[string]any{"status": "ready", "height": head.Height})
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

func methodNotAllowed(_ http.ResponseWriter, r *http.Request) error {
	return errs.New(http.StatusMethodNotAllowed, "route.methodNotAllowed", "%s is not allowed on %s", r.Method, r.URL.Path)
}

func stack() []byte { return debug.Stack() }

// Version is set by the build (-ldflags "-X ...server.Version=...").
var Version = "dev"
