package oid4vci

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/txn"
)

// ParseCredentialRequest reads the JSON of a credential request (§8.2);
// its members are checked by Issue. A body that is not a JSON object, or
// names a member twice in any object (which credential_configuration_id
// or proof would be issued for depends on the reader), is
// invalid_credential_request.
func ParseCredentialRequest(body []byte) (*CredentialRequest, error) {
	var req CredentialRequest
	if err := txn.DecodeLenient(body, &req); err != nil {
		return nil, Errorf(ErrInvalidCredentialRequest, "the body is not a credential request object: %v", err)
	}
	return &req, nil
}

// Access is what an access token gives: the right to the credentials of
// one redeemed offer, at one credential issuer.
type Access struct {
	url IssuerURL
	in  *Instance
	rec OfferRecord
}

// Authorize checks the access token of a credential request to the issuer
// u (RFC 6750 §2.1): one the token endpoint issued for an offer of u that
// is redeemed and not yet collected, within AccessTokenTTL. Anything else
// is invalid_token; a u where no credential issuer is, whatever the token,
// the 404 of Known.
func (iss *Issuer) Authorize(u IssuerURL, token string) (*Access, error) {
	in, err := iss.instance(u)
	if err != nil {
		return nil, err
	}
	if token == "" {
		return nil, Errorf(ErrInvalidToken, "an access token from the token endpoint is required: Authorization: Bearer <token>")
	}
	var idx OfferIndex
	if err := iss.store.Get(TokenKey(hashHex(token)), &idx); errors.Is(err, ErrNotFound) {
		return nil, errBadToken()
	} else if err != nil {
		return nil, err
	}
	var rec OfferRecord
	if err := iss.store.Get(OfferKey(idx.Offer), &rec); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, errBadToken()
		}
		return nil, err
	}
	if rec.State != StateRedeemed || rec.TokenHash != hashHex(token) || time.Now().After(rec.TokenExpires) ||
		rec.Account != u.Account || rec.Instance != u.Instance {
		return nil, errBadToken()
	}
	return &Access{url: u, in: in, rec: rec}, nil
}

func errBadToken() error {
	return Errorf(ErrInvalidToken, "the access token is not valid: unknown, used or expired")
}

// boundKey is a wallet key a proof proved possession of, and the DID the
// credential names as its subject.
type boundKey struct {
	subject string
	key     keys.PublicKey
}

// Issue is the credential endpoint (§8): one credential per JWT key proof
// of req, each bound to its key, issued once for the offer a's token
// redeemed. The offer moves redeemed → issuing → issued; a failed
// issuance returns it to redeemed and is credential_request_denied, naming
// only the failure's code (never a claim).
func (iss *Issuer) Issue(ctx context.Context, a *Access, req *CredentialRequest) (*CredentialResponse, error) {
	if err := checkRequest(req, a.rec.Config); err != nil {
		return nil, err
	}
	bound, err := iss.bindProofs(ctx, a, req.Proofs.JWT)
	if err != nil {
		return nil, err
	}
	cur, err := iss.claim(&a.rec)
	if err != nil {
		return nil, err
	}
	out := &CredentialResponse{Credentials: make([]IssuedCredential, 0, len(bound))}
	for _, b := range bound {
		var c json.RawMessage
		if c, err = iss.issueOne(ctx, a, cur.Cred, b.subject); err != nil {
			break
		}
		out.Credentials = append(out.Credentials, IssuedCredential{Credential: c})
	}
	iss.offers.Lock()
	defer iss.offers.Unlock()
	if err != nil {
		// The claims stay out of the answer and the log: only the code.
		slog.WarnContext(ctx, "oid4vci: issuance to a wallet failed", "offer", cur.ID, "code", errs.Code(err))
		cur.State = StateRedeemed
		if perr := iss.store.Put(OfferKey(cur.ID), cur, true); perr != nil {
			return nil, perr
		}
		return nil, Errorf(ErrCredentialRequestDenied, "the issuer could not issue the credential (%s)", errs.Code(err))
	}
	cur.State = StateIssued
	cur.Issued = len(out.Credentials)
	if err := iss.endOffer(cur); err != nil {
		return nil, err
	}
	return out, nil
}

// checkRequest checks a credential request's members for the offer's
// credential configuration config.
func checkRequest(req *CredentialRequest, config string) error {
	switch {
	case req.CredentialIdentifier != "":
		return Errorf(ErrUnknownCredentialIdentifier, "this issuer issues no credential identifiers; name the credential_configuration_id")
	case req.CredentialConfigurationID == "":
		return Errorf(ErrInvalidCredentialRequest, "credential_configuration_id is required")
	case req.CredentialConfigurationID != config:
		return Errorf(ErrUnknownCredentialConfiguration, "the offer is for credential configuration %q", config)
	case len(req.CredentialResponseEncrypt) > 0:
		return Errorf(ErrInvalidEncryptionParameters, "this issuer does not encrypt credential responses")
	case len(req.Proof) > 0:
		return Errorf(ErrInvalidCredentialRequest, "\"proof\" was removed in OpenID4VCI 1.0: send \"proofs\": {\"jwt\": [...]}")
	case req.Proofs == nil || len(req.Proofs.JWT) == 0:
		return Errorf(ErrInvalidProof, "key proofs are required: \"proofs\": {\"jwt\": [...]}, one per credential")
	case len(req.Proofs.JWT) > BatchSize:
		return Errorf(ErrInvalidCredentialRequest, "at most %d proofs (batch_size) per request", BatchSize)
	}
	return nil
}

// bindProofs checks each key proof — form, claims, key and signature —
// then consumes their nonces, and returns the keys they bind.
func (iss *Issuer) bindProofs(ctx context.Context, a *Access, proofs []string) ([]boundKey, error) {
	issuer := a.url.String()
	check := ProofCheck{Audience: issuer, Now: time.Now(), MaxAge: ProofMaxAge, Skew: time.Minute}
	bound := make([]boundKey, 0, len(proofs))
	var nonces []string
	for i, t := range proofs {
		p, err := ParseProof(t, check)
		if err != nil {
			return nil, proofError(i, err)
		}
		b, err := iss.proofKey(ctx, p, a.in.Format == FormatSDJWT)
		if err != nil {
			return nil, proofError(i, err)
		}
		if err := p.Verify(b.key); err != nil {
			return nil, proofError(i, err)
		}
		bound = append(bound, b)
		if !slices.Contains(nonces, p.Nonce) {
			nonces = append(nonces, p.Nonce)
		}
	}
	for _, n := range nonces {
		if !iss.consumeNonce(issuer, n) {
			return nil, Errorf(ErrInvalidNonce, "the proof's nonce is not a fresh c_nonce of this issuer: get one from the nonce endpoint")
		}
	}
	return bound, nil
}

// claim moves the offer rec was read as from redeemed to issuing, unless
// another request did first, and returns it as stored.
func (iss *Issuer) claim(rec *OfferRecord) (*OfferRecord, error) {
	iss.offers.Lock()
	defer iss.offers.Unlock()
	var cur OfferRecord
	if err := iss.store.Get(OfferKey(rec.ID), &cur); err != nil {
		return nil, err
	}
	if cur.State != StateRedeemed || cur.TokenHash != rec.TokenHash {
		return nil, errBadToken()
	}
	cur.State = StateIssuing
	if err := iss.store.Put(OfferKey(cur.ID), cur, true); err != nil {
		return nil, err
	}
	return &cur, nil
}

// issueOne issues the offer's credential template for subject.
func (iss *Issuer) issueOne(ctx context.Context, a *Access, tmpl json.RawMessage, subject string) (json.RawMessage, error) {
	var doc map[string]any
	if err := json.Unmarshal(tmpl, &doc); err != nil {
		return nil, err
	}
	subj, _ := doc["credentialSubject"].(map[string]any)
	if subj == nil {
		return nil, errors.New("stored offer credential has no credentialSubject")
	}
	subj["id"] = subject
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return iss.backend.Issue(ctx, a.in, body, a.url.Base)
}

// proofError numbers a proof's error in a batch.
func proofError(i int, err error) error {
	var oe *Error
	if errors.As(err, &oe) {
		return &Error{Code: oe.Code, Description: "proofs.jwt[" + strconv.Itoa(i) + "]: " + oe.Description}
	}
	return err
}

// proofKey returns the key a proof names and the DID the credential is
// bound to: the did:jwk of a "jwk", or the DID of a "kid", which must be
// one of its DID's authentication methods. An SD-JWT VC binds its
// subject's first authentication key as cnf, so for one the proof's key
// must be that key.
func (iss *Issuer) proofKey(ctx context.Context, p *Proof, sdjwtBinding bool) (boundKey, error) {
	if p.Kid == "" {
		d, err := did.JWKDID(p.JWK)
		if err != nil {
			return boundKey{}, Errorf(ErrInvalidProof, "\"jwk\" has no did:jwk")
		}
		return boundKey{subject: d, key: p.Key}, nil
	}
	u, _ := did.ParseDIDURL(p.Kid)
	doc, err := iss.backend.Resolve(ctx, u.DID)
	if err != nil || doc == nil {
		return boundKey{}, Errorf(ErrInvalidProof, "the DID of \"kid\" does not resolve")
	}
	vm, ok := doc.Method(p.Kid)
	if !ok || !doc.HasRelationship("authentication", vm.ID) {
		return boundKey{}, Errorf(ErrInvalidProof, "\"kid\" is not an authentication method of its DID")
	}
	pk, err := vm.PublicKey()
	if err != nil {
		return boundKey{}, Errorf(ErrInvalidProof, "the method \"kid\" names has no usable public key")
	}
	if sdjwtBinding && vm.ID != firstAuthentication(doc) {
		return boundKey{}, Errorf(ErrInvalidProof, "an SD-JWT VC is bound to its subject DID's first authentication key: sign the proof with it")
	}
	return boundKey{subject: u.DID, key: pk}, nil
}

// firstAuthentication is the id of doc's first verification method that
// is an authentication method.
func firstAuthentication(doc *did.Document) string {
	for _, vm := range doc.VerificationMethod {
		if doc.HasRelationship("authentication", vm.ID) {
			return vm.ID
		}
	}
	return ""
}
