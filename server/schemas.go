package server

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/schemas"
)

// SchemaRequest publishes a schema or a new version of one: a signed
// schema.register / schema.update transaction ("tx"), or, with a bearer
// token, the fields for the node to sign as "signer" (a DID of the token's
// account; default: the admin DID for the admin token).
type SchemaRequest struct {
	Tx     json.RawMessage `json:"tx,omitempty"`
	Signer string          `json:"signer,omitempty"`
	ID     uint64          `json:"id,omitempty"`
	Name   string          `json:"name,omitempty"`
	Schema json.RawMessage `json:"schema,omitempty"`
}

// SchemaResponse is the result of publishing a schema version.
type SchemaResponse struct {
	ID      uint64 `json:"id"`
	Version uint64 `json:"version"`
	URL     string `json:"url"` // the schema's stable URL path
	TxHash  string `json:"txHash"`
	Height  uint64 `json:"height"`
	Status  string `json:"status"`
}

// SchemaList is a page of schemas (their latest versions).
type SchemaList struct {
	Schemas []schemas.Record `json:"schemas"`
	Next    uint64           `json:"next,omitempty"` // pass as ?after= for the next page
}

func (s *Server) publishSchema(w http.ResponseWriter, r *http.Request, typ string, pathID uint64) {
	var req SchemaRequest
	if err := decodeJSON(r, &req); err != nil {
		renderError(w, r, err)
		return
	}
	var rc chain.Receipt
	var err error
	if len(req.Tx) > 0 {
		if pathID != 0 { // checked before submitting: a mismatch must not commit
			var p struct {
				Payload struct {
					ID uint64 `json:"id"`
				} `json:"payload"`
			}
			if json.Unmarshal(req.Tx, &p) == nil && p.Payload.ID != pathID {
				renderError(w, r, errs.BadRequest("tx.wrongEndpoint", "the transaction updates schema %d, the path names %d", p.Payload.ID, pathID))
				return
			}
		}
		rc, _, err = s.submitSigned(r, req.Tx, typ, "")
		if async, _ := asyncRequested(r); err == nil && async {
			writeJSON(w, http.StatusAccepted, TxReceipt{TxHash: rc.TxHash, Status: "pending"})
			return
		}
	} else {
		acct, aerr := s.account(r)
		if aerr != nil {
			renderError(w, r, aerr)
			return
		}
		signer, serr := s.custodialSigner(acct, req.Signer)
		if serr != nil {
			renderError(w, r, serr)
			return
		}
		var p chain.Payload = &schemas.RegisterPayload{ID: req.ID, Name: req.Name, Schema: req.Schema}
		if typ == schemas.TxUpdate {
			p = &schemas.UpdatePayload{ID: pathID, Schema: req.Schema}
		}
		if err = p.Validate(); err == nil {
			rc, err = s.node.CustodialUpdate(r.Context(), acct, signer, typ, p)
		}
	}
	if err != nil {
		renderError(w, r, err)
		return
	}
	id, version, ok, err := schemas.Published(s.node.Ledger, rc.TxHash)
	if err != nil || !ok {
		renderError(w, r, errs.New(http.StatusInternalServerError, "internal", "schema transaction %s committed but its id is unknown", rc.TxHash))
		return
	}
	writeJSON(w, http.StatusCreated, SchemaResponse{ID: id, Version: version, URL: "/v1/schemas/" + strconv.FormatUint(id, 10),
		TxHash: rc.TxHash, Height: rc.Height, Status: "committed"})
}

func (s *Server) registerSchema(w http.ResponseWriter, r *http.Request) {
	s.publishSchema(w, r, schemas.TxRegister, 0)
}

func (s *Server) updateSchema(w http.ResponseWriter, r *http.Request) {
	id, err := schemaParam(r, "id")
	if err != nil {
		renderError(w, r, err)
		return
	}
	s.publishSchema(w, r, schemas.TxUpdate, id)
}

func schemaParam(r *http.Request, name string) (uint64, error) {
	v, err := strconv.ParseUint(chi.URLParam(r, name), 10, 64)
	if err != nil || v == 0 {
		return 0, errs.BadRequest("schema.invalidId", "%s must be a positive integer", name)
	}
	return v, nil
}

func (s *Server) getSchema(w http.ResponseWriter, r *http.Request) {
	id, err := schemaParam(r, "id")
	if err != nil {
		renderError(w, r, err)
		return
	}
	var version uint64
	if chi.URLParam(r, "version") != "" {
		if version, err = schemaParam(r, "version"); err != nil {
			renderError(w, r, err)
			return
		}
	}
	rec, err := schemas.Get(s.node.Ledger, id, version)
	if err != nil {
		renderError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rec)
}

func (s *Server) listSchemas(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := pageLimit(r, schemas.DefaultListLimit, schemas.MaxListLimit)
	if err != nil {
		renderError(w, r, err)
		return
	}
	var after uint64
	if v := q.Get("after"); v != "" {
		if after, err = strconv.ParseUint(v, 10, 64); err != nil {
			renderError(w, r, errs.BadRequest("request.badQuery", "after must be a schema id"))
			return
		}
	}
	list, err := schemas.List(s.node.Ledger, after, limit+1)
	if err != nil {
		renderError(w, r, err)
		return
	}
	resp := SchemaList{Schemas: list}
	if len(list) > limit {
		resp.Schemas = list[:limit]
		resp.Next = list[limit-1].ID
	}
	if resp.Schemas == nil {
		resp.Schemas = []schemas.Record{}
	}
	writeJSON(w, http.StatusOK, resp)
}
