package api

import (
	"encoding/json"

	"github.com/weidgo/weid/did"
)

// DIDRequest is the body of the DID endpoints under /v1/dids: either a
// transaction signed by the client ("tx"; the key stays with the client),
// or, with a bearer token, the operation's fields for the node to sign with
// the key it keeps for the caller.
type DIDRequest struct {
	Tx                 json.RawMessage `json:"tx,omitempty"`
	KeyType            string          `json:"keyType,omitempty"`
	ID                 string          `json:"id,omitempty"`
	PublicKeyMultibase string          `json:"publicKeyMultibase,omitempty"`
	Relationships      []string        `json:"relationships,omitempty"`
	Service            *did.Service    `json:"service,omitempty"`
	NewID              string          `json:"newId,omitempty"`
	// Compromised, when removing or rotating a key, declares it
	// compromised (did.CompromisedKey).
	Compromised bool `json:"compromised,omitempty"`
}

// SetTx sets the signed transaction (httpx.SignedRequest).
func (r *DIDRequest) SetTx(tx json.RawMessage) { r.Tx = tx }

// DIDResponse is the result of a DID operation: the receipt and, once
// committed, the DID's document.
type DIDResponse struct {
	DID         string        `json:"did"`
	DIDDocument *did.Document `json:"didDocument,omitempty"`
	TxHash      string        `json:"txHash"`
	Height      uint64        `json:"height,omitempty"`
	Status      string        `json:"status"`
}
