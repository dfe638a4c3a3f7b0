package server

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/grants"
)

// GrantRequest is the body of POST /v1/grants: a grant.record transaction
// signed by the grantor ("tx"), or, with a bearer token, the fields of a
// grant for the node to make, sign and record as "signer" (the grantor, a
// DID of the token's account). notBefore defaults to now.
type GrantRequest struct {
	Tx        json.RawMessage `json:"tx,omitempty"`
	Signer    string          `json:"signer,omitempty"`
	Grantee   string          `json:"grantee,omitempty"`
	Resource  string          `json:"resource,omitempty"`
	Scope     []string        `json:"scope,omitempty"`
	Purpose   string          `json:"purpose,omitempty"`
	NotBefore string          `json:"notBefore,omitempty"`
	Expires   string          `json:"expires,omitempty"`
}

// GrantWriteRequest is the body of POST /v1/grants/{id}/revoke and POST
// /v1/grants/{id}/accesses: a signed transaction of that type ("tx"), or,
// with a bearer token, the node signs as "signer" (for a revocation,
// default the grantor); an access names the claims released and the
// request hash.
type GrantWriteRequest struct {
	Tx      json.RawMessage `json:"tx,omitempty"`
	Signer  string          `json:"signer,omitempty"`
	Claims  []string        `json:"claims,omitempty"`
	Request string          `json:"request,omitempty"`
}

// GrantReceipt is the result of a grant write.
type GrantReceipt struct {
	ID     string `json:"id"`
	Hash   string `json:"hash,omitempty"`  // the grant's hash (grant.record)
	Grant  string `json:"grant,omitempty"` // the grant, when the node made it
	TxHash string `json:"txHash"`
	Height uint64 `json:"height,omitempty"`
	Status string `json:"status"` // committed or pending
}

// GrantView is a grant's receipt with its status now (state: active,
// revoked, expired or notYetValid).
type GrantView struct {
	grants.Receipt
	State string `json:"state"`
}

// GrantList is a page of grants; next, when present, continues it (?after=).
type GrantList struct {
	Grants []GrantView `json:"grants"`
	Next   string      `json:"next,omitempty"`
}

// AccessList is a page of access receipts; next, when present, continues it
// (?from=).
type AccessList struct {
	Accesses []grants.Access `json:"accesses"`
	Next     int             `json:"next,omitempty"`
}

func pathGrantID(r *http.Request) (string, error) {
	id := unescapedParam(r, "id")
	return id, grants.ValidID(id)
}

func view(r *grants.Receipt, now time.Time) GrantView {
	return GrantView{Receipt: *r, State: r.StatusAt(now)}
}

// newGrantID returns a random urn:uuid (version 4).
func newGrantID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

// grantTx submits a client-signed transaction of type typ (whose payload
// check says it is for this endpoint) and writes the receipt.
func (s *Server) grantTx(w http.ResponseWriter, r *http.Request, raw json.RawMessage, typ string, check func(p chain.Payload) (id, hash string, err error)) {
	async, err := asyncRequested(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	tx, err := chain.DecodeTx(raw)
	if err != nil {
		renderError(w, r, err)
		return
	}
	if tx.Type != typ {
		renderError(w, r, errs.BadRequest("tx.wrongEndpoint", "this endpoint takes %s transactions, not %s", typ, tx.Type))
		return
	}
	c, err := s.node.Ledger.Registry().CheckTx(s.node.ChainID, tx)
	if err != nil {
		renderError(w, r, err)
		return
	}
	id, hash, err := check(c.Payload)
	if err != nil {
		renderError(w, r, err)
		return
	}
	rc, _, err := s.node.SubmitChecked(r.Context(), tx, async)
	if err != nil {
		renderError(w, r, err)
		return
	}
	if async {
		writeJSON(w, http.StatusAccepted, GrantReceipt{ID: id, Hash: hash, TxHash: rc.TxHash, Status: "pending"})
		return
	}
	writeJSON(w, http.StatusCreated, GrantReceipt{ID: id, Hash: hash, TxHash: rc.TxHash, Height: rc.Height, Status: "committed"})
}

func parseStamp(name, v string, def time.Time) (time.Time, error) {
	if v == "" {
		return def, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, errs.BadRequest("grant.invalid", "%s must be an RFC 3339 time", name)
	}
	return t.UTC().Truncate(time.Second), nil
}

// createGrant records a grant's receipt: POST /v1/grants.
func (s *Server) createGrant(w http.ResponseWriter, r *http.Request) {
	var req GrantRequest
	if err := decodeJSON(r, &req); err != nil {
		renderError(w, r, err)
		return
	}
	if len(req.Tx) > 0 {
		s.grantTx(w, r, req.Tx, grants.TxRecord, func(p chain.Payload) (string, string, error) {
			g, err := grants.Parse(p.(*grants.RecordPayload).Grant)
			if err != nil {
				return "", "", err
			}
			return g.ID, g.Hash, nil
		})
		return
	}
	acct, err := s.account(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	signer, err := s.custodialSigner(acct, req.Signer)
	if err != nil {
		renderError(w, r, err)
		return
	}
	now := time.Now().UTC().Truncate(time.Second)
	nb, err := parseStamp("notBefore", req.NotBefore, now)
	if err != nil {
		renderError(w, r, err)
		return
	}
	exp, err := parseStamp("expires", req.Expires, time.Time{})
	if err != nil {
		renderError(w, r, err)
		return
	}
	id, err := newGrantID()
	if err != nil {
		renderError(w, r, err)
		return
	}
	g := grants.Grant{ID: id, Grantor: signer, Grantee: req.Grantee, Resource: req.Resource, Scope: req.Scope, Purpose: req.Purpose, NotBefore: nb, Expires: exp}
	if err := g.Validate(); err != nil {
		renderError(w, r, err)
		return
	}
	vm, k, err := s.node.SignerKey(acct, signer)
	if err != nil {
		renderError(w, r, err)
		return
	}
	tok, err := g.Sign(k, vm, s.baseURL(r))
	if err != nil {
		renderError(w, r, err)
		return
	}
	rc, err := s.node.CustodialUpdate(r.Context(), acct, signer, grants.TxRecord, &grants.RecordPayload{Grant: tok})
	if err != nil {
		renderError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, GrantReceipt{ID: id, Hash: grants.Hash(tok), Grant: tok, TxHash: rc.TxHash, Height: rc.Height, Status: "committed"})
}

// custodialGrantWrite signs a grant transaction as signer for the token's
// account.
func (s *Server) custodialGrantWrite(ctx context.Context, r *http.Request, signer, typ string, p chain.Payload) (chain.Receipt, error) {
	acct, err := s.account(r)
	if err != nil {
		return chain.Receipt{}, err
	}
	if signer, err = s.custodialSigner(acct, signer); err != nil {
		return chain.Receipt{}, err
	}
	if err := p.Validate(); err != nil {
		return chain.Receipt{}, err
	}
	return s.node.CustodialUpdate(ctx, acct, signer, typ, p)
}

// revokeGrant revokes a grant: POST /v1/grants/{id}/revoke.
func (s *Server) revokeGrant(w http.ResponseWriter, r *http.Request) {
	id, err := pathGrantID(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	var req GrantWriteRequest
	if err := decodeJSON(r, &req); err != nil {
		renderError(w, r, err)
		return
	}
	if len(req.Tx) > 0 {
		s.grantTx(w, r, req.Tx, grants.TxRevoke, func(p chain.Payload) (string, string, error) {
			if p.(*grants.RevokePayload).ID != id {
				return "", "", errs.BadRequest("tx.wrongEndpoint", "the transaction revokes another grant than the path names")
			}
			return id, "", nil
		})
		return
	}
	signer := req.Signer
	if signer == "" {
		rec, err := grants.Get(s.node.Ledger, id)
		if err != nil {
			renderError(w, r, err)
			return
		}
		signer = rec.Grantor
	}
	rc, err := s.custodialGrantWrite(r.Context(), r, signer, grants.TxRevoke, &grants.RevokePayload{ID: id})
	if err != nil {
		renderError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, GrantReceipt{ID: id, TxHash: rc.TxHash, Height: rc.Height, Status: "committed"})
}

// recordAccess records an access receipt: POST /v1/grants/{id}/accesses.
func (s *Server) recordAccess(w http.ResponseWriter, r *http.Request) {
	id, err := pathGrantID(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	var req GrantWriteRequest
	if err := decodeJSON(r, &req); err != nil {
		renderError(w, r, err)
		return
	}
	if len(req.Tx) > 0 {
		s.grantTx(w, r, req.Tx, grants.TxAccess, func(p chain.Payload) (string, string, error) {
			if p.(*grants.AccessPayload).GrantID != id {
				return "", "", errs.BadRequest("tx.wrongEndpoint", "the transaction is for another grant than the path names")
			}
			return id, "", nil
		})
		return
	}
	rc, err := s.custodialGrantWrite(r.Context(), r, req.Signer, grants.TxAccess, &grants.AccessPayload{GrantID: id, Claims: req.Claims, Request: req.Request})
	if err != nil {
		renderError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, GrantReceipt{ID: id, TxHash: rc.TxHash, Height: rc.Height, Status: "committed"})
}

// getGrant returns a grant's receipt: GET /v1/grants/{id}.
func (s *Server) getGrant(w http.ResponseWriter, r *http.Request) {
	id, err := pathGrantID(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	rec, err := grants.Get(s.node.Ledger, id)
	if err != nil {
		renderError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, view(rec, time.Now()))
}

// listGrants lists grants by grantor or grantee: GET /v1/grants.
func (s *Server) listGrants(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := pageLimit(r, grants.MaxPage, grants.MaxPage)
	if err != nil {
		renderError(w, r, err)
		return
	}
	if h := q.Get("hash"); h != "" {
		rec, err := grants.ByHash(s.node.Ledger, h)
		if err != nil {
			renderError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, GrantList{Grants: []GrantView{view(rec, time.Now())}})
		return
	}
	by, d := grants.ByGrantor, q.Get("grantor")
	if g := q.Get("grantee"); g != "" {
		if d != "" {
			renderError(w, r, errs.BadRequest("grant.invalidQuery", "list by grantor or by grantee, not both"))
			return
		}
		by, d = grants.ByGrantee, g
	}
	if d == "" {
		renderError(w, r, errs.BadRequest("grant.invalidQuery", "name ?grantor=, ?grantee= or ?hash="))
		return
	}
	recs, next, err := grants.List(s.node.Ledger, by, d, q.Get("after"), limit)
	if err != nil {
		renderError(w, r, err)
		return
	}
	now := time.Now()
	out := GrantList{Grants: make([]GrantView, len(recs)), Next: next}
	for i := range recs {
		out.Grants[i] = view(&recs[i], now)
	}
	writeJSON(w, http.StatusOK, out)
}

// listAccesses lists a grant's access receipts: GET /v1/grants/{id}/accesses.
func (s *Server) listAccesses(w http.ResponseWriter, r *http.Request) {
	id, err := pathGrantID(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	limit, err := pageLimit(r, grants.MaxPage, grants.MaxPage)
	if err != nil {
		renderError(w, r, err)
		return
	}
	from := 0
	if v := r.URL.Query().Get("from"); v != "" {
		if from, err = strconv.Atoi(v); err != nil || from < 0 {
			renderError(w, r, errs.BadRequest("request.badQuery", "from must be a non-negative integer"))
			return
		}
	}
	acc, next, err := grants.Accesses(s.node.Ledger, id, from, limit)
	if err != nil {
		renderError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, AccessList{Accesses: acc, Next: next})
}
