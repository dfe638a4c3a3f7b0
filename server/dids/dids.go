// Package dids serves the DID endpoints: creating and updating did:weid
// DIDs under /v1/dids — each a transaction the client signed, or, with an
// account token, one the node signs with the key it keeps for the account
// (node.Write) — and the W3C DID Resolution HTTP(S) binding,
// /1.0/identifiers/{did} (resolve.go).
package dids

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/server/httpx"
)

// Handlers serves the DID endpoints of one node.
type Handlers struct{ Node *node.Node }

func pathDID(r *http.Request) (string, error) {
	d := httpx.Param(r, "did")
	if _, _, err := did.ParseWeid(d); err != nil {
		return "", errs.BadRequest("did.invalid", "%v", err)
	}
	return d, nil
}

// Create registers a DID: POST /v1/dids with a signed did.create, or with
// a token {"keyType": …} for a custodial DID.
func (h *Handlers) Create(w http.ResponseWriter, r *http.Request) error {
	var req api.DIDRequest
	async, err := httpx.DecodeWrite(r, &req)
	if err != nil {
		return err
	}
	if len(req.Tx) > 0 {
		return h.createSigned(w, r, req.Tx, async)
	}
	acct, err := httpx.Account(r, h.Node)
	if err != nil {
		return err
	}
	if req.ID != "" || req.PublicKeyMultibase != "" || req.Service != nil || req.NewID != "" || req.Relationships != nil || req.Compromised {
		return errs.BadRequest("request.malformed", "to create a DID send {\"tx\": <signed did.create>} or, with a token, {\"keyType\": \"Ed25519|P-256|secp256k1|SM2\"}")
	}
	kt, err := h.Node.ParseKeyType(req.KeyType)
	if err != nil {
		return err
	}
	d, rc, err := h.Node.CreateCustodialDID(r.Context(), acct, kt)
	if err != nil {
		return err
	}
	return h.respond(w, r, http.StatusCreated, d, rc)
}

// createSigned registers the DID of a client-signed did.create.
func (h *Handlers) createSigned(w http.ResponseWriter, r *http.Request, tx json.RawMessage, async bool) error {
	rc, c, err := h.Node.Write(r.Context(), node.Write{Type: did.TxCreate, Tx: tx, Async: async})
	if err != nil {
		return err
	}
	p := c.Payload.(*did.CreatePayload)
	if rc.Pending {
		return h.respond(w, r, http.StatusCreated, p.DID, rc)
	}
	// The first version is what the committed payload makes.
	doc, err := p.Document()
	if err != nil {
		return h.respond(w, r, http.StatusCreated, p.DID, rc)
	}
	return httpx.JSON(w, http.StatusCreated, api.DIDResponse{DID: p.DID, DIDDocument: doc, TxHash: rc.TxHash, Height: rc.Height, Status: api.StatusCommitted})
}

// respond writes a DID operation's receipt, with status, and the DID's
// document as committed; while pending, 202 with the DID alone.
func (h *Handlers) respond(w http.ResponseWriter, r *http.Request, status int, d string, rc chain.Receipt) error {
	resp := api.DIDResponse{DID: d, TxHash: rc.TxHash, Height: rc.Height, Status: node.ReceiptStatus(rc)}
	if !rc.Pending {
		res, err := h.Node.Resolver.Resolve(r.Context(), d, did.Options{})
		if err == nil || errors.Is(err, did.ErrDeactivated) {
			resp.DIDDocument = res.Document
		}
	}
	return httpx.Written(w, status, resp.TxHash, resp.Status, resp)
}

// update runs a DID update of type typ on the DID in the path: a signed
// transaction of that type for that DID (and the fragment id in the path,
// if any), or a custodial one whose payload build makes.
func (h *Handlers) update(w http.ResponseWriter, r *http.Request, typ string, build func(d string, req *api.DIDRequest) (chain.Payload, error)) error {
	d, err := pathDID(r)
	if err != nil {
		return err
	}
	var req api.DIDRequest
	async, err := httpx.DecodeWrite(r, &req)
	if err != nil {
		return err
	}
	wr := node.Write{Type: typ, Tx: req.Tx, Async: async && len(req.Tx) > 0, Check: targets(d, httpx.Param(r, "id")), Signer: d,
		Build: func(string, *keys.PrivateKey) (chain.Payload, error) { return build(d, &req) }}
	if len(req.Tx) == 0 {
		if wr.Account, err = httpx.Account(r, h.Node); err != nil {
			return err
		}
	}
	var rc chain.Receipt
	if typ == did.TxRotateKey && len(req.Tx) == 0 {
		rc, err = h.Node.CustodialRotate(r.Context(), wr.Account, d, req.NewID, req.Compromised)
	} else {
		rc, _, err = h.Node.Write(r.Context(), wr)
	}
	if err != nil {
		return err
	}
	return h.respond(w, r, http.StatusOK, d, rc)
}

// targets checks that a signed DID transaction changes d and, when the path
// names one, removes the verification method or service id.
func targets(d, id string) func(chain.Payload) error {
	return func(p chain.Payload) error {
		pd, pid := did.Target(p)
		if pd != d {
			return errs.BadRequest("tx.wrongEndpoint", "the transaction changes %s, the path names %s", pd, d)
		}
		if id != "" && pid != id {
			return errs.BadRequest("tx.wrongEndpoint", "the transaction removes #%s, the path names #%s", pid, id)
		}
		return nil
	}
}

// AddKey adds a verification method: POST /v1/dids/{did}/keys.
func (h *Handlers) AddKey(w http.ResponseWriter, r *http.Request) error {
	return h.update(w, r, did.TxAddMethod, func(d string, req *api.DIDRequest) (chain.Payload, error) {
		if req.PublicKeyMultibase == "" || req.ID == "" {
			return nil, errs.BadRequest("request.malformed", "adding a key needs id and publicKeyMultibase")
		}
		return &did.AddMethodPayload{DID: d, ID: req.ID, PublicKeyMultibase: req.PublicKeyMultibase, Relationships: req.Relationships}, nil
	})
}

// RemoveKey removes a verification method: DELETE /v1/dids/{did}/keys/{id}.
func (h *Handlers) RemoveKey(w http.ResponseWriter, r *http.Request) error {
	return h.update(w, r, did.TxRemoveMethod, func(d string, req *api.DIDRequest) (chain.Payload, error) {
		return &did.RemoveMethodPayload{DID: d, ID: httpx.Param(r, "id"), Compromised: req.Compromised}, nil
	})
}

// ReportCompromised declares compromised a key the DID no longer has:
// POST /v1/dids/{did}/compromised-keys.
func (h *Handlers) ReportCompromised(w http.ResponseWriter, r *http.Request) error {
	return h.update(w, r, did.TxReportCompromised, func(d string, req *api.DIDRequest) (chain.Payload, error) {
		if req.PublicKeyMultibase == "" {
			return nil, errs.BadRequest("request.malformed", "reporting a compromised key needs publicKeyMultibase")
		}
		return &did.ReportCompromisedPayload{DID: d, PublicKeyMultibase: req.PublicKeyMultibase}, nil
	})
}

// AddService adds a service: POST /v1/dids/{did}/services.
func (h *Handlers) AddService(w http.ResponseWriter, r *http.Request) error {
	return h.update(w, r, did.TxAddService, func(d string, req *api.DIDRequest) (chain.Payload, error) {
		if req.Service == nil {
			return nil, errs.BadRequest("request.malformed", "adding a service needs service: {id, type, serviceEndpoint}")
		}
		return &did.AddServicePayload{DID: d, Service: *req.Service}, nil
	})
}

// RemoveService removes a service: DELETE /v1/dids/{did}/services/{id}.
func (h *Handlers) RemoveService(w http.ResponseWriter, r *http.Request) error {
	return h.update(w, r, did.TxRemoveService, func(d string, req *api.DIDRequest) (chain.Payload, error) {
		return &did.RemoveServicePayload{DID: d, ID: httpx.Param(r, "id")}, nil
	})
}

// RotateKey rotates the DID's key: POST /v1/dids/{did}/rotate (custodial:
// the node generates the new key).
func (h *Handlers) RotateKey(w http.ResponseWriter, r *http.Request) error {
	return h.update(w, r, did.TxRotateKey, nil)
}

// Deactivate deactivates the DID for good: POST /v1/dids/{did}/deactivate.
func (h *Handlers) Deactivate(w http.ResponseWriter, r *http.Request) error {
	return h.update(w, r, did.TxDeactivate, func(d string, req *api.DIDRequest) (chain.Payload, error) {
		return &did.DeactivatePayload{DID: d}, nil
	})
}
