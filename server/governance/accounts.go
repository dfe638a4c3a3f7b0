package governance

import (
	"net/http"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/server/httpx"
)

// AdminOnly is f for a request with the node's admin token (the account
// endpoints): any other gets 401 or 403 auth.adminOnly.
func (h *Handlers) AdminOnly(f httpx.HandlerFunc) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if a, err := httpx.Account(r, h.Node); err != nil {
			return err
		} else if !a.Admin {
			return errs.New(http.StatusForbidden, "auth.adminOnly", "only the node's admin token manages accounts")
		}
		return f(w, r)
	}
}

// CreateAccount creates an institution account (admin token only): its API
// token, shown once, and its custodial DIDs: POST /v1/accounts.
func (h *Handlers) CreateAccount(w http.ResponseWriter, r *http.Request) error {
	var req api.AccountRequest
	if err := httpx.Decode(r, &req); err != nil {
		return err
	}
	a, err := h.createAccount(r, &req)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return httpx.Written(w, http.StatusCreated, a.TxHash, a.Status, a)
}

// createAccount creates the account req asks for, with a new key of its
// type or the key it brings (node.ParseImportKey).
func (h *Handlers) createAccount(r *http.Request, req *api.AccountRequest) (*api.NewAccount, error) {
	if len(req.ImportKey) > 0 {
		k, err := node.ParseImportKey(req.ImportKey)
		if err != nil {
			return nil, err
		}
		return h.Node.ImportAccount(r.Context(), req.Name, k, req.KeyType, req.DIDKey)
	}
	kt, err := h.Node.ParseKeyType(req.KeyType)
	if err != nil {
		return nil, err
	}
	return h.Node.CreateAccount(r.Context(), req.Name, kt, req.DIDKey)
}

// ListAccounts lists the node's accounts (AdminOnly): GET /v1/accounts.
func (h *Handlers) ListAccounts(w http.ResponseWriter, r *http.Request) error {
	as, err := h.Node.Accounts()
	return httpx.Reply(w, http.StatusOK, api.AccountList{Accounts: as}, err)
}

// ReplaceToken gives an account a new token and revokes its others
// (AdminOnly): POST /v1/accounts/{name}/token.
func (h *Handlers) ReplaceToken(w http.ResponseWriter, r *http.Request) error {
	t, err := h.Node.ReplaceAccountToken(httpx.Param(r, "name"))
	w.Header().Set("Cache-Control", "no-store")
	return httpx.Reply(w, http.StatusCreated, t, err)
}
