package oid4vci

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"slices"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/errs"
)

// Offer states. An offer moves offered → redeemed (an access token was
// issued) → issuing (a credential request is being served) → issued; a
// failed issuance returns it to redeemed; too many wrong transaction codes
// burn it.
const (
	StateOffered  = "offered"
	StateRedeemed = "redeemed"
	StateIssuing  = "issuing"
	StateIssued   = "issued"
	StateBurned   = "burned"
	// StateExpired is how an open offer past its expiry is reported.
	StateExpired = "expired"
)

// OfferRecord is the Store record of an offer (OfferKey).
type OfferRecord struct {
	ID       string          `json:"id"`
	Account  string          `json:"account"`
	Instance string          `json:"instance"`
	Config   string          `json:"config"`
	Cred     json.RawMessage `json:"credential,omitempty"`
	Code     string          `json:"code"`
	TxCode   *TxCode         `json:"txCode,omitempty"`
	// TxHash is SHA-256(offer id ":" transaction code), hex.
	TxHash   string    `json:"txHash,omitempty"`
	Attempts int       `json:"attempts,omitempty"`
	State    string    `json:"state"`
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires"`
	// The access token's hash and expiry, once redeemed.
	TokenHash    string    `json:"tokenHash,omitempty"`
	TokenExpires time.Time `json:"tokenExpires,omitzero"`
	Issued       int       `json:"issued,omitempty"`
}

// OfferIndex is the record that finds an offer by the hash of a code or
// access token (CodeKey, TokenKey).
type OfferIndex struct {
	Offer string `json:"offer"`
}

// OfferKey is the key of the offer id's record.
func OfferKey(id string) string { return "oid4vci/offer/" + id }

// CodeKey is the key of the index record of a pre-authorized code.
func CodeKey(code string) string { return "oid4vci/code/" + hashHex(code) }

// TokenKey is the key of the index record of an access token by its hash
// (OfferRecord.TokenHash).
func TokenKey(hash string) string { return "oid4vci/token/" + hash }

func hashHex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// randomToken returns n random bytes, base64url.
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// offer is the credential offer of rec (§4.1.1).
func (rec *OfferRecord) offer(issuer string) *CredentialOffer {
	return &CredentialOffer{
		CredentialIssuer:           issuer,
		CredentialConfigurationIDs: []string{rec.Config},
		Grants: &Grants{PreAuthorizedCode: &PreAuthorizedCodeGrant{
			PreAuthorizedCode: rec.Code, TxCode: rec.TxCode,
		}},
	}
}

// open reports whether rec may still be redeemed or collected.
func (rec *OfferRecord) open() bool { return rec.State == StateOffered || rec.State == StateRedeemed }

// CreateOffer makes a credential offer of acct's issuer instance for the
// claims of req, the node's public URL being base. The credential is
// completed from the instance and dry-run (Backend.Check), so an offer that
// could not be issued is refused now, not at the wallet. The response has
// no QR code: that is the caller's rendering.
func (iss *Issuer) CreateOffer(ctx context.Context, base string, acct Account, req *api.OfferRequest) (*api.OfferResponse, error) {
	in, err := iss.backend.Instance(acct.Name, req.Instance)
	if err != nil {
		return nil, err
	}
	ttl, err := offerTTL(req.ExpiresIn)
	if err != nil {
		return nil, err
	}
	cred, err := offerCredential(req, in)
	if err != nil {
		return nil, err
	}
	if err := iss.backend.Check(ctx, in, cred); err != nil {
		if _, ok := errs.As(err); !ok {
			err = errs.BadRequest("offer.invalid", "the instance cannot issue this credential: %v", err)
		}
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	rec := OfferRecord{
		ID: randomToken(16), Account: acct.Name, Instance: in.Name, Config: in.Name, Cred: cred,
		Code: randomToken(32), State: StateOffered, Created: now, Expires: now.Add(ttl),
	}
	generated := ""
	if t := req.TxCode; t != nil {
		value, tc, err := txCode(t)
		if err != nil {
			return nil, err
		}
		if t.Value == "" {
			generated = value
		}
		rec.TxCode = tc
		rec.TxHash = hashHex(rec.ID + ":" + value)
	}
	if err := iss.store.Create(CodeKey(rec.Code), OfferIndex{Offer: rec.ID}); err != nil {
		return nil, err
	}
	if err := iss.store.Create(OfferKey(rec.ID), rec); err != nil {
		return nil, err
	}
	issuer := IssuerURL{Base: base, Account: acct.Name, Instance: in.Name}.String()
	offer := rec.offer(issuer)
	byValue, err := OfferURI(offer)
	if err != nil {
		return nil, err
	}
	offerURL := issuer + "/offers/" + rec.ID
	return &api.OfferResponse{
		ID: rec.ID, CredentialIssuer: issuer, CredentialConfigurationIDs: offer.CredentialConfigurationIDs,
		OfferURI: byValue, OfferURIByReference: OfferRefURI(offerURL), CredentialOfferURI: offerURL,
		TxCode: generated, Expires: rec.Expires,
	}, nil
}

// offerTTL is how long an offer asked to expire in expiresIn seconds may
// be redeemed.
func offerTTL(expiresIn int64) (time.Duration, error) {
	if expiresIn == 0 {
		return OfferDefaultTTL, nil
	}
	if expiresIn < 60 || expiresIn > int64(OfferMaxTTL/time.Second) {
		return 0, errs.BadRequest("offer.invalid", "expiresIn must be 60 to %d seconds", int64(OfferMaxTTL/time.Second))
	}
	return time.Duration(expiresIn) * time.Second, nil
}

// offerCredential builds the credential an offer issues from the request:
// the given credential, or one of the given claims, with the instance's
// issuer and types. One built of claims names the undefined-terms context
// last (VC DM 2.0 §5.2): no context defines the claims nor, in general,
// the instance's types. credentialSubject.id stays absent: the wallet's DID
// becomes it.
func offerCredential(req *api.OfferRequest, in *Instance) (json.RawMessage, error) {
	bad := func(format string, args ...any) error { return errs.BadRequest("offer.invalid", format, args...) }
	var doc map[string]any
	switch {
	case len(req.Credential) > 0 && len(req.Claims) > 0:
		return nil, bad("give credential or claims, not both")
	case len(req.Credential) > 0:
		if err := json.Unmarshal(req.Credential, &doc); err != nil || doc == nil {
			return nil, bad("credential must be a JSON object")
		}
	case len(req.Claims) > 0:
		var claims map[string]any
		if err := json.Unmarshal(req.Claims, &claims); err != nil || claims == nil {
			return nil, bad("claims must be a JSON object")
		}
		doc = map[string]any{"@context": []any{contextV2, contextUndefinedTerms}, "type": []any{typeVerifiableCredential}, "credentialSubject": claims}
	default:
		return nil, bad("credential or claims is required")
	}
	subj, ok := doc["credentialSubject"].(map[string]any)
	if !ok {
		return nil, bad("the credential needs one credentialSubject object")
	}
	if _, has := subj["id"]; has {
		return nil, bad("credentialSubject.id must be absent: the wallet's DID becomes it")
	}
	if v, has := doc["issuer"]; has && v != in.Issuer {
		return nil, bad("the issuer must be absent or the instance's issuer %s", in.Issuer)
	}
	doc["issuer"] = in.Issuer
	if len(in.Types) > 0 {
		types, _ := doc["type"].([]any)
		for _, t := range in.Types {
			if !slices.Contains(types, any(t)) {
				types = append(types, t)
			}
		}
		doc["type"] = types
	}
	return json.Marshal(doc)
}

// txCode returns the transaction code an offer asks for and its
// description in the offer.
func txCode(t *api.OfferTxCode) (string, *TxCode, error) {
	mode := t.InputMode
	if mode == "" {
		mode = "numeric"
	}
	if mode != "numeric" && mode != "text" {
		return "", nil, errs.BadRequest("offer.invalid", "txCode.inputMode must be \"numeric\" or \"text\"")
	}
	if len(t.Description) > 300 {
		return "", nil, errs.BadRequest("offer.invalid", "txCode.description is at most 300 characters")
	}
	value := t.Value
	if value == "" {
		n := t.Length
		if n == 0 {
			n = 6
		}
		if n < 4 || n > 16 {
			return "", nil, errs.BadRequest("offer.invalid", "txCode.length must be 4 to 16")
		}
		value = randomCode(n, mode)
	} else if err := checkTxCode(value, t.Length, mode); err != nil {
		return "", nil, err
	}
	return value, &TxCode{InputMode: mode, Length: len(value), Description: t.Description}, nil
}

// randomCode draws a transaction code of n digits or, in mode text, of
// letters and digits that are not easily confused.
func randomCode(n int, mode string) string {
	alphabet := "0123456789"
	if mode == "text" {
		alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	}
	b := make([]byte, n)
	for i := range b {
		v, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet)))) // never fails (crypto/rand.Reader)
		b[i] = alphabet[v.Int64()]
	}
	return string(b)
}

// checkTxCode checks a transaction code the caller chose.
func checkTxCode(value string, length int, mode string) error {
	if length != 0 && length != len(value) {
		return errs.BadRequest("offer.invalid", "txCode.length does not match the value's length")
	}
	if len(value) < 4 || len(value) > 16 {
		return errs.BadRequest("offer.invalid", "txCode.value must be 4 to 16 characters")
	}
	for _, c := range value {
		if mode == "numeric" && (c < '0' || c > '9') || c < '!' || c > '~' {
			return errs.BadRequest("offer.invalid", "txCode.value must be digits (or, with inputMode text, printable ASCII without spaces)")
		}
	}
	return nil
}

// ownOffer returns acct's offer id (any offer for the admin).
func (iss *Issuer) ownOffer(acct Account, id string) (*OfferRecord, error) {
	var rec OfferRecord
	err := iss.store.Get(OfferKey(id), &rec)
	if errors.Is(err, ErrNotFound) || err == nil && rec.Account != acct.Name && !acct.Admin {
		return nil, errs.New(http.StatusNotFound, "offer.notFound", "no offer %q for this account", id)
	}
	if err != nil {
		return nil, err
	}
	return &rec, nil
}

// OfferStatus reports the state of acct's offer id.
func (iss *Issuer) OfferStatus(base string, acct Account, id string) (*api.OfferStatus, error) {
	rec, err := iss.ownOffer(acct, id)
	if err != nil {
		return nil, err
	}
	state := rec.State
	if rec.open() && time.Now().After(rec.Expires) {
		state = StateExpired
	}
	return &api.OfferStatus{
		ID: rec.ID, Instance: rec.Instance, CredentialIssuer: IssuerURL{base, rec.Account, rec.Instance}.String(), State: state,
		TxCodeRequired: rec.TxHash != "", Issued: rec.Issued, Created: rec.Created, Expires: rec.Expires,
	}, nil
}

// OfferLink returns the deep link by reference (§4.1.3) of acct's offer
// id, the link its QR code carries.
func (iss *Issuer) OfferLink(base string, acct Account, id string) (string, error) {
	rec, err := iss.ownOffer(acct, id)
	if err != nil {
		return "", err
	}
	return OfferRefURI(IssuerURL{base, rec.Account, rec.Instance}.String() + "/offers/" + rec.ID), nil
}

// Offer is the offer id served by reference (§4.1.3) at the issuer u,
// while it may be redeemed.
func (iss *Issuer) Offer(u IssuerURL, id string) (*CredentialOffer, error) {
	var rec OfferRecord
	err := iss.store.Get(OfferKey(id), &rec)
	if err == nil && (rec.Account != u.Account || rec.Instance != u.Instance || rec.State != StateOffered || time.Now().After(rec.Expires)) {
		err = ErrNotFound
	}
	if errors.Is(err, ErrNotFound) {
		return nil, errs.New(http.StatusNotFound, "offer.notFound", "no credential offer here: it was never made, was redeemed or has expired")
	}
	if err != nil {
		return nil, err
	}
	return rec.offer(u.String()), nil
}
