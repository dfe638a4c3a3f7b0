package server

import (
	"encoding/json"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
)

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
