package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/weidgo/weid/errs"
)

// The status of a grant (Grant.StatusAt).
const (
	GrantStatusActive      = "active"
	GrantStatusRevoked     = "revoked"
	GrantStatusExpired     = "expired"
	GrantStatusNotYetValid = "notYetValid"
)

// Member is a committee member as the ledger records it.
type Member struct {
	DID     string `json:"did"`
	AddedBy string `json:"addedBy"`
	Added   string `json:"added"`
	TxHash  string `json:"txHash"`
	Height  uint64 `json:"height"`
}

// Issuer is an authority issuer as the ledger records it.
type Issuer struct {
	DID          string   `json:"did"`
	Name         string   `json:"name"`
	Description  string   `json:"description,omitempty"`
	Types        []string `json:"types,omitempty"`   // credential types it is accredited for
	Schemas      []uint64 `json:"schemas,omitempty"` // schema ids it is accredited for
	RecognizedBy string   `json:"recognizedBy"`
	Recognized   string   `json:"recognized"`
	TxHash       string   `json:"txHash"`
	Height       uint64   `json:"height"`
}

// AccreditedFor reports whether the issuer is accredited for credential type
// typ and schema id (0: no schema). An issuer recognized with no types and
// no schemas is accredited for every type and schema.
func (i *Issuer) AccreditedFor(typ string, schema uint64) bool {
	if len(i.Types) == 0 && len(i.Schemas) == 0 {
		return true
	}
	if typ != "" && len(i.Types) > 0 && !slices.Contains(i.Types, typ) {
		return false
	}
	if schema != 0 && len(i.Schemas) > 0 && !slices.Contains(i.Schemas, schema) {
		return false
	}
	return true
}

// Validator is a validator as the ledger records it.
type Validator struct {
	PubKey    string `json:"pubKey"`  // Ed25519, standard base64 as CometBFT writes it
	Address   string `json:"address"` // CometBFT's address: hex of the first 20 bytes of SHA-256(key)
	Power     int64  `json:"power"`
	Name      string `json:"name,omitempty"`
	MemberDID string `json:"memberDid,omitempty"` // the consortium member running it
	NodeID    string `json:"nodeId,omitempty"`    // its CometBFT node id (P2P)
	AddedBy   string `json:"addedBy"`
	Added     string `json:"added"`
	TxHash    string `json:"txHash"`
	Height    uint64 `json:"height"`
}

// Observer is an observer node (follows the chain and serves reads, does
// not vote) as the ledger records it.
type Observer struct {
	NodeID    string `json:"nodeId"`
	Name      string `json:"name,omitempty"`
	MemberDID string `json:"memberDid,omitempty"`
	API       string `json:"api,omitempty"` // the URL of its weid API
	AddedBy   string `json:"addedBy"`
	Added     string `json:"added"`
	TxHash    string `json:"txHash"`
	Height    uint64 `json:"height"`
}

// SchemaRecord is what the ledger keeps for one version of a schema.
type SchemaRecord struct {
	ID      uint64 `json:"id"`
	Version uint64 `json:"version"`
	Name    string `json:"name,omitempty"`
	// Publisher is the DID that registered the schema; it and governors
	// may add versions.
	Publisher string `json:"publisher"`
	// Signer is the DID that signed this version: the publisher, or a
	// governor who updated the schema.
	Signer string `json:"signer"`
	// Created is the time of the block that published this version (RFC 3339).
	Created string          `json:"created"`
	Schema  json.RawMessage `json:"schema"`
	TxHash  string          `json:"txHash"`
	Height  uint64          `json:"height"`
}

// EvidenceRecord is what the ledger keeps for an evidence besides its signatures
// and logs.
type EvidenceRecord struct {
	Hash           string            `json:"hash"`
	Key            string            `json:"key,omitempty"`
	Extras         map[string]string `json:"extras,omitempty"`
	Creator        string            `json:"creator"` // DID that submitted evidence.create
	Created        string            `json:"created"` // block time, RFC 3339
	Height         uint64            `json:"height"`
	TxHash         string            `json:"txHash"`
	SignatureCount int               `json:"signatureCount"`
	LogCount       int               `json:"logCount"`
}

// EvidenceSignature is one DID's signature on an evidence.
type EvidenceSignature struct {
	DID       string           `json:"did"`
	Method    string           `json:"method"`    // the verification method's DID URL
	Signature string           `json:"signature"` // over Message(Method, hash)
	Seq       int              `json:"seq"`       // order of signing, from 0
	Submitter string           `json:"submitter"` // DID whose transaction added it
	Signed    string           `json:"signed"`    // block time
	Height    uint64           `json:"height"`
	TxHash    string           `json:"txHash"`
	Revoked   bool             `json:"revoked"`
	Changes   []EvidenceChange `json:"changes,omitempty"` // revocations and restorations, in order
}

// EvidenceChange is a revocation or restoration of a signature.
type EvidenceChange struct {
	Action string `json:"action"` // "revoke" or "restore"
	Time   string `json:"time"`
	Height uint64 `json:"height"`
	TxHash string `json:"txHash"`
}

// EvidenceLog is one log line of an evidence.
type EvidenceLog struct {
	Seq    int    `json:"seq"`
	Text   string `json:"text"`
	By     string `json:"by"` // DID whose transaction added it
	Time   string `json:"time"`
	Height uint64 `json:"height"`
	TxHash string `json:"txHash"`
}

// Evidence is an evidence with its signatures (in signing order) and logs.
type Evidence struct {
	EvidenceRecord
	Signatures []EvidenceSignature `json:"signatures"`
	Logs       []EvidenceLog       `json:"logs"`
}

// TxHashes returns the distinct transactions that recorded e: its creation,
// then signatures, changes and logs in order.
func (e *Evidence) TxHashes() []string {
	seen := map[string]bool{}
	var out []string
	add := func(h string) {
		if h != "" && !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	add(e.TxHash)
	for _, s := range e.Signatures {
		add(s.TxHash)
		for _, c := range s.Changes {
			add(c.TxHash)
		}
	}
	for _, l := range e.Logs {
		add(l.TxHash)
	}
	return out
}

// GrantEvent is when a transaction changed a receipt.
type GrantEvent struct {
	Time   string `json:"time"` // block time, RFC 3339
	Height uint64 `json:"height"`
	TxHash string `json:"txHash"`
}

// Grant is what the ledger keeps of a grant: its hash, parties, resource,
// scope, purpose, validity and status, and when it was recorded and revoked.
type Grant struct {
	ID          string      `json:"id"`
	Hash        string      `json:"hash"` // SHA-256 of the grant's compact JWS
	Grantor     string      `json:"grantor"`
	Grantee     string      `json:"grantee"`
	Resource    string      `json:"resource"`
	Scope       []string    `json:"scope"`
	Purpose     string      `json:"purpose"`
	NotBefore   string      `json:"notBefore"`
	Expires     string      `json:"expires"`
	Status      string      `json:"status"` // active or revoked
	Recorded    GrantEvent  `json:"recorded"`
	Revoked     *GrantEvent `json:"revoked,omitempty"`
	AccessCount int         `json:"accessCount"`
}

// StatusAt returns the receipt's status at t: revoked, notYetValid, expired
// or active.
func (r *Grant) StatusAt(t time.Time) string {
	if r.Status == GrantStatusRevoked {
		return GrantStatusRevoked
	}
	nb, _ := time.Parse(time.RFC3339, r.NotBefore)
	exp, _ := time.Parse(time.RFC3339, r.Expires)
	switch {
	case t.Before(nb):
		return GrantStatusNotYetValid
	case !t.Before(exp):
		return GrantStatusExpired
	}
	return GrantStatusActive
}

// Usable checks that the grant may be used at t for claims: not revoked,
// within its validity, and every claim in its scope. Errors are 403
// grant.revoked, grant.notYetValid, grant.expired and grant.outOfScope.
func (r *Grant) Usable(t time.Time, claims []string) error {
	switch r.StatusAt(t) {
	case GrantStatusRevoked:
		return errs.New(http.StatusForbidden, "grant.revoked", "grant %s was revoked by its grantor", r.ID)
	case GrantStatusNotYetValid:
		return errs.New(http.StatusForbidden, "grant.notYetValid", "grant %s is valid from %s", r.ID, r.NotBefore)
	case GrantStatusExpired:
		return errs.New(http.StatusForbidden, "grant.expired", "grant %s expired at %s", r.ID, r.Expires)
	}
	for _, c := range claims {
		if !slices.Contains(r.Scope, c) {
			return errs.New(http.StatusForbidden, "grant.outOfScope", "claim %q is not in the scope of grant %s", errs.Truncate(c, 64), r.ID)
		}
	}
	return nil
}

// GrantAccess is an access receipt: a data holder released Claims under a grant.
type GrantAccess struct {
	GrantID string   `json:"grantId"`
	Seq     int      `json:"seq"`
	Holder  string   `json:"holder"` // the data holder's DID, the transaction's signer
	Grantee string   `json:"grantee"`
	Claims  []string `json:"claims"`
	Request string   `json:"request"` // SHA-256 of the request's proof of possession
	GrantEvent
}

// Account is what a token authenticates as.
type Account struct {
	Name    string   `json:"name"`
	Admin   bool     `json:"admin,omitempty"`
	Created string   `json:"created"`
	DIDs    []string `json:"dids,omitempty"` // in a list of accounts: the DIDs whose keys it keeps
}
