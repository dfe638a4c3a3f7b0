// Package governance serves the consortium's governance endpoints: the
// committee (/v1/committee), the trust registry's authority issuers
// (/v1/issuers), the validator and observer registers (/v1/validators,
// /v1/observers, nodes.go), the ledger's rules (/v1/rules, rules.go) — each write a transaction an admin or committee
// member signed, or, with a token, one the node signs as the account's
// governing DID (node.Write) — and the node's institution accounts
// (/v1/accounts, admin token only; accounts.go).
package governance

import (
	"net/http"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/server/httpx"
)

// Pages of GET /v1/issuers.
const (
	issuersPerPage    = 100
	maxIssuersPerPage = 1000
)

// Handlers serves the governance and account endpoints of one node.
type Handlers struct{ Node *node.Node }

// A signedBody is a request body of type B that embeds api.Signed
// (api.GovRequest, api.NodeRequest).
type signedBody[B any] interface {
	*B
	Signing() *api.Signed
}

// write decodes a body of type B and submits the governance transaction of
// type typ it carries, signed by the client (its payload vetted by check,
// if set), or the custodial payload build makes of its fields, signed as
// its signer. It returns the receipt and the payload written, whose record
// the caller reads back.
func write[B any, P signedBody[B]](h *Handlers, r *http.Request, typ string, check func(chain.Payload) error,
	build func(P) (chain.Payload, error)) (api.GovResponse, chain.Payload, error) {
	req := P(new(B))
	if err := httpx.Decode(r, req); err != nil {
		return api.GovResponse{}, nil, err
	}
	s := req.Signing()
	wr := node.Write{Type: typ, Tx: s.Tx, Signer: s.Signer, Check: check,
		Build: func(string, *keys.PrivateKey) (chain.Payload, error) { return build(req) }}
	if typ == authz.TxAddValidator || typ == authz.TxRemoveValidator {
		force, err := httpx.BoolQuery(r, "force")
		if err != nil {
			return api.GovResponse{}, nil, err
		}
		wr.Admit = h.Node.QuorumAdmit(force)
	}
	rc, c, err := httpx.Write(r, h.Node, wr)
	if err != nil {
		return api.GovResponse{}, nil, err
	}
	if rc.Pending { // the record is made at commit: 202 with the receipt
		return api.GovResponse{}, nil, chain.Pending(rc.TxHash)
	}
	return api.GovResponse{TxHash: rc.TxHash, Height: rc.Height, Status: api.StatusCommitted}, c.Payload, nil
}

// created answers 201 with resp and the record that p, the payload
// written, made (an issuer, validator or observer), read back from the
// ledger; a failed read leaves it out, the write being done. A failed
// write, err, is returned instead.
func (h *Handlers) created(w http.ResponseWriter, resp api.GovResponse, p chain.Payload, err error) error {
	if err != nil {
		return err
	}
	switch p := p.(type) {
	case *authz.RecognizePayload:
		if is, err := h.Node.Issuer(p.DID); err == nil {
			resp.Issuer = is
		}
	case *authz.AddValidatorPayload:
		if v, ok, err := h.Node.Validator(p.PubKey); err == nil && ok {
			resp.Validator = v
		}
	case *authz.AddObserverPayload:
		if o, ok, err := h.Node.Observer(p.NodeID); err == nil && ok {
			resp.Observer = o
		}
	}
	return httpx.JSON(w, http.StatusCreated, resp)
}

// pathWrite writes the transaction of type typ about the record the path
// parameter param names (build's payload for it; a signed transaction must
// be about it, authz.AboutPath) and answers 200 with the receipt.
func pathWrite[B any, P signedBody[B]](h *Handlers, w http.ResponseWriter, r *http.Request, typ, param string,
	build func(id string, req P) (chain.Payload, error)) error {
	id := httpx.Param(r, param)
	resp, _, err := write(h, r, typ, authz.AboutPath(id), func(req P) (chain.Payload, error) { return build(id, req) })
	return httpx.Reply(w, http.StatusOK, resp, err)
}

// ListCommittee lists the committee members: GET /v1/committee.
func (h *Handlers) ListCommittee(w http.ResponseWriter, r *http.Request) error {
	ms, err := h.Node.Committee()
	return httpx.Reply(w, http.StatusOK, api.CommitteeList{Members: ms}, err)
}

// AddCommittee adds a committee member (admin): POST /v1/committee.
func (h *Handlers) AddCommittee(w http.ResponseWriter, r *http.Request) error {
	resp, _, err := write(h, r, authz.TxAddCommittee, nil, func(req *api.GovRequest) (chain.Payload, error) {
		return &authz.MemberPayload{DID: req.DID}, nil
	})
	return httpx.Reply(w, http.StatusCreated, resp, err)
}

// RemoveCommittee removes a committee member (admin):
// DELETE /v1/committee/{did}.
func (h *Handlers) RemoveCommittee(w http.ResponseWriter, r *http.Request) error {
	return pathWrite(h, w, r, authz.TxRemoveCommittee, "did", func(d string, _ *api.GovRequest) (chain.Payload, error) {
		return &authz.MemberPayload{DID: d}, nil
	})
}

// RecognizeIssuer recognizes an authority issuer (admin or committee
// member): POST /v1/issuers. The response carries the issuer's record.
func (h *Handlers) RecognizeIssuer(w http.ResponseWriter, r *http.Request) error {
	resp, p, err := write(h, r, authz.TxRecognize, nil, func(req *api.GovRequest) (chain.Payload, error) {
		return &authz.RecognizePayload{DID: req.DID, Name: req.Name, Description: req.Description, Types: req.Types, Schemas: req.Schemas}, nil
	})
	return h.created(w, resp, p, err)
}

// DerecognizeIssuer withdraws an issuer's recognition (admin or committee
// member): DELETE /v1/issuers/{did}.
func (h *Handlers) DerecognizeIssuer(w http.ResponseWriter, r *http.Request) error {
	return pathWrite(h, w, r, authz.TxDerecognize, "did", func(d string, _ *api.GovRequest) (chain.Payload, error) {
		return &authz.DerecognizePayload{DID: d}, nil
	})
}

// ListIssuers lists authority issuers by page (?after=, ?limit=), or finds
// the one named ?name=: GET /v1/issuers.
func (h *Handlers) ListIssuers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if name := q.Get("name"); name != "" {
		list, err := h.Node.IssuersNamed(name)
		return httpx.Reply(w, http.StatusOK, list, err)
	}
	limit, err := httpx.Limit(r, issuersPerPage, maxIssuersPerPage)
	if err != nil {
		return err
	}
	list, err := h.Node.ListIssuers(q.Get("after"), limit)
	return httpx.Reply(w, http.StatusOK, list, err)
}

// GetIssuer reports whether a DID is an authority issuer and, with ?type=
// and/or ?schema=, whether it is accredited for them: GET /v1/issuers/{did}.
func (h *Handlers) GetIssuer(w http.ResponseWriter, r *http.Request) error {
	is, err := h.Node.Issuer(httpx.Param(r, "did"))
	if err != nil {
		return err
	}
	resp := api.IssuerResponse{Issuer: is}
	q := r.URL.Query()
	if typ, sch := q.Get("type"), q.Get("schema"); typ != "" || sch != "" {
		id, err := httpx.QueryUint(r, "schema", 0, "a schema id")
		if err != nil {
			return err
		}
		acc := is.AccreditedFor(typ, id)
		resp.Accredited = &acc
	}
	return httpx.JSON(w, http.StatusOK, resp)
}
