// Package subscriptions serves webhook subscriptions (package webhooks)
// under /v1/subscriptions: an account subscribes a URL to the ledger's
// events and reads, pauses, resumes and deletes its own subscriptions.
// Every call needs the account's token; another account's subscription
// is not found.
package subscriptions

import (
	"net/http"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/server/httpx"
)

// Handlers serves the subscriptions of one node.
type Handlers struct {
	Node *node.Node
}

// Create subscribes a URL: POST /v1/subscriptions; 201 with the
// subscription and its secret (shown this once).
func (h *Handlers) Create(w http.ResponseWriter, r *http.Request) error {
	var req api.SubscriptionRequest
	acct, err := httpx.AccountDecode(r, h.Node, &req)
	if err != nil {
		return err
	}
	s, err := h.Node.CreateSubscription(r.Context(), acct.Name, req)
	return httpx.Reply(w, http.StatusCreated, s, err)
}

// List lists the account's subscriptions: GET /v1/subscriptions.
func (h *Handlers) List(w http.ResponseWriter, r *http.Request) error {
	acct, err := httpx.Account(r, h.Node)
	if err != nil {
		return err
	}
	subs, err := h.Node.Subscriptions(acct.Name)
	return httpx.Reply(w, http.StatusOK, api.SubscriptionList{Subscriptions: subs}, err)
}

// Get returns a subscription with its cursor, deliveries and last error:
// GET /v1/subscriptions/{id}.
func (h *Handlers) Get(w http.ResponseWriter, r *http.Request) error {
	acct, err := httpx.Account(r, h.Node)
	if err != nil {
		return err
	}
	s, err := h.Node.Subscription(acct.Name, httpx.Param(r, "id"))
	return httpx.Reply(w, http.StatusOK, s, err)
}

// Delete stops and deletes a subscription: DELETE /v1/subscriptions/{id}.
func (h *Handlers) Delete(w http.ResponseWriter, r *http.Request) error {
	acct, err := httpx.Account(r, h.Node)
	if err != nil {
		return err
	}
	if err := h.Node.DeleteSubscription(acct.Name, httpx.Param(r, "id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Pause stops a subscription's deliveries: POST /v1/subscriptions/{id}/pause.
func (h *Handlers) Pause(w http.ResponseWriter, r *http.Request) error {
	return h.setActive(w, r, false)
}

// Resume delivers again from the subscription's cursor, its failures
// cleared: POST /v1/subscriptions/{id}/resume.
func (h *Handlers) Resume(w http.ResponseWriter, r *http.Request) error {
	return h.setActive(w, r, true)
}

func (h *Handlers) setActive(w http.ResponseWriter, r *http.Request, active bool) error {
	acct, err := httpx.Account(r, h.Node)
	if err != nil {
		return err
	}
	s, err := h.Node.SetSubscriptionActive(acct.Name, httpx.Param(r, "id"), active)
	return httpx.Reply(w, http.StatusOK, s, err)
}
