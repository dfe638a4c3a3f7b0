// Package status serves credential status: W3C VCALM's POST
// /credentials/status, which sets or clears a credential's bit in its
// issuer's Bitstring Status List on the ledger (node.UpdateStatus), and
// GET /status-lists/{id}, each list published as a
// BitstringStatusListCredential (Bitstring Status List v1.0 §2.2), signed
// by its issuer when the node keeps the issuer's key, and GET
// /status-lists/{id}/token, the same list as a Status List Token of the
// IETF Token Status List for SD-JWT VCs.
package status

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/server/httpx"
	liststatus "github.com/weidgo/weid/status"
)

// Handlers serves the status endpoints of one node.
type Handlers struct {
	Node *node.Node
	// BaseURL is the node's public URL as a request reaches it, the base
	// of the status list URLs.
	BaseURL func(*http.Request) string
}

// New returns the status handlers of n.
func New(n *node.Node, baseURL func(*http.Request) string) *Handlers {
	return &Handlers{Node: n, BaseURL: baseURL}
}

// Update revokes, suspends or unsuspends a credential the caller's
// account issued: POST /credentials/status.
func (h *Handlers) Update(w http.ResponseWriter, r *http.Request) error {
	var req api.UpdateStatusRequest
	acct, err := httpx.AccountDecode(r, h.Node, &req)
	if err != nil {
		return err
	}
	res, err := h.Node.UpdateStatus(r.Context(), acct, &req)
	return httpx.Reply(w, http.StatusOK, res, err)
}

// List serves a status list credential: GET /status-lists/{id}. In the
// form node.StatusListForm picks for the request's Accept header, it is
// the same for every request until the list changes, so the node keeps it
// (node.StatusListCredential) and it is served with an ETag, and a client
// that sends it back in If-None-Match gets 304.
func (h *Handlers) List(w http.ResponseWriter, r *http.Request) error {
	id := httpx.Param(r, "id")
	f, err := h.Node.StatusListForm(id, liststatus.URL(h.BaseURL(r), id), r.Header.Get("Accept"))
	if err != nil {
		return err
	}
	out, err := h.Node.StatusListCredential(f)
	if err != nil {
		return err
	}
	etag := `"` + out.Digest + `"`
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", etag)
	w.Header().Set("Vary", "Accept")
	if etagMatch(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	w.Header().Set("Content-Type", f.Media)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out.Body)
	return nil
}

// Token serves a list's Status List Token (draft-ietf-oauth-status-list-17
// §5.1, §8.1): GET /status-lists/{id}/token, the uri an SD-JWT VC's
// "status" claim names, as application/statuslist+jwt, signed by the
// list's issuer. It may be cached for its "ttl" (Cache-Control max-age
// says the same).
func (h *Handlers) Token(w http.ResponseWriter, r *http.Request) error {
	id := httpx.Param(r, "id")
	tok, err := h.Node.StatusListToken(id, liststatus.TokenURL(h.BaseURL(r), id))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", liststatus.MediaToken)
	w.Header().Set("Cache-Control", "max-age="+strconv.Itoa(int(liststatus.TokenTTL/time.Second)))
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, tok)
	return nil
}

// etagMatch reports whether an If-None-Match header names etag (RFC 9110
// §13.1.2: a list of entity tags, or "*"; weak comparison).
func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}
