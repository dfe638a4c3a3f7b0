package credential

// SD-JWT VCs (RFC 9901 with the SD-JWT VC "dc+sd-jwt" media type): the
// form of WeIdentity's salted-hash selective disclosure that wallets
// understand. weid maps a VC 2.0 credential to SD-JWT VC claims, one way at
// issuance and back at verification, so that the same named checks apply:
//
//	issuer                          → "iss"
//	validFrom / validUntil          → "nbf" / "exp"; issuance time "iat"
//	the last type (not VerifiableCredential) → "vct"
//	credentialSubject members       → top-level claims, "id" as "sub"
//	credentialSchema                → a plain claim of the same name
//	the node's status list entry    → "status": {"status_list": {"idx", "uri"}}
//	                                  (Token Status List; credentialStatus
//	                                  is read in SD-JWT VCs issued before)
//	the holder's key (credentialSubject.id's authentication key) → "cnf"
//
// Disclosable claims are named by JSON pointers into the credential
// ("/credentialSubject/degree") or into the claims ("/degree").

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/strictjson"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/sdjwt"
	"github.com/weidgo/weid/status"
)

// sdRegistered are the SD-JWT VC claims that are not subject claims.
var sdRegistered = []string{"iss", "iat", "nbf", "exp", "vct", "cnf", "status", "sub", "credentialSchema", "credentialStatus", "_sd", "_sd_alg"}

// IssueSDJWT checks cred as IssueJWT does and secures it as an SD-JWT VC
// signed by s (validFrom, when absent, is now), with the claims at the JSON pointers disclosable made
// selectively disclosable. The holder's key, bound as "cnf" so that a
// presentation must carry a key-binding JWT, is the authentication key of
// credentialSubject.id, resolved with resolver; a credential whose subject
// has no resolvable DID gets no "cnf" (and cannot be key-bound).
func IssueSDJWT(ctx context.Context, s Signer, cred json.RawMessage, now time.Time, opts IssueOptions, disclosable []string, resolver *did.Resolver) (string, error) {
	if err := s.check(); err != nil {
		return "", err
	}
	if err := CheckClaims(cred, opts); err != nil {
		return "", err
	}
	c, err := s.issuableV2(cred, false, "dc+sd-jwt is issued from VC 2.0 credentials, as vc+jwt is")
	if err != nil {
		return "", err
	}
	if len(c.Subjects) != 1 {
		return "", errs.BadRequest("credential.invalid", "an SD-JWT VC has one credentialSubject, not %d", len(c.Subjects))
	}
	claims := map[string]any{"iss": c.Issuer, "iat": now.Unix(), "nbf": now.Unix()}
	if !c.ValidFrom.IsZero() {
		claims["nbf"] = c.ValidFrom.Unix()
	}
	if !c.ValidUntil.IsZero() {
		claims["exp"] = c.ValidUntil.Unix()
	}
	vct := ""
	for _, t := range c.Types {
		if t != TypeVerifiableCredential {
			vct = t
		}
	}
	if vct == "" {
		return "", errs.BadRequest("credential.invalid", "an SD-JWT VC needs a credential type besides VerifiableCredential (it becomes \"vct\")")
	}
	claims["vct"] = vct
	if v, ok := c.Doc["credentialSchema"]; ok {
		claims["credentialSchema"] = v
	}
	if v, ok := c.Doc["credentialStatus"]; ok {
		// SD-JWT VC verifiers read the "status" claim, not W3C entries:
		// weid issues an SD-JWT VC's status as a Token Status List
		// reference (opts.Status) and only reads credentialStatus in the
		// SD-JWT VCs it issued before.
		return "", errs.BadRequest("credential.invalidStatus", "an SD-JWT VC carries its status as a Token Status List reference (the \"status\" claim, draft-ietf-oauth-status-list-17 §6.2), not a credentialStatus %v", truncate(fmt.Sprint(v), 120))
	}
	if opts.Status != nil {
		if _, err := status.ParseReference(opts.Status); err != nil {
			return "", err
		}
		claims["status"] = opts.Status
	}
	for k, v := range c.Subjects[0] {
		if k == "id" {
			claims["sub"] = v
			continue
		}
		if slices.Contains(sdRegistered, k) {
			return "", errs.BadRequest("credential.invalid", "credentialSubject.%s collides with the SD-JWT VC claim of that name", k)
		}
		claims[k] = v
	}
	pointers := make([]string, 0, len(disclosable))
	for _, p := range disclosable {
		rest, subject := strings.CutPrefix(p, "/credentialSubject")
		if !subject || rest == "" || rest == "/id" {
			return "", errs.BadRequest("credential.invalidProfile", "disclosable %q does not name a claim under /credentialSubject (the issuer, validity, type, schema and status must stay visible)", truncate(p, 200))
		}
		pointers = append(pointers, rest)
	}
	var holder *keys.PublicKey
	if sub, _ := claims["sub"].(string); sub != "" && resolver != nil {
		if pk, ok := holderKey(ctx, resolver, sub); ok {
			holder = &pk
		}
	}
	body, err := strictjson.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("issue SD-JWT: %w", err)
	}
	return sdjwt.Issue(s.Key, s.VerificationMethod, body, sdjwt.IssueOptions{Disclosable: pointers, HolderKey: holder})
}

// holderKey returns the first authentication key of a DID, if it
// resolves.
func holderKey(ctx context.Context, resolver *did.Resolver, d string) (keys.PublicKey, bool) {
	if _, err := did.ParseDID(d); err != nil {
		return keys.PublicKey{}, false
	}
	res, err := resolver.Resolve(ctx, d, did.Options{})
	if err != nil || res.Document == nil {
		return keys.PublicKey{}, false
	}
	for _, vm := range res.Document.VerificationMethod {
		if res.Document.HasRelationship(relAuthentication, vm.ID) {
			if pk, err := vm.PublicKey(); err == nil {
				return pk, true
			}
		}
	}
	return keys.PublicKey{}, false
}

// VerifySDJWT verifies an SD-JWT VC through the named checks: structure
// (sdjwt.Parse, and the claims map back to a credential); proof (the
// issuer JWT's kid is an assertionMethod of its DID — as of "iat" for
// did:weid — whose key verifies the signature, and every disclosure
// checks out); then issuerBinding, accreditation, validityPeriod, status
// as for any credential. The schema check cannot validate claims the
// holder did not disclose: when any digest names no disclosure presented
// it checks that the schema exists and reports the claims unchecked (a
// warning); when every claim is present it validates them. A
// key-binding JWT, if present, is not checked here (see
// VerifyPresentation).
func (v *Verifier) VerifySDJWT(ctx context.Context, token string, p Policy) *Result {
	r, _ := v.verifySDJWT(ctx, token, p)
	return r
}

// verifySDJWT is VerifySDJWT that also returns the holder key the
// credential binds ("cnf"), nil if none or if the credential is invalid.
func (v *Verifier) verifySDJWT(ctx context.Context, token string, p Policy) (*Result, *keys.PublicKey) {
	r := newResult()
	if i := strings.LastIndexByte(token, '~'); i >= 0 && i < len(token)-1 {
		token = token[:i+1] // drop a key-binding JWT: a presentation's, checked there
	}
	sd, err := sdjwt.Parse(token)
	if err != nil {
		r.structureFailed(err)
		return r, nil
	}
	_, c, kid := v.sdProof(ctx, r, sd, sdjwt.VerifyOptions{Now: v.now(), Skew: v.skew()})
	if c == nil {
		return r, nil
	}
	if c.tokenCheck, err = v.tokenStatus(ctx, c); err != nil {
		r.internal(fmt.Errorf("read the Token Status List: %w", err))
	}
	v.claims(ctx, r, c, kid, p)
	return r, c.boundKey
}

func (v *Verifier) skew() time.Duration {
	if v.ClockSkew == 0 {
		return -1
	}
	return v.ClockSkew
}

// sdProof runs the structure and proof checks of a parsed SD-JWT VC. It
// returns nil c when r is finished (a failed structure or proof).
func (v *Verifier) sdProof(ctx context.Context, r *Result, sd *sdjwt.SDJWT, o sdjwt.VerifyOptions) (ver *sdjwt.Verified, c *Credential, signer signedBy) {
	kid := sd.Issuer.Header.Kid
	u, err := did.ParseDIDURL(kid)
	if kid == "" || err != nil || u.Fragment == "" || u.Path != "" || u.Query != "" {
		r.structureFailed(fmt.Errorf("%w: the issuer JWT's \"kid\" %q is not the DID URL of a verification method", ErrInvalid, truncate(kid, 200)))
		return nil, nil, signedBy{}
	}
	// The claims as the issuer wrote them (before verification, only to
	// know the issuance time for an as-of-issuance key lookup).
	at, _ := numericDate(sd.Payload, "iat")
	pr := newResult()
	pk, asOf, ok := v.assertionKey(ctx, pr, u, kid, at)
	if pr.Err != nil {
		r.internal(pr.Err)
	}
	var proofCheck Check
	if ok {
		ver, err = sd.Verify(pk, o)
		if err != nil {
			proofCheck = Check{Name: CheckProof, Status: StatusFailed, Code: ReasonProofBadSignature, Params: params("key", kid), Detail: fmt.Sprintf("%s: %v", kid, err)}
		} else {
			proofCheck = Check{Name: CheckProof, Status: StatusPassed, Code: proofOKCode(asOf), Params: params("key", kid), Detail: fmt.Sprintf("the %s SD-JWT signature verifies with %s%s; %s disclosed", sd.Issuer.Header.Alg, kid, asOf, claimCount(len(ver.Disclosed)))}
		}
	} else {
		proofCheck = pr.Checks[0]
	}
	if ver == nil {
		// Unverified: map the plain claims only to report the structure.
		c, err = sdCredential(sd.Payload, nil)
	} else {
		c, err = sdCredential(ver.Claims, ver)
	}
	if err != nil {
		r.structureFailed(err)
		return nil, nil, signedBy{}
	}
	r.Credential = c.Doc
	r.addCode(CheckStructure, StatusPassed, ReasonStructureOK, params("format", "SD-JWT VC"), "an SD-JWT VC (dc+sd-jwt) mapped to a VC Data Model 2.0 credential")
	r.Checks = append(r.Checks, proofCheck)
	return ver, c, signedBy{DID: u.DID, Key: kid}
}

// sdCredential maps SD-JWT VC claims back to a credential.
func sdCredential(claims map[string]any, ver *sdjwt.Verified) (*Credential, error) {
	iss, _ := claims["iss"].(string)
	vct, _ := claims["vct"].(string)
	if iss == "" || vct == "" {
		return nil, fmt.Errorf("%w: an SD-JWT VC needs string \"iss\" and \"vct\" claims", ErrInvalid)
	}
	subject := make(map[string]any, len(claims))
	for k, val := range claims {
		if !slices.Contains(sdRegistered, k) {
			subject[k] = val
		}
	}
	if sub, ok := claims["sub"]; ok {
		subject["id"] = sub
	}
	if ver != nil {
		for _, d := range ver.Disclosed {
			name, _, _ := strings.Cut(strings.TrimPrefix(d, "/"), "/")
			if slices.Contains(sdRegistered, name) {
				return nil, fmt.Errorf("%w: the SD-JWT VC discloses %q selectively; it must be a plain claim", ErrInvalid, truncate(d, 64))
			}
		}
	}
	if len(subject) == 0 {
		subject["id"] = iss // nothing disclosed: keep the structure valid
	}
	// SD-JWT VC claims and vct are no context's terms: the undefined-terms
	// context goes last (VC Data Model 2.0 §5.2).
	doc := map[string]any{
		"@context":          []any{ContextV2, ContextUndefinedTerms},
		"type":              []any{TypeVerifiableCredential, vct},
		"issuer":            iss,
		"credentialSubject": subject,
	}
	for _, name := range []string{"credentialSchema", "credentialStatus"} {
		if val, ok := claims[name]; ok {
			doc[name] = val
		}
	}
	for _, m := range [...]struct{ claim, member string }{{"nbf", "validFrom"}, {"exp", "validUntil"}} {
		claim, member := m.claim, m.member
		t, err := numericDate(claims, claim)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		if !t.IsZero() {
			doc[member] = t.UTC().Format(time.RFC3339)
		}
	}
	c, err := FromDocument(doc)
	if err != nil {
		return nil, err
	}
	if c.IssuedAt, err = numericDate(claims, "iat"); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	c.withheld = -1
	if ver != nil {
		c.withheld = ver.Withheld
	}
	if st, ok := claims["status"]; ok {
		// Kept in the mapped credential too, so that a reader of the
		// verdict (the /verify page) sees which list entry was read.
		c.tokenStatus = st
		c.Doc["status"] = st
	}
	if ver != nil {
		c.boundKey = ver.HolderKey
	}
	return c, nil
}

// sdJWTPresentation verifies an SD-JWT VC presented with a key-binding JWT:
// the KB-JWT is the holder's proof, its nonce the challenge and its aud the
// domain.
func (v *Verifier) sdJWTPresentation(ctx context.Context, pr *PresentationResult, token string, o PresentationOptions) {
	sd, err := sdjwt.Parse(token)
	if err != nil {
		pr.failStructure(err)
		return
	}
	cr := v.VerifySDJWT(ctx, token, o.Policy)
	pr.Credentials = append(pr.Credentials, cr)
	if cr.Checks[0].Status == StatusFailed {
		pr.failStructure(fmt.Errorf("the SD-JWT VC: %s", cr.Checks[0].Detail))
		return
	}
	pr.addCode(CheckStructure, StatusPassed, ReasonPresentationOK, params("format", "SD-JWT VC"), "an SD-JWT VC presentation (dc+sd-jwt with a key-binding JWT)")
	nonce, _ := sd.KeyBindingPayload["nonce"].(string)
	aud := Strings(sd.KeyBindingPayload["aud"])
	proofOK := false
	switch {
	case sd.KeyBinding == nil:
		pr.addCode(CheckHolderProof, StatusFailed, ReasonHolderProofNoKB, nil, "the SD-JWT has no key-binding JWT: nothing proves the holder presents it")
	case cr.Checks[1].Status != StatusPassed:
		pr.addCode(CheckHolderProof, StatusFailed, ReasonHolderProofKBUnproven, nil, "the key-binding JWT cannot be checked: the credential's proof failed")
	default:
		// The issuer's proof verified (cr); verify again with the
		// key-binding JWT, taking the nonce and audience it carries (they
		// are compared with the request by the challenge and domain
		// checks, which name the mismatch).
		first := ""
		if len(aud) > 0 {
			first = aud[0]
		}
		kb := sdjwt.VerifyOptions{RequireKeyBinding: true, Nonce: nonce, Audience: first, Now: v.now(), Skew: v.skew()}
		u, _ := did.ParseDIDURL(sd.Issuer.Header.Kid)
		at, _ := numericDate(sd.Payload, "iat")
		scratch := newResult()
		pk, _, ok := v.assertionKey(ctx, scratch, u, sd.Issuer.Header.Kid, at)
		if !ok {
			pr.addCode(CheckHolderProof, StatusFailed, ReasonHolderProofIssuerKey, nil, "the issuer's key could not be resolved again")
			break
		}
		ver, err := sd.Verify(pk, kb)
		if err != nil {
			pr.addCode(CheckHolderProof, StatusFailed, ReasonHolderProofKBInvalid, nil, err.Error())
			break
		}
		proofOK = true
		// The holder is the subject only if the bound key is one of the
		// subject DID's authentication keys: "sub" alone is the issuer's
		// word, not the presenter's proof.
		if sub, _ := ver.Claims["sub"].(string); sub != "" && ver.HolderKey != nil && v.isAuthenticationKey(ctx, sub, *ver.HolderKey) {
			pr.Holder = sub
		}
		pr.Presentation = nil
		pr.addCode(CheckHolderProof, StatusPassed, ReasonHolderProofKeyBinding, params("count", fmt.Sprint(len(ver.Disclosed)), "disclosed", strings.Join(ver.Disclosed, ", ")), fmt.Sprintf("the key-binding JWT is signed by the holder's key bound in the credential (cnf); %s disclosed: %s", claimCount(len(ver.Disclosed)), strings.Join(ver.Disclosed, ", ")))
	}
	v.challenge(pr, nonce, proofOK, o)
	v.domain(pr, aud, o)
	if cr.Verified {
		pr.addCode(CheckCredentials, StatusPassed, ReasonCredentialsOK, params("count", "1"), "the SD-JWT VC verifies")
	} else {
		pr.addCode(CheckCredentials, StatusFailed, ReasonCredentialsNotVerified, params("which", "0"), "the SD-JWT VC does not verify")
	}
	pr.finish()
}

// isAuthenticationKey reports whether pk is the key of a verification method
// in the authentication relationship of DID d (latest document).
func (v *Verifier) isAuthenticationKey(ctx context.Context, d string, pk keys.PublicKey) bool {
	if v.Resolver == nil {
		return false
	}
	if _, err := did.ParseDID(d); err != nil {
		return false
	}
	res, err := v.Resolver.Resolve(ctx, d, did.Options{})
	if err != nil || res.Document == nil {
		return false
	}
	for _, vm := range res.Document.VerificationMethod {
		if !res.Document.HasRelationship(relAuthentication, vm.ID) {
			continue
		}
		if k, err := vm.PublicKey(); err == nil && k.Equal(pk) {
			return true
		}
	}
	return false
}

// claimCount says n claims in the right number.
func claimCount(n int) string {
	if n == 1 {
		return "1 claim"
	}
	return fmt.Sprintf("%d claims", n)
}
