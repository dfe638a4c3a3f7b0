package credential

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/schemas"
)

// Names of the checks VerifyJWT makes, in the order it reports them.
const (
	CheckStructure      = "structure"
	CheckProof          = "proof"
	CheckIssuerBinding  = "issuerBinding"
	CheckAccreditation  = "accreditation"
	CheckValidityPeriod = "validityPeriod"
	CheckSchema         = "schema"
	CheckStatus         = "status"
)

// CheckNames lists every check in the order VerifyJWT reports them.
var CheckNames = []string{CheckStructure, CheckProof, CheckIssuerBinding, CheckAccreditation, CheckValidityPeriod, CheckSchema, CheckStatus, CheckRelatedResource}

// Outcomes of a check.
const (
	StatusPassed  = "passed"
	StatusFailed  = "failed"
	StatusWarning = "warning"
	StatusSkipped = "skipped"
)

// Check is api.Check.
type Check = api.Check

// Result is what VerifyJWT found: its wire form (api.VerifyResult: Checks
// has one entry per check, in the order of CheckNames; Warnings and Errors
// repeat those with status warning and failed; Verified is true when no
// check failed) and Err.
type Result struct {
	api.VerifyResult
	// Err is set when a check could not be made because of a failure on
	// the verifier's side (reading the ledger, a cancelled context, a
	// resolver's internal error), not because of the credential: that
	// check is reported failed, and a server should answer with a 5xx
	// rather than present the credential as rejected.
	Err error `json:"-"`
	// StateProof, set by a verifier reading a ProvenState
	// (NewProvenVerifier), names the block its ledger reads were proven
	// against and who signed it.
	StateProof *api.ProvenRead `json:"stateProof,omitempty"`
}

// Policy makes some findings fatal.
type Policy struct {
	// RequireAccreditation fails the accreditation check (instead of
	// warning) unless the issuer is an authority issuer accredited for the
	// credential's types and schemas; it implies RequireBinding.
	RequireAccreditation bool
	// RequireBinding fails the issuerBinding check (instead of warning)
	// when the issuer is not a DID, so that nothing ties it to the key.
	RequireBinding bool
	// ProofPurpose, when set, is the proofPurpose every Data Integrity
	// proof of the credential must have instead of assertionMethod (VC
	// Data Integrity §4.4 Verify Proof, expectedProofPurpose); its key
	// must then be in that relationship of its DID document.
	ProofPurpose string
	// Challenge and Domain, when set, must equal every Data Integrity
	// proof's challenge and domain (VC Data Integrity §4.4: a domain
	// array must contain Domain). A vc+jwt or SD-JWT has neither.
	Challenge, Domain string
}

// Verifier verifies vc+jwt credentials. It is safe for concurrent use if
// its Resolver, State and Schemas are.
type Verifier struct {
	// Resolver resolves the DID of the JWS's kid.
	Resolver *did.Resolver
	// State is the ledger state the trust registry and schemas are read
	// from; nil means neither can be consulted (accreditation and schema
	// checks then warn).
	State chain.Reader
	// Schemas caches compiled schemas; nil uses a fresh validator per call.
	Schemas *schemas.Validator
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// ClockSkew is the tolerance of the validity period checks (0: none).
	ClockSkew time.Duration
	// Status reads credentialStatus entries; nil leaves them unchecked
	// (a warning).
	Status StatusChecker
	// TokenStatus gives the Status List Tokens an SD-JWT VC's "status"
	// claim refers to (Token Status List); nil leaves them unchecked (a
	// warning).
	TokenStatus TokenStatusSource

	// ed decides Ed25519 proof signatures: nil means keys.ZIP215; a
	// batch sets a collector that defers them (batch.go).
	ed keys.Ed25519Verifier
	// dids, when set, caches latest-version resolutions (batch.go).
	dids *didCache
	// memo, when set, keeps parsed kids and keys (batch.go).
	memo *memo
	// proven, when set, is State read through proofs (proven.go).
	proven ProvenState
}

// VerifyJWT verifies a vc+jwt compact JWS and reports each check:
//
//   - structure: the token is a compact JWS ParseJWS accepts and its
//     payload a credential Parse accepts. When it fails, the other checks
//     are skipped.
//   - proof: the kid is a DID URL; its DID resolves; the verification
//     method is in the document's assertionMethod; its key, of the type
//     "alg" names, verifies the signature. For did:weid, when the latest
//     document no longer has the method (the key was rotated or removed),
//     the document as of issuance is used: the version current at the
//     credential's iat or, without one, its validFrom. A credential
//     dated after the key left the document fails. (A holder of a
//     retired key can still back-date a credential; that is inherent in
//     "as of issuance" without a timestamping authority.) A deactivated
//     DID fails: its credentials no longer verify.
//   - issuerBinding: a DID issuer must be the kid's DID, or list the kid
//     in its own assertionMethod (Controlled Identifiers 1.0 §2.3: by
//     reference); otherwise the credential is forged: failed. An issuer
//     that is not a DID is a warning, failed under Policy.RequireBinding.
//   - accreditation: the issuer is an authority issuer of the ledger's
//     trust registry (authz.AuthorityIssuer) accredited for each of the
//     credential's types other than VerifiableCredential and for each weid
//     schema it names (authz.Issuer.AccreditedFor), as the registry is
//     now. Otherwise a warning, failed under Policy.RequireAccreditation.
//   - validityPeriod: validFrom ≤ now+ClockSkew and now−ClockSkew ≤
//     validUntil, and the same for the JWT claims nbf and exp if present;
//     skipped if the credential has none of them.
//   - schema: each credentialSubject conforms to each weid schema the
//     credential names (SchemaRef.WeidSchema), read from State: a schema
//     that does not exist or claims that do not conform fail. Schemas that
//     are not weid schemas are not checked (warning); no schema: skipped.
//   - status: each credentialStatus entry is read by the Verifier's
//     StatusChecker: a revoked or suspended credential fails; an entry the
//     checker does not know (not a status list of this ledger, or no
//     checker) is a warning; without credentialStatus the check is
//     skipped.
//   - relatedResource: the digests of each relatedResource entry that
//     names a resource weid has (an embedded @context document) match its
//     bytes (VC Data Model 2.0 §5.3); entries naming other resources are
//     not retrieved, a warning; without relatedResource, skipped.
//
// A compact JWT whose "typ" is JWT or absent is a VC-JWT of VC Data Model
// 1.1 §6.3.1 (a "vc" claim holding the credential, VC 1.1 or 2.0), read
// by legacyCredential and checked the same way.
//
// VerifyJWT never panics on any token and returns no error for a bad
// credential: everything is in the Result.
func (v *Verifier) VerifyJWT(ctx context.Context, token string, p Policy) *Result {
	r := newResult()
	j, err := ParseJWS(token)
	if err != nil {
		if lj, legacy := legacyJWT(token); legacy {
			return v.verifyLegacyJWT(ctx, lj, p)
		}
	}
	var c *Credential
	if err == nil {
		// j is this function's: its payload, decoded from token, is
		// never written.
		c, err = parse(j.Payload, true)
	}
	if err == nil && c.Version != 2 {
		err = fmt.Errorf("%w: a vc+jwt payload must be a VC 2.0 credential (VC-JOSE-COSE §3.1.1)", ErrInvalid)
	}
	var undefined []string
	if err == nil {
		undefined, err = verifiedTerms(c.Doc, false, false)
	}
	if err != nil {
		r.structureFailed(err)
		return r
	}
	r.Credential = c.Doc
	r.structurePassed("vc+jwt", "a VC Data Model 2.0 credential secured as a vc+jwt JWS ("+j.Header.Alg+")", undefined)
	v.claims(ctx, r, c, v.proof(ctx, r, j, c), p)
	return r
}

// signedBy is who made a credential's proof: the DID of its key and the
// key's DID URL (Key, "" when no single key stands for the proof, as for
// a holder claim secured by the presentation's proof).
type signedBy struct{ DID, Key string }

// claims runs the checks that follow the proof — issuerBinding,
// accreditation, validityPeriod, schema and status — for a credential
// whose proof was made by signer, and finishes r. Every securing
// mechanism ends with it, so that they share one policy.
func (v *Verifier) claims(ctx context.Context, r *Result, c *Credential, signer signedBy, p Policy) {
	bound := v.binding(ctx, r, c, signer, p.RequireBinding || p.RequireAccreditation)
	v.accreditation(r, c, bound, p.RequireAccreditation)
	v.validity(r, c)
	v.schema(r, c)
	v.status(r, c)
	v.relatedResource(r, c)
	r.finish()
}

// addCode records a check outcome with its code and parameters
// (codes.go).
func (r *Result) addCode(name, status, code string, p map[string]string, detail string) {
	r.Checks = append(r.Checks, Check{Name: name, Status: status, Code: code, Params: p, Detail: detail})
}

// internal records an error of the verifier's side.
func (r *Result) internal(err error) {
	if r.Err == nil {
		r.Err = err
	}
}

func (r *Result) finish() {
	r.Errors, r.Warnings, r.Verified = sortChecks(r.Checks, r.Errors, r.Warnings)
}

// sortChecks gives checks their default codes and appends the failed ones
// to failed and the warnings to warned, each grown once; verified is
// whether none failed.
func sortChecks(checks, failed, warned []Check) (_, _ []Check, verified bool) {
	withDefaultCodes(checks)
	nw, ne := 0, 0
	for _, c := range checks {
		switch c.Status {
		case StatusFailed:
			ne++
		case StatusWarning:
			nw++
		}
	}
	if nw > 0 {
		warned = slices.Grow(warned, nw)
	}
	if ne > 0 {
		failed = slices.Grow(failed, ne)
	}
	for _, c := range checks {
		switch c.Status {
		case StatusFailed:
			failed = append(failed, c)
		case StatusWarning:
			warned = append(warned, c)
		}
	}
	return failed, warned, ne == 0
}

// proof runs the proof check and returns the kid's DID ("" if the kid is
// not a DID URL).
func (v *Verifier) proof(ctx context.Context, r *Result, j *jose.JWS, c *Credential) signedBy {
	fail := func(format string, args ...any) {
		r.addCode(CheckProof, StatusFailed, ReasonProofNoKey, nil, fmt.Sprintf(format, args...))
	}
	kid := j.Header.Kid
	if kid == "" {
		fail("the protected header has no \"kid\" naming the verification method")
		return signedBy{}
	}
	u, err := v.memo.parseDIDURL(kid)
	if err != nil || u.Fragment == "" || u.Path != "" || u.Query != "" {
		fail("\"kid\" %q is not the DID URL of a verification method", truncate(kid, 200))
		return signedBy{}
	}
	at := c.IssuedAt
	if at.IsZero() {
		at = c.ValidFrom
	}
	pk, asOf, ok := v.assertionKey(ctx, r, u, kid, at)
	if !ok {
		return signedBy{DID: u.DID, Key: kid}
	}
	if err := j.Verify(pk); err != nil {
		r.addCode(CheckProof, StatusFailed, ReasonProofBadSignature, params("key", kid), fmt.Sprintf("%s: %v", kid, err))
		return signedBy{DID: u.DID, Key: kid}
	}
	r.addCode(CheckProof, StatusPassed, proofOKCode(asOf), params("key", kid), "the "+j.Header.Alg+" signature verifies with "+kid+asOf)
	return signedBy{DID: u.DID, Key: kid}
}

// assertionKey resolves the key of verification method kid (of DID u),
// which must be in the assertionMethod relationship of its DID document: the
// latest one, or, for did:weid when the key has since left it, the version
// current at issuedAt ("as of issuance"). On failure it records the proof
// check as failed and returns ok false; asOf describes an as-of-issuance
// resolution for the check's detail.
func (v *Verifier) assertionKey(ctx context.Context, r *Result, u did.DIDURL, kid string, issuedAt time.Time) (pk keys.PublicKey, asOf string, ok bool) {
	return v.methodKey(ctx, r, CheckProof, relAssertionMethod, u, kid, issuedAt)
}

// Verification relationships (DID Core §5.3) a proof's key must be in.
const (
	relAssertionMethod = "assertionMethod"
	relAuthentication  = "authentication"
)

// methodKey resolves the key of verification method kid (of DID u) in the
// verification relationship rel, as assertionKey does, recording a failure
// as the check named check. The as-of-issuance fallback applies only when
// at is not zero.
func (v *Verifier) methodKey(ctx context.Context, r *Result, check, rel string, u did.DIDURL, kid string, issuedAt time.Time) (pk keys.PublicKey, asOf string, ok bool) {
	failCode := func(code string, p map[string]string, format string, args ...any) {
		switch check {
		case CheckProof:
		case CheckHolderProof:
			code = holderProofCodes[code]
		default:
			code = "" // a scratch check, not shown (a Status List Token's key)
		}
		r.addCode(check, StatusFailed, code, p, fmt.Sprintf(format, args...))
	}
	if v.Resolver == nil {
		failCode(ReasonProofNoResolver, nil, "no DID resolver is configured")
		return pk, "", false
	}
	resolveErr := func(err error) {
		if errors.Is(err, did.ErrDeactivated) {
			failCode(ReasonProofDeactivated, params("did", u.DID), "the signer's DID %s is deactivated", u.DID)
			return
		}
		if did.ErrorCode(err) == "internalError" {
			r.internal(fmt.Errorf("resolve %s: %w", u.DID, err))
		}
		failCode(ReasonProofUnresolved, params("did", u.DID), "resolving %s: %v", u.DID, err)
	}
	res, err := v.resolveLatest(ctx, u.DID)
	if err != nil {
		resolveErr(err)
		return pk, "", false
	}
	vm, found := relatedMethod(res, rel, kid)
	if !found && u.Method == did.MethodWeid && rel == relAssertionMethod {
		if issuedAt.IsZero() {
			failCode(ReasonProofKeyNotInDoc, params("key", kid, "did", u.DID), "%s is not an assertionMethod of %s, and the credential carries no issuance time (iat, validFrom or proof created) to resolve the DID as of its issuance", kid, u.DID)
			return pk, "", false
		}
		old, err := v.Resolver.Resolve(ctx, u.DID, did.Options{VersionTime: issuedAt})
		if err != nil {
			resolveErr(err)
			return pk, "", false
		}
		if vm, found = relatedMethod(old, rel, kid); !found {
			failCode(ReasonProofKeyNotInDoc, params("key", kid, "did", u.DID), "%s was not an assertionMethod of %s at %s, when the credential says it was issued", kid, u.DID, issuedAt.UTC().Format(time.RFC3339))
			return pk, "", false
		}
		// A key rotated out still verifies what it signed while current,
		// but the date is the signer's word: a key its controller has
		// since declared compromised could have back-dated anything.
		mb := did.CanonicalKey(vm.PublicKeyMultibase)
		for _, c := range res.DocumentMetadata.CompromisedKeys {
			if c.PublicKeyMultibase == mb {
				failCode(ReasonProofCompromised, params("key", kid, "did", u.DID, "since", c.Since), "the key of %s was declared compromised by %s at %s (tx %s): nothing it signed is accepted, whatever date it carries", kid, u.DID, c.Since, c.TxHash)
				return pk, "", false
			}
		}
		asOf = fmt.Sprintf(", as of its issuance (%s, version %s of the DID document; the key is no longer in the latest version)", issuedAt.UTC().Format(time.RFC3339), old.DocumentMetadata.VersionID)
	}
	if !found {
		failCode(ReasonProofKeyNotInDoc, params("key", kid, "did", u.DID), "%s is not an %s method of %s", kid, rel, u.DID)
		return pk, "", false
	}
	if pk, err = v.memo.publicKeyOf(vm); err != nil {
		failCode(ReasonProofBadKey, params("key", kid), "verification method %s: %v", kid, err)
		return pk, "", false
	}
	return pk.WithEd25519Verifier(v.ed25519()), asOf, true
}

// ed25519 returns how the Verifier decides Ed25519 signatures: under
// ZIP-215 rules, alone or deferred into a batch that uses the same rules.
func (v *Verifier) ed25519() keys.Ed25519Verifier {
	if v.ed != nil {
		return v.ed
	}
	return keys.ZIP215
}

// relatedMethod returns verification method kid of a resolved document if
// it is in the verification relationship rel.
func relatedMethod(res *did.ResolutionResult, rel, kid string) (*did.VerificationMethod, bool) {
	if res == nil || res.Document == nil {
		return nil, false
	}
	vm, ok := res.Document.Method(kid)
	if !ok || !res.Document.HasRelationship(rel, kid) {
		return nil, false
	}
	return vm, true
}

// binding runs the issuerBinding check and reports whether it passed: a
// DID issuer must be the signer's DID or, by the rule of Controlled
// Identifiers 1.0 §2.3 and DID Core 1.0 §5.3 (a verification relationship
// may reference a method defined in another document), a DID whose
// document lists the signing key's DID URL in its assertionMethod. That
// resolution is made only when the DIDs differ, so the common case costs
// nothing more.
func (v *Verifier) binding(ctx context.Context, r *Result, c *Credential, signer signedBy, require bool) bool {
	if !strings.HasPrefix(c.Issuer, "did:") {
		st := StatusWarning
		if require {
			st = StatusFailed
		}
		r.addCode(CheckIssuerBinding, st, ReasonBindingNotDID, params("issuer", truncate(c.Issuer, 200)), "the issuer "+truncate(c.Issuer, 200)+" is not a DID: nothing binds it to the signing key")
		return false
	}
	if signer.DID == "" {
		r.addCode(CheckIssuerBinding, StatusFailed, ReasonBindingNoDIDKey, params("issuer", c.Issuer), "the signing key is not named by a DID URL, so it cannot be tied to the issuer "+c.Issuer)
		return false
	}
	if signer.DID == c.Issuer {
		r.addCode(CheckIssuerBinding, StatusPassed, ReasonBindingOK, params("issuer", c.Issuer), "the issuer "+c.Issuer+" is the signer's DID")
		return true
	}
	ok, err := v.authorizes(ctx, c.Issuer, signer.Key)
	switch {
	case ok:
		r.addCode(CheckIssuerBinding, StatusPassed, ReasonBindingByReference, params("issuer", c.Issuer, "key", signer.Key), "the issuer "+c.Issuer+" lists the signing key "+signer.Key+" in its assertionMethod")
		return true
	case err != nil:
		if did.ErrorCode(err) == "internalError" {
			r.internal(fmt.Errorf("resolve %s: %w", c.Issuer, err))
		}
		r.addCode(CheckIssuerBinding, StatusFailed, ReasonBindingUnresolved, params("issuer", c.Issuer, "signer", signer.DID), fmt.Sprintf("the credential names the issuer %s but is signed by a key of %s, and %s does not resolve (%v): nothing shows it authorized that key", c.Issuer, signer.DID, c.Issuer, err))
		return false
	}
	r.addCode(CheckIssuerBinding, StatusFailed, ReasonBindingMismatch, params("issuer", c.Issuer, "signer", signer.DID), "the credential names the issuer "+c.Issuer+" but is signed by a key of "+signer.DID)
	return false
}

// authorizes reports whether the document of DID issuer, resolved now,
// lists the verification method key (a DID URL of another DID) in its
// assertionMethod. An issuer that does not resolve (err, a deactivated
// one included: did.ErrDeactivated) authorizes nothing.
func (v *Verifier) authorizes(ctx context.Context, issuer, key string) (bool, error) {
	if key == "" || v.Resolver == nil {
		return false, nil
	}
	res, err := v.resolveLatest(ctx, issuer)
	if err != nil {
		return false, err
	}
	return res.Document != nil && res.Document.HasRelationship(relAssertionMethod, key), nil
}

// accreditation runs the accreditation check.
func (v *Verifier) accreditation(r *Result, c *Credential, bound, require bool) {
	notOK := func(code string, p map[string]string, detail string) {
		st := StatusWarning
		if require {
			st = StatusFailed
		}
		r.addCode(CheckAccreditation, st, code, p, detail)
	}
	switch {
	case !strings.HasPrefix(c.Issuer, "did:"):
		notOK(ReasonAccreditationNotDID, nil, "the issuer is not a DID, so it is not in the trust registry")
		return
	case !bound:
		notOK(ReasonAccreditationUnbound, nil, "the issuer is not bound to the signing key")
		return
	case v.State == nil:
		notOK(ReasonAccreditationNoRegistry, nil, "no trust registry is available to check the issuer "+c.Issuer)
		return
	}
	is, ok, err := v.authorityIssuer(c.Issuer)
	if err != nil {
		r.internal(fmt.Errorf("read the trust registry: %w", err))
		r.addCode(CheckAccreditation, StatusFailed, ReasonAccreditationUnreadable, nil, "the trust registry could not be read")
		return
	}
	if !ok {
		notOK(ReasonAccreditationNotRecognized, params("issuer", c.Issuer), c.Issuer+" is not a recognized authority issuer")
		return
	}
	var types []string
	for _, t := range c.Types {
		if t != TypeVerifiableCredential {
			types = append(types, t)
		}
	}
	if len(types) == 0 {
		types = []string{""}
	}
	var ids []uint64
	for _, ref := range c.Schemas {
		if id, _, ok := ref.WeidSchema(); ok {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		ids = []uint64{0}
	}
	for _, t := range types {
		for _, id := range ids {
			if !is.AccreditedFor(t, id) {
				what := fmt.Sprintf("type %q", t)
				if t == "" {
					what = "credentials"
				}
				p := params("issuer", c.Issuer, "name", is.Name, "type", t)
				if id != 0 {
					what += fmt.Sprintf(" with schema %d", id)
					p["schema"] = fmt.Sprint(id)
				}
				notOK(ReasonAccreditationNotFor, p, fmt.Sprintf("%s (%s) is an authority issuer but is not accredited for %s", c.Issuer, is.Name, what))
				return
			}
		}
	}
	r.addCode(CheckAccreditation, StatusPassed, ReasonAccreditationOK, params("issuer", c.Issuer, "name", is.Name), c.Issuer+" is an authority issuer ("+is.Name+") accredited for this credential")
}

// validity runs the validityPeriod check.
func (v *Verifier) validity(r *Result, c *Credential) {
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	if c.ValidFrom.IsZero() && c.ValidUntil.IsZero() && c.NotBefore.IsZero() && c.Expires.IsZero() {
		r.addCode(CheckValidityPeriod, StatusSkipped, ReasonValidityNone, nil, "the credential has no validity period")
		return
	}
	f := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	for _, b := range []struct {
		name string
		t    time.Time
	}{{"validFrom", c.ValidFrom}, {"nbf", c.NotBefore}} {
		if !b.t.IsZero() && b.t.After(now.Add(v.ClockSkew)) {
			r.addCode(CheckValidityPeriod, StatusFailed, ReasonValidityNotYet, params("at", f(b.t)), fmt.Sprintf("not valid yet: %s is %s, now is %s", b.name, f(b.t), f(now)))
			return
		}
	}
	for _, e := range []struct {
		name string
		t    time.Time
	}{{"validUntil", c.ValidUntil}, {"exp", c.Expires}} {
		if !e.t.IsZero() && e.t.Before(now.Add(-v.ClockSkew)) {
			r.addCode(CheckValidityPeriod, StatusFailed, ReasonValidityExpired, params("at", f(e.t)), fmt.Sprintf("expired: %s is %s, now is %s", e.name, f(e.t), f(now)))
			return
		}
	}
	r.addCode(CheckValidityPeriod, StatusPassed, ReasonValidityOK, params("now", f(now)), "valid now ("+f(now)+")")
}

// schema runs the schema check.
func (v *Verifier) schema(r *Result, c *Credential) {
	if len(c.Schemas) == 0 {
		r.addCode(CheckSchema, StatusSkipped, ReasonSchemaNone, nil, "the credential names no credentialSchema")
		return
	}
	var checked, unchecked, disclosed []string
	val := v.Schemas // a fresh validator if nil, made when first needed
	for _, ref := range c.Schemas {
		id, version, ok := ref.WeidSchema()
		if !ok || v.State == nil {
			unchecked = append(unchecked, truncate(ref.ID, 200))
			continue
		}
		if c.withheld != 0 {
			// The holder withheld claims: a schema's required claims
			// may be among them. The issuer validated them all at
			// issuance; check the schema exists.
			if _, err := schemas.Get(v.State, id, version); err != nil {
				if e, isErr := errs.As(err); isErr && e.Status < 500 {
					r.addCode(CheckSchema, StatusFailed, ReasonSchemaNotFound, params("schema", truncate(ref.ID, 200)), fmt.Sprintf("credentialSchema %s: %s", truncate(ref.ID, 200), e.Detail))
				} else {
					r.internal(fmt.Errorf("read schema %d: %w", id, err))
					r.addCode(CheckSchema, StatusFailed, ReasonSchemaUnreadable, params("schema", truncate(ref.ID, 200)), fmt.Sprintf("schema %d could not be read", id))
				}
				return
			}
			disclosed = append(disclosed, ref.ID)
			continue
		}
		if val == nil {
			val = schemas.NewValidator(0)
		}
		version = v.schemaVersion(id, version)
		for i, subj := range c.Subjects {
			err := val.Validate(v.State, id, version, subj)
			if err == nil {
				continue
			}
			e, isErr := errs.As(err)
			switch {
			case isErr && e.Code == "schema.notFound":
				r.addCode(CheckSchema, StatusFailed, ReasonSchemaNotFound, params("schema", truncate(ref.ID, 200)), fmt.Sprintf("credentialSchema %s: %s", truncate(ref.ID, 200), e.Detail))
			case isErr && e.Status < 500:
				r.addCode(CheckSchema, StatusFailed, ReasonSchemaNonConforming, params("subject", fmt.Sprint(i)), fmt.Sprintf("credentialSubject %d: %s", i, e.Detail))
			default:
				r.internal(fmt.Errorf("validate against schema %d: %w", id, err))
				r.addCode(CheckSchema, StatusFailed, ReasonSchemaUnreadable, params("schema", truncate(ref.ID, 200)), fmt.Sprintf("schema %d could not be read", id))
			}
			return
		}
		checked = append(checked, ref.ID)
	}
	switch {
	case len(disclosed) > 0:
		withheld := "claims were withheld"
		if c.withheld > 0 {
			withheld = fmt.Sprintf("the holder withheld claims (%d of the SD-JWT's digests name no disclosure presented; decoys look the same)", c.withheld)
		}
		detail := withheld + ": the issuer validated the claims against " + strings.Join(disclosed, ", ") + " at issuance; the disclosed ones are not re-validated"
		if len(unchecked) > 0 {
			detail += "; not weid schemas, not checked: " + strings.Join(unchecked, ", ")
		}
		r.addCode(CheckSchema, StatusWarning, ReasonSchemaDisclosed, nil, detail)
	case len(unchecked) > 0 && v.State == nil:
		r.addCode(CheckSchema, StatusWarning, ReasonSchemaNoLedger, nil, "no ledger is available to check the claims against "+strings.Join(unchecked, ", "))
	case len(unchecked) > 0:
		r.addCode(CheckSchema, StatusWarning, ReasonSchemaNotWeid, nil, "not weid schemas, not checked: "+strings.Join(unchecked, ", "))
	default:
		r.addCode(CheckSchema, StatusPassed, ReasonSchemaOK, params("schemas", strings.Join(checked, ", ")), "the claims conform to "+strings.Join(checked, ", "))
	}
}
