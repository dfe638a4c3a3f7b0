package governance

import (
	"net/http"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
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
	return pathWrite(h, w, r, authz.TxRemoveValidator, "key", func(key string, _ *api.NodeRequest) (chain.Payload, error) {
		return &authz.RemoveValidatorPayload{PubKey: key}, nil
	})
}

// SetValidatorNode records or corrects the CometBFT node id of the
// validator of the key in the path (admin or committee member; rules v2):
// PUT /v1/validators/{key}/node.
func (h *Handlers) SetValidatorNode(w http.ResponseWriter, r *http.Request) error {
	return pathWrite(h, w, r, authz.TxSetValidatorNode, "key", func(key string, req *api.NodeRequest) (chain.Payload, error) {
		return &authz.SetValidatorNodePayload{PubKey: key, NodeID: req.NodeID}, nil
	})
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
	return pathWrite(h, w, r, authz.TxRemoveObserver, "nodeId", func(id string, _ *api.NodeRequest) (chain.Payload, error) {
		return &authz.RemoveObserverPayload{NodeID: id}, nil
	})
}
