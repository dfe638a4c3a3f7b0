package credentials

import (
	"net/http"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/server/httpx"
)

// CreateInstance stores a named issuance configuration of the caller's
// account (W3C VCALM issuer instance), which POST
// /issuers/{name}/credentials/issue uses: POST /v1/issuer-instances.
func (h *Handlers) CreateInstance(w http.ResponseWriter, r *http.Request) error {
	var req api.IssuerInstanceRequest
	acct, err := httpx.AccountDecode(r, h.Node, &req)
	if err != nil {
		return err
	}
	in, err := h.Node.CreateIssuerInstance(acct, req.Instance())
	return httpx.Reply(w, http.StatusCreated, in, err)
}

// ListInstances lists the caller's issuer instances (every account's for
// the admin): GET /v1/issuer-instances.
func (h *Handlers) ListInstances(w http.ResponseWriter, r *http.Request) error {
	acct, err := httpx.Account(r, h.Node)
	if err != nil {
		return err
	}
	list, err := h.Node.IssuerInstances(acct)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, api.IssuerInstanceList{Instances: list})
}

// GetInstance returns one of the caller's issuer instances: GET
// /v1/issuer-instances/{name}.
func (h *Handlers) GetInstance(w http.ResponseWriter, r *http.Request) error {
	_, in, err := h.instance(r)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, in)
}

// instance returns the caller's account and its issuer instance named in
// the path.
func (h *Handlers) instance(r *http.Request) (*node.Account, *api.IssuerInstance, error) {
	acct, err := httpx.Account(r, h.Node)
	if err != nil {
		return nil, nil, err
	}
	in, err := h.Node.IssuerInstance(acct, httpx.Param(r, "name"))
	return acct, in, err
}
