package api

import "encoding/json"

// GovRequest is the body of the committee and authority issuer endpoints:
// a transaction signed by an admin or committee member ("tx"), or, with a
// bearer token, the fields for the node to sign with the key it keeps for
// the account's governing DID ("signer"; default: the admin DID for the
// admin token).
type GovRequest struct {
	Signed
	DID         string   `json:"did,omitempty"`
	Name        string   `json:"name,omitempty"`
	Description string   `json:"description,omitempty"`
	Types       []string `json:"types,omitempty"`
	Schemas     []uint64 `json:"schemas,omitempty"`
}

// NodeRequest is the body of POST /v1/validators and POST /v1/observers: a
// transaction signed by an admin or committee member ("tx"), or, with a
// bearer token, the fields for the node to sign (as "signer"; default: the
// admin DID for the admin token).
type NodeRequest struct {
	Signed
	PubKey string `json:"pubKey,omitempty"` // validators: Ed25519, base64 (CometBFT's priv_validator_key.json) or hex
	// Power is a validator's voting power as the request gives it, any
	// JSON value: authz.RequestedPower reads it (absent:
	// DefaultValidatorPower; else 1 to authz.MaxValidatorPower), so that
	// 0 or 1e20 is refused naming the range.
	Power     json.RawMessage `json:"power,omitempty"`
	NodeID    string          `json:"nodeId,omitempty"`
	Name      string          `json:"name,omitempty"`
	MemberDID string          `json:"memberDid,omitempty"`
	API       string          `json:"api,omitempty"` // observers: the URL of its weid API
}

// RulesRequest is the body of POST /v1/rules: a gov.scheduleRules
// transaction signed by an admin or committee member ("tx"), or, with a
// bearer token, the change for the node to sign (as "signer"; default: the
// admin DID for the admin token): the ledger's rules Version from weid
// height Height on. DELETE /v1/rules/{version} takes an api.Signed.
type RulesRequest struct {
	Signed
	Version uint64 `json:"version,omitempty"`
	Height  uint64 `json:"height,omitempty"`
}

// DefaultValidatorPower is the voting power of a validator admitted without
// one, that of weid localnet's validators.
const DefaultValidatorPower = 10

// GovResponse is the result of a governance operation: its receipt and the
// record it made, read back from the ledger.
type GovResponse struct {
	TxHash string  `json:"txHash"`
	Height uint64  `json:"height"`
	Status string  `json:"status"`
	Issuer *Issuer `json:"issuer,omitempty"`
	Member *Member `json:"member,omitempty"`
	// Validator and Observer: the record a node admission made.
	Validator *Validator `json:"validator,omitempty"`
	Observer  *Observer  `json:"observer,omitempty"`
}

// IssuerResponse answers GET /v1/issuers/{did}.
type IssuerResponse struct {
	Issuer     *Issuer `json:"issuer"`
	Accredited *bool   `json:"accredited,omitempty"` // for ?type= and/or ?schema=
}

// IssuerList is a page of authority issuers (GET /v1/issuers).
type IssuerList struct {
	Issuers []Issuer `json:"issuers"`
	Next    string   `json:"next,omitempty"` // pass as ?after= for the next page
}

// CommitteeList answers GET /v1/committee.
type CommitteeList struct {
	Members []Member `json:"members"`
}

// ValidatorList answers GET /v1/validators: the validators the ledger
// records. Under the CometBFT engine they are CometBFT's validator set from
// two blocks after the last change on (see /v1/status for the set in force).
type ValidatorList struct {
	Validators []Validator `json:"validators"`
	Count      int         `json:"count"`
	Power      int64       `json:"power"`
}

// ObserverList answers GET /v1/observers.
type ObserverList struct {
	Observers []Observer `json:"observers"`
}
