package api

import "encoding/json"

// Signed says who signs a write, in the body of every write endpoint that
// takes either form: a transaction the client signed ("tx", of the
// endpoint's type; the key stays with the client), or, with a bearer token,
// custodial fields the node makes into a transaction and signs with the key
// it keeps for "signer", a DID of the token's account (each body says its
// default). Request bodies embed it, so its members are theirs.
type Signed struct {
	Tx     json.RawMessage `json:"tx,omitempty"`
	Signer string          `json:"signer,omitempty"`
}

// SetTx sets the signed transaction (httpx.SignedRequest).
func (s *Signed) SetTx(tx json.RawMessage) { s.Tx = tx }

// Signing returns s, the signing members of the body that embeds it, for
// code that serves several such bodies (a type parameter constrained by
// this method).
func (s *Signed) Signing() *Signed { return s }
