package credential

// Reasons are the codes of check outcomes (Check.Code); they are named
// Reason… so that they are not taken for problem codes (errs.Error.Code).
// A code is stable: clients (the web pages, the CLI) render their own
// text in the reader's language from it and Check.Params, and show
// Check.Detail, in English, on demand. An outcome without a more specific
// reason has the code "<check>.<status>" (DefaultCode), such as
// "proof.failed".
const (
	ReasonStructureInvalid = "structure.invalid"               // not a credential this verifier reads
	ReasonStructureOK      = "structure.ok"                    // params: format
	ReasonSkippedStructure = "structure.skippedBecauseInvalid" // any check, when the structure failed
	// ReasonPresentationInvalid: not a presentation this verifier reads
	// (VerifyPresentation's structure check); ReasonSkippedPresentation:
	// any check of a presentation, when its structure failed.
	ReasonPresentationInvalid = "structure.presentationInvalid"
	ReasonSkippedPresentation = "structure.skippedBecausePresentationInvalid"
	// ReasonStructureUndefinedTerms: a warning; a vc+jwt or
	// eddsa-jcs-2022 credential uses terms its contexts do not define
	// without naming the undefined-terms context last (VC Data Model 2.0
	// §5.2), as the drafts' base context allowed. params: format, terms
	ReasonStructureUndefinedTerms = "structure.undefinedTerms"

	ReasonProofOK           = "proof.ok"               // params: key
	ReasonProofOKAsOfIssue  = "proof.okAsOfIssuance"   // params: key, at
	ReasonProofBadSignature = "proof.badSignature"     // params: key
	ReasonProofNoKey        = "proof.noKey"            // the key is not named by a DID URL
	ReasonProofDeactivated  = "proof.didDeactivated"   // params: did
	ReasonProofUnresolved   = "proof.didUnresolved"    // params: did
	ReasonProofKeyNotInDoc  = "proof.keyNotInDocument" // params: key, did
	ReasonProofCompromised  = "proof.keyCompromised"   // params: key, did, since

	ReasonBindingOK       = "issuerBinding.ok"       // params: issuer
	ReasonBindingNotDID   = "issuerBinding.notDID"   // params: issuer
	ReasonBindingNoDIDKey = "issuerBinding.noDIDKey" // params: issuer
	ReasonBindingMismatch = "issuerBinding.mismatch" // params: issuer, signer
	// ReasonBindingByReference: the issuer is another DID than the
	// signer's whose document lists the signing key in its
	// assertionMethod (Controlled Identifiers 1.0 §2.3). params: issuer, key
	ReasonBindingByReference = "issuerBinding.byReference"
	// ReasonBindingUnresolved: the issuer is another DID than the
	// signer's, and it does not resolve (an unsupported method, not
	// found, deactivated, unreachable), so nothing shows it authorized the
	// signing key; unlike issuerBinding.mismatch, nothing shows it did
	// not. params: issuer, signer
	ReasonBindingUnresolved = "issuerBinding.unresolved"

	ReasonAccreditationOK            = "accreditation.ok" // params: issuer, name
	ReasonAccreditationNotDID        = "accreditation.notDID"
	ReasonAccreditationUnbound       = "accreditation.unbound"
	ReasonAccreditationNoRegistry    = "accreditation.noRegistry"
	ReasonAccreditationNotRecognized = "accreditation.notRecognized"    // params: issuer
	ReasonAccreditationNotFor        = "accreditation.notAccreditedFor" // params: issuer, name, type, schema
	ReasonAccreditationUnreadable    = "accreditation.unreadable"       // the verifier's side failed

	ReasonValidityOK      = "validityPeriod.ok" // params: now
	ReasonValidityNone    = "validityPeriod.none"
	ReasonValidityNotYet  = "validityPeriod.notYet"  // params: at
	ReasonValidityExpired = "validityPeriod.expired" // params: at

	ReasonSchemaOK            = "schema.ok" // params: schemas
	ReasonSchemaNone          = "schema.none"
	ReasonSchemaNotFound      = "schema.notFound"      // params: schema
	ReasonSchemaNonConforming = "schema.nonConforming" // params: subject
	ReasonSchemaDisclosed     = "schema.selectivelyDisclosed"
	ReasonSchemaNoLedger      = "schema.noLedger"
	ReasonSchemaNotWeid       = "schema.notWeid"
	ReasonSchemaUnreadable    = "schema.unreadable" // params: schema; the verifier's side failed

	ReasonStatusOK          = "status.ok"
	ReasonStatusNone        = "status.none"
	ReasonStatusUnsupported = "status.unsupported"
	ReasonStatusNoList      = "status.noList"
	ReasonStatusBadEntry    = "status.badEntry"
	ReasonStatusRevoked     = "status.revoked"   // params: list, index
	ReasonStatusSuspended   = "status.suspended" // params: list, index
	ReasonStatusSet         = "status.set"       // params: purpose, list, index
	ReasonStatusUnknownList = "status.notThisLedger"
	ReasonStatusUnreadable  = "status.unreadable" // the verifier's side failed

	ReasonRelatedOK        = "relatedResource.ok" // params: ids
	ReasonRelatedNone      = "relatedResource.none"
	ReasonRelatedMismatch  = "relatedResource.mismatch"  // params: id
	ReasonRelatedUnchecked = "relatedResource.unchecked" // params: ids
)

// CheckCodes lists every specific code the checks of this package report
// (the "<check>.<status>" codes aside).
var CheckCodes = append([]string{
	ReasonStructureInvalid, ReasonStructureOK, ReasonSkippedStructure, ReasonStructureUndefinedTerms, ReasonPresentationInvalid, ReasonSkippedPresentation,
	ReasonProofOK, ReasonProofOKAsOfIssue, ReasonProofBadSignature, ReasonProofNoKey, ReasonProofDeactivated, ReasonProofUnresolved, ReasonProofKeyNotInDoc, ReasonProofCompromised,
	ReasonBindingOK, ReasonBindingNotDID, ReasonBindingNoDIDKey, ReasonBindingMismatch, ReasonBindingByReference, ReasonBindingUnresolved,
	ReasonAccreditationOK, ReasonAccreditationNotDID, ReasonAccreditationUnbound, ReasonAccreditationNoRegistry, ReasonAccreditationNotRecognized, ReasonAccreditationNotFor, ReasonAccreditationUnreadable,
	ReasonValidityOK, ReasonValidityNone, ReasonValidityNotYet, ReasonValidityExpired,
	ReasonSchemaOK, ReasonSchemaNone, ReasonSchemaNotFound, ReasonSchemaNonConforming, ReasonSchemaDisclosed, ReasonSchemaNoLedger, ReasonSchemaNotWeid, ReasonSchemaUnreadable,
	ReasonStatusOK, ReasonStatusNone, ReasonStatusUnsupported, ReasonStatusNoList, ReasonStatusBadEntry, ReasonStatusRevoked, ReasonStatusSuspended, ReasonStatusSet, ReasonStatusUnknownList, ReasonStatusUnreadable,
	ReasonRelatedOK, ReasonRelatedNone, ReasonRelatedMismatch, ReasonRelatedUnchecked,
	ReasonStatusBadReference, ReasonStatusTokenUnavailable, ReasonStatusTokenInvalid, ReasonStatusTokenSignature, ReasonStatusTokenSubject, ReasonStatusTokenExpired, ReasonStatusTokenIndex, ReasonStatusTokenValue, ReasonStatusOtherMechanism,
}, presentationCodes...)

// CheckStatuses lists the outcomes of a check.
var CheckStatuses = []string{StatusPassed, StatusFailed, StatusWarning, StatusSkipped}

// DefaultCode is the code of an outcome without a more specific reason.
func DefaultCode(name, status string) string { return name + "." + status }

// withDefaultCodes gives every check without a code its DefaultCode.
func withDefaultCodes(checks []Check) {
	for i := range checks {
		if checks[i].Code == "" {
			checks[i].Code = DefaultCode(checks[i].Name, checks[i].Status)
		}
	}
}

// proofOKCode is the code of a passed proof check, asOf the detail's note
// of an as-of-issuance resolution ("" if none).
func proofOKCode(asOf string) string {
	if asOf != "" {
		return ReasonProofOKAsOfIssue
	}
	return ReasonProofOK
}

// params builds Check.Params from name, value pairs.
func params(kv ...string) map[string]string {
	m := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}
