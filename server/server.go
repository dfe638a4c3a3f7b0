// Package server is weid's HTTP API: the chi router, its middleware, and
// routes.go, the whole API at a glance, mounting the handlers of server/<area>
// (decode, call the node, return the error httpx renders); openapi.json.
package server

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/oid4vci"
	"github.com/weidgo/weid/oid4vp"
	"github.com/weidgo/weid/server/events"
)

// MaxBodyBytes bounds every request body.
const MaxBodyBytes = 1 << 20

// Server serves the API of one node.
type Server struct {
	node     *node.Node
	gatherer prometheus.Gatherer
	metrics  *httpMetrics
	handler  http.Handler
	// PublicURL is the URL the node is reached at (such as
	// "https://weid.example"), the base of the schema and status list URLs
	// written into credentials; "" takes it from each request.
	PublicURL string
	// vp is the OpenID4VP verifier (package oid4vp; server/oid4vp serves it).
	vp *oid4vp.Verifier
	// vci is the OpenID4VCI credential issuer (package oid4vci; server/oid4vci
	// serves it).
	vci *oid4vci.Issuer
	// events serves the ledger's events (server/events); its streams end
	// when the HTTP server shuts down.
	events *events.Handlers
}

// New returns the API server for n. reg receives the HTTP metrics and is
// served at /metrics with everything else registered on it.
func New(n *node.Node, reg *prometheus.Registry) *Server {
	s := &Server{node: n, gatherer: reg, vp: n.NewPresentationVerifier(), vci: n.NewCredentialIssuer(),
		events: &events.Handlers{Node: n}}
	if reg != nil {
		s.metrics = newHTTPMetrics(reg)
	}
	s.handler = s.routes()
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// HTTPServer returns an http.Server with weid's timeouts.
func (s *Server) HTTPServer(addr string) *http.Server {
	hs := &http.Server{
		Addr:              addr,
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	hs.RegisterOnShutdown(s.vp.Shutdown)
	hs.RegisterOnShutdown(s.events.Shutdown)
	return hs
}

// ListenAndServe serves on addr until ctx is done, then shuts down gracefully.
// ready, if not nil, receives the bound address once listening.
func (s *Server) ListenAndServe(ctx context.Context, addr string, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	hs := s.HTTPServer(addr)
	sweepCtx, stopSweep := context.WithCancel(ctx)
	defer stopSweep()
	go s.vp.SweepEvery(sweepCtx, oid4vp.SweepInterval)
	go s.vci.SweepEvery(sweepCtx, oid4vci.SweepInterval)
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := hs.Shutdown(sctx)
		<-errc
		return err
	}
}
