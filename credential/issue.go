package credential

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/strictjson"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/schemas"
)

// Signer is an issuer: its DID, the DID URL of the verification method
// whose key signs (it must be in the DID's assertionMethod for the
// credential to verify), and that key.
type Signer struct {
	DID                string
	VerificationMethod string
	Key                *keys.PrivateKey
	// Declared, when not nil, is the "declared" issuer policy: the
	// credential may name as its issuer a URL other than DID, which the
	// issuer "selects … to identify itself" (VC Data Model 2.0 §4.7),
	// such as an institution's https URL or organisation DID while a
	// platform key signs. Declared resolves the DIDs weid can resolve
	// offline (did:key, did:jwk, did:weid of the ledger): such an issuer
	// must authorize VerificationMethod (checkIssuer). nil is the
	// default policy, "signer": the credential's issuer must be DID.
	Declared *did.Resolver
}

// checkIssuer refuses a credential whose issuer s may not sign for: under
// the default policy any issuer but s.DID (400 credential.issuerMismatch);
// under the declared policy a DID issuer that weid resolves offline and
// whose document does not list s.VerificationMethod in assertionMethod
// (400 credential.issuerNotAuthorized). Controlled Identifiers 1.0 §2.3
// and DID Core 1.0 §5.3 let a document's verification relationships
// reference methods defined in other documents, so such a reference is
// how a DID delegates its assertions to another's key; a did:key other
// than the signer can never do so, nor can a did:weid whose document
// lists none of the signer's methods. Any other URL — an https URL, a DID
// of a method weid cannot resolve offline (did:example, did:web) — is the
// caller's claim, issued as declared, and verifiers judge it (their
// issuerBinding check).
func (s Signer) checkIssuer(c *Credential) error {
	if c.Issuer == s.DID {
		return nil
	}
	if s.Declared == nil {
		return errs.BadRequest("credential.issuerMismatch", "the credential's issuer %q is not the signer %s", truncate(c.Issuer, 200), s.DID)
	}
	if _, err := did.ParseDID(c.Issuer); err != nil {
		return nil // a URL that is not a DID: declared
	}
	// Offline resolution (did:key, did:jwk, the ledger): nothing blocks.
	res, err := s.Declared.Resolve(context.Background(), c.Issuer, did.Options{})
	switch {
	case errors.Is(err, did.ErrMethodNotSupported):
		return nil // a method weid does not resolve offline: declared
	case err != nil:
		return errs.BadRequest("credential.issuerNotAuthorized", "the credential's issuer %s does not resolve (%v): a DID issuer weid resolves must list the signing key %s in its assertionMethod", truncate(c.Issuer, 200), err, s.VerificationMethod)
	case res.Document == nil || !res.Document.HasRelationship(relAssertionMethod, s.VerificationMethod):
		return errs.BadRequest("credential.issuerNotAuthorized", "the credential's issuer %s does not list the signing key %s in its assertionMethod (Controlled Identifiers 1.0 §2.3): it has not authorized this signer", truncate(c.Issuer, 200), s.VerificationMethod)
	}
	return nil
}

// IssueOptions are optional checks of IssueJWT.
type IssueOptions struct {
	// State is the ledger state schemas are read from. When it is nil,
	// the claims are not checked against any schema.
	State chain.Reader
	// Schemas caches compiled schemas; nil uses a fresh validator.
	Schemas *schemas.Validator
	// Status is, for an SD-JWT VC only, its "status" claim: a Token
	// Status List reference {"status_list": {"idx", "uri"}}
	// (draft-ietf-oauth-status-list-17 §6.2), nil for none.
	Status map[string]any
}

// IssueJWT checks cred (the JSON of an unsecured credential) and secures it
// as a vc+jwt compact JWS signed by s (VC-JOSE-COSE §3.1.1: the payload is
// the credential itself).
//
// The credential must have a valid VC Data Model 2.0 structure (Parse) and
// name s.DID as its issuer (or, under s.Declared, an issuer checkIssuer
// accepts). validFrom is set to now (UTC, to the second)
// if absent. If opts.State is set and the credential names weid schemas
// (SchemaRef.WeidSchema), each credentialSubject is validated against each
// of them, as WeIdentity checks claims against their CPT: weid schemas
// constrain the claims, not the whole credential.
//
// Errors are *errs.Error: 413 credential.tooLarge, 400 credential.invalid,
// 400 credential.invalidSigner, 400 credential.issuerMismatch or
// credential.issuerNotAuthorized (checkIssuer), and from
// the schema registry 422 schema.violation, 404 schema.notFound and 400
// schema.invalidClaims; any other error is a failure of this side (a
// storage error reading the schema, say).
func IssueJWT(s Signer, cred json.RawMessage, now time.Time, opts IssueOptions) (string, error) {
	if len(cred) > MaxCredentialBytes {
		return "", errs.New(http.StatusRequestEntityTooLarge, "credential.tooLarge", "the credential is larger than %d bytes", MaxCredentialBytes)
	}
	if err := s.check(); err != nil {
		return "", err
	}
	c, err := s.issuableV2(cred, true, "vc+jwt secures VC 2.0 credentials (VC-JOSE-COSE)")
	if err != nil {
		return "", err
	}
	if c.ValidFrom.IsZero() {
		c.ValidFrom = now.UTC().Truncate(time.Second)
		c.Doc["validFrom"] = c.ValidFrom.Format(time.RFC3339)
		if !c.ValidUntil.IsZero() && c.ValidUntil.Before(c.ValidFrom) {
			return "", errs.BadRequest("credential.invalid", "%v: \"validUntil\" is before the issuance time %s", ErrInvalid, c.Doc["validFrom"])
		}
	}
	if opts.State != nil {
		if err := validateClaims(opts.Schemas, opts.State, c); err != nil {
			return "", err
		}
	}
	payload, err := strictjson.Marshal(c.Doc)
	if err != nil {
		return "", fmt.Errorf("issue credential: %w", err)
	}
	if len(payload) > MaxCredentialBytes {
		return "", errs.New(http.StatusRequestEntityTooLarge, "credential.tooLarge", "the credential is larger than %d bytes", MaxCredentialBytes)
	}
	tok, err := SignJWS(s.Key, s.VerificationMethod, payload)
	if err != nil {
		return "", fmt.Errorf("issue credential: %w", err)
	}
	return tok, nil
}

// issuableV2 parses cred for the JOSE formats (vc+jwt, dc+sd-jwt): a
// credential issuable as it stands (and, with terms, whose JSON-LD terms are
// defined), of VC Data Model 2.0 — a VC 1.1 one is refused with what the
// format secures and the advice to use a Data Integrity proof —, whose
// issuer s may sign (checkIssuer).
func (s Signer) issuableV2(cred json.RawMessage, terms bool, secures string) (*Credential, error) {
	c, err := Parse(cred)
	if err == nil {
		err = issuable(c)
	}
	if err == nil && terms {
		err = checkTerms(c.Doc, false)
	}
	if err != nil {
		return nil, errs.Wrap(http.StatusBadRequest, "credential.invalid", err)
	}
	if c.Version != 2 {
		return nil, errs.BadRequest("credential.invalid", "%v: %s; secure a VC 1.1 credential with a Data Integrity proof", ErrInvalid, secures)
	}
	return c, s.checkIssuer(c)
}

// issuable checks a parsed credential for what Parse does not, before any
// securing mechanism signs it: the undefined-terms context, when named,
// is the last value of @context (VC Data Model 2.0 §5.2), and the
// relatedResource digests of resources weid has must match them (§5.3),
// or the credential would never verify.
func issuable(c *Credential) error {
	if err := undefinedTermsLast(c.Doc["@context"]); err != nil {
		return err
	}
	return checkRelatedDigests(c)
}

// undefinedTermsLast refuses an @context that names the undefined-terms
// context anywhere but last. VC Data Model 2.0 §5.2: a conforming
// document that uses terms its contexts do not define "MUST include the
// https://www.w3.org/ns/credentials/undefined-terms/v2 as the last value
// in the @context property"; naming it is how a credential declares such
// terms, so one that names it elsewhere is refused at issuance rather
// than signed in a form the Recommendation does not read. Verification
// does not apply the rule: what was signed is judged by its proof.
func undefinedTermsLast(ctx any) error {
	list, ok := ctx.([]any)
	if !ok {
		return nil
	}
	for i, v := range list {
		if v == ContextUndefinedTerms && i != len(list)-1 {
			return fmt.Errorf("%w: @context names %q as value %d of %d; VC Data Model 2.0 §5.2 has it as the last value", ErrInvalid, ContextUndefinedTerms, i+1, len(list))
		}
	}
	return nil
}

// check reports a signer that could not produce a credential that
// verifies.
func (s Signer) check() error {
	if s.Key == nil {
		return errs.BadRequest("credential.invalidSigner", "no signing key")
	}
	if _, err := jose.AlgFor(s.Key.Type()); err != nil {
		return errs.BadRequest("credential.invalidSigner", "%v", err)
	}
	if _, err := did.ParseDID(s.DID); err != nil {
		return errs.BadRequest("credential.invalidSigner", "signer DID: %v", err)
	}
	u, err := did.ParseDIDURL(s.VerificationMethod)
	if err != nil || u.Fragment == "" || u.Path != "" || u.Query != "" {
		return errs.BadRequest("credential.invalidSigner", "verification method %q must be a DID URL with a fragment", truncate(s.VerificationMethod, 200))
	}
	if u.DID != s.DID {
		return errs.BadRequest("credential.invalidSigner", "verification method %s is not a method of %s", s.VerificationMethod, s.DID)
	}
	return nil
}

// CheckClaims validates a credential's claims against the weid schemas it
// names, as IssueJWT does before signing; other securing mechanisms call it
// before they sign. Errors are those of IssueJWT.
func CheckClaims(cred json.RawMessage, opts IssueOptions) error {
	c, err := Parse(cred)
	if err != nil {
		return errs.Wrap(http.StatusBadRequest, "credential.invalid", err)
	}
	if opts.State == nil {
		return nil
	}
	return validateClaims(opts.Schemas, opts.State, c)
}

// validateClaims validates every credentialSubject against every weid
// schema c names.
func validateClaims(v *schemas.Validator, st chain.Reader, c *Credential) error {
	if v == nil {
		v = schemas.NewValidator(0)
	}
	for _, ref := range c.Schemas {
		id, version, ok := ref.WeidSchema()
		if !ok {
			continue
		}
		for _, subj := range c.Subjects {
			if err := v.Validate(st, id, version, subj); err != nil {
				return err
			}
		}
	}
	return nil
}
