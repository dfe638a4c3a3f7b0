package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
)

// DIDRequest is the body of the DID endpoints: either a transaction signed
// by the client ("tx"; the key stays with the client), or, with a bearer
// token, the operation's fields for the node to sign with the key it keeps
// for the caller.
type DIDRequest struct {
	Tx                 json.RawMessage `json:"tx,omitempty"`
	KeyType            string          `json:"keyType,omitempty"`
	ID                 string          `json:"id,omitempty"`
	PublicKeyMultibase string          `json:"publicKeyMultibase,omitempty"`
	Relationships      []string        `json:"relationships,omitempty"`
	Service            *did.Service    `json:"service,omitempty"`
	NewID              string          `json:"newId,omitempty"`
	// Compromised, when removing or rotating a key, declares it
	// compromised (did.CompromisedKey).
	Compromised bool `json:"compromised,omitempty"`
}

// DIDResponse is the result of a DID operation.
type DIDResponse struct {
	DID         string        `json:"did"`
	DIDDocument *did.Document `json:"didDocument,omitempty"`
	TxHash      string        `json:"txHash"`
	Height      uint64        `json:"height,omitempty"`
	Status      string        `json:"status"`
}

func pathDID(r *http.Request) (string, error) {
	raw := chi.URLParam(r, "did")
	d, err := url.PathUnescape(raw)
	if err != nil {
		return "", errs.BadRequest("did.invalid", "DID in path: %v", err)
	}
	if _, _, err := did.ParseWeid(d); err != nil {
		return "", errs.BadRequest("did.invalid", "%v", err)
	}
	return d, nil
}

// submitSigned submits a client-signed transaction after checking that it is
// the operation the endpoint is for, on the DID in the path.
func (s *Server) submitSigned(r *http.Request, raw json.RawMessage, typ, pathDID string) (chain.Receipt, *chain.Checked, error) {
	tx, err := chain.DecodeTx(raw)
	if err != nil {
		return chain.Receipt{}, nil, err
	}
	if tx.Type != typ {
		return chain.Receipt{}, nil, errs.BadRequest("tx.wrongEndpoint", "this endpoint takes %s transactions, not %s (use POST /v1/txs for any type)", typ, tx.Type)
	}
	if pathDID != "" {
		var p struct {
			DID string `json:"did"`
			ID  any    `json:"id"`
		}
		_ = json.Unmarshal(tx.Payload, &p)
		if p.DID != pathDID {
			return chain.Receipt{}, nil, errs.BadRequest("tx.wrongEndpoint", "the transaction changes %s, the path names %s", p.DID, pathDID)
		}
		// A fragment id in the path (DID keys and services) must be the one
		// the transaction removes; numeric ids (schemas) are checked by their handler.
		if id := chi.URLParam(r, "id"); id != "" && p.ID != id {
			return chain.Receipt{}, nil, errs.BadRequest("tx.wrongEndpoint", "the transaction removes #%v, the path names #%s", p.ID, id)
		}
	}
	async, err := asyncRequested(r)
	if err != nil {
		return chain.Receipt{}, nil, err
	}
	return s.node.SubmitChecked(r.Context(), tx, async)
}

func (s *Server) respondDID(w http.ResponseWriter, r *http.Request, status int, d string, rc chain.Receipt) {
	resp := DIDResponse{DID: d, TxHash: rc.TxHash, Height: rc.Height, Status: "committed"}
	if rc.Height == 0 && rc.Index == 0 && status == http.StatusAccepted {
		resp.Status = "pending"
		writeJSON(w, status, resp)
		return
	}
	res, err := s.node.Resolver.Resolve(r.Context(), d, did.Options{})
	if err == nil || errors.Is(err, did.ErrDeactivated) {
		resp.DIDDocument = res.Document
	}
	writeJSON(w, status, resp)
}

func (s *Server) createDID(w http.ResponseWriter, r *http.Request) {
	var req DIDRequest
	if err := decodeJSON(r, &req); err != nil {
		renderError(w, r, err)
		return
	}
	if len(req.Tx) > 0 {
		rc, c, err := s.submitSigned(r, req.Tx, did.TxCreate, "")
		if err != nil {
			renderError(w, r, err)
			return
		}
		p := c.Payload.(*did.CreatePayload)
		if async, _ := asyncRequested(r); async {
			s.respondDID(w, r, http.StatusAccepted, p.DID, rc)
			return
		}
		// The first version is what the committed payload makes; no need
		// to read it back.
		doc, err := p.Document()
		if err != nil {
			s.respondDID(w, r, http.StatusCreated, p.DID, rc)
			return
		}
		writeJSON(w, http.StatusCreated, DIDResponse{DID: p.DID, DIDDocument: doc, TxHash: rc.TxHash, Height: rc.Height, Status: "committed"})
		return
	}
	acct, err := s.account(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	if req.ID != "" || req.PublicKeyMultibase != "" || req.Service != nil || req.NewID != "" || req.Relationships != nil || req.Compromised {
		renderError(w, r, errs.BadRequest("request.malformed", "to create a DID send {\"tx\": <signed did.create>} or, with a token, {\"keyType\": \"Ed25519|P-256|secp256k1|SM2\"}"))
		return
	}
	kt, err := s.node.ParseKeyType(req.KeyType)
	if err != nil {
		renderError(w, r, err)
		return
	}
	d, rc, err := s.node.CreateCustodialDID(r.Context(), acct, kt)
	if err != nil {
		renderError(w, r, err)
		return
	}
	s.respondDID(w, r, http.StatusCreated, d, rc)
}

// update handles the DID update endpoints: a client-signed tx of type typ,
// or a custodial request whose payload custodial builds.
func (s *Server) update(w http.ResponseWriter, r *http.Request, typ string, custodial func(d string, req *DIDRequest) (any, error)) {
	d, err := pathDID(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	var req DIDRequest
	if err := decodeJSON(r, &req); err != nil {
		renderError(w, r, err)
		return
	}
	var rc chain.Receipt
	if len(req.Tx) > 0 {
		rc, _, err = s.submitSigned(r, req.Tx, typ, d)
	} else {
		acct, aerr := s.account(r)
		if aerr != nil {
			renderError(w, r, aerr)
			return
		}
		if typ == did.TxRotateKey {
			rc, err = s.node.CustodialRotate(r.Context(), acct, d, req.NewID, req.Compromised)
		} else {
			var p any
			if p, err = custodial(d, &req); err == nil {
				rc, err = s.node.CustodialUpdate(r.Context(), acct, d, typ, p)
			}
		}
	}
	if err != nil {
		renderError(w, r, err)
		return
	}
	st := http.StatusOK
	if async, _ := asyncRequested(r); async && len(req.Tx) > 0 {
		st = http.StatusAccepted
	}
	s.respondDID(w, r, st, d, rc)
}

func (s *Server) addKey(w http.ResponseWriter, r *http.Request) {
	s.update(w, r, did.TxAddMethod, func(d string, req *DIDRequest) (any, error) {
		if req.PublicKeyMultibase == "" || req.ID == "" {
			return nil, errs.BadRequest("request.malformed", "adding a key needs id and publicKeyMultibase")
		}
		return &did.AddMethodPayload{DID: d, ID: req.ID, PublicKeyMultibase: req.PublicKeyMultibase, Relationships: req.Relationships}, nil
	})
}

func (s *Server) removeKey(w http.ResponseWriter, r *http.Request) {
	s.update(w, r, did.TxRemoveMethod, func(d string, req *DIDRequest) (any, error) {
		return &did.RemoveMethodPayload{DID: d, ID: chi.URLParam(r, "id"), Compromised: req.Compromised}, nil
	})
}

// reportCompromised declares compromised a key the DID no longer has.
func (s *Server) reportCompromised(w http.ResponseWriter, r *http.Request) {
	s.update(w, r, did.TxReportCompromised, func(d string, req *DIDRequest) (any, error) {
		if req.PublicKeyMultibase == "" {
			return nil, errs.BadRequest("request.malformed", "reporting a compromised key needs publicKeyMultibase")
		}
		return &did.ReportCompromisedPayload{DID: d, PublicKeyMultibase: req.PublicKeyMultibase}, nil
	})
}

func (s *Server) addService(w http.ResponseWriter, r *http.Request) {
	s.update(w, r, did.TxAddService, func(d string, req *DIDRequest) (any, error) {
		if req.Service == nil {
			return nil, errs.BadRequest("request.malformed", "adding a service needs service: {id, type, serviceEndpoint}")
		}
		return &did.AddServicePayload{DID: d, Service: *req.Service}, nil
	})
}

func (s *Server) removeService(w http.ResponseWriter, r *http.Request) {
	s.update(w, r, did.TxRemoveService, func(d string, req *DIDRequest) (any, error) {
		return &did.RemoveServicePayload{DID: d, ID: chi.URLParam(r, "id")}, nil
	})
}

func (s *Server) rotateKey(w http.ResponseWriter, r *http.Request) {
	s.update(w, r, did.TxRotateKey, nil)
}

func (s *Server) deactivate(w http.ResponseWriter, r *http.Request) {
	s.update(w, r, did.TxDeactivate, func(d string, req *DIDRequest) (any, error) {
		return &did.DeactivatePayload{DID: d}, nil
	})
}

// getDID returns the resolution result of a did:weid DID (the same as the
// DID Resolution binding, under /v1).
func (s *Server) getDID(w http.ResponseWriter, r *http.Request) { s.resolve(w, r) }

// resolve implements the DID Resolution HTTP(S) binding: the DID (or DID
// URL) in one path segment, percent-encoded or not; options versionId and
// versionTime in the query. Errors are problem+json that also carry the
// didResolutionMetadata error code; a deactivated DID answers 410 with its
// metadata.
func (s *Server) resolve(w http.ResponseWriter, r *http.Request) {
	raw := chi.URLParam(r, "did")
	d, err := url.PathUnescape(raw)
	if err != nil {
		s.resolutionError(w, r, errs.BadRequest("did.invalidDid", "DID in path: %v", err), "invalidDid")
		return
	}
	var opts did.Options
	q := r.URL.Query()
	opts.VersionID = q.Get("versionId")
	if vt := q.Get("versionTime"); vt != "" {
		t, err := time.Parse(time.RFC3339, vt)
		if err != nil {
			s.resolutionError(w, r, errs.BadRequest("did.invalidOptions", "versionTime must be an RFC 3339 date-time"), "invalidOptions")
			return
		}
		opts.VersionTime = t
	}
	if opts.VersionID != "" && !opts.VersionTime.IsZero() {
		s.resolutionError(w, r, errs.BadRequest("did.invalidOptions", "give versionId or versionTime, not both"), "invalidOptions")
		return
	}
	res, err := s.node.Resolver.Resolve(r.Context(), d, opts)
	switch {
	case err == nil:
		w.Header().Set("Content-Type", "application/did-resolution+json")
		b, _ := chain.MarshalJSON(res)
		_, _ = w.Write(append(b, '\n'))
	case errors.Is(err, did.ErrDeactivated):
		w.Header().Set("Content-Type", "application/did-resolution+json")
		w.WriteHeader(http.StatusGone)
		_ = json.NewEncoder(w).Encode(res)
	default:
		code := did.ErrorCode(err)
		status := map[string]int{"invalidDid": 400, "notFound": 404, "methodNotSupported": 501, "invalidPublicKey": 400, "invalidOptions": 400}[code]
		if errors.Is(err, did.ErrInvalidOptions) {
			code, status = "invalidOptions", 400
		}
		if status == 0 {
			renderError(w, r, err)
			return
		}
		s.resolutionError(w, r, errs.New(status, "did."+code, "%s", strings.TrimSpace(err.Error())), code)
	}
}

func (s *Server) resolutionError(w http.ResponseWriter, r *http.Request, e *errs.Error, code string) {
	p := problemFor(e)
	p.Instance = r.URL.Path
	p.RequestID = middleware.GetReqID(r.Context())
	writeProblem(w, p, map[string]any{
		"didDocument":           nil,
		"didResolutionMetadata": map[string]string{"error": code, "errorMessage": e.Detail},
		"didDocumentMetadata":   map[string]any{},
	})
}
