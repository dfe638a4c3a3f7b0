package governance

import (
	"bytes"
	"net/http"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/server/httpx"
)

// ListValidators lists the validators the ledger records, with their count
// and total power: GET /v1/validators.
func (h *Handlers) ListValidators(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Node.Validators()
	return httpx.Reply(w, http.StatusOK, list, err)
}

// AddValidator admits a validator (admin or committee member; power
// api.DefaultValidatorPower if none is given): POST /v1/validators.
func (h *Handlers) AddValidator(w http.ResponseWriter, r *http.Request) error {
	resp, p, err := write(h, r, authz.TxAddValidator, nil, func(req *api.NodeRequest) (chain.Payload, error) {
		power, err := authz.RequestedPower(req.Power)
		return &authz.AddValidatorPayload{PubKey: req.PubKey, Power: power, Name: req.Name, MemberDID: req.MemberDID, NodeID: req.NodeID}, err
	})
	return h.created(w, resp, p, err)
}

// RemoveValidator removes the validator of the key in the path, in any of
// its spellings (admin or committee member): DELETE /v1/validators/{key}.
func (h *Handlers) RemoveValidator(w http.ResponseWriter, r *http.Request) error {
	key := httpx.Param(r, "key")
	pub, err := authz.ParseValidatorKey(key)
	if err != nil {
		return err
	}
	check := func(p chain.Payload) error {
		rp := p.(*authz.RemoveValidatorPayload)
		if got, err := authz.ParseValidatorKey(rp.PubKey); err != nil || !bytes.Equal(got, pub) {
			return errs.BadRequest("tx.wrongEndpoint", "the transaction removes validator %q, the path names %s", rp.PubKey, key)
		}
		return nil
	}
	resp, _, err := write(h, r, authz.TxRemoveValidator, check, func(*api.NodeRequest) (chain.Payload, error) {
		return &authz.RemoveValidatorPayload{PubKey: key}, nil
	})
	return httpx.Reply(w, http.StatusOK, resp, err)
}

// ListObservers lists the observer nodes the ledger records:
// GET /v1/observers.
func (h *Handlers) ListObservers(w http.ResponseWriter, r *http.Request) error {
	os, err := h.Node.Observers()
	return httpx.Reply(w, http.StatusOK, api.ObserverList{Observers: os}, err)
}

// AddObserver admits an observer node (admin or committee member):
// POST /v1/observers.
func (h *Handlers) AddObserver(w http.ResponseWriter, r *http.Request) error {
	resp, p, err := write(h, r, authz.TxAddObserver, nil, func(req *api.NodeRequest) (chain.Payload, error) {
		return &authz.AddObserverPayload{NodeID: req.NodeID, Name: req.Name, MemberDID: req.MemberDID, API: req.API}, nil
	})
	return h.created(w, resp, p, err)
}

// RemoveObserver removes an observer node (admin or committee member):
// DELETE /v1/observers/{nodeId}.
func (h *Handlers) RemoveObserver(w http.ResponseWriter, r *http.Request) error {
	id := httpx.Param(r, "nodeId")
	check := func(p chain.Payload) error {
		if got := p.(*authz.RemoveObserverPayload).NodeID; got != id {
			return errs.BadRequest("tx.wrongEndpoint", "the transaction removes observer %q, the path names %s", got, id)
		}
		return nil
	}
	resp, _, err := write(h, r, authz.TxRemoveObserver, check, func(*api.NodeRequest) (chain.Payload, error) {
		return &authz.RemoveObserverPayload{NodeID: id}, nil
	})
	return httpx.Reply(w, http.StatusOK, resp, err)
}
