package oid4vci

import (
	"crypto/subtle"
	"errors"
	"net/url"
	"time"
)

// TokenRequest is a token request of the pre-authorized code grant (§6.1).
type TokenRequest struct {
	PreAuthorizedCode string
	// TxCode is the transaction code, nil when the request sends none.
	TxCode *string
}

// ParseTokenRequest reads a form-encoded token request (§6.1, RFC 6749
// §4.1.3): no parameter repeated, grant_type the pre-authorized code grant
// and a non-empty pre-authorized_code. Every failure is an *Error.
func ParseTokenRequest(body []byte) (*TokenRequest, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, Errorf(ErrInvalidRequest, "the body is not form-encoded")
	}
	for k, v := range form {
		if len(v) > 1 {
			return nil, Errorf(ErrInvalidRequest, "parameter %q is repeated", k)
		}
	}
	if gt := form.Get("grant_type"); gt != GrantPreAuthorizedCode {
		if gt == "" {
			return nil, Errorf(ErrInvalidRequest, "grant_type is required")
		}
		return nil, Errorf(ErrUnsupportedGrantType, "only the pre-authorized code grant is supported")
	}
	req := &TokenRequest{PreAuthorizedCode: form.Get("pre-authorized_code")}
	if req.PreAuthorizedCode == "" {
		return nil, Errorf(ErrInvalidRequest, "pre-authorized_code is required")
	}
	if tx, given := form["tx_code"]; given {
		req.TxCode = &tx[0]
	}
	return req, nil
}

// Token is the token endpoint of the issuer u (§6): it redeems the offer
// of the pre-authorized code, checking the transaction code if the offer
// asks for one, and binds a new access token to it. A used, unknown or
// expired code is invalid_grant; so is a wrong transaction code, and the
// MaxTxCodeAttempts-th burns the offer.
func (iss *Issuer) Token(u IssuerURL, req *TokenRequest) (*TokenResponse, error) {
	invalid := Errorf(ErrInvalidGrant, "the pre-authorized code is not valid: unknown, already used or expired")
	var idx OfferIndex
	if err := iss.store.Get(CodeKey(req.PreAuthorizedCode), &idx); errors.Is(err, ErrNotFound) {
		return nil, invalid
	} else if err != nil {
		return nil, err
	}
	iss.offers.Lock()
	defer iss.offers.Unlock()
	var rec OfferRecord
	if err := iss.store.Get(OfferKey(idx.Offer), &rec); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, invalid
		}
		return nil, err
	}
	if rec.Account != u.Account || rec.Instance != u.Instance ||
		rec.State != StateOffered || time.Now().After(rec.Expires) ||
		subtle.ConstantTimeCompare([]byte(rec.Code), []byte(req.PreAuthorizedCode)) != 1 {
		return nil, invalid
	}
	if err := iss.checkTxCode(&rec, req.TxCode); err != nil {
		return nil, err
	}
	tok := randomToken(32)
	rec.State = StateRedeemed
	rec.TokenHash = hashHex(tok)
	rec.TokenExpires = time.Now().Add(AccessTokenTTL).UTC()
	if err := iss.store.Put(TokenKey(rec.TokenHash), OfferIndex{Offer: rec.ID}, false); err != nil {
		return nil, err
	}
	if err := iss.store.Put(OfferKey(rec.ID), rec, true); err != nil {
		return nil, err
	}
	return &TokenResponse{AccessToken: tok, TokenType: "Bearer", ExpiresIn: int64(AccessTokenTTL / time.Second)}, nil
}

// checkTxCode checks the transaction code of a token request for rec,
// counting a wrong one (and burning rec at the last). Called with the
// offers lock held.
func (iss *Issuer) checkTxCode(rec *OfferRecord, tx *string) error {
	if rec.TxHash == "" {
		if tx != nil {
			return Errorf(ErrInvalidRequest, "this offer has no transaction code; send none")
		}
		return nil
	}
	if tx == nil || *tx == "" {
		return Errorf(ErrInvalidRequest, "this offer needs its transaction code (tx_code)")
	}
	if subtle.ConstantTimeCompare([]byte(hashHex(rec.ID+":"+*tx)), []byte(rec.TxHash)) == 1 {
		return nil
	}
	rec.Attempts++
	if rec.Attempts >= MaxTxCodeAttempts {
		rec.State = StateBurned
	}
	if err := iss.store.Put(OfferKey(rec.ID), rec, true); err != nil {
		return err
	}
	if rec.State == StateBurned {
		if err := iss.endOffer(rec); err != nil {
			return err
		}
		return Errorf(ErrInvalidGrant, "the transaction code is wrong; too many wrong codes, the offer can no longer be redeemed")
	}
	return Errorf(ErrInvalidGrant, "the transaction code is wrong")
}
