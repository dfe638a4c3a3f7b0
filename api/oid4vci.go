package api

import (
	"encoding/json"
	"time"
)

// OfferRequest is the body of POST /v1/offers: an institution's backend
// asks for an OpenID4VCI credential offer of claims it vouches for.
type OfferRequest struct {
	// Instance is the name of the caller's issuer instance.
	Instance string `json:"instance"`
	// Credential is the unsecured credential to issue, without
	// credentialSubject.id (the wallet's DID fills it in); or Claims, the
	// members of its credentialSubject alone.
	Credential json.RawMessage `json:"credential,omitempty"`
	Claims     json.RawMessage `json:"claims,omitempty"`
	// TxCode, if set, makes the wallet ask its user for a transaction code
	// (PIN) sent to them another way.
	TxCode *OfferTxCode `json:"txCode,omitempty"`
	// ExpiresIn is how many seconds the offer may be redeemed (default one
	// day, at most 30 days).
	ExpiresIn int64 `json:"expiresIn,omitempty"`
}

// OfferTxCode is the transaction code an offer asks for: Value if the
// caller chooses it, else Length (default 6) random digits (or, with
// InputMode "text", letters and digits) the node draws and returns once.
type OfferTxCode struct {
	Value       string `json:"value,omitempty"`
	Length      int    `json:"length,omitempty"`
	InputMode   string `json:"inputMode,omitempty"`
	Description string `json:"description,omitempty"`
}

// OfferResponse is the body of a 201 from POST /v1/offers.
type OfferResponse struct {
	ID                         string   `json:"id"`
	CredentialIssuer           string   `json:"credentialIssuer"`
	CredentialConfigurationIDs []string `json:"credentialConfigurationIds"`
	// OfferURI carries the offer by value, OfferURIByReference points to
	// CredentialOfferURI, where the wallet fetches it (OID4VCI §4.1.2,
	// §4.1.3).
	OfferURI            string `json:"offerUri"`
	OfferURIByReference string `json:"offerUriByReference"`
	CredentialOfferURI  string `json:"credentialOfferUri"`
	// QRPNG is a PNG of OfferURIByReference's QR code, base64; QRURL serves
	// it as image/png (?format=svg: image/svg+xml).
	QRPNG string `json:"qrPng"`
	QRURL string `json:"qrUrl"`
	// TxCode is the transaction code the node drew, to be sent to the
	// citizen another way; shown only here.
	TxCode  string    `json:"txCode,omitempty"`
	Expires time.Time `json:"expires"`
}

// OfferStatus is the body of GET /v1/offers/{id}.
type OfferStatus struct {
	ID               string `json:"id"`
	Instance         string `json:"instance"`
	CredentialIssuer string `json:"credentialIssuer"`
	// State is offered, redeemed, issuing, issued, burned (too many wrong
	// transaction codes) or expired.
	State          string    `json:"state"`
	TxCodeRequired bool      `json:"txCodeRequired"`
	Issued         int       `json:"issued"`
	Created        time.Time `json:"created"`
	Expires        time.Time `json:"expires"`
}
