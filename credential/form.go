package credential

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/strictjson"
)

// Format is how a credential is secured.
type Format string

// The securing mechanisms a Verifier tells apart.
const (
	// FormatJWT is a VC-JOSE-COSE vc+jwt compact JWS.
	FormatJWT Format = "vc+jwt"
	// FormatSDJWT is an SD-JWT VC (dc+sd-jwt), with disclosures and
	// possibly a key-binding JWT.
	FormatSDJWT Format = "dc+sd-jwt"
	// FormatDataIntegrity is a credential object with an embedded Data
	// Integrity proof.
	FormatDataIntegrity Format = "data-integrity"
)

// Data URL prefixes of enveloped credentials and presentations (VC Data
// Model 2.0 §4.13, VC-JOSE-COSE §3).
const (
	DataURLVCJWT   = api.DataURLVCJWT
	DataURLSDJWT   = api.DataURLSDJWT
	DataURLVPJWT   = api.DataURLVPJWT
	dataURLVCSDJWT = "data:application/vc+sd-jwt,"
)

// Secured is a credential in one of the secured forms, as Classify read it.
type Secured struct {
	Format Format
	// Token is the compact serialization of a vc+jwt or SD-JWT.
	Token string
	// Doc is the JSON object of a Data Integrity credential.
	Doc json.RawMessage

	// decoded is Doc as Parse decodes it, when Classify decoded it
	// already (VerifySecured then does not decode it again); nil otherwise.
	decoded map[string]any
}

// Classify tells how the JSON value raw secures a credential: a compact
// JWT or SD-JWT string (an SD-JWT contains '~'), a well-formed
// EnvelopedVerifiableCredential whose id is a data: URL of one of them
// (envelope; VC Data Model 2.0 §4.13), or an object with a "proof". A
// compact JWT is a vc+jwt or a VC-JWT 1.1 (VerifyJWT tells them apart by
// its "typ"). Anything else is a 400 credential.invalid or
// credential.unsupportedFormat *errs.Error.
func Classify(raw json.RawMessage) (Secured, error) {
	if len(raw) == 0 {
		return Secured{}, errs.BadRequest("credential.invalid", "verifiableCredential is required")
	}
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return Secured{}, errs.BadRequest("credential.invalid", "verifiableCredential is null: it must be a JSON object or a compact JWT string")
	}
	if s, ok := plainString(raw); ok {
		return compact(s)
	}
	// An object is never a string: not trying it as one spares a Data
	// Integrity credential a whole validating pass of encoding/json (a
	// third of the batch verifier's time on eddsa-jcs-2022).
	if t := bytes.TrimLeft(raw, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return compact(s)
		}
	}
	if len(raw) <= MaxCredentialBytes {
		// The strict decode the verifier makes anyway, made once here:
		// when it reads raw, and encoding/json would read "type" and
		// "proof" from the same members, the answer is taken from it.
		if doc, err := decodeObject(raw, credentialLimits); err == nil {
			if sec, ok, err := classifyDecoded(raw, doc); ok {
				return sec, err
			}
		}
	}
	return classifyObject(raw)
}

// classifyObject is Classify of a value that is not a compact string, read
// as encoding/json reads it: an EnvelopedVerifiableCredential (VC Data
// Model 2.0 §4.13) or an object with a "proof".
func classifyObject(raw json.RawMessage) (Secured, error) {
	var obj struct {
		Type  any             `json:"type"`
		Proof json.RawMessage `json:"proof"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return Secured{}, errs.BadRequest("credential.invalid", "verifiableCredential must be a JSON object or a compact JWT string")
	}
	if hasType(obj.Type, TypeEnvelopedCredential) {
		doc, err := decodeObject(raw, credentialLimits)
		if err != nil {
			return Secured{}, errs.BadRequest("credential.invalid", "the enveloped credential: %v", err)
		}
		_, tok, err := envelope(doc, TypeEnvelopedCredential, []string{DataURLVCJWT, DataURLSDJWT, dataURLVCSDJWT, DataURLJWT})
		if err != nil {
			return Secured{}, envelopeError(false, err)
		}
		return compact(tok)
	}
	if len(obj.Proof) > 0 && string(obj.Proof) != "null" {
		return Secured{Format: FormatDataIntegrity, Doc: raw}, nil
	}
	return Secured{}, errs.BadRequest("credential.unsupportedFormat", "verifiableCredential must be a vc+jwt or SD-JWT (a compact string or an EnvelopedVerifiableCredential) or carry a Data Integrity proof")
}

// classifyDecoded is Classify of an object raw, strictly decoded as doc.
// ok is false when encoding/json, which Classify's answer follows, might
// read doc's "type" or "proof" otherwise: a member whose name matches one
// of them only without regard to case (encoding/json takes those too, the
// last in the text winning), or a number in "type" (encoding/json refuses
// one beyond float64, and the object with it).
func classifyDecoded(raw json.RawMessage, doc map[string]any) (sec Secured, ok bool, err error) {
	for k := range doc {
		if k != "type" && k != "proof" && (strings.EqualFold(k, "type") || strings.EqualFold(k, "proof")) {
			return Secured{}, false, nil
		}
	}
	typ := doc["type"]
	if hasNumber(typ) {
		return Secured{}, false, nil
	}
	if hasType(typ, TypeEnvelopedCredential) {
		_, tok, err := envelope(doc, TypeEnvelopedCredential, []string{DataURLVCJWT, DataURLSDJWT, dataURLVCSDJWT, DataURLJWT})
		if err != nil {
			return Secured{}, true, envelopeError(false, err)
		}
		sec, err := compact(tok)
		return sec, true, err
	}
	if proof, present := doc["proof"]; present && proof != nil {
		return Secured{Format: FormatDataIntegrity, Doc: raw, decoded: doc}, true, nil
	}
	return Secured{}, true, errs.BadRequest("credential.unsupportedFormat", "verifiableCredential must be a vc+jwt or SD-JWT (a compact string or an EnvelopedVerifiableCredential) or carry a Data Integrity proof")
}

// hasNumber reports whether the decoded JSON value v holds a number.
func hasNumber(v any) bool {
	switch v := v.(type) {
	case json.Number:
		return true
	case []any:
		for _, e := range v {
			if hasNumber(e) {
				return true
			}
		}
	case map[string]any:
		for _, e := range v {
			if hasNumber(e) {
				return true
			}
		}
	}
	return false
}

// plainString reads a JSON string literal without escapes, control
// characters or non-ASCII bytes (a compact JWT's form) as json.Unmarshal
// would, without its reflection; ok is false for anything else.
func plainString(raw json.RawMessage) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	body := raw[1 : len(raw)-1]
	if !strictjson.PlainASCII(body) {
		return "", false
	}
	return string(body), true
}

func compact(s string) (Secured, error) {
	if s == "" {
		return Secured{}, errs.BadRequest("credential.invalid", "the compact credential is empty")
	}
	if strings.IndexByte(s, '~') >= 0 {
		return Secured{Format: FormatSDJWT, Token: s}, nil
	}
	return Secured{Format: FormatJWT, Token: s}, nil
}

// Verify verifies a credential in any secured form Classify reads. It
// returns an error only when raw is not a credential in such a form (a
// 4xx *errs.Error); everything about the credential itself is in the
// Result.
func (v *Verifier) Verify(ctx context.Context, raw json.RawMessage, p Policy) (*Result, error) {
	sec, err := Classify(raw)
	if err != nil {
		return nil, err
	}
	return v.VerifySecured(ctx, sec, p), nil
}

// VerifySecured verifies a credential Classify has read.
func (v *Verifier) VerifySecured(ctx context.Context, sec Secured, p Policy) *Result {
	var r *Result
	switch sec.Format {
	case FormatJWT:
		r = v.VerifyJWT(ctx, sec.Token, p)
	case FormatSDJWT:
		r = v.VerifySDJWT(ctx, sec.Token, p)
	case FormatDataIntegrity:
		r = v.verifyDataIntegrity(ctx, sec.Doc, sec.decoded, p)
	default:
		r = newResult()
		r.structureFailed(errors.New("unknown credential format"))
	}
	if v.proven != nil {
		r.StateProof = v.proven.Summary()
	}
	return r
}

// newResult returns an empty Result ready for checks.
func newResult() *Result {
	return &Result{VerifyResult: api.VerifyResult{Verdict: api.Verdict{Checks: make([]Check, 0, len(CheckNames)), Warnings: []Check{}, Errors: []Check{}}}}
}

// structureFailed records a failed structure check, skips the others and
// finishes r.
func (r *Result) structureFailed(err error) {
	r.addCode(CheckStructure, StatusFailed, ReasonStructureInvalid, nil, err.Error())
	for _, n := range CheckNames[1:] {
		r.addCode(n, StatusSkipped, ReasonSkippedStructure, nil, "the credential's structure is invalid")
	}
	r.finish()
}
