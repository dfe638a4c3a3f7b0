package oid4vp

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/weidgo/weid/api"
)

// Paths of the verifier's endpoints for the wallet under the node's base
// URL: a request object is fetched from RequestPath+id (§5.7) and the
// response posted to ResponsePath+id (§8.2).
const (
	RequestPath  = "/oid4vp/requests/"
	ResponsePath = "/oid4vp/responses/"
)

// Record is a presentation request as a Store keeps it: what the verifier
// asked, the secrets that bind an answer to it (nonce, state, the
// direct_post.jwt key), the signed request object, its status and, once
// answered, the result.
type Record struct {
	ID           string          `json:"id"`
	Account      string          `json:"account"`
	DID          string          `json:"did"`
	ClientID     string          `json:"clientId"`
	Query        json.RawMessage `json:"query"`
	PD           json.RawMessage `json:"presentationDefinition,omitempty"`
	ResponseMode string          `json:"responseMode"`
	Purpose      string          `json:"purpose,omitempty"`
	// RequireAccreditation is the verification policy's.
	RequireAccreditation bool   `json:"requireAccreditation,omitempty"`
	Nonce                string `json:"nonce"`
	State                string `json:"state"`
	// EncKey is a direct_post.jwt request's ephemeral P-256 key: its kid,
	// ".", its PKCS #8 DER in base64url; a key for this request only,
	// dropped once the request is answered.
	EncKey        string                         `json:"encKey,omitempty"`
	RequestObject string                         `json:"requestObject"`
	Status        string                         `json:"status"`
	Created       time.Time                      `json:"created"`
	Expires       time.Time                      `json:"expires"`
	Answered      time.Time                      `json:"answered,omitzero"`
	Result        *api.PresentationRequestResult `json:"result,omitempty"`
}

// StatusAt is the record's status at now: an unanswered request past its
// expiry is expired.
func (rec *Record) StatusAt(now time.Time) string {
	if (rec.Status == api.VPPending || rec.Status == api.VPRetrieved) && now.After(rec.Expires) {
		return api.VPExpired
	}
	return rec.Status
}

// Final reports whether a request in status st has ended: it will change
// no more.
func Final(st string) bool {
	return st == api.VPVerified || st == api.VPRejected || st == api.VPExpired
}

// View is the API view of the record at now.
func (rec *Record) View(now time.Time) api.PresentationRequestStatus {
	v := api.PresentationRequestStatus{
		ID: rec.ID, Status: rec.StatusAt(now), ClientID: rec.ClientID, ResponseMode: rec.ResponseMode, Purpose: rec.Purpose,
		Created: rec.Created, Expires: rec.Expires, Query: rec.Query, PresentationDefinition: rec.PD, Result: rec.Result,
		RequireAccreditation: rec.RequireAccreditation,
	}
	if !rec.Answered.IsZero() {
		a := rec.Answered
		v.Answered = &a
	}
	return v
}

// RequestObjectURL is the request_uri the wallet fetches the request
// object from, under the node's base URL.
func (rec *Record) RequestObjectURL(base string) string { return base + RequestPath + rec.ID }

// DeepLink is the openid4vp:// link (client_id, request_uri) a wallet
// scans.
func (rec *Record) DeepLink(base string) string {
	return RequestURI(rec.ClientID, rec.RequestObjectURL(base))
}

// setEphemeralKey keeps ek as the request's decryption key.
func (rec *Record) setEphemeralKey(ek *EphemeralKey) error {
	der, err := x509.MarshalPKCS8PrivateKey(ek.Private)
	if err != nil {
		return err
	}
	rec.EncKey = ek.KID + "." + base64.RawURLEncoding.EncodeToString(der)
	return nil
}

// ephemeralKey is a direct_post.jwt request's decryption key.
func (rec *Record) ephemeralKey() (*EphemeralKey, error) {
	kid, der, ok := strings.Cut(rec.EncKey, ".")
	b, err := base64.RawURLEncoding.DecodeString(der)
	if !ok || err != nil {
		return nil, errors.New("the request has no decryption key")
	}
	k, err := x509.ParsePKCS8PrivateKey(b)
	ek, isEC := k.(*ecdsa.PrivateKey)
	if err != nil || !isEC {
		return nil, errors.New("the request has no decryption key")
	}
	return &EphemeralKey{Private: ek, KID: kid}, nil
}
