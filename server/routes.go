package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/weidgo/weid/server/dids"
	"github.com/weidgo/weid/server/grants"
	"github.com/weidgo/weid/server/httpx"
)

// routes declares the whole API.
func (s *Server) routes() http.Handler {
	h := httpx.Handle
	dids := &dids.Handlers{Node: s.node}
	grants := &grants.Handlers{Node: s.node, Base: s.baseURL}
	r := chi.NewRouter()
	r.Use(requestID, recoverer, s.observe, limitBodyUnlessStream)
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
		r.Get("/status", s.status)
		r.Post("/txs", s.submitTx)
		r.Get("/txs/{hash}", s.getTx)
		r.Get("/blocks", s.listBlocks)
		r.Get("/blocks/{height}", s.getBlock)
		r.Get("/blocks/{height}/commit", s.getBlockCommit)
		r.Get("/accounts", s.listAccounts)
		r.Post("/accounts", s.createAccount)
		r.Route("/committee", func(r chi.Router) {
			r.Get("/", s.listCommittee)
			r.Post("/", s.addCommittee)
			r.Delete("/{did}", s.removeCommittee)
		})
		r.Route("/validators", func(r chi.Router) {
			r.Get("/", s.listValidators)
			r.Post("/", s.addValidator)
			r.Delete("/{key}", s.removeValidator)
		})
		r.Route("/observers", func(r chi.Router) {
			r.Get("/", s.listObservers)
			r.Post("/", s.addObserver)
			r.Delete("/{nodeId}", s.removeObserver)
		})
		r.Route("/issuers", func(r chi.Router) {
			r.Get("/", s.listIssuers)
			r.Post("/", s.recognizeIssuer)
			r.Get("/{did}", s.getIssuer)
			r.Delete("/{did}", s.derecognizeIssuer)
		})
		r.Route("/schemas", func(r chi.Router) {
			r.Get("/", s.listSchemas)
			r.Post("/", s.registerSchema)
			r.Get("/{id}", s.getSchema)
			r.Post("/{id}/versions", s.updateSchema)
			r.Get("/{id}/versions/{version}", s.getSchema)
		})
		r.Route("/issuer-instances", func(r chi.Router) {
			r.Get("/", s.listIssuerInstances)
			r.Post("/", s.createIssuerInstance)
			r.Get("/{name}", s.getIssuerInstance)
		})
		r.Route("/evidence", func(r chi.Router) {
			r.Get("/", s.findEvidence)
			r.Post("/", s.createEvidence)
			r.Post("/batch", s.evidenceBatch)
			r.Route("/{hash}", func(r chi.Router) {
				r.Get("/", s.getEvidence)
				r.Post("/signatures", s.signEvidence)
				r.Post("/signatures/{did}/revoke", s.revokeEvidenceSignature)
				r.Post("/signatures/{did}/restore", s.restoreEvidenceSignature)
				r.Post("/logs", s.addEvidenceLogs)
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
		r.Post("/credentials/verify-batch", s.verifyBatch)
		r.Route("/offers", func(r chi.Router) {
			r.Post("/", s.createOffer)
			r.Get("/{id}", s.getOffer)
			r.Get("/{id}/qr", s.offerQR)
		})
		r.Route("/presentation-requests", func(r chi.Router) {
			r.Post("/", s.createPresentationRequest)
			r.Get("/{id}", s.getPresentationRequest)
			r.Get("/{id}/events", s.presentationRequestEvents)
			r.Get("/{id}/qr", s.presentationRequestQR)
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
	r.Post("/credentials/issue", s.issueCredential)
	r.Post("/credentials/verify", s.verifyCredential)
	r.Post("/issuers/{name}/credentials/issue", s.issueWithInstance)
	r.Post("/credentials/status", s.updateStatus)
	r.Get("/status-lists/{id}", s.getStatusList)
	r.Post("/presentations/verify", s.verifyPresentation)
	r.Post("/challenges", s.createChallenge)

	// OpenID for Verifiable Credential Issuance 1.0 (server/oid4vci.go):
	// each issuer instance is a credential issuer, /issuers/{account}/{instance}.
	r.Get("/.well-known/openid-credential-issuer/issuers/{account}/{instance}", s.vciIssuerMetadata)
	r.Get("/.well-known/oauth-authorization-server/issuers/{account}/{instance}", s.vciAuthorizationServer)
	r.Route("/issuers/{account}/{instance}", func(r chi.Router) {
		r.Get("/.well-known/openid-credential-issuer", s.vciIssuerMetadata)
		r.Get("/offers/{id}", s.vciOffer)
		r.Post("/token", s.vciToken)
		r.Post("/nonce", s.vciNonce)
		r.Post("/credential", s.vciCredential)
	})

	// OpenID for Verifiable Presentations 1.0 (server/oid4vp.go): the
	// wallet fetches a request object and posts its response.
	r.Get("/oid4vp/requests/{id}", s.vpRequestObject)
	r.Post("/oid4vp/responses/{id}", s.vpResponse)

	// DID Resolution HTTP(S) binding (W3C DID Resolution §11).
	r.Get("/1.0/identifiers/{did}", h(dids.Resolve))

	// The web pages (server/web.go, package web).
	mountWeb(r)
	return r
}
