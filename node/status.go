package node

// Credential status on behalf of an institution account (W3C VCALM POST
// /credentials/status over Bitstring Status List v1.0 lists on the
// ledger), and the status list credentials the node publishes
// (Bitstring Status List v1.0 §2.2), signed by their issuer when the node
// keeps its key.

import (
	"context"
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

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/keystore"
	"github.com/weidgo/weid/status"
)

// UpdateStatus sets or clears, for account, the bit of one status purpose
// of a credential its DID issued: a status.update signed with the key the
// node keeps for the list's issuer. A mistake in the request is a 400, or
// a 404 when the credential is not found, as VCALM lists (vcalm.go).
func (n *Node) UpdateStatus(ctx context.Context, account *Account, req *api.UpdateStatusRequest) (*api.UpdateStatusResponse, error) {
	res, err := n.updateStatus(ctx, account, req)
	return res, asBadRequest(err, statusContentError)
}

func (n *Node) updateStatus(ctx context.Context, account *Account, req *api.UpdateStatusRequest) (*api.UpdateStatusResponse, error) {
	if req.CredentialStatus == nil || req.Status == nil {
		return nil, errs.BadRequest("request.malformed", "credentialStatus (with statusPurpose) and status (a boolean) are required")
	}
	cs := req.CredentialStatus
	if cs.Type != "" && cs.Type != status.TypeEntry {
		return nil, errs.BadRequest("credential.invalidStatus", "credentialStatus.type must be %q", status.TypeEntry)
	}
	if !status.ValidPurpose(cs.StatusPurpose) {
		return nil, errs.BadRequest("credential.invalidStatus", "credentialStatus.statusPurpose must be %q or %q", status.PurposeRevocation, status.PurposeSuspension)
	}
	list, index, err := n.statusEntry(account, req)
	if err != nil {
		return nil, err
	}
	l, err := status.Get(n.Ledger, list)
	if err != nil {
		return nil, err
	}
	if l.Purpose != cs.StatusPurpose {
		return nil, errs.New(http.StatusUnprocessableEntity, "status.purposeMismatch", "status list %s is a %s list, not %s", l.ID, l.Purpose, cs.StatusPurpose)
	}
	if err := statusChanges(n.Ledger, l, index, *req.Status, req.CredentialID); err != nil {
		return nil, err
	}
	p := status.UpdatePayload{List: list}
	if *req.Status {
		p.Set = []uint64{index}
	} else {
		p.Clear = []uint64{index}
	}
	rc, err := settle(n.CustodialUpdate(ctx, account, l.Issuer, status.TxUpdate, p))
	if err != nil {
		return nil, err
	}
	if rc.Pending {
		// VCALM's 200 says the status is updated: a client that reads no
		// txStatus would take a transaction still in the mempool (which
		// may yet be dropped) for a revocation.
		return nil, errs.New(http.StatusServiceUnavailable, "status.pending",
			"the update of bit %d of status list %s was sent (transaction %s) but is not in a block yet, so the credential's status has not changed: GET /v1/txs/%s says when it is committed (the same update sent again after that is answered 409 status.unchanged)", index, list, rc.TxHash, rc.TxHash)
	}
	return &api.UpdateStatusResponse{CredentialID: req.CredentialID, StatusPurpose: cs.StatusPurpose, Status: *req.Status,
		List: list, Index: index, TxHash: rc.TxHash, Height: rc.Height, TxStatus: ReceiptStatus(rc)}, nil
}

// statusChanges refuses (409 status.unchanged) an update that would leave
// bit index of list l as it is, naming the credential (credentialID, or
// else its entry) and its state: revoking a revoked credential, suspending
// a suspended one or unsuspending an active one. The ledger would take the
// transaction (setting a set bit changes nothing there) and keep it for
// good, so the node writes none and says so.
func statusChanges(st chain.Reader, l *status.List, index uint64, set bool, credentialID string) error {
	cur, err := status.Bit(st, l.ID, index)
	if err != nil || cur != set {
		return err
	}
	state := map[string]string{status.PurposeRevocation: "revoked", status.PurposeSuspension: "suspended"}[l.Purpose]
	if set {
		state = "already " + state
	} else {
		state = "not " + state
	}
	entry := fmt.Sprintf("status list %s, index %d", l.ID, index)
	if credentialID == "" {
		return errs.New(http.StatusConflict, "status.unchanged", "the credential at %s is %s: there is nothing to change", entry, state)
	}
	return errs.New(http.StatusConflict, "status.unchanged", "credential %s is %s (%s): there is nothing to change", credentialID, state, entry)
}

// statusEntry finds the list and index a status update names: the entry
// given by its list URL and index, or else the entry of the request's
// purpose among those the node recorded when it issued the credential.
func (n *Node) statusEntry(account *Account, req *api.UpdateStatusRequest) (string, uint64, error) {
	cs := req.CredentialStatus
	switch {
	case cs.StatusListCredential != "" || cs.StatusListIndex != "":
		id, ok := status.ListIDFromURL(cs.StatusListCredential)
		if !ok {
			return "", 0, errs.BadRequest("status.invalidUrl", "credentialStatus.statusListCredential must be the URL of a status list of this ledger (…/status-lists/{id})")
		}
		index, err := strconv.ParseUint(cs.StatusListIndex, 10, 64)
		if err != nil {
			return "", 0, errs.BadRequest("status.indexOutOfRange", "credentialStatus.statusListIndex must be a decimal index")
		}
		return id, index, nil
	case req.CredentialID != "":
		var rec issuedRecord
		err := n.Keystore.GetRecord(issuedKey(account, req.CredentialID), &rec)
		if errors.Is(err, keystore.ErrNotFound) {
			return "", 0, errs.New(http.StatusNotFound, "credential.notFound", "this node issued no credential %q with status entries for your account; name the entry with credentialStatus.statusListCredential and statusListIndex", req.CredentialID)
		}
		if err != nil {
			return "", 0, err
		}
		for _, e := range rec.Entries {
			if e.Purpose == cs.StatusPurpose {
				return e.List, e.Index, nil
			}
		}
		return "", 0, errs.New(http.StatusNotFound, "credential.notFound", "credential %q has no %s entry", req.CredentialID, cs.StatusPurpose)
	}
	return "", 0, errs.BadRequest("request.malformed", "name the credential by credentialId, or its entry by credentialStatus.statusListCredential and statusListIndex")
}

// Media types a status list credential is served as.
const (
	// MediaJSON is the credential as JSON: with an eddsa-jcs-2022 proof
	// when signed.
	MediaJSON = "application/json"
	// MediaVCJWT is the credential as a vc+jwt (VC-JOSE-COSE §3.1.1).
	MediaVCJWT = "application/vc+jwt"
)

// StatusListForm is the form a status list credential is served in: list
// ID at Version, published at URL, as Media, signed with the key of
// verification method VM ("" unsigned). Two readers served the same form
// get the same bytes, so a form names a cache entry.
type StatusListForm struct {
	ID      string
	Version uint64
	URL     string
	Media   string
	VM      string
}

// StatusListForm returns the form in which status list id, published at
// url, is served to a reader that accepts accept (an HTTP Accept value):
// signed by its issuer when the node keeps the issuer's key, as a vc+jwt
// when the reader accepts application/vc+jwt or the key is not Ed25519,
// else as JSON with an eddsa-jcs-2022 proof. Without the key the
// credential is served unsigned: verifiers of the consortium read the
// list from their own copy of the ledger, which is its authority.
func (n *Node) StatusListForm(id, url, accept string) (StatusListForm, error) {
	if !status.ValidID(id) {
		return StatusListForm{}, errs.BadRequest("status.invalidId", "%q is not a status list id", id)
	}
	l, err := status.Get(n.Ledger, id)
	if err != nil {
		return StatusListForm{}, err
	}
	f := StatusListForm{ID: id, Version: l.Version, URL: url, Media: MediaJSON}
	vm, key, _, kerr := n.CustodialKey(l.Issuer)
	if kerr != nil {
		return f, nil
	}
	f.VM = vm
	if strings.Contains(accept, MediaVCJWT) || key.Type() != keys.Ed25519 {
		f.Media = MediaVCJWT
	}
	return f, nil
}

// A ServedStatusList is a status list credential as served: its bytes and
// their digest (hex of the first 16 bytes of their SHA-256), which names
// them in an entity tag.
type ServedStatusList struct {
	Body   []byte
	Digest string
}

// maxServedLists bounds statusLists.
const maxServedLists = 256

// statusLists keeps the last served forms of status lists, at most
// maxServedLists; past it, it starts over. A form names its bytes
// (StatusListForm), so a verifier polling a list costs a state read, not
// a signature.
type statusLists struct {
	mu sync.Mutex
	m  map[StatusListForm]*ServedStatusList
}

// StatusListCredential returns the BitstringStatusListCredential of form
// f, dated by the list's latest version (validFrom, and the proof's
// created or the JWT's iat, are that version's block time), so that it is
// the same for every request until the list changes: it is signed once
// and kept.
func (n *Node) StatusListCredential(f StatusListForm) (*ServedStatusList, error) {
	n.lists.mu.Lock()
	out, ok := n.lists.m[f]
	n.lists.mu.Unlock()
	if ok {
		return out, nil
	}
	body, err := n.statusListCredential(f)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	out = &ServedStatusList{Body: body, Digest: hex.EncodeToString(sum[:16])}
	n.lists.mu.Lock()
	defer n.lists.mu.Unlock()
	if n.lists.m == nil || len(n.lists.m) >= maxServedLists {
		n.lists.m = make(map[StatusListForm]*ServedStatusList)
	}
	n.lists.m[f] = out
	return out, nil
}

// statusListCredential makes the status list credential of form f.
func (n *Node) statusListCredential(f StatusListForm) ([]byte, error) {
	cred, err := status.Credential(n.Ledger, f.ID, f.URL)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(cred)
	if err != nil {
		return nil, err
	}
	if f.VM == "" {
		return append(body, '\n'), nil
	}
	l, err := status.Get(n.Ledger, f.ID)
	if err != nil {
		return nil, err
	}
	at, err := time.Parse(time.RFC3339Nano, l.Updated)
	if err != nil {
		return nil, fmt.Errorf("status list %s: updated %q: %w", l.ID, l.Updated, err)
	}
	vm, key, _, err := n.CustodialKey(l.Issuer)
	if err != nil {
		return nil, err
	}
	signer := credential.Signer{DID: l.Issuer, VerificationMethod: vm, Key: key}
	if f.Media == MediaVCJWT {
		tok, err := credential.IssueJWT(signer, body, at, credential.IssueOptions{})
		return []byte(tok), err
	}
	doc, err := credential.SignDataIntegrityJCS(signer, body, at)
	if err != nil {
		return nil, err
	}
	out, err := chain.MarshalJSON(doc)
	return append(out, '\n'), err
}

// Status List Tokens (draft-ietf-oauth-status-list-17 §5.1): the Token
// Status List encoding of the same ledger lists, for SD-JWT VCs.

// maxCachedTokens bounds statusTokens; past it, it starts over.
const maxCachedTokens = 256

// statusTokens keeps the signed Status List Tokens the node served or
// checked: one per list and uri, valid while the list's version is the
// one it encodes and for half its ttl (then it is signed again with a new
// "iat" and "exp", so a served token always has most of its ttl left).
type statusTokens struct {
	mu sync.Mutex
	m  map[string]signedToken // by uri
}

type signedToken struct {
	version uint64
	at      time.Time
	token   string
}

// StatusListToken returns the Status List Token of list id published at
// uri (status.TokenURL), signed by the list's issuer with the key the node
// keeps for it (§5.1: typ statuslist+jwt, kid the issuer's verification
// method). A list of an issuer whose key the node does not keep is a 404
// *errs.Error (status.tokenUnavailable): a Status List Token must be
// signed (§5.1), and weid's verifier trusts only the issuer's signature
// (whom to trust is the Relying Party's policy, §8.3), so the node does
// not sign in its own name.
func (n *Node) StatusListToken(id, uri string) (string, error) {
	if !status.ValidID(id) {
		return "", errs.BadRequest("status.invalidId", "%q is not a status list id", id)
	}
	l, err := status.Get(n.Ledger, id)
	if err != nil {
		return "", err
	}
	now := time.Now()
	n.tokens.mu.Lock()
	c, ok := n.tokens.m[uri]
	n.tokens.mu.Unlock()
	if ok && c.version == l.Version && now.Sub(c.at) < status.TokenTTL/2 && now.After(c.at.Add(-time.Minute)) {
		return c.token, nil
	}
	vm, key, _, err := n.CustodialKey(l.Issuer)
	if err != nil {
		return "", errs.New(http.StatusNotFound, "status.tokenUnavailable", "this node keeps no key of %s, the issuer of status list %s, to sign its Status List Token", l.Issuer, id)
	}
	payload, signed, err := status.TokenPayload(n.Ledger, id, uri, now)
	if err != nil {
		return "", err
	}
	tok, err := jose.Sign(key, jose.Header{Typ: status.TokenType, Kid: vm}, payload)
	if err != nil {
		return "", fmt.Errorf("sign the Status List Token of %s: %w", id, err)
	}
	n.tokens.mu.Lock()
	if n.tokens.m == nil || len(n.tokens.m) >= maxCachedTokens {
		n.tokens.m = make(map[string]signedToken)
	}
	n.tokens.m[uri] = signedToken{version: signed.Version, at: now, token: tok}
	n.tokens.mu.Unlock()
	return tok, nil
}

// tokenSource gives the node's verifier the Status List Tokens of this
// ledger's lists (credential.TokenStatusSource): a uri naming a list of
// the ledger, whatever its host (every node of the consortium holds the
// same lists), is answered with the token this node signs for it. Tokens
// of other systems are not fetched: a verify request must not make the
// node call URLs a credential names.
type tokenSource struct{ n *Node }

func (s tokenSource) StatusListToken(_ context.Context, uri string) (string, error) {
	id, ok := status.ListIDFromTokenURL(uri)
	if !ok {
		return "", errs.New(http.StatusNotFound, "status.notFound", "%s is not the Status List Token of a status list of this ledger", uri)
	}
	return s.n.StatusListToken(id, uri)
}
