package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/keystore"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/status"
)

// UpdateStatusRequest is the body of POST /credentials/status (W3C
// VCALM): set (Status true) or clear the bit of one status purpose of a
// credential the account's DID issued. The entry is named by
// credentialStatus.statusListCredential and statusListIndex, or found by
// credentialId among the credentials this node issued.
type UpdateStatusRequest struct {
	CredentialID     string             `json:"credentialId,omitempty"`
	CredentialStatus *StatusEntryUpdate `json:"credentialStatus"`
	Status           *bool              `json:"status"`
}

// StatusEntryUpdate names the status entry to update.
type StatusEntryUpdate struct {
	ID                   string `json:"id,omitempty"`
	Type                 string `json:"type"`
	StatusPurpose        string `json:"statusPurpose"`
	StatusListIndex      string `json:"statusListIndex,omitempty"`
	StatusListCredential string `json:"statusListCredential,omitempty"`
}

// UpdateStatusResponse is the body of a 200 from POST /credentials/status.
type UpdateStatusResponse struct {
	CredentialID  string `json:"credentialId,omitempty"`
	StatusPurpose string `json:"statusPurpose"`
	Status        bool   `json:"status"`
	List          string `json:"list"`
	Index         uint64 `json:"index"`
	TxHash        string `json:"txHash"`
	Height        uint64 `json:"height"`
}

// updateStatus revokes, suspends or unsuspends a credential.
func (s *Server) updateStatus(w http.ResponseWriter, r *http.Request) {
	acct, err := s.account(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	var req UpdateStatusRequest
	if err := decodeJSON(r, &req); err != nil {
		renderError(w, r, err)
		return
	}
	if req.CredentialStatus == nil || req.Status == nil {
		renderError(w, r, errs.BadRequest("request.malformed", "credentialStatus (with statusPurpose) and status (a boolean) are required"))
		return
	}
	cs := req.CredentialStatus
	if cs.Type != "" && cs.Type != status.TypeEntry {
		renderError(w, r, errs.BadRequest("credential.invalidStatus", "credentialStatus.type must be %q", status.TypeEntry))
		return
	}
	if !status.ValidPurpose(cs.StatusPurpose) {
		renderError(w, r, errs.BadRequest("credential.invalidStatus", "credentialStatus.statusPurpose must be %q or %q", status.PurposeRevocation, status.PurposeSuspension))
		return
	}
	var list string
	var index uint64
	switch {
	case cs.StatusListCredential != "" || cs.StatusListIndex != "":
		id, ok := status.ListIDFromURL(cs.StatusListCredential)
		if !ok {
			renderError(w, r, errs.BadRequest("status.invalidUrl", "credentialStatus.statusListCredential must be the URL of a status list of this ledger (…/status-lists/{id})"))
			return
		}
		index, err = strconv.ParseUint(cs.StatusListIndex, 10, 64)
		if err != nil {
			renderError(w, r, errs.BadRequest("status.indexOutOfRange", "credentialStatus.statusListIndex must be a decimal index"))
			return
		}
		list = id
	case req.CredentialID != "":
		var rec node.IssuedRecord
		err := s.node.Keystore.GetRecord(node.IssuedKey(acct, req.CredentialID), &rec)
		if errors.Is(err, keystore.ErrNotFound) {
			renderError(w, r, errs.New(http.StatusNotFound, "credential.notFound", "this node issued no credential %q with status entries for your account; name the entry with credentialStatus.statusListCredential and statusListIndex", req.CredentialID))
			return
		}
		if err != nil {
			renderError(w, r, err)
			return
		}
		for _, e := range rec.Entries {
			if e.Purpose == cs.StatusPurpose {
				list, index = e.List, e.Index
			}
		}
		if list == "" {
			renderError(w, r, errs.New(http.StatusNotFound, "credential.notFound", "credential %q has no %s entry", req.CredentialID, cs.StatusPurpose))
			return
		}
	default:
		renderError(w, r, errs.BadRequest("request.malformed", "name the credential by credentialId, or its entry by credentialStatus.statusListCredential and statusListIndex"))
		return
	}
	l, err := status.Get(s.node.Ledger, list)
	if err != nil {
		renderError(w, r, err)
		return
	}
	if l.Purpose != cs.StatusPurpose {
		renderError(w, r, errs.New(http.StatusUnprocessableEntity, "status.purposeMismatch", "status list %s is a %s list, not %s", l.ID, l.Purpose, cs.StatusPurpose))
		return
	}
	p := status.UpdatePayload{List: list}
	if *req.Status {
		p.Set = []uint64{index}
	} else {
		p.Clear = []uint64{index}
	}
	rc, err := s.node.CustodialUpdate(r.Context(), acct, l.Issuer, status.TxUpdate, p)
	if err != nil {
		renderError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, UpdateStatusResponse{CredentialID: req.CredentialID, StatusPurpose: cs.StatusPurpose, Status: *req.Status, List: list, Index: index, TxHash: rc.TxHash, Height: rc.Height})
}

// getStatusList serves a status list as a BitstringStatusListCredential,
// signed by its issuer when this node keeps the issuer's key: as a vc+jwt
// when the client accepts application/vc+jwt (or the key is not Ed25519),
// otherwise as JSON with an eddsa-jcs-2022 proof. Without the key the
// credential is served unsigned: verifiers of the consortium read the list
// from their own copy of the ledger, which is its authority.
func (s *Server) getStatusList(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	if !status.ValidID(id) {
		renderError(w, r, errs.BadRequest("status.invalidId", "%q is not a status list id", id))
		return
	}
	cred, err := status.Credential(s.node.Ledger, id, status.URL(s.baseURL(r), id))
	if err != nil {
		renderError(w, r, err)
		return
	}
	body, err := json.Marshal(cred)
	if err != nil {
		renderError(w, r, err)
		return
	}
	issuer, _ := cred["issuer"].(string)
	vm, key, _, err := s.node.CustodialKey(issuer)
	if err != nil {
		// Not a key of this node: serve the credential unsigned.
		w.Header().Set("Cache-Control", "no-cache")
		writeJSON(w, http.StatusOK, json.RawMessage(body))
		return
	}
	signer := credential.Signer{DID: issuer, VerificationMethod: vm, Key: key}
	w.Header().Set("Cache-Control", "no-cache")
	if strings.Contains(r.Header.Get("Accept"), "application/vc+jwt") || key.Type() != keys.Ed25519 {
		tok, err := credential.IssueJWT(signer, body, time.Now(), credential.IssueOptions{})
		if err != nil {
			renderError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/vc+jwt")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(tok))
		return
	}
	signed, err := credential.SignDataIntegrityJCS(signer, body, time.Now())
	if err != nil {
		renderError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, signed)
}
