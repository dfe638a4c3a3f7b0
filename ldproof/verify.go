package ldproof

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/mr-tron/base58"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/strictjson"
	"github.com/weidgo/weid/keys"
)

// KeyResolver returns the public key of a proof's verification method.
// The caller checks that the method belongs to the expected controller
// and is listed under proofPurpose in its DID document (as of created,
// which is zero when the proof has none).
type KeyResolver func(ctx context.Context, verificationMethod, proofPurpose string, created time.Time) (keys.PublicKey, error)

// VerifyOptions say what Verify expects of every proof.
type VerifyOptions struct {
	// ProofPurpose defaults to PurposeAssertionMethod.
	ProofPurpose string
	// Challenge and Domain, when set, must equal the proof's (a domain
	// array must contain Domain).
	Challenge, Domain string
	// Now is the time expires is checked against; zero means time.Now().
	Now time.Time
}

// Result is the outcome of Verify.
type Result struct {
	// Verified is true when the document has at least one proof and
	// every proof verifies.
	Verified bool
	// Proofs reports each proof in document order.
	Proofs []ProofResult
}

// ProofResult reports one proof.
type ProofResult struct {
	ID                 string    `json:"id,omitempty"`
	Type               string    `json:"type"`
	Cryptosuite        string    `json:"cryptosuite,omitempty"`
	VerificationMethod string    `json:"verificationMethod"`
	ProofPurpose       string    `json:"proofPurpose"`
	Created            time.Time `json:"created,omitzero"`
	PreviousProof      []string  `json:"previousProof,omitempty"`
	// Verified is true when the signature verifies and, for a proof in
	// a chain, every proof it names in previousProof is Verified too.
	Verified bool `json:"verified"`
	// Code (one of the Code constants) and Error say why not.
	Code  string `json:"code,omitempty"`
	Error string `json:"error,omitempty"`
}

// Verify checks every Data Integrity proof of doc (VC Data Integrity §4.5,
// proof sets and chains) with the keys resolve returns, and reports each.
// A proof in a chain verifies only when every proof its previousProof
// names exists in the document and verifies.
//
// The error is an *errs.Error when the document itself cannot be checked:
// 413 ldproof.tooLarge, 400 ldproof.invalidDocument, 400 ldproof.noProof;
// or ctx's error. Everything about the proofs is in the Result.
func Verify(ctx context.Context, doc json.RawMessage, resolve KeyResolver, o VerifyOptions) (*Result, error) {
	d, err := decodeDocument(doc)
	if err != nil {
		return nil, err
	}
	return verifyDecoded(ctx, d, resolve, o)
}

// VerifyDecoded is Verify of doc, whose strict decoding (by the decoder
// Verify uses, under any limits) the caller already has as d: it saves
// decoding doc again. d is only read.
func VerifyDecoded(ctx context.Context, doc json.RawMessage, d map[string]any, resolve KeyResolver, o VerifyOptions) (*Result, error) {
	if len(doc) > MaxDocumentBytes || !docLimits.Allows(d) {
		return Verify(ctx, doc, resolve, o) // it says why not
	}
	return verifyDecoded(ctx, d, resolve, o)
}

func verifyDecoded(ctx context.Context, d map[string]any, resolve KeyResolver, o VerifyOptions) (*Result, error) {
	proofs, ok, err := proofList(d)
	if err != nil {
		return nil, err
	}
	if !ok || len(proofs) == 0 {
		return nil, errs.BadRequest(CodeNoProof, "the document has no proof")
	}
	if o.ProofPurpose == "" {
		o.ProofPurpose = PurposeAssertionMethod
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	base := withoutProof(d)
	res := &Result{Proofs: make([]ProofResult, len(proofs))}
	for i, p := range proofs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res.Proofs[i] = verifyProof(ctx, base, proofs, p, resolve, o)
	}
	// Chains: a proof is verified only if all proofs it names are.
	state := make([]int, len(proofs)) // 0 unknown, 1 visiting, 2 done
	var settle func(i int) bool
	settle = func(i int) bool {
		switch state[i] {
		case 1:
			return false // a cycle can verify nothing
		case 2:
			return res.Proofs[i].Verified
		}
		state[i] = 1
		r := &res.Proofs[i]
		if r.Verified {
			for _, id := range r.PreviousProof {
				j := slices.IndexFunc(proofs, func(p map[string]any) bool { s, _ := p["id"].(string); return s == id })
				if j < 0 || !settle(j) {
					r.Verified, r.Code, r.Error = false, ProofBrokenChain, fmt.Sprintf("previous proof %q does not verify", strictjson.Truncate(id, 200))
					break
				}
			}
		}
		state[i] = 2
		return r.Verified
	}
	res.Verified = true
	for i := range proofs {
		if !settle(i) {
			res.Verified = false
		}
	}
	return res, nil
}

// verifyProof checks one proof's members and signature (VC Data Integrity
// §4.3 and the cryptosuites' Verify Proof).
func verifyProof(ctx context.Context, base map[string]any, all []map[string]any, p map[string]any, resolve KeyResolver, o VerifyOptions) (r ProofResult) {
	str := func(name string) string { s, _ := p[name].(string); return s }
	r.ID, r.Type, r.Cryptosuite = str("id"), str("type"), str("cryptosuite")
	r.VerificationMethod, r.ProofPurpose = str("verificationMethod"), str("proofPurpose")
	fail := func(code, format string, args ...any) ProofResult {
		r.Code, r.Error = code, fmt.Sprintf(format, args...)
		return r
	}
	var s *suite
	switch r.Type {
	case TypeDataIntegrityProof:
		s = suites[r.Cryptosuite]
		if legacy, ok := legacySuites[r.Cryptosuite]; ok {
			s = suites[legacy]
		}
		if s == nil || s.typ != TypeDataIntegrityProof {
			return fail(ProofUnsupportedSuite, "unsupported cryptosuite %q", strictjson.Truncate(r.Cryptosuite, 64))
		}
	case Ed25519Signature2020:
		// The legacy suite has no cryptosuite name: a cryptosuite, which
		// must identify the suite (VC Data Integrity §2.1), names another.
		if _, ok := p["cryptosuite"]; ok {
			return fail(ProofUnsupportedSuite, "an %s proof with a cryptosuite (%q) names another suite", Ed25519Signature2020, strictjson.Truncate(r.Cryptosuite, 64))
		}
		s = suites[Ed25519Signature2020]
	default:
		return fail(ProofUnsupportedSuite, "unsupported proof type %q", strictjson.Truncate(r.Type, 64))
	}
	for _, name := range []string{"id", "cryptosuite", "created", "expires", "challenge", "nonce"} {
		if v, ok := p[name]; ok {
			if _, isStr := v.(string); !isStr {
				return fail(ProofInvalidProof, "the proof's %q must be a string", name)
			}
		}
	}
	if r.VerificationMethod == "" {
		return fail(ProofInvalidProof, "the proof has no verificationMethod string")
	}
	if r.ProofPurpose != o.ProofPurpose {
		return fail(ProofPurposeMismatch, "proofPurpose %q is not %s", strictjson.Truncate(r.ProofPurpose, 64), o.ProofPurpose)
	}
	if c := str("created"); c != "" {
		t, err := parseDateTimeStamp(c)
		if err != nil {
			return fail(ProofInvalidProof, "created: %v", err)
		}
		r.Created = t
	}
	if e := str("expires"); e != "" {
		t, err := parseDateTimeStamp(e)
		if err != nil {
			return fail(ProofInvalidProof, "expires: %v", err)
		}
		if o.Now.After(t) {
			return fail(ProofExpired, "the proof expired at %s", e)
		}
	}
	if o.Challenge != "" && str("challenge") != o.Challenge {
		return fail(ProofChallengeMismatch, "the proof's challenge is not the expected one")
	}
	if o.Domain != "" && !holdsString(p["domain"], o.Domain) {
		return fail(ProofDomainMismatch, "the proof's domain is not %q", strictjson.Truncate(o.Domain, 200))
	}
	switch pp := p["previousProof"].(type) {
	case nil:
	case string:
		r.PreviousProof = []string{pp}
	case []any:
		for _, v := range pp {
			id, ok := v.(string)
			if !ok {
				return fail(ProofInvalidProof, "previousProof must be a string or an array of strings")
			}
			r.PreviousProof = append(r.PreviousProof, id)
		}
	default:
		return fail(ProofInvalidProof, "previousProof must be a string or an array of strings")
	}
	pv := str("proofValue")
	if len(pv) < 2 || pv[0] != 'z' || len(pv) > 200 {
		return fail(ProofInvalidProof, "proofValue must be a base58btc multibase value (starting with 'z')")
	}
	sig, err := base58.Decode(pv[1:])
	if err != nil || len(sig) != keys.SignatureSize {
		return fail(ProofInvalidProof, "proofValue is not a base58btc %d-byte signature", keys.SignatureSize)
	}

	unsecured, code, err := signedDocument(base, all, p, r.PreviousProof)
	if err != nil {
		return fail(code, "%v", err)
	}
	hash, err := s.hash(unsecured, p)
	if err != nil {
		return fail(errs.Code(err), "%v", detail(err))
	}
	if resolve == nil {
		return fail(ProofKeyNotResolved, "no key resolver")
	}
	pk, err := resolve(ctx, r.VerificationMethod, r.ProofPurpose, r.Created)
	if err != nil {
		return fail(ProofKeyNotResolved, "verification method %s: %v", strictjson.Truncate(r.VerificationMethod, 200), err)
	}
	if pk.Type != s.keyType {
		return fail(ProofKeyNotResolved, "verification method %s has a %s key; %s needs %s", strictjson.Truncate(r.VerificationMethod, 200), pk.Type, s.name, s.keyType)
	}
	if !pk.Verify(hash, keys.LowS(pk.Type, sig)) {
		return fail(ProofBadSignature, "the %s signature does not verify with %s", s.name, strictjson.Truncate(r.VerificationMethod, 200))
	}
	r.Verified = true
	return r
}

// signedDocument is the document a proof p of the document all proofs
// belong to signed: base (the document without proofs), with the proofs
// p's previousProof names as its "proof" (VC Data Integrity §4.5 step
// 4.3), and with p's own @context, which must begin the document's, in
// place of the document's (VC DI EdDSA §3.3.2). The code says why not.
func signedDocument(base map[string]any, all []map[string]any, p map[string]any, previous []string) (map[string]any, string, error) {
	unsecured := base
	if len(previous) > 0 {
		unsecured = make(map[string]any, len(base)+1)
		for k, v := range base {
			unsecured[k] = v
		}
		matching := make([]any, 0, len(previous))
		for _, id := range previous {
			m := proofByID(all, id)
			if m == nil {
				return nil, CodeUnknownPreviousProof, fmt.Errorf("previousProof %q names no proof of the document", strictjson.Truncate(id, 200))
			}
			matching = append(matching, m)
		}
		unsecured["proof"] = matching
	}
	if pctx, ok := p["@context"]; ok {
		if !contextPrefix(base["@context"], pctx) {
			return nil, ProofInvalidProof, errors.New("the proof's @context is not a prefix of the document's @context")
		}
		if len(previous) == 0 {
			unsecured = withoutProof(base)
		}
		unsecured["@context"] = pctx
	}
	return unsecured, "", nil
}

// CanonicalForms returns what the proof p of doc (a secured document)
// signs under cryptosuite, whatever p's own type and cryptosuite say:
// the canonical document and proof configuration (RDFC-1.0 N-Quads, or
// JCS text for eddsa-jcs-2022; VC DI EdDSA §3.2.3–§3.2.5, §3.3.3–§3.3.5,
// VC DI ECDSA §3.2.3–§3.2.5) whose SHA-256 hashes, the configuration's
// first, the signature covers. p's proofValue is left out; the proofs p's
// previousProof names are taken from doc. It is the text to compare with
// another implementation's when a proof does not verify.
//
// Errors are *errs.Error: those of Verify for the document, 400
// ldproof.invalidOptions for an unknown cryptosuite, and the suite's
// canonicalization errors.
func CanonicalForms(cryptosuite string, doc json.RawMessage, p map[string]any) (canonDoc, canonConfig []byte, err error) {
	s, ok := suites[cryptosuite]
	if !ok {
		return nil, nil, errs.BadRequest(CodeInvalidOptions, "unsupported cryptosuite %q (want one of %v)", strictjson.Truncate(cryptosuite, 64), Suites())
	}
	d, err := decodeDocument(doc)
	if err != nil {
		return nil, nil, err
	}
	all, _, err := proofList(d)
	if err != nil {
		return nil, nil, err
	}
	var previous []string
	switch pp := p["previousProof"].(type) {
	case string:
		previous = []string{pp}
	case []any:
		for _, v := range pp {
			if id, ok := v.(string); ok {
				previous = append(previous, id)
			}
		}
	}
	unsecured, code, err := signedDocument(withoutProof(d), all, p, previous)
	if err != nil {
		return nil, nil, errs.BadRequest(code, "%v", err)
	}
	canonDoc, canonConfig, _, err = s.hashData(unsecured, p)
	return canonDoc, canonConfig, err
}

// detail is an error's text without its code.
func detail(err error) string {
	if e, ok := errs.As(err); ok && e.Detail != "" {
		return e.Detail
	}
	return err.Error()
}

// parseDateTimeStamp parses created and expires: an XML Schema
// dateTimeStamp (a date and time with a time zone); a time "incorrectly
// serialized without an offset" is read as UTC, as VC Data Integrity §2.1
// asks of verifiers.
func parseDateTimeStamp(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t, err = time.ParseInLocation("2006-01-02T15:04:05.999999999", s, time.UTC)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date and time (with a time zone)", strictjson.Truncate(s, 64))
	}
	return t, nil
}

// contextItems is an @context value as its list of items: an array as it
// is, a string as an array of one (JSON-LD 1.1 §3.1); ok is false for any
// other value.
func contextItems(v any) (items []any, ok bool) {
	switch v := v.(type) {
	case []any:
		return v, true
	case string:
		return []any{v}, true
	}
	return nil, false
}

// contextPrefix reports whether the @context value prefix (a string or an
// array) begins the @context value full, item by item.
func contextPrefix(full, prefix any) bool {
	f, ok1 := contextItems(full)
	pr, ok2 := contextItems(prefix)
	if !ok1 || !ok2 || len(pr) > len(f) {
		return false
	}
	for i := range pr {
		a, aok := pr[i].(string)
		b, bok := f[i].(string)
		if aok != bok {
			return false // a string's JCS form is no other value's
		}
		if aok && utf8.ValidString(a) && utf8.ValidString(b) {
			// The JCS forms of valid UTF-8 strings are equal when the
			// strings are (a URL, the usual item).
			if a != b {
				return false
			}
			continue
		}
		ca, err1 := canonicalJSON(pr[i])
		cb, err2 := canonicalJSON(f[i])
		if err1 != nil || err2 != nil || string(ca) != string(cb) {
			return false
		}
	}
	return true
}
