package server

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
)

// NodeRequest is the body of POST /v1/validators and POST /v1/observers: a
// transaction signed by an admin or committee member ("tx"), or, with a
// bearer token, the fields for the node to sign (as "signer"; default: the
// admin DID for the admin token).
type NodeRequest struct {
	Tx        json.RawMessage `json:"tx,omitempty"`
	Signer    string          `json:"signer,omitempty"`
	PubKey    string          `json:"pubKey,omitempty"` // validators: Ed25519, base64 (CometBFT's priv_validator_key.json) or hex
	Power     int64           `json:"power,omitempty"`  // validators: voting power (default 10)
	NodeID    string          `json:"nodeId,omitempty"`
	Name      string          `json:"name,omitempty"`
	MemberDID string          `json:"memberDid,omitempty"`
	API       string          `json:"api,omitempty"` // observers: the URL of its weid API
}

// DefaultValidatorPower is the voting power of a validator admitted without
// one, that of weid localnet's validators.
const DefaultValidatorPower = 10

// ValidatorList answers GET /v1/validators: the validators the ledger
// records. Under the CometBFT engine they are CometBFT's validator set from
// two blocks after the last change on (see /v1/status for the set in force).
type ValidatorList struct {
	Validators []authz.Validator `json:"validators"`
	Count      int               `json:"count"`
	Power      int64             `json:"power"`
}

func (s *Server) listValidators(w http.ResponseWriter, r *http.Request) {
	vs, err := authz.ListValidators(s.node.Ledger)
	if err != nil {
		renderError(w, r, err)
		return
	}
	list := ValidatorList{Validators: vs}
	for _, v := range vs {
		list.Count++
		list.Power += v.Power
	}
	writeJSON(w, http.StatusOK, list)
}

func (s *Server) listObservers(w http.ResponseWriter, r *http.Request) {
	os, err := authz.ListObservers(s.node.Ledger)
	if err != nil {
		renderError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"observers": os})
}

// submitNode decodes a NodeRequest and submits it as a transaction of type
// typ; check, if not nil, vets a client-signed transaction's payload.
func (s *Server) submitNode(w http.ResponseWriter, r *http.Request, typ string, check func(*chain.Tx) error, build func(*NodeRequest) chain.Payload) (chain.Receipt, *NodeRequest, bool) {
	var req NodeRequest
	if err := decodeJSON(r, &req); err != nil {
		renderError(w, r, err)
		return chain.Receipt{}, nil, false
	}
	rc, ok := s.govSubmitTx(w, r, typ, "", req.Tx, req.Signer, check, func() (chain.Payload, error) { return build(&req), nil })
	return rc, &req, ok
}

func (s *Server) addValidator(w http.ResponseWriter, r *http.Request) {
	rc, req, ok := s.submitNode(w, r, authz.TxAddValidator, nil, func(req *NodeRequest) chain.Payload {
		if req.Power == 0 {
			req.Power = DefaultValidatorPower
		}
		return &authz.AddValidatorPayload{PubKey: req.PubKey, Power: req.Power, Name: req.Name, MemberDID: req.MemberDID, NodeID: req.NodeID}
	})
	if !ok {
		return
	}
	resp := GovResponse{TxHash: rc.TxHash, Height: rc.Height, Status: "committed"}
	key := req.PubKey
	if len(req.Tx) > 0 { // a signed tx: read the key back from it
		var p authz.AddValidatorPayload
		if t, err := chain.DecodeTx(req.Tx); err == nil && json.Unmarshal(t.Payload, &p) == nil {
			key = p.PubKey
		}
	}
	if pub, err := authz.ParseValidatorKey(key); err == nil {
		if v, found, err := authz.GetValidator(s.node.Ledger, pub); err == nil && found {
			resp.Validator = v
		}
	}
	writeJSON(w, http.StatusCreated, resp)
}

// pathValidatorKey is the {key} of /v1/validators/{key}.
func pathValidatorKey(r *http.Request) ([]byte, error) {
	return authz.ParseValidatorKey(unescapedParam(r, "key"))
}

func (s *Server) removeValidator(w http.ResponseWriter, r *http.Request) {
	pub, err := pathValidatorKey(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	check := func(t *chain.Tx) error {
		var p authz.RemoveValidatorPayload
		_ = json.Unmarshal(t.Payload, &p)
		if got, err := authz.ParseValidatorKey(p.PubKey); err != nil || !bytes.Equal(got, pub) {
			return errs.BadRequest("tx.wrongEndpoint", "the transaction removes validator %q, the path names %s", p.PubKey, unescapedParam(r, "key"))
		}
		return nil
	}
	rc, _, ok := s.submitNode(w, r, authz.TxRemoveValidator, check, func(*NodeRequest) chain.Payload {
		return &authz.RemoveValidatorPayload{PubKey: unescapedParam(r, "key")}
	})
	if ok {
		writeJSON(w, http.StatusOK, GovResponse{TxHash: rc.TxHash, Height: rc.Height, Status: "committed"})
	}
}

func (s *Server) addObserver(w http.ResponseWriter, r *http.Request) {
	rc, req, ok := s.submitNode(w, r, authz.TxAddObserver, nil, func(req *NodeRequest) chain.Payload {
		return &authz.AddObserverPayload{NodeID: req.NodeID, Name: req.Name, MemberDID: req.MemberDID, API: req.API}
	})
	if !ok {
		return
	}
	resp := GovResponse{TxHash: rc.TxHash, Height: rc.Height, Status: "committed"}
	id := req.NodeID
	if len(req.Tx) > 0 {
		var p authz.AddObserverPayload
		if t, err := chain.DecodeTx(req.Tx); err == nil && json.Unmarshal(t.Payload, &p) == nil {
			id = p.NodeID
		}
	}
	if o, found, err := authz.GetObserver(s.node.Ledger, id); err == nil && found {
		resp.Observer = o
	}
	writeJSON(w, http.StatusCreated, resp)
}

func (s *Server) removeObserver(w http.ResponseWriter, r *http.Request) {
	id := unescapedParam(r, "nodeId")
	check := func(t *chain.Tx) error {
		var p authz.RemoveObserverPayload
		_ = json.Unmarshal(t.Payload, &p)
		if p.NodeID != id {
			return errs.BadRequest("tx.wrongEndpoint", "the transaction removes observer %q, the path names %s", p.NodeID, id)
		}
		return nil
	}
	rc, _, ok := s.submitNode(w, r, authz.TxRemoveObserver, check, func(*NodeRequest) chain.Payload {
		return &authz.RemoveObserverPayload{NodeID: id}
	})
	if ok {
		writeJSON(w, http.StatusOK, GovResponse{TxHash: rc.TxHash, Height: rc.Height, Status: "committed"})
	}
}
