package api

import (
	"encoding/json"
	"time"
)

// PresentationRequestBody is the body of POST /v1/presentation-requests:
// an account asks a wallet for credentials over OpenID4VP 1.0.
type PresentationRequestBody struct {
	// Exactly one of DCQLQuery (OID4VP 1.0 §6) and PresentationDefinition
	// (DIF Presentation Exchange 2.0, for older wallets).
	DCQLQuery              json.RawMessage `json:"dcql_query,omitempty"`
	PresentationDefinition json.RawMessage `json:"presentation_definition,omitempty"`
	// ResponseMode is direct_post (default) or direct_post.jwt.
	ResponseMode string `json:"response_mode,omitempty"`
	// Purpose is shown by the wallet (weid's extension parameter).
	Purpose string `json:"purpose,omitempty"`
	// ExpiresIn is how many seconds the request may be answered (default
	// 600, at most 3600).
	ExpiresIn int64 `json:"expiresIn,omitempty"`
	// DID is the verifier: one of the account's custodial DIDs (default:
	// its first did:weid).
	DID string `json:"did,omitempty"`
	// RequireAccreditation (default true) accepts only credentials whose
	// issuer the trust registry accredits for their types and schemas
	// (credential.Policy.RequireAccreditation); false makes an unrecognized
	// issuer a warning.
	RequireAccreditation *bool `json:"requireAccreditation,omitempty"`
}

// PresentationRequestCreated is the body of a 201 from POST
// /v1/presentation-requests.
type PresentationRequestCreated struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	// RequestURI is the openid4vp:// deep link (client_id, request_uri);
	// RequestObjectURI is the URL of the signed request object.
	RequestURI       string    `json:"requestUri"`
	RequestObjectURI string    `json:"request_uri"`
	ClientID         string    `json:"clientId"`
	ResponseMode     string    `json:"responseMode"`
	Expires          time.Time `json:"expires"`
	QR               VPQRLinks `json:"qr"`
}

// VPQRLinks are the URLs of a request's QR code images.
type VPQRLinks struct {
	PNG string `json:"png"`
	SVG string `json:"svg"`
}

// Presentation request statuses (PresentationRequestStatus.Status).
const (
	VPPending   = "pending"   // made, not fetched
	VPRetrieved = "retrieved" // the wallet fetched the request object
	VPVerified  = "verified"  // answered, and everything checked out
	VPRejected  = "rejected"  // answered, and something did not
	VPExpired   = "expired"   // not answered in time
)

// PresentationRequestStatus is the body of GET
// /v1/presentation-requests/{id} and of its status events.
type PresentationRequestStatus struct {
	ID           string    `json:"id"`
	Status       string    `json:"status"`
	ClientID     string    `json:"clientId"`
	ResponseMode string    `json:"responseMode"`
	Purpose      string    `json:"purpose,omitempty"`
	Created      time.Time `json:"created"`
	Expires      time.Time `json:"expires"`
	// Query is the DCQL query (a presentation definition's translation);
	// PresentationDefinition the definition if one was given.
	Query                  json.RawMessage            `json:"query"`
	PresentationDefinition json.RawMessage            `json:"presentationDefinition,omitempty"`
	RequireAccreditation   bool                       `json:"requireAccreditation"`
	Answered               *time.Time                 `json:"answered,omitempty"`
	Result                 *PresentationRequestResult `json:"result,omitempty"`
}

// PresentationRequestResult is what the node found in a wallet's answer.
// It keeps the checks, the holder, and of each credential its issuer, types
// and the claims the query asked for — never a whole credential or
// presentation, so that what a wallet disclosed beyond the query is not
// stored or served.
type PresentationRequestResult struct {
	Verified bool `json:"verified"`
	// Checks are the result's own checks, then every warning and failure
	// of the presentations and credentials (as in Warnings and Errors).
	Checks []Check `json:"checks"`
	// Warnings and Errors are the result's own warnings and failures and
	// those of each presentation and credential, their details prefixed
	// with where they were found (queryId[n], credential n).
	Warnings []Check `json:"warnings"`
	Errors   []Check `json:"errors"`
	// Holder is the DID whose key made the holder proofs, if known.
	Holder      string                `json:"holder,omitempty"`
	Credentials []PresentedCredential `json:"credentials"`
	// Presentations has each presentation's checks and its credentials'
	// checks, issuers and types.
	Presentations []PresentationQueryVerdict `json:"presentations,omitempty"`
	// WalletError is the error response of a wallet that declined (§8.5).
	WalletError string `json:"walletError,omitempty"`
}

// PresentationQueryVerdict is one presentation's verdict, reduced to its
// checks, and the query it answered.
type PresentationQueryVerdict struct {
	QueryID     string              `json:"queryId"`
	Format      string              `json:"format"`
	Verified    bool                `json:"verified"`
	Holder      string              `json:"holder,omitempty"`
	Checks      []Check             `json:"checks"`
	Credentials []CredentialVerdict `json:"credentials"`
}

// CredentialVerdict is one presented credential's checks, issuer and types.
type CredentialVerdict struct {
	Verified bool     `json:"verified"`
	Issuer   string   `json:"issuer,omitempty"`
	Types    []string `json:"types,omitempty"`
	Checks   []Check  `json:"checks"`
}

// PresentedCredential is one credential a wallet presented, reduced to
// what the query asked for.
type PresentedCredential struct {
	QueryID    string   `json:"queryId"`
	Format     string   `json:"format"`
	Verified   bool     `json:"verified"`
	Issuer     string   `json:"issuer,omitempty"`
	IssuerName string   `json:"issuerName,omitempty"`
	Types      []string `json:"types,omitempty"`
	// Claims are the requested claims' values, nested as in the
	// credential (the claims paths of the query).
	Claims map[string]any `json:"claims"`
	// Status is the credential's status check and entry.
	Status *CredentialStatusFacts `json:"status,omitempty"`
}

// CredentialStatusFacts is what the status check found.
type CredentialStatusFacts struct {
	Check  string `json:"check"`
	Detail string `json:"detail,omitempty"`
	Entry  any    `json:"entry,omitempty"`
}
