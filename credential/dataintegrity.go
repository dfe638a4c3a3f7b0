package credential

// Credentials and presentations secured with embedded Data Integrity
// proofs (https://www.w3.org/TR/vc-data-integrity/): the cryptosuites of
// package ldproof — eddsa-rdfc-2022, eddsa-jcs-2022, ecdsa-rdfc-2019 and,
// for VC 1.1 interoperability, Ed25519Signature2020 — with proof sets and
// chains. This file ties them to DIDs: which key a verification method
// names, in which relationship, as of when.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/strictjson"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/ldproof"
)

// Vocabulary of Data Integrity proofs.
const (
	// ProofTypeDataIntegrity is the type of a Data Integrity proof
	// (VC Data Integrity §2.1).
	ProofTypeDataIntegrity = ldproof.TypeDataIntegrityProof
	// The cryptosuites weid signs with.
	CryptosuiteEdDSAJCS2022  = ldproof.EdDSAJCS2022
	CryptosuiteEdDSARDFC2022 = ldproof.EdDSARDFC2022
	CryptosuiteECDSARDFC2019 = ldproof.ECDSARDFC2019
	// ProofTypeEd25519Signature2020 is the legacy proof type weid
	// verifies (and signs for VC 1.1 interoperability).
	ProofTypeEd25519Signature2020 = ldproof.Ed25519Signature2020
	// ProofPurposeAssertionMethod is the proof purpose of a credential's
	// proof: the key must be in its controller's assertionMethod.
	ProofPurposeAssertionMethod = ldproof.PurposeAssertionMethod
)

// suiteKey is the key type each cryptosuite signs with.
var suiteKey = map[string]keys.Type{
	CryptosuiteEdDSAJCS2022:       keys.Ed25519,
	CryptosuiteEdDSARDFC2022:      keys.Ed25519,
	CryptosuiteECDSARDFC2019:      keys.P256,
	ProofTypeEd25519Signature2020: keys.Ed25519,
}

// CheckDataIntegrityKey reports whether a key of type kt signs with
// cryptosuite: a 400 credential.unsupportedFormat for an unknown suite, and
// a 400 credential.invalidSigner naming the formats the key can sign in
// otherwise — Data Integrity has no SM2 cryptosuite, so an SM2 key is told
// to use vc+jwt or dc+sd-jwt.
func CheckDataIntegrityKey(cryptosuite string, kt keys.Type) error {
	want, ok := suiteKey[cryptosuite]
	if !ok {
		return errs.BadRequest("credential.unsupportedFormat", "cryptosuite %q is not supported", truncate(cryptosuite, 64))
	}
	if kt == want {
		return nil
	}
	formats := []string{"vc+jwt", "dc+sd-jwt"}
	for _, suite := range []string{CryptosuiteEdDSARDFC2022, CryptosuiteEdDSAJCS2022, CryptosuiteECDSARDFC2019, ProofTypeEd25519Signature2020} {
		if suiteKey[suite] == kt {
			formats = append(formats, suite)
		}
	}
	if len(formats) == 2 {
		return errs.BadRequest("credential.invalidSigner", "Data Integrity has no cryptosuite for %s keys (%s needs %s key): %s key signs %s or %s", kt, cryptosuite, aKey(want), aKey(kt), formats[0], formats[1])
	}
	return errs.BadRequest("credential.invalidSigner", "%s needs %s key, not %s: %s key signs %s", cryptosuite, aKey(want), kt, aKey(kt), strings.Join(formats, ", "))
}

// aKey is a key type with its article, as it is read aloud: "an Ed25519",
// "an SM2" (ess-em), "a P-256", "a secp256k1".
func aKey(kt keys.Type) string {
	switch kt {
	case keys.Ed25519, keys.SM2:
		return "an " + string(kt)
	}
	return "a " + string(kt)
}

// SignDataIntegrity secures doc (the JSON of an unsecured credential,
// VC 2.0 or 1.1) with a Data Integrity proof of cryptosuite made by s,
// proofPurpose assertionMethod, created at created (omitted when zero).
// The credential must name s.DID as its issuer (or, under s.Declared, an
// issuer Signer.checkIssuer accepts) and have no proof yet; its
// members keep their order and form.
//
// Errors are *errs.Error: 413 credential.tooLarge, 400 credential.invalid,
// 400 credential.invalidSigner (a key of the wrong type for the suite),
// 400 credential.issuerMismatch or credential.issuerNotAuthorized, and ldproof's 400s for JSON-LD the RDF
// suites refuse (unknown contexts, undefined terms).
func SignDataIntegrity(s Signer, doc json.RawMessage, cryptosuite string, created time.Time) (json.RawMessage, error) {
	if len(doc) > MaxCredentialBytes {
		return nil, errs.New(http.StatusRequestEntityTooLarge, "credential.tooLarge", "the credential is larger than %d bytes", MaxCredentialBytes)
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	if err := CheckDataIntegrityKey(cryptosuite, s.Key.Type()); err != nil {
		return nil, err
	}
	c, err := Parse(doc)
	if err == nil {
		err = issuable(c)
	}
	if err != nil {
		return nil, errs.Wrap(http.StatusBadRequest, "credential.invalid", err)
	}
	if err := s.checkIssuer(c); err != nil {
		return nil, err
	}
	if _, ok := c.Doc["proof"]; ok {
		return nil, errs.BadRequest("credential.invalid", "%v: the credential already has a \"proof\"", ErrInvalid)
	}
	if doc, c, err = withSuiteContext(doc, c, cryptosuite); err != nil {
		return nil, err
	}
	if err := linkedDataView(c.Doc); err != nil {
		return nil, errs.Wrap(http.StatusBadRequest, "credential.invalid", err)
	}
	if !canonicalizesRDF(cryptosuite) {
		if err := checkTerms(c.Doc, true); err != nil {
			return nil, errs.Wrap(http.StatusBadRequest, "credential.invalid", err)
		}
	}
	o := ldproof.Options{Key: s.Key, VerificationMethod: s.VerificationMethod, ProofPurpose: ProofPurposeAssertionMethod, Cryptosuite: cryptosuite}
	if !created.IsZero() {
		o.Created = created.UTC().Truncate(time.Second)
	}
	out, err := ldproof.Sign(doc, o)
	if err != nil {
		return nil, err
	}
	if len(out) > MaxCredentialBytes {
		return nil, errs.New(http.StatusRequestEntityTooLarge, "credential.tooLarge", "the credential is larger than %d bytes", MaxCredentialBytes)
	}
	return out, nil
}

// Contexts that define the terms of a proof, which a VC 1.1 credential's
// base context does not (VC 2.0's does, for DataIntegrityProof).
const (
	ContextDataIntegrityV1 = "https://w3id.org/security/data-integrity/v1"
	ContextDataIntegrityV2 = "https://w3id.org/security/data-integrity/v2"
)

// withSuiteContext adds to a credential's @context the context that
// defines the terms of cryptosuite's proofs when none of its contexts
// does, as the reference issuers do (VC Data Integrity §2.4.1: the
// document's contexts must define the proof's terms): the Data Integrity
// v2 context for DataIntegrityProof on a VC 1.1 credential, the
// Ed25519Signature2020 context for that suite. A VC 2.0 credential's base
// context defines DataIntegrityProof and is left as it is.
func withSuiteContext(doc json.RawMessage, c *Credential, cryptosuite string) (json.RawMessage, *Credential, error) {
	var add string
	var already []string
	switch {
	case cryptosuite == ProofTypeEd25519Signature2020:
		add = ldproof.ContextEd25519Signature2020
	case c.Version == 1:
		add, already = ContextDataIntegrityV2, []string{ContextDataIntegrityV1}
	default:
		return doc, c, nil
	}
	out, err := ldproof.AddContext(doc, add, already...)
	if err != nil {
		return nil, nil, err
	}
	if len(out) == len(doc) {
		return doc, c, nil // unchanged
	}
	if len(out) > MaxCredentialBytes {
		return nil, nil, errs.New(http.StatusRequestEntityTooLarge, "credential.tooLarge", "the credential is larger than %d bytes", MaxCredentialBytes)
	}
	nc, err := Parse(out)
	if err != nil {
		return nil, nil, errs.Wrap(http.StatusBadRequest, "credential.invalid", err)
	}
	return out, nc, nil
}

// SignDataIntegrityJCS is SignDataIntegrity with eddsa-jcs-2022.
func SignDataIntegrityJCS(s Signer, doc json.RawMessage, created time.Time) (json.RawMessage, error) {
	return SignDataIntegrity(s, doc, CryptosuiteEdDSAJCS2022, created)
}

// VerifyDataIntegrity verifies a credential (VC 2.0 or 1.1) secured with
// Data Integrity proofs and reports the named checks:
//
//   - structure: Parse accepts the credential.
//   - proof: every proof verifies (ldproof.Verify: cryptosuite, proof
//     set, proof chain), each with the key of its verificationMethod,
//     which must be in its DID's assertionMethod — as of the proof's
//     created (or the credential's validFrom) for did:weid when the key
//     has since left the document.
//   - issuerBinding, accreditation, validityPeriod, schema, status: as
//     VerifyJWT, with the signer being the proof whose method belongs to
//     the issuer (or the first proof).
//
// VerifyDataIntegrity never panics on any input and returns no error for a
// bad credential: everything is in the Result.
func (v *Verifier) VerifyDataIntegrity(ctx context.Context, doc json.RawMessage, p Policy) *Result {
	return v.verifyDataIntegrity(ctx, doc, nil, p)
}

// verifyDataIntegrity is VerifyDataIntegrity; decoded, if not nil, is doc
// as Parse decodes it (Classify's decode, not made again).
func (v *Verifier) verifyDataIntegrity(ctx context.Context, doc json.RawMessage, decoded map[string]any, p Policy) *Result {
	r := newResult()
	var c *Credential
	var err error
	if decoded != nil {
		c, err = FromDocument(decoded)
	} else {
		c, err = Parse(doc)
	}
	if err == nil {
		err = linkedDataView(c.Doc)
	}
	var undefined []string
	if err == nil && jcsProof(c.Doc["proof"]) {
		undefined, err = verifiedTerms(c.Doc, true, true)
	}
	if err != nil {
		r.structureFailed(err)
		return r
	}
	r.Credential = c.Doc
	version := ""
	switch c.Version {
	case 1:
		version = "1.1"
	case 2:
		version = "2.0"
	}
	r.structurePassed("Data Integrity", "a VC Data Model "+version+" credential secured with Data Integrity", undefined)
	at := c.ValidFrom
	purpose := ProofPurposeAssertionMethod
	if p.ProofPurpose != "" {
		purpose = p.ProofPurpose
	}
	signer := v.diProof(ctx, r, CheckProof, doc, c.Doc, purpose, at, c.Issuer, ldproof.VerifyOptions{Challenge: p.Challenge, Domain: p.Domain})
	v.claims(ctx, r, c, signer, p)
	return r
}

// diProof runs a Data Integrity proof check (named check) of doc for
// purpose and returns who made the proof that stands for want (the
// issuer or holder), or the first proof. at is the fallback issuance
// time for an as-of-issuance key lookup. Challenge and domain are not
// checked here (the presentation checks compare them).
//
// vo carries the challenge and domain every proof must have (presentations:
// a proof that lacks them fails, whoever made it); its ProofPurpose and Now
// are set here.
//
// decoded, if not nil, is doc as Parse decoded it (ldproof then does not
// decode doc again).
func (v *Verifier) diProof(ctx context.Context, r *Result, check string, doc json.RawMessage, decoded map[string]any, purpose string, at time.Time, want string, vo ldproof.VerifyOptions) signedBy {
	// A proof purpose names the verification relationship its key must
	// be in (VC Data Integrity §2.2; DID Core §5.3): one that is none of
	// DID Core's finds no key.
	rel := purpose
	asOf := map[string]string{}
	resolve := func(ctx context.Context, vm, proofPurpose string, created time.Time) (keys.PublicKey, error) {
		u, err := did.ParseDIDURL(vm)
		if err != nil || u.Fragment == "" || u.Path != "" || u.Query != "" {
			return keys.PublicKey{}, fmt.Errorf("verificationMethod %q is not the DID URL of a verification method", truncate(vm, 200))
		}
		when := created
		if when.IsZero() {
			when = at
		}
		if rel != relAssertionMethod {
			when = time.Time{}
		}
		scratch := newResult()
		pk, note, ok := v.methodKey(ctx, scratch, check, rel, u, vm, when)
		if scratch.Err != nil {
			r.internal(scratch.Err)
		}
		if !ok {
			return keys.PublicKey{}, errors.New(scratch.Checks[0].Detail)
		}
		asOf[vm] = note
		return pk, nil
	}
	vo.ProofPurpose, vo.Now = purpose, v.now()
	var res *ldproof.Result
	var err error
	if decoded != nil {
		res, err = ldproof.VerifyDecoded(ctx, doc, decoded, resolve, vo)
	} else {
		res, err = ldproof.Verify(ctx, doc, resolve, vo)
	}
	if err != nil {
		if e, ok := errs.As(err); !ok || e.Status >= 500 {
			r.internal(err)
		}
		code := ReasonProofInvalid
		if check == CheckHolderProof {
			code = ReasonHolderProofInvalid
		}
		r.addCode(check, StatusFailed, code, nil, err.Error())
		return signedBy{}
	}
	var signer signedBy
	for _, pr := range res.Proofs {
		if u, err := did.ParseDIDURL(pr.VerificationMethod); err == nil && (signer.DID == "" || u.DID == want) {
			signer = signedBy{DID: u.DID, Key: pr.VerificationMethod}
		}
	}
	var parts []string
	for i, pr := range res.Proofs {
		name := pr.Cryptosuite
		if name == "" {
			name = pr.Type
		}
		if !res.Verified && !pr.Verified {
			parts = append(parts, fmt.Sprintf("proof %d (%s, %s): %s", i, truncate(name, 64), truncate(pr.VerificationMethod, 200), pr.Error))
		}
		if res.Verified {
			parts = append(parts, fmt.Sprintf("the %s proof verifies with %s%s", name, pr.VerificationMethod, asOf[pr.VerificationMethod]))
		}
	}
	var failed, passed string // the codes of codes.go are the proof check's
	if check == CheckProof {
		failed, passed = ReasonProofBadSignature, ReasonProofOK
	}
	if !res.Verified {
		r.addCode(check, StatusFailed, failed, nil, strings.Join(parts, "; "))
		return signer
	}
	r.addCode(check, StatusPassed, passed, nil, strings.Join(parts, "; "))
	return signer
}

// dataIntegrityPresentation verifies a presentation with Data Integrity
// proofs of purpose authentication. Every proof must carry the challenge
// and domain asked for (ldproof checks them on each proof): otherwise a
// captured presentation with a fresh proof of someone else's added would
// pass as its holder's.
func (v *Verifier) dataIntegrityPresentation(ctx context.Context, pr *PresentationResult, raw json.RawMessage, o PresentationOptions) {
	p, err := ParsePresentation(raw)
	if err == nil {
		err = linkedDataView(p.Doc)
	}
	if err != nil {
		pr.failStructure(err)
		return
	}
	pr.Presentation = p.Doc
	pr.addCode(CheckStructure, StatusPassed, ReasonPresentationOK, params("format", "Data Integrity"), "a VC Data Model 2.0 presentation secured with Data Integrity")
	r := newResult()
	holder := v.diProof(ctx, r, CheckHolderProof, raw, nil, ldproof.PurposeAuthentication, time.Time{}, p.Holder, ldproof.VerifyOptions{Challenge: o.Challenge, Domain: o.Domain}).DID
	if r.Err != nil && pr.Err == nil {
		pr.Err = r.Err
	}
	check := r.Checks[0]
	proofOK := check.Status == StatusPassed
	if proofOK && p.Holder != "" && holder != p.Holder {
		check = Check{Name: CheckHolderProof, Status: StatusFailed, Code: ReasonHolderProofNotHolder, Params: params("holder", truncate(p.Holder, 200), "signer", holder), Detail: fmt.Sprintf("the holder %s did not sign the presentation (%s did)", truncate(p.Holder, 200), holder)}
		proofOK = false
	}
	if proofOK {
		pr.Holder = holder
	}
	pr.Checks = append(pr.Checks, check)
	// What the holder's proof carries.
	var challenge string
	var domain any
	if _, proofs, err := ldproof.Split(raw); err == nil {
		for _, raw := range proofs {
			var m map[string]any
			if json.Unmarshal(raw, &m) != nil || m["proofPurpose"] != ldproof.PurposeAuthentication {
				continue
			}
			vm, _ := m["verificationMethod"].(string)
			if u, err := did.ParseDIDURL(vm); err == nil && u.DID == holder {
				challenge, _ = m["challenge"].(string)
				domain = m["domain"]
				break
			}
		}
	}
	v.challenge(pr, challenge, proofOK, o)
	v.domain(pr, Strings(domain), o)
	v.presentedCredentials(ctx, pr, p, o.Policy)
	pr.finish()
}

// SignPresentationDataIntegrity secures the presentation vp with a Data
// Integrity proof (proofPurpose authentication) of cryptosuite made by the
// holder s, carrying challenge and domain. The presentation's holder is
// set to s.DID if absent and must be s.DID otherwise.
func SignPresentationDataIntegrity(s Signer, vp json.RawMessage, cryptosuite, challenge, domain string, created time.Time) (json.RawMessage, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	p, err := ParsePresentation(vp)
	if err != nil {
		return nil, errs.Wrap(http.StatusBadRequest, "presentation.invalid", err)
	}
	if p.Holder != "" && p.Holder != s.DID {
		return nil, errs.BadRequest("presentation.invalid", "the presentation's holder %q is not the signer %s", truncate(p.Holder, 200), s.DID)
	}
	if _, ok := p.Doc["proof"]; ok {
		return nil, errs.BadRequest("presentation.invalid", "the presentation already has a proof")
	}
	if p.Holder == "" {
		p.Doc["holder"] = s.DID
		if vp, err = strictjson.Marshal(p.Doc); err != nil {
			return nil, err
		}
	}
	return ldproof.Sign(vp, ldproof.Options{Cryptosuite: cryptosuite, Key: s.Key, VerificationMethod: s.VerificationMethod,
		ProofPurpose: ldproof.PurposeAuthentication, Created: created.UTC().Truncate(time.Second), Challenge: challenge, Domain: domain})
}
