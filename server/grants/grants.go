// Package grants serves data authorization (package grants) under
// /v1/grants: recording a grant's receipt, revoking it, recording and
// listing access receipts — each a transaction the client signed, or, with
// an account token, one the node signs with the key it keeps for the
// account (node.Write) — and reading receipts.
//
// The exchange itself, where a data holder releases data under a grant, is
// not the node's: see package exchange and server.NewExchange.
package grants

import (
	"net/http"
	"strconv"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/grants"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/server/httpx"
)

// Handlers serves the grant endpoints of one node.
type Handlers struct {
	Node *node.Node
	// BaseURL returns the URL the node is reached at, as r addressed it
	// (the base of the schema URL in the grants the node makes).
	BaseURL func(r *http.Request) string
}

func pathID(r *http.Request) (string, error) {
	id := httpx.Param(r, "id")
	return id, grants.ValidID(id)
}

// write submits wr and answers with its receipt, out filled in: 201, or
// 202 while pending (a signed transaction with ?async=true).
func (h *Handlers) write(w http.ResponseWriter, r *http.Request, wr node.Write, out *api.GrantReceipt) error {
	var err error
	if len(wr.Tx) > 0 {
		if wr.Async, err = httpx.Async(r); err != nil {
			return err
		}
	}
	rc, _, err := httpx.Write(r, h.Node, wr)
	if err != nil {
		return err
	}
	out.TxHash, out.Height, out.Status = rc.TxHash, rc.Height, node.ReceiptStatus(rc)
	return httpx.Written(w, http.StatusCreated, out.TxHash, out.Status, out)
}

// Create records a grant's receipt: POST /v1/grants with a signed
// grant.record, or with a token the grant's fields, for the node to make
// the grant and sign it as the grantor.
func (h *Handlers) Create(w http.ResponseWriter, r *http.Request) error {
	var req api.GrantRequest
	if err := httpx.Decode(r, &req); err != nil {
		return err
	}
	out := &api.GrantReceipt{}
	wr, err := node.GrantRecord(&req, h.Node.ChainID, h.BaseURL(r), out)
	if err != nil {
		return err
	}
	return h.write(w, r, wr, out)
}

// writeRequest reads the grant id in the path and the body of a write on
// the grant.
func writeRequest(r *http.Request) (string, *api.GrantWriteRequest, error) {
	id, err := pathID(r)
	if err != nil {
		return "", nil, err
	}
	var req api.GrantWriteRequest
	if err := httpx.Decode(r, &req); err != nil {
		return "", nil, err
	}
	return id, &req, nil
}

// onGrant is the write of type typ on grant id that req asks for: its
// signed transaction, refused (wrong, the detail) unless the grant its
// payload names (grantOf) is id, or, custodial, payload.
func onGrant(typ, id string, req *api.GrantWriteRequest, payload chain.Payload, wrong string, grantOf func(chain.Payload) string) node.Write {
	return node.Write{Type: typ, Tx: req.Tx, Signer: req.Signer,
		Check: func(p chain.Payload) error {
			if grantOf(p) != id {
				return errs.BadRequest("tx.wrongEndpoint", "%s", wrong)
			}
			return nil
		},
		Build: func(string, *keys.PrivateKey) (chain.Payload, error) { return payload, nil }}
}

// Revoke revokes a grant: POST /v1/grants/{id}/revoke with a signed
// grant.revoke, or with a token (the node signs as "signer", by default
// the grantor).
func (h *Handlers) Revoke(w http.ResponseWriter, r *http.Request) error {
	id, req, err := writeRequest(r)
	if err != nil {
		return err
	}
	wr := onGrant(grants.TxRevoke, id, req, &grants.RevokePayload{ID: id}, "the transaction revokes another grant than the path names",
		func(p chain.Payload) string { return p.(*grants.RevokePayload).ID })
	if len(req.Tx) == 0 && wr.Signer == "" {
		v, err := h.Node.Grant(id)
		if err != nil {
			return err
		}
		wr.Signer = v.Grantor
	}
	return h.write(w, r, wr, &api.GrantReceipt{ID: id})
}

// RecordAccess records an access receipt: POST /v1/grants/{id}/accesses
// with a signed grant.access, or with a token (the node signs as the data
// holder, "signer").
func (h *Handlers) RecordAccess(w http.ResponseWriter, r *http.Request) error {
	id, req, err := writeRequest(r)
	if err != nil {
		return err
	}
	wr := onGrant(grants.TxAccess, id, req, &grants.AccessPayload{GrantID: id, Claims: req.Claims, Request: req.Request},
		"the transaction is for another grant than the path names", func(p chain.Payload) string { return p.(*grants.AccessPayload).GrantID })
	return h.write(w, r, wr, &api.GrantReceipt{ID: id})
}

// Get returns a grant's receipt: GET /v1/grants/{id}.
func (h *Handlers) Get(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := h.Node.Grant(id)
	return httpx.Reply(w, http.StatusOK, v, err)
}

// List lists grants by grantor or grantee, or finds one by hash: GET
// /v1/grants.
func (h *Handlers) List(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, err := httpx.Limit(r, grants.MaxPage, grants.MaxPage)
	if err != nil {
		return err
	}
	list, err := h.Node.ListGrants(api.GrantQuery{Grantor: q.Get("grantor"), Grantee: q.Get("grantee"), Hash: q.Get("hash"), After: q.Get("after"), Limit: limit})
	return httpx.Reply(w, http.StatusOK, list, err)
}

// Accesses lists a grant's access receipts: GET /v1/grants/{id}/accesses.
func (h *Handlers) Accesses(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	limit, err := httpx.Limit(r, grants.MaxPage, grants.MaxPage)
	if err != nil {
		return err
	}
	from := 0
	if v := r.URL.Query().Get("from"); v != "" {
		if from, err = strconv.Atoi(v); err != nil || from < 0 {
			return errs.BadRequest("request.badQuery", "from must be a non-negative integer")
		}
	}
	list, err := h.Node.GrantAccesses(id, from, limit)
	return httpx.Reply(w, http.StatusOK, list, err)
}
