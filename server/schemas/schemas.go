// Package schemas serves the credential schema registry: publishing a
// schema or a new version of one (POST /v1/schemas, POST
// /v1/schemas/{id}/versions) — a schema.register or schema.update the
// client signed, or, with a token, one the node signs (node.Write) — and
// reading them (GET /v1/schemas, /v1/schemas/{id},
// /v1/schemas/{id}/versions/{version}).
package schemas

import (
	"net/http"
	"strconv"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/schemas"
	"github.com/weidgo/weid/server/httpx"
)

// Handlers serves the schema endpoints of one node.
type Handlers struct{ Node *node.Node }

// pathID reads the positive integer path parameter name.
func pathID(r *http.Request, name string) (uint64, error) {
	v, err := strconv.ParseUint(httpx.Param(r, name), 10, 64)
	if err != nil || v == 0 {
		return 0, errs.BadRequest("schema.invalidId", "%s must be a positive integer", name)
	}
	return v, nil
}

// publish writes a schema transaction of type typ: the one a SchemaRequest
// carries (its payload vetted by check, if set; with ?async=true answered
// once in the mempool), or the custodial payload build makes of its fields;
// build's error, in either form, refuses a member the endpoint does not take.
func (h *Handlers) publish(w http.ResponseWriter, r *http.Request, typ string, check func(chain.Payload) error,
	build func(*api.SchemaRequest) (chain.Payload, error)) error {
	var req api.SchemaRequest
	async, err := httpx.DecodeWrite(r, &req)
	if err != nil {
		return err
	}
	p, err := build(&req)
	if err != nil {
		return err
	}
	wr := node.Write{Type: typ, Tx: req.Tx, Async: async && len(req.Tx) > 0, Check: check, Signer: req.Signer,
		Build: func(string, *keys.PrivateKey) (chain.Payload, error) { return p, nil }}
	rc, _, err := httpx.Write(r, h.Node, wr)
	if err != nil {
		return err
	}
	if rc.Pending { // the ledger gives a register without an id its id at commit
		return httpx.Pending(w, rc.TxHash)
	}
	resp, err := h.Node.SchemaPublished(rc)
	return httpx.Reply(w, http.StatusCreated, resp, err)
}

// Register registers a JSON Schema, with the id given or the next free one
// of the signer's range: POST /v1/schemas.
func (h *Handlers) Register(w http.ResponseWriter, r *http.Request) error {
	return h.publish(w, r, schemas.TxRegister, nil, func(req *api.SchemaRequest) (chain.Payload, error) {
		return &schemas.RegisterPayload{ID: req.ID, Name: req.Name, Schema: req.Schema}, nil
	})
}

// Update publishes a new version of the schema in the path (its publisher
// or a governor): POST /v1/schemas/{id}/versions.
func (h *Handlers) Update(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	check := func(p chain.Payload) error {
		if got := p.(*schemas.UpdatePayload).ID; got != id {
			return errs.BadRequest("tx.wrongEndpoint", "the transaction updates schema %d, the path names %d", got, id)
		}
		return nil
	}
	return h.publish(w, r, schemas.TxUpdate, check, func(req *api.SchemaRequest) (chain.Payload, error) {
		return &schemas.UpdatePayload{ID: id, Schema: req.Schema}, h.Node.CheckSchemaVersion(id, req)
	})
}

// Get returns the latest version of a schema, GET /v1/schemas/{id}, or the
// version the path names, GET /v1/schemas/{id}/versions/{version}.
func (h *Handlers) Get(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var version uint64
	if httpx.Param(r, "version") != "" {
		if version, err = pathID(r, "version"); err != nil {
			return err
		}
	}
	rec, err := h.Node.Schema(id, version)
	return httpx.Reply(w, http.StatusOK, rec, err)
}

// List returns a page of schemas, their latest versions, in id order
// (?after=, ?limit=): GET /v1/schemas.
func (h *Handlers) List(w http.ResponseWriter, r *http.Request) error {
	limit, err := httpx.Limit(r, schemas.DefaultListLimit, schemas.MaxListLimit)
	if err != nil {
		return err
	}
	after, err := httpx.QueryUint(r, "after", 0, "a schema id")
	if err != nil {
		return err
	}
	list, err := h.Node.ListSchemas(after, limit)
	return httpx.Reply(w, http.StatusOK, list, err)
}
