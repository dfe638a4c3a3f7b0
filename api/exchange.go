package api

import "time"

// The wire types of a data holder's exchange service (package exchange,
// run by `weid exchange serve`): not the node's API, but weid's all the
// same, spoken by the grantee's side (exchange.Fetch) and the service.

// ExchangeNonce is the body of a 201 from POST /v1/exchange/{resource}/nonce.
type ExchangeNonce struct {
	Nonce   string    `json:"nonce"`
	Expires time.Time `json:"expires"`
}

// ExchangeRequest is the body of POST /v1/exchange/{resource}: the grant
// (its compact JWS) and, optionally, the claims wanted (default: the
// grant's whole scope). The request carries a proof of possession in the
// WeID-Proof header (grants.ProofHeader).
type ExchangeRequest struct {
	Grant  string   `json:"grant"`
	Claims []string `json:"claims,omitempty"`
}

// ExchangeData is the plaintext of the encrypted answer: the claims
// released and the access receipt's transaction.
type ExchangeData struct {
	GrantID  string         `json:"grantId"`
	Grantor  string         `json:"grantor"`
	Grantee  string         `json:"grantee"`
	Resource string         `json:"resource"`
	Claims   map[string]any `json:"claims"`
	// AccessReceipt is the hash of the grant.access transaction.
	AccessReceipt string    `json:"accessReceipt"`
	Released      time.Time `json:"released"`
}

// AccessReceiptHeader names the exchange answer's header carrying the
// access receipt's transaction hash.
const AccessReceiptHeader = "WeID-Access-Receipt"
