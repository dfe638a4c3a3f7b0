package api

import (
	"encoding/json"
	"time"

	"github.com/weidgo/weid/errs"
)

// W3C VCALM credential endpoints. Credentials are issued in the VC 2.0
// enveloped form of VC-JOSE-COSE: an EnvelopedVerifiableCredential whose
// id is a data: URL holding the compact vc+jwt or SD-JWT (VC DM 2.0
// §4.13); verify also takes the compact token as a bare string.

// EnvelopedCredential is an EnvelopedVerifiableCredential. Its @context is
// an array (whose first item is the VC 2.0 base context), as VC DM 2.0
// §4.13's examples and the W3C test suites have it.
type EnvelopedCredential struct {
	Context []string `json:"@context"`
	ID      string   `json:"id"`
	Type    string   `json:"type"`
}

// UnmarshalJSON reads an EnvelopedCredential whose @context is an array
// or, as VC DM 2.0 §4.13 also allows and earlier weid nodes wrote it, a
// single string.
func (e *EnvelopedCredential) UnmarshalJSON(b []byte) error {
	var w struct {
		Context json.RawMessage `json:"@context"`
		ID      string          `json:"id"`
		Type    string          `json:"type"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	e.ID, e.Type, e.Context = w.ID, w.Type, nil
	if len(w.Context) == 0 || string(w.Context) == "null" {
		return nil
	}
	var one string
	if json.Unmarshal(w.Context, &one) == nil {
		e.Context = []string{one}
		return nil
	}
	return json.Unmarshal(w.Context, &e.Context)
}

// Data URL prefixes of enveloped credentials and presentations (VC Data
// Model 2.0 §4.13, VC-JOSE-COSE §3).
const (
	DataURLVCJWT = "data:application/vc+jwt,"
	DataURLSDJWT = "data:application/dc+sd-jwt,"
	DataURLVPJWT = "data:application/vp+jwt,"
)

// TypeEnvelopedCredential is the type of an EnvelopedCredential.
const TypeEnvelopedCredential = "EnvelopedVerifiableCredential"

// IssueRequest is the body of POST /credentials/issue and POST
// /issuers/{name}/credentials/issue.
type IssueRequest struct {
	Credential json.RawMessage `json:"credential"`
	Options    *IssueOptions   `json:"options,omitempty"`
}

// IssueOptions are the issuance choices (W3C VCALM options), each
// overriding the issuer instance's: the securing mechanism ("vc+jwt", the
// default; "dc+sd-jwt"; "eddsa-jcs-2022", "eddsa-rdfc-2022",
// "ecdsa-rdfc-2019"), the weid schema, the status purposes and, for
// dc+sd-jwt, the selectively disclosable claims.
type IssueOptions struct {
	Format      string   `json:"format,omitempty"`
	Schema      uint64   `json:"schema,omitempty"`
	Status      []string `json:"status,omitempty"`
	Disclosable []string `json:"disclosable,omitempty"`
	// CredentialID is W3C VCALM's credentialId: a name of this one
	// credential (not of a profile, so no instance has one) by which POST
	// /credentials/status finds its status entries, as it finds them by
	// the credential's id.
	CredentialID string `json:"credentialId,omitempty"`
}

// MaxCredentialIDBytes bounds IssueOptions.CredentialID.
const MaxCredentialIDBytes = 2048

// Override returns p with every choice o makes in place of p's.
func (o *IssueOptions) Override(p IssueProfile) IssueProfile {
	if o == nil {
		return p
	}
	if o.Format != "" {
		p.Format = o.Format
	}
	if o.Schema != 0 {
		p.Schema = o.Schema
	}
	if o.Status != nil {
		p.Status = o.Status
	}
	if o.Disclosable != nil {
		p.Disclosable = o.Disclosable
	}
	return p
}

// IssueResponse is the body of a 201 from POST /credentials/issue: an
// EnvelopedCredential for vc+jwt and dc+sd-jwt, the secured credential
// itself for Data Integrity.
type IssueResponse struct {
	VerifiableCredential any `json:"verifiableCredential"`
}

// VerifyRequest is the body of POST /credentials/verify. Unknown option
// keys are tolerated, as VCALM asks.
type VerifyRequest struct {
	VerifiableCredential json.RawMessage `json:"verifiableCredential"`
	Options              VerifyOptions   `json:"options,omitempty"`
}

// IssueProfile says how the node completes and secures a credential.
type IssueProfile struct {
	// Format is the securing mechanism; "" means vc+jwt.
	Format string `json:"format,omitempty"`
	// Schema, if not 0, is the weid schema the credential names (its
	// credentialSchema is set to it when absent) and is validated against.
	Schema uint64 `json:"schema,omitempty"`
	// Types are added to the credential's types when missing.
	Types []string `json:"types,omitempty"`
	// Status lists the status purposes ("revocation", "suspension") the
	// credential gets a Bitstring Status List entry for.
	Status []string `json:"status,omitempty"`
	// Disclosable lists, for dc+sd-jwt, the JSON pointers of the claims
	// the holder may disclose selectively (such as
	// "/credentialSubject/degree"). The others are in the clear in the
	// issuer-signed JWT, shown to every verifier; with none, the holder
	// can withhold nothing.
	Disclosable []string `json:"disclosable,omitempty"`
}

// Issuer policies of an issuer instance (IssuerInstance.IssuerPolicy).
const (
	// IssuerPolicySigner (the default, also "") issues only credentials
	// that name the instance's issuer DID, whose key signs.
	IssuerPolicySigner = "signer"
	// IssuerPolicyDeclared signs with the instance's issuer DID's key a
	// credential whose issuer the caller declares: any URL VC Data Model
	// 2.0 §4.7 allows (an institution's https URL or organisation DID),
	// except a DID weid resolves offline that does not list the signing
	// key in its assertionMethod. A credential without issuer is refused
	// as under the default policy (clients fill in the instance's DID).
	IssuerPolicyDeclared = "declared"
)

// IssuerPolicies lists the issuer policies an instance may have.
var IssuerPolicies = []string{IssuerPolicySigner, IssuerPolicyDeclared}

// IssuerInstance is a named issuance configuration of an account (W3C
// VCALM issuer instance): one per kind of certificate an institution
// issues, such as "diploma".
type IssuerInstance struct {
	Name string `json:"name"`
	// Issuer is the issuer DID, one the account's token acts for: its
	// key signs.
	Issuer string `json:"issuer"`
	// IssuerPolicy is IssuerPolicySigner ("" too) or IssuerPolicyDeclared.
	IssuerPolicy string `json:"issuerPolicy,omitempty"`
	IssueProfile
	Account string `json:"account"`
	Created string `json:"created"`
}

// IssuerInstanceRequest is the body of POST /v1/issuer-instances.
type IssuerInstanceRequest struct {
	Name         string `json:"name"`
	Issuer       string `json:"issuer"`
	IssuerPolicy string `json:"issuerPolicy,omitempty"`
	IssueProfile
}

// Instance is the issuer instance the request asks for.
func (r *IssuerInstanceRequest) Instance() IssuerInstance {
	return IssuerInstance{Name: r.Name, Issuer: r.Issuer, IssuerPolicy: r.IssuerPolicy, IssueProfile: r.IssueProfile}
}

// IssuerInstanceList is the body of GET /v1/issuer-instances.
type IssuerInstanceList struct {
	Instances []IssuerInstance `json:"instances"`
}

// ChallengeResponse is the body of a 200 from POST /challenges: a
// single-use challenge for a presentation, and when it expires.
type ChallengeResponse struct {
	Challenge string    `json:"challenge"`
	Expires   time.Time `json:"expires"`
}

// VerifyPresentationRequest is the body of POST /presentations/verify:
// VCALM's VerifyPresentationRequest (verifiablePresentation) or its
// ProoflessVerifyPresentationRequest (presentation, a presentation
// without proof). Unknown option keys are tolerated, as VCALM asks.
type VerifyPresentationRequest struct {
	VerifiablePresentation json.RawMessage `json:"verifiablePresentation,omitempty"`
	Presentation           json.RawMessage `json:"presentation,omitempty"`
	Options                VerifyOptions   `json:"options,omitempty"`
}

// Document is the presentation to verify: verifiablePresentation, or
// presentation when that is absent (a presentation without proof verifies
// as one without proof given as verifiablePresentation does). Both is a
// 400 request.malformed.
func (r *VerifyPresentationRequest) Document() (json.RawMessage, error) {
	if len(r.Presentation) == 0 {
		return r.VerifiablePresentation, nil
	}
	if len(r.VerifiablePresentation) != 0 {
		return nil, errs.BadRequest("request.malformed", "request body: give verifiablePresentation or presentation, not both")
	}
	return r.Presentation, nil
}

// Check is the outcome of one named check.
type Check struct {
	Name   string `json:"name"`
	Status string `json:"status"` // passed, failed, warning or skipped
	// Code is the stable reason of the outcome, "<check>.<reason>" (the
	// codes are listed in credential.CheckCodes and oid4vp.VerdictCodes), or "<check>.<status>"
	// when the outcome has no more specific reason. Clients render their
	// own text from Code and Params; Detail is the English explanation.
	Code   string            `json:"code,omitempty"`
	Params map[string]string `json:"params,omitempty"`
	Detail string            `json:"detail,omitempty"`
}

// Verdict is what a verification found: one Check per named check, in a
// fixed order; Warnings and Errors repeat those with status warning and
// failed; Verified is true when no check failed.
type Verdict struct {
	Verified bool    `json:"verified"`
	Checks   []Check `json:"checks"`
	Warnings []Check `json:"warnings"`
	Errors   []Check `json:"errors"`
}

// FailureDetail is the detail of the problem answering a verification of
// subject ("credential", "presentation") that did not verify: the first
// failed check and why.
func (v Verdict) FailureDetail(subject string) string {
	if len(v.Errors) == 0 {
		return "the " + subject + " is not verified"
	}
	first := v.Errors[0]
	detail := "the " + subject + " failed the " + first.Name + " check"
	if first.Detail != "" {
		detail += ": " + first.Detail
	}
	return detail
}

// Problem codes of a verification that found a failed check. W3C VCALM
// answers POST /credentials/verify with 200 or 400 only, so a credential
// that fails a check is a 400 RFC 9457 problem of code
// CodeCredentialNotVerified, whose detail names the first failed check
// and whose extension members (RFC 9457 §3.2) are the whole VerifyResult:
// a client reads the verdict from the 400 as from the 200. POST
// /presentations/verify answers 200 verified or not, as VCALM says for
// it; CodePresentationNotVerified is the code nodes before that answered
// a failed presentation with, which clients still read as a verdict.
// CodePresentationInvalid answers a request that could not be verified;
// for a document that failed the structure check its problem carries the
// verdict too (a "checks" member), which clients read as one.
const (
	CodeCredentialNotVerified   = "credential.verificationFailed"
	CodePresentationNotVerified = "presentation.verificationFailed"
	CodePresentationInvalid     = "presentation.invalid"
)

// VerifyResult is the verdict on one credential (POST /credentials/verify;
// credential.Result in process).
type VerifyResult struct {
	Verdict
	// Credential is the credential (for a JWT, its payload) if its
	// structure is valid, verified or not.
	Credential map[string]any `json:"credential,omitempty"`
}

// PresentationVerifyResult is the verdict on a presentation (POST
// /presentations/verify; credential.PresentationResult in process): its own
// checks and one VerifyResult per credential, in order.
type PresentationVerifyResult struct {
	Verdict
	// Holder is the DID whose key made the holder's proof ("" if none).
	Holder string `json:"holder,omitempty"`
	// Presentation is the presentation document, if its structure is
	// valid (for an SD-JWT, absent: see Credentials[0]).
	Presentation map[string]any  `json:"presentation,omitempty"`
	Credentials  []*VerifyResult `json:"credentials"`
}
