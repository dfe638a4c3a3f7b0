package credential

// Credentials secured with an embedded Data Integrity proof
// (https://www.w3.org/TR/vc-data-integrity/) of the cryptosuite
// eddsa-jcs-2022 of "Data Integrity EdDSA Cryptosuites v1.0"
// (https://www.w3.org/TR/vc-di-eddsa/ §3.3).

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/gowebpki/jcs"
	"github.com/mr-tron/base58"

	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
)

// Vocabulary of Data Integrity proofs.
const (
	// ProofTypeDataIntegrity is the type of a Data Integrity proof
	// (VC Data Integrity §2.1).
	ProofTypeDataIntegrity = "DataIntegrityProof"
	// CryptosuiteEdDSAJCS2022 is the cryptosuite SignDataIntegrityJCS makes
	// and VerifyDataIntegrity accepts (VC DI EdDSA §3.3).
	CryptosuiteEdDSAJCS2022 = "eddsa-jcs-2022"
	// ProofPurposeAssertionMethod is the proof purpose of a credential's
	// proof: the key must be in its controller's assertionMethod.
	ProofPurposeAssertionMethod = "assertionMethod"
)

// diProof is a proof SignDataIntegrityJCS makes, its members in the order
// of the specification's examples.
type diProof struct {
	Type               string `json:"type"`
	Cryptosuite        string `json:"cryptosuite"`
	Created            string `json:"created,omitempty"`
	VerificationMethod string `json:"verificationMethod"`
	ProofPurpose       string `json:"proofPurpose"`
	ProofValue         string `json:"proofValue,omitempty"`
}

// SignDataIntegrityJCS secures doc (the JSON of an unsecured credential)
// with a Data Integrity proof of the cryptosuite eddsa-jcs-2022 made by s,
// whose key must be Ed25519, and returns doc with the member "proof"
// added (the members of doc keep their order and form):
//
//	{"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022",
//	 "created": ..., "verificationMethod": s.VerificationMethod,
//	 "proofPurpose": "assertionMethod", "proofValue": "z..."}
//
// created is omitted when it is zero, otherwise written in UTC to the
// second. The credential must have a valid VC Data Model 2.0 structure
// (Parse), name s.DID as its issuer and have no proof yet (proof sets and
// chains are not supported).
//
// Errors are *errs.Error: 413 credential.tooLarge, 400 credential.invalid,
// 400 credential.invalidSigner and 403 credential.issuerMismatch.
func SignDataIntegrityJCS(s Signer, doc json.RawMessage, created time.Time) (json.RawMessage, error) {
	if len(doc) > MaxCredentialBytes {
		return nil, errs.New(http.StatusRequestEntityTooLarge, "credential.tooLarge", "the credential is larger than %d bytes", MaxCredentialBytes)
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	if s.Key.Type() != keys.Ed25519 {
		return nil, errs.BadRequest("credential.invalidSigner", "%s needs an Ed25519 key, not %s", CryptosuiteEdDSAJCS2022, s.Key.Type())
	}
	c, err := Parse(doc)
	if err != nil {
		return nil, errs.Wrap(http.StatusBadRequest, "credential.invalid", err)
	}
	if c.Issuer != s.DID {
		return nil, errs.New(http.StatusForbidden, "credential.issuerMismatch", "the credential's issuer %q is not the signer %s", truncate(c.Issuer, 200), s.DID)
	}
	if _, ok := c.Doc["proof"]; ok {
		return nil, errs.BadRequest("credential.invalid", "%v: the credential already has a \"proof\"", ErrInvalid)
	}
	p := diProof{
		Type:               ProofTypeDataIntegrity,
		Cryptosuite:        CryptosuiteEdDSAJCS2022,
		VerificationMethod: s.VerificationMethod,
		ProofPurpose:       ProofPurposeAssertionMethod,
	}
	if !created.IsZero() {
		p.Created = created.UTC().Truncate(time.Second).Format(time.RFC3339)
	}
	options, err := toObject(p)
	if err != nil {
		return nil, fmt.Errorf("sign credential: %w", err)
	}
	_, _, hash, err := jcsHashData(c.Doc, options)
	if err != nil {
		return nil, errs.Wrap(http.StatusBadRequest, "credential.invalid", fmt.Errorf("%w: %v", ErrInvalid, err))
	}
	sig, err := s.Key.Sign(hash)
	if err != nil {
		return nil, fmt.Errorf("sign credential: %w", err)
	}
	p.ProofValue = "z" + base58.Encode(sig)
	proof, err := encodeJSON(p)
	if err != nil {
		return nil, fmt.Errorf("sign credential: %w", err)
	}
	// Parse accepted doc as one JSON object: insert the proof before its
	// closing brace.
	body := bytes.TrimSpace(doc)
	body = body[:len(body)-1]
	out := make([]byte, 0, len(body)+len(proof)+16)
	out = append(out, body...)
	if len(c.Doc) > 0 {
		out = append(out, ',')
	}
	out = append(out, `"proof":`...)
	out = append(out, proof...)
	out = append(out, '}')
	if len(out) > MaxCredentialBytes {
		return nil, errs.New(http.StatusRequestEntityTooLarge, "credential.tooLarge", "the credential is larger than %d bytes", MaxCredentialBytes)
	}
	return out, nil
}

// toObject converts v to a JSON object as decodeObject reads one.
func toObject(v any) (map[string]any, error) {
	b, err := encodeJSON(v)
	if err != nil {
		return nil, err
	}
	return decodeObject(b, credentialLimits)
}

// canonicalJSON is the JCS form (RFC 8785) of a decoded JSON value.
func canonicalJSON(v any) ([]byte, error) {
	b, err := encodeJSON(v)
	if err != nil {
		return nil, err
	}
	return jcs.Transform(b)
}

// jcsHashData runs the transformation (§3.3.3), proof configuration
// (§3.3.5) and hashing (§3.3.4) of eddsa-jcs-2022 on an unsecured document
// and proof options (without proofValue). It returns the canonical
// document, the canonical proof configuration and the hash data: the
// SHA-256 of the second followed by the SHA-256 of the first.
func jcsHashData(unsecured, options map[string]any) (canonDoc, canonConfig, hash []byte, err error) {
	if t, _ := options["type"].(string); t != ProofTypeDataIntegrity {
		return nil, nil, nil, fmt.Errorf("proof type %q is not %s", truncate(t, 64), ProofTypeDataIntegrity)
	}
	if cs, _ := options["cryptosuite"].(string); cs != CryptosuiteEdDSAJCS2022 {
		return nil, nil, nil, fmt.Errorf("unsupported cryptosuite %q", truncate(cs, 64))
	}
	if _, err := dateTimeStamp(options, "created"); err != nil {
		return nil, nil, nil, fmt.Errorf("proof: %v", err)
	}
	config := make(map[string]any, len(options)+1)
	for k, v := range options {
		if k != "proofValue" {
			config[k] = v
		}
	}
	if ctx, ok := unsecured["@context"]; ok {
		config["@context"] = ctx
	}
	if canonDoc, err = canonicalJSON(unsecured); err != nil {
		return nil, nil, nil, fmt.Errorf("canonicalize the document: %v", err)
	}
	if canonConfig, err = canonicalJSON(config); err != nil {
		return nil, nil, nil, fmt.Errorf("canonicalize the proof configuration: %v", err)
	}
	ph, dh := sha256.Sum256(canonConfig), sha256.Sum256(canonDoc)
	return canonDoc, canonConfig, append(ph[:], dh[:]...), nil
}

// VerifyDataIntegrity verifies a credential secured with an embedded Data
// Integrity proof (the JSON of the credential with its "proof" member) and
// reports the checks of VerifyJWT, in the same order and with the same
// meaning, except for the proof:
//
//   - structure: doc is a credential Parse accepts. When it fails, the
//     other checks are skipped.
//   - proof: doc has exactly one proof, an object of type
//     DataIntegrityProof whose cryptosuite is eddsa-jcs-2022 (another
//     cryptosuite fails as unsupported) and proofPurpose assertionMethod,
//     a valid created if any, and a proofValue that is base58btc multibase
//     of a 64-byte signature; if the proof has an @context, the
//     credential's @context starts with it (VC DI EdDSA §3.3.2). Its
//     verificationMethod is a DID URL whose DID resolves and lists it in
//     assertionMethod, as for VerifyJWT: for did:weid, when the latest
//     document no longer has the method, the document as of issuance (the
//     proof's created or, without it, the credential's validFrom) is used.
//     The method's key must be Ed25519 and verify the signature over
//     SHA-256(JCS(proof configuration)) ‖ SHA-256(JCS(credential without
//     proof)).
//   - issuerBinding, accreditation, validityPeriod, schema, status: as
//     VerifyJWT, with the verificationMethod's DID in place of the kid's.
//
// VerifyDataIntegrity never panics on any input and returns no error for a
// bad credential: everything is in the Result.
func (v *Verifier) VerifyDataIntegrity(ctx context.Context, doc json.RawMessage, p Policy) *Result {
	r := newResult()
	c, err := Parse(doc)
	if err != nil {
		r.structureFailed(err)
		return r
	}
	r.Credential = c.Doc
	r.add(CheckStructure, StatusPassed, "a VC Data Model 2.0 credential secured with a Data Integrity proof")
	vmDID := v.diProof(ctx, r, c)
	v.claims(r, c, vmDID, p)
	return r
}

// diProof runs the proof check of a Data Integrity credential and returns
// the DID of its verification method ("" if it names none).
func (v *Verifier) diProof(ctx context.Context, r *Result, c *Credential) string {
	fail := func(format string, args ...any) { r.add(CheckProof, StatusFailed, fmt.Sprintf(format, args...)) }
	var proof map[string]any
	switch pv := c.Doc["proof"].(type) {
	case nil:
		fail("the credential has no \"proof\"")
		return ""
	case map[string]any:
		proof = pv
	case []any:
		if len(pv) != 1 {
			fail("the credential has %d proofs; exactly one is supported", len(pv))
			return ""
		}
		if proof, _ = pv[0].(map[string]any); proof == nil {
			fail("\"proof\" must be an object")
			return ""
		}
	default:
		fail("\"proof\" must be an object")
		return ""
	}
	str := func(name string) (string, bool) { s, ok := proof[name].(string); return s, ok }
	if t, _ := str("type"); t != ProofTypeDataIntegrity {
		fail("unsupported proof type %q (want %s)", truncate(t, 64), ProofTypeDataIntegrity)
		return ""
	}
	if cs, _ := str("cryptosuite"); cs != CryptosuiteEdDSAJCS2022 {
		fail("unsupported cryptosuite %q (want %s)", truncate(cs, 64), CryptosuiteEdDSAJCS2022)
		return ""
	}
	kid, ok := str("verificationMethod")
	if !ok || kid == "" {
		fail("the proof has no \"verificationMethod\"")
		return ""
	}
	u, err := did.ParseDIDURL(kid)
	if err != nil || u.Fragment == "" || u.Path != "" || u.Query != "" {
		fail("\"verificationMethod\" %q is not the DID URL of a verification method", truncate(kid, 200))
		return ""
	}
	if pp, _ := str("proofPurpose"); pp != ProofPurposeAssertionMethod {
		fail("proofPurpose %q is not %s", truncate(pp, 64), ProofPurposeAssertionMethod)
		return u.DID
	}
	created, err := dateTimeStamp(proof, "created")
	if err != nil {
		fail("proof: %v", err)
		return u.DID
	}
	pvs, _ := str("proofValue")
	if len(pvs) < 2 || pvs[0] != 'z' || len(pvs) > 128 {
		fail("\"proofValue\" must be a base58btc multibase value (starting with 'z')")
		return u.DID
	}
	sig, err := base58.Decode(pvs[1:])
	if err != nil || len(sig) != keys.SignatureSize {
		fail("\"proofValue\" is not a base58btc %d-byte signature", keys.SignatureSize)
		return u.DID
	}
	// VC DI EdDSA §3.3.2: the document without its proof, and the proof
	// options without proofValue; a proof's @context must begin the
	// document's and then stands for it.
	unsecured := make(map[string]any, len(c.Doc))
	for k, val := range c.Doc {
		if k != "proof" {
			unsecured[k] = val
		}
	}
	if pctx, ok := proof["@context"]; ok {
		if !contextPrefix(c.Doc["@context"], pctx) {
			fail("the proof's @context is not a prefix of the credential's @context")
			return u.DID
		}
		unsecured["@context"] = pctx
	}
	_, _, hash, err := jcsHashData(unsecured, proof)
	if err != nil {
		fail("%v", err)
		return u.DID
	}

	at := created
	if at.IsZero() {
		at = c.ValidFrom
	}
	pk, asOf, ok := v.assertionKey(ctx, r, u, kid, at)
	if !ok {
		return u.DID
	}
	if pk.Type != keys.Ed25519 {
		fail("verification method %s has a %s key; %s needs Ed25519", kid, pk.Type, CryptosuiteEdDSAJCS2022)
		return u.DID
	}
	if !pk.Verify(hash, sig) {
		fail("%s: the %s signature does not verify", kid, CryptosuiteEdDSAJCS2022)
		return u.DID
	}
	r.add(CheckProof, StatusPassed, fmt.Sprintf("the %s proof verifies with %s%s", CryptosuiteEdDSAJCS2022, kid, asOf))
	return u.DID
}

// contextPrefix reports whether the @context value prefix (a string or an
// array) begins the @context value full, item by item.
func contextPrefix(full, prefix any) bool {
	list := func(v any) ([]any, bool) {
		switch v := v.(type) {
		case []any:
			return v, true
		case string:
			return []any{v}, true
		}
		return nil, false
	}
	f, ok1 := list(full)
	p, ok2 := list(prefix)
	if !ok1 || !ok2 || len(p) > len(f) {
		return false
	}
	for i := range p {
		a, err1 := canonicalJSON(p[i])
		b, err2 := canonicalJSON(f[i])
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			return false
		}
	}
	return true
}
