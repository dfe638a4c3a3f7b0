package server

import (
	"net/http"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keystore"
)

// AccountRequest creates an institution account.
type AccountRequest struct {
	Name    string `json:"name"`
	KeyType string `json:"keyType,omitempty"`
	DIDKey  bool   `json:"didKey,omitempty"`
}

func (s *Server) adminAccount(r *http.Request) (*keystore.Account, error) {
	a, err := s.account(r)
	if err != nil {
		return nil, err
	}
	if !a.Admin {
		return nil, errs.New(http.StatusForbidden, "auth.adminOnly", "only the node's admin token manages accounts")
	}
	return a, nil
}

// createAccount creates an institution account (admin token only): its API
// token, shown once, and its custodial DIDs.
func (s *Server) createAccount(w http.ResponseWriter, r *http.Request) {
	if _, err := s.adminAccount(r); err != nil {
		renderError(w, r, err)
		return
	}
	var req AccountRequest
	if err := decodeJSON(r, &req); err != nil {
		renderError(w, r, err)
		return
	}
	kt, err := s.node.ParseKeyType(req.KeyType)
	if err != nil {
		renderError(w, r, err)
		return
	}
	a, err := s.node.CreateAccount(r.Context(), req.Name, kt, req.DIDKey)
	if err != nil {
		renderError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, a)
}

func (s *Server) listAccounts(w http.ResponseWriter, r *http.Request) {
	if _, err := s.adminAccount(r); err != nil {
		renderError(w, r, err)
		return
	}
	as, err := s.node.Keystore.Accounts()
	if err != nil {
		renderError(w, r, err)
		return
	}
	if as == nil {
		as = []keystore.Account{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"accounts": as})
}
