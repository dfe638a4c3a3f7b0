package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/weidgo/weid/chain"
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
//
// The signed credential is dated by the list's latest version (validFrom,
// and the proof's created or the JWT's iat, are that version's block
// time), so it is the same for every request until the list changes: it
// is kept (statusListCache) and served with an ETag, and a client that
// sends it back in If-None-Match gets 304 — a verifier polling a list
// costs a state read, not a signature.
func (s *Server) getStatusList(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	if !status.ValidID(id) {
		renderError(w, r, errs.BadRequest("status.invalidId", "%q is not a status list id", id))
		return
	}
	l, err := status.Get(s.node.Ledger, id)
	if err != nil {
		renderError(w, r, err)
		return
	}
	url := status.URL(s.baseURL(r), id)
	asJWT := strings.Contains(r.Header.Get("Accept"), "application/vc+jwt")
	vm, key, _, kerr := s.node.CustodialKey(l.Issuer)
	signed := kerr == nil
	if signed && key.Type() != keys.Ed25519 {
		asJWT = true
	}
	ck := statusListKey{id: id, version: l.Version, url: url, jwt: asJWT && signed, vm: vm}
	out, ok := s.statusLists.get(ck)
	if !ok {
		if out, err = s.statusListCredential(l, url, ck.jwt, signed, vm, key); err != nil {
			renderError(w, r, err)
			return
		}
		s.statusLists.put(ck, out)
	}
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", out.etag)
	w.Header().Set("Vary", "Accept")
	if etagMatch(r.Header.Get("If-None-Match"), out.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", out.contentType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out.body)
}

// statusListCredential builds list l's credential at url, signed with the
// issuer's key (vm, key) when the node keeps it (signed), as a vc+jwt when
// asJWT, else with an eddsa-jcs-2022 proof.
func (s *Server) statusListCredential(l *status.List, url string, asJWT, signed bool, vm string, key *keys.PrivateKey) (*cachedStatusList, error) {
	cred, err := status.Credential(s.node.Ledger, l.ID, url)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(cred)
	if err != nil {
		return nil, err
	}
	out := &cachedStatusList{contentType: "application/json"}
	switch {
	case !signed:
		// Not a key of this node: served unsigned. Verifiers of the
		// consortium read the list from their own copy of the ledger.
		out.body = append(body, '\n')
	default:
		at, err := time.Parse(time.RFC3339Nano, l.Updated)
		if err != nil {
			return nil, fmt.Errorf("status list %s: updated %q: %w", l.ID, l.Updated, err)
		}
		signer := credential.Signer{DID: l.Issuer, VerificationMethod: vm, Key: key}
		if asJWT {
			tok, err := credential.IssueJWT(signer, body, at, credential.IssueOptions{})
			if err != nil {
				return nil, err
			}
			out.body, out.contentType = []byte(tok), "application/vc+jwt"
		} else {
			doc, err := credential.SignDataIntegrityJCS(signer, body, at)
			if err != nil {
				return nil, err
			}
			if out.body, err = chain.MarshalJSON(doc); err != nil {
				return nil, err
			}
			out.body = append(out.body, '\n')
		}
	}
	sum := sha256.Sum256(out.body)
	out.etag = `"` + hex.EncodeToString(sum[:16]) + `"`
	return out, nil
}

// cachedStatusList is a status list credential as served.
type cachedStatusList struct {
	body        []byte
	contentType string
	etag        string
}

// statusListKey names one served form of one version of a list.
type statusListKey struct {
	id      string
	version uint64
	url     string
	jwt     bool
	vm      string // the signing key's method ("" unsigned)
}

// statusListCache keeps the last served forms of status lists, at most
// maxCachedStatusLists; past it, it starts over.
type statusListCache struct {
	mu sync.Mutex
	m  map[statusListKey]*cachedStatusList
}

const maxCachedStatusLists = 256

func (c *statusListCache) get(k statusListKey) (*cachedStatusList, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

func (c *statusListCache) put(k statusListKey, v *cachedStatusList) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedStatusLists {
		c.m = make(map[statusListKey]*cachedStatusList)
	}
	c.m[k] = v
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
