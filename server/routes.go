package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/weidgo/weid/server/batch"
	"github.com/weidgo/weid/server/credentials"
	"github.com/weidgo/weid/server/dids"
	"github.com/weidgo/weid/server/events"
	"github.com/weidgo/weid/server/evidence"
	"github.com/weidgo/weid/server/governance"
	"github.com/weidgo/weid/server/grants"
	"github.com/weidgo/weid/server/httpx"
	"github.com/weidgo/weid/server/ledger"
	"github.com/weidgo/weid/server/oid4vci"
	"github.com/weidgo/weid/server/oid4vp"
	"github.com/weidgo/weid/server/schemas"
	"github.com/weidgo/weid/server/status"
	"github.com/weidgo/weid/server/subscriptions"
)

// handlers holds one value per area of the API (server/<area>).
type handlers struct {
	dids     *dids.Handlers
	gov      *governance.Handlers
	schemas  *schemas.Handlers
	evidence *evidence.Handlers
	vci      *oid4vci.Handlers
	vp       *oid4vp.Handlers
	creds    *credentials.Handlers
	status   *status.Handlers
	batches  *batch.Handlers
	ledger   *ledger.Handlers
	grants   *grants.Handlers
	events   *events.Handlers
	subs     *subscriptions.Handlers
}

func (s *Server) handlers() *handlers {
	return &handlers{
		dids:     &dids.Handlers{Node: s.node},
		gov:      &governance.Handlers{Node: s.node},
		schemas:  &schemas.Handlers{Node: s.node},
		evidence: &evidence.Handlers{Node: s.node},
		vci:      &oid4vci.Handlers{Node: s.node, Issuer: s.vci, BaseURL: s.baseURL},
		vp:       &oid4vp.Handlers{Node: s.node, Verifier: s.vp, BaseURL: s.baseURL},
		creds:    credentials.New(s.node, s.baseURL),
		status:   status.New(s.node, s.baseURL),
		batches:  &batch.Handlers{Node: s.node},
		ledger:   &ledger.Handlers{Node: s.node, Version: Version},
		grants:   &grants.Handlers{Node: s.node, BaseURL: s.baseURL},
		events:   s.events,
		subs:     &subscriptions.Handlers{Node: s.node},
	}
}

// h adapts the handler of a /v1 route that returns an error
// (httpx.Handle) and takes the query parameters query, a name ending in
// "..." repeatable: any other, or one given twice, is 400 request.badQuery
// (httpx.Query).
func h(f httpx.HandlerFunc, query ...string) http.HandlerFunc {
	return httpx.Handle(httpx.Query(f, query...))
}

// anyQuery adapts a handler (httpx.Handle) outside /v1, whose query a
// standard defines (DID Resolution ignores options it does not know), or
// one that checks its own.
func anyQuery(f httpx.HandlerFunc) http.HandlerFunc { return httpx.Handle(f) }

// routes declares the whole API: the functions below, read in order, are
// every path weid serves.
func (s *Server) routes() http.Handler {
	hs := s.handlers()
	r := chi.NewRouter()
	r.Use(requestID, recoverer, s.observe, batch.LimitBodies(limitBody), middleware.GetHead) // HEAD as GET: RFC 9110 §9.1, §9.3.2
	r.NotFound(anyQuery(notFound))
	r.MethodNotAllowed(anyQuery(methodNotAllowed(r)))

	r.Get("/healthz", anyQuery(healthz))
	r.Get("/readyz", anyQuery(s.readyz))
	r.Get("/metrics", anyQuery(s.metricsHandler))
	r.Get("/openapi.json", s.openAPI)

	r.Route("/v1", func(r chi.Router) {
		ledgerRoutes(r, hs)
		governanceRoutes(r, hs)
		registryRoutes(r, hs)
		exchangeRoutes(r, hs)
		didRoutes(r, hs)
	})
	standardRoutes(r, hs)

	// The web pages (server/web.go, package web).
	mountWeb(r)
	return r
}

// ledgerRoutes: /v1 — the ledger, its transactions, blocks and events,
// webhook subscriptions to them, and accounts.
func ledgerRoutes(r chi.Router, hs *handlers) {
	r.Get("/status", h(hs.ledger.Status))
	r.Post("/txs", h(hs.ledger.Submit, "async"))
	r.Get("/txs/{hash}", h(hs.ledger.Tx))
	r.Get("/blocks", h(hs.ledger.Blocks, "limit", "before"))
	r.Get("/blocks/{height}", h(hs.ledger.Block))
	r.Get("/blocks/{height}/commit", h(hs.ledger.Commit))
	r.Get("/state/proof", h(hs.ledger.StateProof, "key...", "key64..."))
	r.Post("/state/proof", h(hs.ledger.StateProofs))
	r.Get("/events", h(hs.events.List, "types...", "did", "statusList", "from", "limit"))
	r.Route("/subscriptions", func(r chi.Router) {
		r.Get("/", h(hs.subs.List))
		r.Post("/", h(hs.subs.Create))
		r.Get("/{id}", h(hs.subs.Get))
		r.Delete("/{id}", h(hs.subs.Delete))
		r.Post("/{id}/pause", h(hs.subs.Pause))
		r.Post("/{id}/resume", h(hs.subs.Resume))
	})
	admin := hs.gov.AdminOnly
	r.Get("/accounts", h(admin(hs.gov.ListAccounts)))
	r.Post("/accounts", h(admin(hs.gov.CreateAccount)))
	r.Post("/accounts/{name}/token", h(admin(hs.gov.ReplaceToken)))
}

// governanceRoutes: /v1 — the committee, validators, observers, the
// trust registry of issuers and the ledger's rules (server/governance).
func governanceRoutes(r chi.Router, hs *handlers) {
	gov := hs.gov
	r.Route("/committee", func(r chi.Router) {
		r.Get("/", h(gov.ListCommittee))
		r.Post("/", h(gov.AddCommittee))
		r.Delete("/{did}", h(gov.RemoveCommittee))
	})
	r.Route("/validators", func(r chi.Router) {
		r.Get("/", h(gov.ListValidators))
		r.Post("/", h(gov.AddValidator, "force"))
		r.Delete("/{key}", h(gov.RemoveValidator, "force"))
		r.Put("/{key}/node", h(gov.SetValidatorNode))
	})
	r.Route("/observers", func(r chi.Router) {
		r.Get("/", h(gov.ListObservers))
		r.Post("/", h(gov.AddObserver))
		r.Delete("/{nodeId}", h(gov.RemoveObserver))
	})
	r.Route("/issuers", func(r chi.Router) {
		r.Get("/", h(gov.ListIssuers, "name", "after", "limit"))
		r.Post("/", h(gov.RecognizeIssuer))
		r.Get("/{did}", h(gov.GetIssuer, "type", "schema"))
		r.Delete("/{did}", h(gov.DerecognizeIssuer))
	})
	r.Post("/rules", h(gov.ScheduleRules))
	r.Delete("/rules/{version}", h(gov.CancelRules))
}

// registryRoutes: /v1 — schemas, issuer instances and evidence.
func registryRoutes(r chi.Router, hs *handlers) {
	r.Route("/schemas", func(r chi.Router) {
		r.Get("/", h(hs.schemas.List, "after", "limit"))
		r.Post("/", h(hs.schemas.Register, "async"))
		r.Get("/{id}", h(hs.schemas.Get))
		r.Post("/{id}/versions", h(hs.schemas.Update, "async"))
		r.Get("/{id}/versions/{version}", h(hs.schemas.Get))
	})
	r.Route("/issuer-instances", func(r chi.Router) {
		r.Get("/", h(hs.creds.ListInstances))
		r.Post("/", h(hs.creds.CreateInstance))
		r.Get("/{name}", h(hs.creds.GetInstance))
	})
	r.Route("/evidence", func(r chi.Router) {
		r.Get("/", h(hs.evidence.Find, "key"))
		r.Post("/", h(hs.evidence.Create, "async"))
		r.Post("/batch", h(hs.evidence.Batch, "async"))
		r.Route("/{hash}", func(r chi.Router) {
			r.Get("/", h(hs.evidence.Get))
			r.Post("/signatures", h(hs.evidence.Sign, "async"))
			r.Post("/signatures/{did}/revoke", h(hs.evidence.Revoke, "async"))
			r.Post("/signatures/{did}/restore", h(hs.evidence.Restore, "async"))
			r.Post("/logs", h(hs.evidence.AddLogs, "async"))
		})
	})
}

// exchangeRoutes: /v1 — grants, batch verification, credential offers and
// presentation requests.
func exchangeRoutes(r chi.Router, hs *handlers) {
	r.Route("/grants", func(r chi.Router) {
		r.Get("/", h(hs.grants.List, "grantor", "grantee", "hash", "after", "limit"))
		r.Post("/", h(hs.grants.Create, "async"))
		r.Route("/{id}", func(r chi.Router) {
			r.Get("/", h(hs.grants.Get))
			r.Post("/revoke", h(hs.grants.Revoke, "async"))
			r.Get("/accesses", h(hs.grants.Accesses, "from", "limit"))
			r.Post("/accesses", h(hs.grants.RecordAccess, "async"))
		})
	})
	r.Post("/credentials/verify-batch", anyQuery(hs.batches.Verify)) // by the request's form: api.CheckBatchQuery
	r.Route("/offers", func(r chi.Router) {
		r.Post("/", h(hs.vci.CreateOffer))
		r.Get("/{id}", h(hs.vci.GetOffer))
		r.Get("/{id}/qr", h(hs.vci.OfferQR, "format"))
	})
	r.Route("/presentation-requests", func(r chi.Router) {
		r.Post("/", h(hs.vp.Create))
		r.Get("/{id}", h(hs.vp.Get))
		r.Get("/{id}/events", h(hs.vp.Events))
		r.Get("/{id}/qr", h(hs.vp.QR, "format"))
	})
}

// didRoutes: /v1/dids — creating, resolving and updating DIDs.
func didRoutes(r chi.Router, hs *handlers) {
	dids := hs.dids
	r.Route("/dids", func(r chi.Router) {
		r.Post("/", h(dids.Create, "async"))
		r.Route("/{did}", func(r chi.Router) {
			r.Get("/", h(dids.Resolve, "versionId", "versionTime", "publicKeyFormat", "enableExperimentalPublicKeyTypes", "proof"))
			r.Post("/keys", h(dids.AddKey, "async"))
			r.Delete("/keys/{id}", h(dids.RemoveKey, "async"))
			r.Post("/services", h(dids.AddService, "async"))
			r.Delete("/services/{id}", h(dids.RemoveService, "async"))
			r.Post("/rotate", h(dids.RotateKey, "async"))
			r.Post("/compromised-keys", h(dids.ReportCompromised, "async"))
			r.Post("/deactivate", h(dids.Deactivate, "async"))
		})
	})
}

// standardRoutes: the paths fixed by standards — W3C VCALM, OpenID4VCI,
// OpenID4VP and the DID Resolution HTTP(S) binding.
func standardRoutes(r chi.Router, hs *handlers) {
	r.Post("/credentials/issue", anyQuery(hs.creds.Issue))
	r.Post("/credentials/verify", anyQuery(hs.creds.Verify))
	r.Post("/issuers/{name}/credentials/issue", anyQuery(hs.creds.IssueWithInstance))
	r.Post("/credentials/status", anyQuery(hs.status.Update))
	r.Get("/status-lists/{id}", anyQuery(hs.status.List))
	r.Get("/status-lists/{id}/token", anyQuery(hs.status.Token))
	r.Post("/presentations/verify", anyQuery(hs.creds.VerifyPresentation))
	r.Post("/challenges", anyQuery(hs.creds.Challenge))

	// OpenID for Verifiable Credential Issuance 1.0 (server/oid4vci):
	// each issuer instance is a credential issuer, /issuers/{account}/{instance}.
	vci := hs.vci
	r.Get("/.well-known/openid-credential-issuer/issuers/{account}/{instance}", anyQuery(vci.Metadata))
	r.Get("/.well-known/oauth-authorization-server/issuers/{account}/{instance}", anyQuery(vci.AuthorizationServer))
	r.Route("/issuers/{account}/{instance}", func(r chi.Router) {
		r.Get("/.well-known/openid-credential-issuer", anyQuery(vci.Metadata))
		r.Get("/offers/{id}", anyQuery(vci.Offer))
		r.Post("/token", anyQuery(vci.Token))
		r.Post("/nonce", anyQuery(vci.Nonce))
		r.Post("/credential", anyQuery(vci.Credential))
	})

	// OpenID for Verifiable Presentations 1.0 (server/oid4vp): the
	// wallet fetches a request object and posts its response.
	r.Get("/oid4vp/requests/{id}", anyQuery(hs.vp.RequestObject))
	r.Post("/oid4vp/responses/{id}", anyQuery(hs.vp.Response))

	// DID Resolution HTTP(S) binding (W3C DID Resolution §11).
	r.Get("/1.0/identifiers/{did}", anyQuery(hs.dids.Resolve))
}
