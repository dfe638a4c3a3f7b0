package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/weidgo/weid/server/batch"
	"github.com/weidgo/weid/server/credentials"
	"github.com/weidgo/weid/server/dids"
	"github.com/weidgo/weid/server/evidence"
	"github.com/weidgo/weid/server/governance"
	"github.com/weidgo/weid/server/grants"
	"github.com/weidgo/weid/server/httpx"
	"github.com/weidgo/weid/server/ledger"
	"github.com/weidgo/weid/server/oid4vci"
	"github.com/weidgo/weid/server/oid4vp"
	"github.com/weidgo/weid/server/schemas"
	"github.com/weidgo/weid/server/status"
)

// routes declares the whole API.
func (s *Server) routes() http.Handler {
	h := httpx.Handle
	dids := &dids.Handlers{Node: s.node}
	gov := &governance.Handlers{Node: s.node}
	schemas := &schemas.Handlers{Node: s.node}
	evidence := &evidence.Handlers{Node: s.node}
	vci := &oid4vci.Handlers{Node: s.node, Issuer: s.vci, BaseURL: s.baseURL}
	vp := &oid4vp.Handlers{Node: s.node, Verifier: s.vp, BaseURL: s.baseURL}
	creds := credentials.New(s.node, s.baseURL)
	status := status.New(s.node, s.baseURL)
	batches := &batch.Handlers{Node: s.node}
	ledger := &ledger.Handlers{Node: s.node, Version: Version}
	grants := &grants.Handlers{Node: s.node, BaseURL: s.baseURL}
	r := chi.NewRouter()
	r.Use(requestID, recoverer, s.observe, batch.LimitBodies(limitBody))
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		renderError(w, r, notFound(r))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		renderError(w, r, methodNotAllowed(r))
	})

	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	r.Get("/metrics", s.metricsHandler)
	r.Get("/openapi.json", s.openAPI)

	r.Route("/v1", func(r chi.Router) {
		r.Get("/status", h(ledger.Status))
		r.Post("/txs", h(ledger.Submit))
		r.Get("/txs/{hash}", h(ledger.Tx))
		r.Get("/blocks", h(ledger.Blocks))
		r.Get("/blocks/{height}", h(ledger.Block))
		r.Get("/blocks/{height}/commit", h(ledger.Commit))
		r.Get("/accounts", h(gov.ListAccounts))
		r.Post("/accounts", h(gov.CreateAccount))
		r.Route("/committee", func(r chi.Router) {
			r.Get("/", h(gov.ListCommittee))
			r.Post("/", h(gov.AddCommittee))
			r.Delete("/{did}", h(gov.RemoveCommittee))
		})
		r.Route("/validators", func(r chi.Router) {
			r.Get("/", h(gov.ListValidators))
			r.Post("/", h(gov.AddValidator))
			r.Delete("/{key}", h(gov.RemoveValidator))
		})
		r.Route("/observers", func(r chi.Router) {
			r.Get("/", h(gov.ListObservers))
			r.Post("/", h(gov.AddObserver))
			r.Delete("/{nodeId}", h(gov.RemoveObserver))
		})
		r.Route("/issuers", func(r chi.Router) {
			r.Get("/", h(gov.ListIssuers))
			r.Post("/", h(gov.RecognizeIssuer))
			r.Get("/{did}", h(gov.GetIssuer))
			r.Delete("/{did}", h(gov.DerecognizeIssuer))
		})
		r.Route("/schemas", func(r chi.Router) {
			r.Get("/", h(schemas.List))
			r.Post("/", h(schemas.Register))
			r.Get("/{id}", h(schemas.Get))
			r.Post("/{id}/versions", h(schemas.Update))
			r.Get("/{id}/versions/{version}", h(schemas.Get))
		})
		r.Route("/issuer-instances", func(r chi.Router) {
			r.Get("/", h(creds.ListInstances))
			r.Post("/", h(creds.CreateInstance))
			r.Get("/{name}", h(creds.GetInstance))
		})
		r.Route("/evidence", func(r chi.Router) {
			r.Get("/", h(evidence.Find))
			r.Post("/", h(evidence.Create))
			r.Post("/batch", h(evidence.Batch))
			r.Route("/{hash}", func(r chi.Router) {
				r.Get("/", h(evidence.Get))
				r.Post("/signatures", h(evidence.Sign))
				r.Post("/signatures/{did}/revoke", h(evidence.Revoke))
				r.Post("/signatures/{did}/restore", h(evidence.Restore))
				r.Post("/logs", h(evidence.AddLogs))
			})
		})
		r.Route("/grants", func(r chi.Router) {
			r.Get("/", h(grants.List))
			r.Post("/", h(grants.Create))
			r.Route("/{id}", func(r chi.Router) {
				r.Get("/", h(grants.Get))
				r.Post("/revoke", h(grants.Revoke))
				r.Get("/accesses", h(grants.Accesses))
				r.Post("/accesses", h(grants.RecordAccess))
			})
		})
		r.Post("/credentials/verify-batch", h(batches.Verify))
		r.Route("/offers", func(r chi.Router) {
			r.Post("/", h(vci.CreateOffer))
			r.Get("/{id}", h(vci.GetOffer))
			r.Get("/{id}/qr", h(vci.OfferQR))
		})
		r.Route("/presentation-requests", func(r chi.Router) {
			r.Post("/", h(vp.Create))
			r.Get("/{id}", h(vp.Get))
			r.Get("/{id}/events", h(vp.Events))
			r.Get("/{id}/qr", h(vp.QR))
		})
		r.Route("/dids", func(r chi.Router) {
			r.Post("/", h(dids.Create))
			r.Route("/{did}", func(r chi.Router) {
				r.Get("/", h(dids.Resolve))
				r.Post("/keys", h(dids.AddKey))
				r.Delete("/keys/{id}", h(dids.RemoveKey))
				r.Post("/services", h(dids.AddService))
				r.Delete("/services/{id}", h(dids.RemoveService))
				r.Post("/rotate", h(dids.RotateKey))
				r.Post("/compromised-keys", h(dids.ReportCompromised))
				r.Post("/deactivate", h(dids.Deactivate))
			})
		})
	})

	// W3C VCALM.
	r.Post("/credentials/issue", h(creds.Issue))
	r.Post("/credentials/verify", h(creds.Verify))
	r.Post("/issuers/{name}/credentials/issue", h(creds.IssueWithInstance))
	r.Post("/credentials/status", h(status.Update))
	r.Get("/status-lists/{id}", h(status.List))
	r.Post("/presentations/verify", h(creds.VerifyPresentation))
	r.Post("/challenges", h(creds.Challenge))

	// OpenID for Verifiable Credential Issuance 1.0 (server/oid4vci):
	// each issuer instance is a credential issuer, /issuers/{account}/{instance}.
	r.Get("/.well-known/openid-credential-issuer/issuers/{account}/{instance}", h(vci.Metadata))
	r.Get("/.well-known/oauth-authorization-server/issuers/{account}/{instance}", h(vci.AuthorizationServer))
	r.Route("/issuers/{account}/{instance}", func(r chi.Router) {
		r.Get("/.well-known/openid-credential-issuer", h(vci.Metadata))
		r.Get("/offers/{id}", h(vci.Offer))
		r.Post("/token", h(vci.Token))
		r.Post("/nonce", h(vci.Nonce))
		r.Post("/credential", h(vci.Credential))
	})

	// OpenID for Verifiable Presentations 1.0 (server/oid4vp): the
	// wallet fetches a request object and posts its response.
	r.Get("/oid4vp/requests/{id}", h(vp.RequestObject))
	r.Post("/oid4vp/responses/{id}", h(vp.Response))

	// DID Resolution HTTP(S) binding (W3C DID Resolution §11).
	r.Get("/1.0/identifiers/{did}", h(dids.Resolve))

	// The web pages (server/web.go, package web).
	mountWeb(r)
	return r
}
