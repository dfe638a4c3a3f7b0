package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keystore"
)

// GovRequest is the body of the governance endpoints: a transaction signed
// by an admin or committee member ("tx"), or, with a bearer token, the
// fields for the node to sign with the key it keeps for the account's
// governing DID ("signer"; default: the admin DID for the admin token).
type GovRequest struct {
	Tx          json.RawMessage `json:"tx,omitempty"`
	Signer      string          `json:"signer,omitempty"`
	DID         string          `json:"did,omitempty"`
	Name        string          `json:"name,omitempty"`
	Description string          `json:"description,omitempty"`
	Types       []string        `json:"types,omitempty"`
	Schemas     []uint64        `json:"schemas,omitempty"`
}

// GovResponse is the result of a governance operation.
type GovResponse struct {
	TxHash string        `json:"txHash"`
	Height uint64        `json:"height"`
	Status string        `json:"status"`
	Issuer *authz.Issuer `json:"issuer,omitempty"`
	Member *authz.Member `json:"member,omitempty"`
	// Validator and Observer: the record a node admission made.
	Validator *authz.Validator `json:"validator,omitempty"`
	Observer  *authz.Observer  `json:"observer,omitempty"`
}

// IssuerResponse answers GET /v1/issuers/{did}.
type IssuerResponse struct {
	Issuer     *authz.Issuer `json:"issuer"`
	Accredited *bool         `json:"accredited,omitempty"` // for ?type= and/or ?schema=
}

// IssuerList is a page of authority issuers.
type IssuerList struct {
	Issuers []authz.Issuer `json:"issuers"`
	Next    string         `json:"next,omitempty"` // pass as ?after= for the next page
}

// govSubmit runs a governance operation of type typ: a client-signed tx, or
// a custodial one whose payload build makes.
func (s *Server) govSubmit(w http.ResponseWriter, r *http.Request, typ, pathDID string, build func(req *GovRequest) (chain.Payload, error)) (chain.Receipt, bool) {
	var req GovRequest
	if err := decodeJSON(r, &req); err != nil {
		renderError(w, r, err)
		return chain.Receipt{}, false
	}
	return s.govSubmitTx(w, r, typ, pathDID, req.Tx, req.Signer, nil, func() (chain.Payload, error) { return build(&req) })
}

// govSubmitTx submits the governance transaction tx (client-signed, after
// check if not nil) or, without one, a custodial one whose payload build
// makes, signed by the node for the bearer's account as signer.
func (s *Server) govSubmitTx(w http.ResponseWriter, r *http.Request, typ, pathDID string, tx json.RawMessage, signer string,
	check func(*chain.Tx) error, build func() (chain.Payload, error)) (chain.Receipt, bool) {
	var rc chain.Receipt
	var err error
	if len(tx) > 0 {
		if check != nil {
			var t *chain.Tx
			if t, err = chain.DecodeTx(tx); err == nil {
				err = check(t)
			}
		}
		if err == nil {
			rc, _, err = s.submitSigned(r, tx, typ, pathDID)
		}
	} else {
		acct, aerr := s.account(r)
		if aerr != nil {
			renderError(w, r, aerr)
			return chain.Receipt{}, false
		}
		signer, serr := s.custodialSigner(acct, signer)
		if serr != nil {
			renderError(w, r, serr)
			return chain.Receipt{}, false
		}
		var p chain.Payload
		if p, err = build(); err == nil {
			if err = p.Validate(); err == nil {
				rc, err = s.node.CustodialUpdate(r.Context(), acct, signer, typ, p)
			}
		}
	}
	if err != nil {
		renderError(w, r, err)
		return chain.Receipt{}, false
	}
	return rc, true
}

func unescapedParam(r *http.Request, name string) string {
	v, err := url.PathUnescape(chi.URLParam(r, name))
	if err != nil {
		return chi.URLParam(r, name)
	}
	return v
}

func (s *Server) listCommittee(w http.ResponseWriter, r *http.Request) {
	ms, err := authz.ListCommittee(s.node.Ledger)
	if err != nil {
		renderError(w, r, err)
		return
	}
	if ms == nil {
		ms = []authz.Member{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"members": ms})
}

func (s *Server) addCommittee(w http.ResponseWriter, r *http.Request) {
	rc, ok := s.govSubmit(w, r, authz.TxAddCommittee, "", func(req *GovRequest) (chain.Payload, error) {
		return &authz.MemberPayload{DID: req.DID}, nil
	})
	if !ok {
		return
	}
	resp := GovResponse{TxHash: rc.TxHash, Height: rc.Height, Status: "committed"}
	writeJSON(w, http.StatusCreated, resp)
}

func (s *Server) removeCommittee(w http.ResponseWriter, r *http.Request) {
	d := unescapedParam(r, "did")
	rc, ok := s.govSubmit(w, r, authz.TxRemoveCommittee, d, func(req *GovRequest) (chain.Payload, error) {
		return &authz.MemberPayload{DID: d}, nil
	})
	if ok {
		writeJSON(w, http.StatusOK, GovResponse{TxHash: rc.TxHash, Height: rc.Height, Status: "committed"})
	}
}

func (s *Server) recognizeIssuer(w http.ResponseWriter, r *http.Request) {
	var d string
	rc, ok := s.govSubmit(w, r, authz.TxRecognize, "", func(req *GovRequest) (chain.Payload, error) {
		d = req.DID
		return &authz.RecognizePayload{DID: req.DID, Name: req.Name, Description: req.Description, Types: req.Types, Schemas: req.Schemas}, nil
	})
	if !ok {
		return
	}
	resp := GovResponse{TxHash: rc.TxHash, Height: rc.Height, Status: "committed"}
	if d == "" { // a signed tx: read the DID back from the ledger's tx
		if t, err := s.node.Ledger.Tx(rc.TxHash); err == nil {
			var p authz.RecognizePayload
			_ = json.Unmarshal(t.Tx.Payload, &p)
			d = p.DID
		}
	}
	if is, found, err := authz.AuthorityIssuer(s.node.Ledger, d); err == nil && found {
		resp.Issuer = is
	}
	writeJSON(w, http.StatusCreated, resp)
}

func (s *Server) derecognizeIssuer(w http.ResponseWriter, r *http.Request) {
	d := unescapedParam(r, "did")
	rc, ok := s.govSubmit(w, r, authz.TxDerecognize, d, func(req *GovRequest) (chain.Payload, error) {
		return &authz.DerecognizePayload{DID: d}, nil
	})
	if ok {
		writeJSON(w, http.StatusOK, GovResponse{TxHash: rc.TxHash, Height: rc.Height, Status: "committed"})
	}
}

// listIssuers lists authority issuers by page, or finds one by ?name=.
func (s *Server) listIssuers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if name := q.Get("name"); name != "" {
		d, ok, err := authz.IssuerByName(s.node.Ledger, name)
		if err != nil {
			renderError(w, r, err)
			return
		}
		list := IssuerList{Issuers: []authz.Issuer{}}
		if ok {
			if is, found, err := authz.AuthorityIssuer(s.node.Ledger, d); err == nil && found {
				list.Issuers = append(list.Issuers, *is)
			}
		}
		writeJSON(w, http.StatusOK, list)
		return
	}
	limit, err := pageLimit(r, 100, 1000)
	if err != nil {
		renderError(w, r, err)
		return
	}
	list, err := authz.ListIssuers(s.node.Ledger, q.Get("after"), limit+1)
	if err != nil {
		renderError(w, r, err)
		return
	}
	resp := IssuerList{Issuers: list}
	if len(list) > limit {
		resp.Issuers = list[:limit]
		resp.Next = list[limit-1].DID
	}
	if resp.Issuers == nil {
		resp.Issuers = []authz.Issuer{}
	}
	writeJSON(w, http.StatusOK, resp)
}

// getIssuer reports whether a DID is an authority issuer, and with ?type=
// and/or ?schema= whether it is accredited for them.
func (s *Server) getIssuer(w http.ResponseWriter, r *http.Request) {
	d := unescapedParam(r, "did")
	is, ok, err := authz.AuthorityIssuer(s.node.Ledger, d)
	if err != nil {
		renderError(w, r, err)
		return
	}
	if !ok {
		renderError(w, r, errs.New(http.StatusNotFound, "issuer.notFound", "%s is not an authority issuer", d))
		return
	}
	resp := IssuerResponse{Issuer: is}
	q := r.URL.Query()
	if typ, sch := q.Get("type"), q.Get("schema"); typ != "" || sch != "" {
		var id uint64
		if sch != "" {
			if id, err = strconv.ParseUint(sch, 10, 64); err != nil {
				renderError(w, r, errs.BadRequest("request.badQuery", "schema must be a schema id"))
				return
			}
		}
		acc := is.AccreditedFor(typ, id)
		resp.Accredited = &acc
	}
	writeJSON(w, http.StatusOK, resp)
}

// custodialSigner is the DID a custodial request signs as: the one it names,
// or, for the admin token, the admin DID.
func (s *Server) custodialSigner(acct *keystore.Account, signer string) (string, error) {
	if signer == "" && acct.Admin {
		signer = s.node.AdminDID
	}
	if signer == "" {
		return "", errs.BadRequest("request.malformed", "name the DID the node signs as in \"signer\"")
	}
	return signer, nil
}

// pageLimit reads ?limit=, from 1 to max, def when absent.
func pageLimit(r *http.Request, def, max int) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		return 0, errs.BadRequest("request.badQuery", "limit must be an integer from 1 to %d", max)
	}
	return n, nil
}
