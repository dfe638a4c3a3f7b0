package credential

// Verifiable presentations (VC Data Model 2.0 §4.13): a holder wraps
// credentials and proves, with a key of its own DID, that it presents them
// to this verifier (the domain) now (the challenge).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/strictjson"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
)

// Names of the checks of a presentation, in the order VerifyPresentation
// reports them.
const (
	// CheckHolderProof: the presentation's proof (a vp+jwt signature, a
	// Data Integrity proof or an SD-JWT key-binding JWT) verifies with a
	// key in the holder DID's authentication relationship.
	CheckHolderProof = "holderProof"
	// CheckChallenge: the proof carries the challenge the verifier asked
	// for, and a challenge this node issued is accepted once.
	CheckChallenge = "challenge"
	// CheckDomain: the proof carries the domain (audience) the verifier
	// asked for.
	CheckDomain = "domain"
	// CheckCredentials: every credential of the presentation verifies.
	CheckCredentials = "credentials"
)

// PresentationCheckNames lists the checks of a presentation in order.
var PresentationCheckNames = []string{CheckStructure, CheckHolderProof, CheckChallenge, CheckDomain, CheckCredentials}

// Vocabulary of presentations.
const (
	// TypeVerifiablePresentation is the type every presentation has.
	TypeVerifiablePresentation = "VerifiablePresentation"
	// TypVPJWT is the "typ" of a presentation secured with JOSE
	// (VC-JOSE-COSE §3.2).
	TypVPJWT = "vp+jwt"
	// MaxPresentationCredentials bounds the credentials of one
	// presentation.
	MaxPresentationCredentials = 64
)

// Presentation is a presentation whose structure has been checked.
type Presentation struct {
	Doc map[string]any
	// ID is the presentation's id, if it has one.
	ID string
	// Types contains TypeVerifiablePresentation.
	Types []string
	// Holder is the holder's id (a DID or another URL), "" if absent.
	Holder string
	// Credentials are the verifiableCredential items as JSON: compact
	// strings, enveloped credentials or objects with proofs.
	Credentials []json.RawMessage
}

// ParsePresentation strictly decodes and checks a presentation: the
// @context starts with the VC 2.0 context, the type includes
// VerifiablePresentation, the holder (if any) is a URL or an object with
// one, verifiableCredential (if any) is an item or an array of at most
// MaxPresentationCredentials.
func ParsePresentation(b []byte) (*Presentation, error) {
	doc, err := decodeDocument(b, ErrInvalidPresentation, decodeObject)
	if err != nil {
		return nil, err
	}
	return presentationFrom(doc)
}

func presentationFrom(doc map[string]any) (*Presentation, error) {
	bad := func(format string, args ...any) (*Presentation, error) {
		return nil, fmt.Errorf("%w: %s", ErrInvalidPresentation, fmt.Sprintf(format, args...))
	}
	p := &Presentation{Doc: doc}
	if err := checkCompacted(doc); err != nil {
		return bad("%v", err)
	}
	ctx, ok := doc["@context"].([]any)
	if !ok || len(ctx) == 0 {
		return bad(`"@context" must be an array whose first item is %q`, ContextV2)
	}
	if first, _ := ctx[0].(string); first != ContextV2 {
		return bad(`the first item of "@context" must be %q`, ContextV2)
	}
	if v, ok := doc["id"]; ok {
		s, isStr := v.(string)
		if !isStr || !isURL(s) {
			return bad(`"id" must be a URL`)
		}
		p.ID = s
	}
	types, err := stringSet(doc["type"], "type")
	if err != nil {
		return bad("%v", err)
	}
	if !slices.Contains(types, TypeVerifiablePresentation) {
		return bad(`"type" must include %q`, TypeVerifiablePresentation)
	}
	p.Types = types
	switch h := doc["holder"].(type) {
	case nil:
	case string:
		p.Holder = h
	case map[string]any:
		p.Holder, _ = h["id"].(string)
	default:
		return bad(`"holder" must be a URL or an object with an "id"`)
	}
	if _, present := doc["holder"]; present && !isURL(p.Holder) {
		return bad(`"holder" must be a URL`)
	}
	var items []any
	switch vc := doc["verifiableCredential"].(type) {
	case nil:
	case []any:
		items = vc
	case map[string]any, string:
		items = []any{vc}
	default:
		return bad(`"verifiableCredential" must be a credential or an array of credentials`)
	}
	if len(items) > MaxPresentationCredentials {
		return bad("more than %d credentials", MaxPresentationCredentials)
	}
	for i, it := range items {
		switch it.(type) {
		case map[string]any, string:
		default:
			return bad("verifiableCredential %d must be an object or a compact string", i)
		}
		raw, err := json.Marshal(it)
		if err != nil {
			return bad("verifiableCredential %d: %v", i, err)
		}
		p.Credentials = append(p.Credentials, raw)
	}
	return p, nil
}

// ChallengeStore keeps the challenges a verifier issued (POST /challenges)
// so that each is accepted once.
type ChallengeStore interface {
	// Consume reports whether challenge was issued by the store
	// (issued) and had not been used yet (fresh); it marks it used.
	Consume(challenge string) (issued, fresh bool)
}

// PresentationOptions are what the verifier of a presentation asks for.
type PresentationOptions struct {
	// Challenge and Domain, when not empty, must be carried by the
	// holder's proof. A presentation without a proof is accepted only
	// when both are empty: asking for either is asking for a proof.
	Challenge, Domain string
	// Challenges, if not nil, makes a challenge it issued single-use.
	Challenges ChallengeStore
	// Policy applies to each credential of the presentation.
	Policy Policy
}

// PresentationResult is what VerifyPresentation found: the presentation's
// own checks (PresentationCheckNames) and each credential's Result. Its wire
// form is api.PresentationVerifyResult; Credentials shadows that type's
// field with the verifier's own results, which carry Err.
type PresentationResult struct {
	api.PresentationVerifyResult
	// Credentials has one Result per credential, in order.
	Credentials []*Result `json:"credentials"`
	// Err is a failure on the verifier's side, as in Result.
	Err error `json:"-"`
}

func (pr *PresentationResult) failStructure(err error) {
	pr.Checks = append(pr.Checks, Check{Name: CheckStructure, Status: StatusFailed, Code: ReasonPresentationInvalid, Detail: err.Error()})
	for _, n := range PresentationCheckNames[1:] {
		pr.Checks = append(pr.Checks, Check{Name: n, Status: StatusSkipped, Code: ReasonSkippedPresentation, Detail: "the presentation's structure is invalid"})
	}
	pr.finish()
}

// StructureFailed reports whether the presentation failed the structure
// check: it is not a presentation this verifier reads (VC Data Model 2.0
// §4.13, VC Data Model 1.1 §6.3.1, VC-JOSE-COSE §3.2), so none of its
// other checks could be made.
func (pr *PresentationResult) StructureFailed() bool {
	return len(pr.Checks) > 0 && pr.Checks[0].Name == CheckStructure && pr.Checks[0].Status == StatusFailed
}

func (pr *PresentationResult) finish() {
	pr.Errors, pr.Warnings, pr.Verified = sortChecks(pr.Checks, pr.Errors, pr.Warnings)
	for _, r := range pr.Credentials {
		if r.Err != nil && pr.Err == nil {
			pr.Err = r.Err
		}
	}
}

// VerifyPresentation verifies a presentation and every credential in it.
// raw is a vp+jwt (a compact string, or an EnvelopedVerifiablePresentation
// with a data:application/vp+jwt URL), an SD-JWT VC with a key-binding JWT
// (a compact string with '~'; the KB-JWT is the holder's proof, its nonce
// the challenge and its aud the domain), or a presentation object: with a
// Data Integrity proof (proofPurpose authentication), or without a proof,
// which is accepted only when o asks for no challenge and no domain.
//
// The checks, in order: structure; holderProof (the key is in the holder
// DID's authentication relationship; a holder named in the presentation
// must be that DID); challenge (equal to o.Challenge; a challenge issued by
// o.Challenges is consumed, once, when the holder's proof verified; one it
// did not issue is a warning: its replay is the caller's to check); domain
// (the aud or domain equals or contains o.Domain); credentials (each
// verifies under o.Policy). It returns an error only when raw is not a
// presentation in a form it reads (a 4xx *errs.Error).
func (v *Verifier) VerifyPresentation(ctx context.Context, raw json.RawMessage, o PresentationOptions) (*PresentationResult, error) {
	pr := &PresentationResult{PresentationVerifyResult: api.PresentationVerifyResult{Verdict: api.Verdict{Checks: make([]Check, 0, len(PresentationCheckNames)), Warnings: []Check{}, Errors: []Check{}}}, Credentials: []*Result{}}
	if len(raw) == 0 {
		return nil, errs.BadRequest("presentation.invalid", "verifiablePresentation is required")
	}
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil, errs.BadRequest("presentation.invalid", "verifiablePresentation is null: it must be a JSON object or a compact string")
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if strings.IndexByte(s, '~') >= 0 {
			v.sdJWTPresentation(ctx, pr, s, o)
		} else {
			v.jwtPresentation(ctx, pr, s, o)
		}
		return pr, nil
	}
	var head struct {
		Type  any             `json:"type"`
		ID    string          `json:"id"`
		Proof json.RawMessage `json:"proof"`
	}
	if json.Unmarshal(raw, &head) != nil {
		return nil, errs.BadRequest("presentation.invalid", "verifiablePresentation must be a JSON object or a compact string")
	}
	if hasType(head.Type, TypeEnvelopedPresentation) {
		doc, err := decodeObject(raw, credentialLimits)
		if err != nil {
			return nil, errs.BadRequest("presentation.invalid", "the enveloped presentation: %v", err)
		}
		prefix, tok, err := envelope(doc, TypeEnvelopedPresentation, []string{DataURLVPJWT, DataURLSDJWT, DataURLJWT})
		if err != nil {
			return nil, envelopeError(true, err)
		}
		if prefix == DataURLSDJWT {
			v.sdJWTPresentation(ctx, pr, tok, o)
		} else {
			v.jwtPresentation(ctx, pr, tok, o)
		}
		return pr, nil
	}
	if len(head.Proof) > 0 && string(head.Proof) != "null" {
		v.dataIntegrityPresentation(ctx, pr, raw, o)
		return pr, nil
	}
	v.unsignedPresentation(ctx, pr, raw, o)
	return pr, nil
}

// unsignedPresentation verifies a presentation without a proof.
func (v *Verifier) unsignedPresentation(ctx context.Context, pr *PresentationResult, raw json.RawMessage, o PresentationOptions) {
	p, err := ParsePresentation(raw)
	if err != nil {
		pr.failStructure(err)
		return
	}
	pr.Presentation = p.Doc
	pr.addCode(CheckStructure, StatusPassed, ReasonPresentationOK, params("format", "unsecured"), "a VC Data Model 2.0 presentation without a proof")
	if o.Challenge != "" || o.Domain != "" {
		pr.addCode(CheckHolderProof, StatusFailed, ReasonHolderProofMissing, nil, "the presentation has no proof, but the verifier asked for a challenge or a domain")
		pr.addCode(CheckChallenge, StatusSkipped, ReasonChallengeNoProof, nil, "the presentation has no proof")
		pr.addCode(CheckDomain, StatusSkipped, ReasonDomainNoProof, nil, "the presentation has no proof")
	} else {
		pr.addCode(CheckHolderProof, StatusSkipped, ReasonHolderProofNone, nil, "the presentation has no proof, and none was asked for")
		pr.addCode(CheckChallenge, StatusSkipped, ReasonChallengeNotAsked, nil, "no challenge was asked for")
		pr.addCode(CheckDomain, StatusSkipped, ReasonDomainNotAsked, nil, "no domain was asked for")
	}
	v.presentedCredentials(ctx, pr, p, o.Policy)
	pr.finish()
}

// jwtPresentation verifies a vp+jwt, or a VC-JWT 1.1 presentation (a JWT
// with a "vp" claim, VC Data Model 1.1 §6.3.1), told apart by "typ".
func (v *Verifier) jwtPresentation(ctx context.Context, pr *PresentationResult, token string, o PresentationOptions) {
	j, err := jose.Parse(token, TypVPJWT)
	var p *Presentation
	claims := map[string]any(nil)
	what, format := "a VC Data Model 2.0 presentation secured as a vp+jwt JWS", "vp+jwt"
	if err != nil {
		if lj, legacy := legacyJWT(token); legacy {
			j, err = lj, nil
			what, format = "a presentation secured as a JWT with a \"vp\" claim (VC Data Model 1.1 §6.3.1)", "VC-JWT 1.1"
		}
	}
	if err == nil && j.Header.Typ != TypVPJWT && !jose.MediaTypeIs(j.Header.Typ, TypVPJWT) {
		p, claims, err = legacyPresentation(j.Payload)
	} else if err == nil {
		if p, err = ParsePresentation(j.Payload); err == nil {
			claims = p.Doc
		}
	}
	if err != nil {
		pr.failStructure(err)
		return
	}
	pr.Presentation = p.Doc
	pr.addCode(CheckStructure, StatusPassed, ReasonPresentationOK, params("format", format), fmt.Sprintf("%s (%s)", what, j.Header.Alg))
	proofOK := v.jwtHolderProof(ctx, pr, j, p, claims)
	nonce, _ := claims["nonce"].(string)
	v.challenge(pr, nonce, proofOK, o)
	v.domain(pr, Strings(claims["aud"]), o)
	v.presentedCredentials(ctx, pr, p, o.Policy)
	pr.finish()
}

// jwtHolderProof runs the holderProof check of a vp+jwt.
//
// claims are the JWT's claims: the presentation itself for a vp+jwt, the
// payload around its "vp" claim for a VC-JWT 1.1.
func (v *Verifier) jwtHolderProof(ctx context.Context, pr *PresentationResult, j *jose.JWS, p *Presentation, claims map[string]any) bool {
	failCode := func(code string, p map[string]string, format string, args ...any) bool {
		pr.addCode(CheckHolderProof, StatusFailed, code, p, fmt.Sprintf(format, args...))
		return false
	}
	kid := j.Header.Kid
	u, err := did.ParseDIDURL(kid)
	if kid == "" || err != nil || u.Fragment == "" || u.Path != "" || u.Query != "" {
		return failCode(ReasonHolderProofBadKid, params("kid", truncate(kid, 200)), "\"kid\" %q is not the DID URL of a verification method", truncate(kid, 200))
	}
	if p.Holder != "" && p.Holder != u.DID {
		return failCode(ReasonHolderProofNotHolder, params("holder", truncate(p.Holder, 200), "signer", u.DID), "the holder %s did not sign the presentation (%s did)", truncate(p.Holder, 200), u.DID)
	}
	now := v.now()
	for _, claim := range []string{"exp", "nbf"} {
		t, err := numericDate(claims, claim)
		if err != nil {
			return failCode(ReasonHolderProofBadClaim, params("claim", claim), "%v", err)
		}
		if claim == "exp" && !t.IsZero() && t.Before(now.Add(-v.ClockSkew)) {
			at := t.UTC().Format(time.RFC3339)
			return failCode(ReasonHolderProofExpired, params("at", at), "the presentation expired at %s", at)
		}
		if claim == "nbf" && !t.IsZero() && t.After(now.Add(v.ClockSkew)) {
			at := t.UTC().Format(time.RFC3339)
			return failCode(ReasonHolderProofNotYet, params("at", at), "the presentation is not valid before %s", at)
		}
	}
	r := newResult()
	pk, _, ok := v.methodKey(ctx, r, CheckHolderProof, relAuthentication, u, kid, time.Time{})
	if r.Err != nil && pr.Err == nil {
		pr.Err = r.Err
	}
	if !ok {
		pr.Checks = append(pr.Checks, r.Checks...)
		return false
	}
	if err := j.Verify(pk); err != nil {
		return failCode(ReasonHolderProofBadSignature, params("key", kid), "%s: %v", kid, err)
	}
	pr.Holder = u.DID
	pr.addCode(CheckHolderProof, StatusPassed, ReasonHolderProofOK, params("key", kid), fmt.Sprintf("the %s signature verifies with %s, an authentication method of the holder", j.Header.Alg, kid))
	return true
}

// challenge runs the challenge check; got is what the proof carries.
func (v *Verifier) challenge(pr *PresentationResult, got string, proofOK bool, o PresentationOptions) {
	switch {
	case o.Challenge == "" && got == "":
		pr.addCode(CheckChallenge, StatusSkipped, ReasonChallengeNotAsked, nil, "no challenge was asked for")
	case o.Challenge == "":
		pr.addCode(CheckChallenge, StatusWarning, ReasonChallengeUnasked, nil, "the proof carries a challenge, but none was asked for: it was not checked")
	case got != o.Challenge:
		pr.addCode(CheckChallenge, StatusFailed, ReasonChallengeMismatch, params("got", truncate(got, 64)), fmt.Sprintf("the proof carries the challenge %q, not the one asked for", truncate(got, 64)))
	case !proofOK:
		pr.addCode(CheckChallenge, StatusFailed, ReasonChallengeBadProof, nil, "the challenge matches, but the holder's proof does not verify")
	case o.Challenges == nil:
		pr.addCode(CheckChallenge, StatusPassed, ReasonChallengeOK, nil, "the proof carries the challenge asked for")
	default:
		issued, fresh := o.Challenges.Consume(o.Challenge)
		switch {
		case issued && fresh:
			pr.addCode(CheckChallenge, StatusPassed, ReasonChallengeConsumed, nil, "the proof carries the challenge this verifier issued; it is now used")
		case issued:
			pr.addCode(CheckChallenge, StatusFailed, ReasonChallengeReused, nil, "the challenge was already used (or expired): a presentation is accepted once")
		default:
			pr.addCode(CheckChallenge, StatusWarning, ReasonChallengeNotIssued, nil, "the proof carries the challenge asked for, but this verifier did not issue it (POST /challenges), so its single use is not checked")
		}
	}
}

// domain runs the domain check; got is what the proof carries.
func (v *Verifier) domain(pr *PresentationResult, got []string, o PresentationOptions) {
	switch {
	case o.Domain == "":
		pr.addCode(CheckDomain, StatusSkipped, ReasonDomainNotAsked, nil, "no domain was asked for")
	case slices.Contains(got, o.Domain):
		pr.addCode(CheckDomain, StatusPassed, ReasonDomainOK, params("domain", truncate(o.Domain, 200)), "the proof is for "+truncate(o.Domain, 200))
	case len(got) == 0:
		pr.addCode(CheckDomain, StatusFailed, ReasonDomainMissing, params("domain", truncate(o.Domain, 200)), "the proof names no domain (audience)")
	default:
		pr.addCode(CheckDomain, StatusFailed, ReasonDomainMismatch, params("got", truncate(strings.Join(got, ", "), 200), "domain", truncate(o.Domain, 200)), fmt.Sprintf("the proof is for %q, not %q", truncate(strings.Join(got, ", "), 200), truncate(o.Domain, 200)))
	}
}

// Strings reads a JSON value that is a string or an array of strings (an
// "aud", a "domain", a "type"): the strings, in order; non-string elements
// are skipped, and anything else is nil.
func Strings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// presentedCredentials verifies each credential of p and runs the
// credentials check.
func (v *Verifier) presentedCredentials(ctx context.Context, pr *PresentationResult, p *Presentation, pol Policy) {
	if len(p.Credentials) == 0 {
		pr.addCode(CheckCredentials, StatusSkipped, ReasonCredentialsNone, nil, "the presentation holds no credential")
		return
	}
	var failed, unbound []string
	for i, raw := range p.Credentials {
		var r *Result
		var bound *keys.PublicKey
		sec, err := Classify(raw)
		switch {
		case err != nil && holderClaim(raw):
			r = v.holderClaims(pr, p, raw, pol)
		case err != nil:
			r = newResult()
			r.structureFailed(err)
		case sec.Format == FormatSDJWT:
			// A holder-bound SD-JWT VC in another's presentation: the
			// presenter must be the holder its "cnf" names.
			r, bound = v.verifySDJWT(ctx, sec.Token, pol)
		default:
			r = v.VerifySecured(ctx, sec, pol)
		}
		pr.Credentials = append(pr.Credentials, r)
		switch {
		case !r.Verified:
			failed = append(failed, fmt.Sprint(i))
		case bound != nil && (pr.Holder == "" || !v.isAuthenticationKey(ctx, pr.Holder, *bound)):
			unbound = append(unbound, fmt.Sprint(i))
		}
	}
	if len(failed) > 0 {
		pr.addCode(CheckCredentials, StatusFailed, ReasonCredentialsNotVerified, params("which", strings.Join(failed, ", ")), "credentials that do not verify: "+strings.Join(failed, ", "))
		return
	}
	if len(unbound) > 0 {
		pr.addCode(CheckCredentials, StatusFailed, ReasonCredentialsUnbound, params("which", strings.Join(unbound, ", ")), "credentials bound to a holder key (cnf) that is not an authentication key of the presentation's proven holder: "+strings.Join(unbound, ", "))
		return
	}
	pr.addCode(CheckCredentials, StatusPassed, ReasonCredentialsOK, params("count", fmt.Sprint(len(p.Credentials))), fmt.Sprintf("all %d credentials verify", len(p.Credentials)))
}

// now returns the verifier's current time.
func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

// SignPresentationJWT secures the presentation vp as a vp+jwt signed by
// the holder s, with the challenge as the JWT claim "nonce" and the
// domain as "aud" (each omitted when empty), and "iat" now. The
// presentation's holder is set to s.DID if absent and must be s.DID
// otherwise.
func SignPresentationJWT(s Signer, vp json.RawMessage, challenge, domain string, now time.Time) (string, error) {
	if err := s.check(); err != nil {
		return "", err
	}
	p, err := ParsePresentation(vp)
	if err != nil {
		return "", errs.Wrap(http.StatusBadRequest, "presentation.invalid", err)
	}
	if p.Holder != "" && p.Holder != s.DID {
		return "", errs.BadRequest("presentation.invalid", "the presentation's holder %q is not the signer %s", truncate(p.Holder, 200), s.DID)
	}
	if p.Holder == "" {
		p.Doc["holder"] = s.DID
	}
	for _, c := range []string{"nonce", "aud", "iat"} {
		delete(p.Doc, c)
	}
	if challenge != "" {
		p.Doc["nonce"] = challenge
	}
	if domain != "" {
		p.Doc["aud"] = domain
	}
	p.Doc["iat"] = now.Unix()
	payload, err := strictjson.Marshal(p.Doc)
	if err != nil {
		return "", fmt.Errorf("sign presentation: %w", err)
	}
	return jose.Sign(s.Key, jose.Header{Typ: TypVPJWT, Kid: s.VerificationMethod}, payload)
}

// holderClaim reports whether raw is a credential object with no proof
// of its own and no envelope: in a presentation, a credential secured
// only by the presentation's proof.
func holderClaim(raw json.RawMessage) bool {
	var head struct {
		Type  any             `json:"type"`
		Proof json.RawMessage `json:"proof"`
	}
	if json.Unmarshal(raw, &head) != nil || hasType(head.Type, TypeEnvelopedCredential) {
		return false
	}
	return len(head.Proof) == 0 || string(head.Proof) == "null"
}

// holderClaims verifies a self-asserted credential of a presentation, one
// secured only by the presentation's proof (VC Data Model 2.0 §4.13,
// Presentations Including Holder Claims): the presentation must have a
// holder, its proof must be the holder's, and the credential's issuer
// must be that holder. The credential's other checks follow as for any.
func (v *Verifier) holderClaims(pr *PresentationResult, p *Presentation, raw json.RawMessage, pol Policy) *Result {
	r := newResult()
	c, err := Parse(raw)
	if err != nil {
		r.structureFailed(err)
		return r
	}
	r.Credential = c.Doc
	r.addCode(CheckStructure, StatusPassed, ReasonStructureHolderClaim, nil, "a credential secured only by the presentation's proof (a holder claim)")
	switch {
	case pr.Holder == "":
		r.addCode(CheckProof, StatusFailed, ReasonProofHolderUnproven, nil, "the credential has no proof of its own, and the presentation has no holder's proof that verifies to secure it")
	case p.Holder == "":
		r.addCode(CheckProof, StatusFailed, ReasonProofHolderUnnamed, nil, "a presentation with a self-asserted credential (secured only by the presentation's proof) must name its holder (VC Data Model 2.0 §4.13)")
	case c.Issuer != p.Holder:
		r.addCode(CheckProof, StatusFailed, ReasonProofHolderNotIssuer, params("issuer", truncate(c.Issuer, 200), "holder", truncate(p.Holder, 200)), fmt.Sprintf("the issuer %s of a self-asserted credential must be the presentation's holder %s (VC Data Model 2.0 §4.13)", truncate(c.Issuer, 200), truncate(p.Holder, 200)))
	default:
		r.addCode(CheckProof, StatusPassed, ReasonProofHolderClaim, params("holder", pr.Holder), "secured by the proof of the presentation's holder "+pr.Holder+", its issuer")
	}
	v.claims(context.Background(), r, c, signedBy{DID: pr.Holder}, pol)
	return r
}
