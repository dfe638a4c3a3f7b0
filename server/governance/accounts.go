package governance

import (
	"net/http"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/server/httpx"
)

// admin checks that the request carries the node's admin token.
func (h *Handlers) admin(r *http.Request) error {
	a, err := httpx.Account(r, h.Node)
	if err != nil {
		return err
	}
	if !a.Admin {
		return errs.New(http.StatusForbidden, "auth.adminOnly", "only the node's admin token manages accounts")
	}
	return nil
}

// CreateAccount creates an institution account (admin token only): its API
// token, shown once, and its custodial DIDs: POST /v1/accounts.
func (h *Handlers) CreateAccount(w http.ResponseWriter, r *http.Request) error {
	if err := h.admin(r); err != nil {
		return err
	}
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

// accountList answers GET /v1/accounts. It moves to package api with the
// account record (node.Account, today the keystore's).
type accountList struct {
	Accounts []node.Account `json:"accounts"`
}

// ListAccounts lists the node's accounts (admin token only):
// GET /v1/accounts.
func (h *Handlers) ListAccounts(w http.ResponseWriter, r *http.Request) error {
	if err := h.admin(r); err != nil {
		return err
	}
	as, err := h.Node.Accounts()
	return httpx.Reply(w, http.StatusOK, accountList{Accounts: as}, err)
}
