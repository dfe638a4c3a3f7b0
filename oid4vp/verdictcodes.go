package oid4vp

// The codes of the checks of an OpenID4VP answer's verdict (Check.Code),
// as credential's Reason… codes: each names the reason, so that a client
// says it in the reader's language from the code and Check.Params, and
// shows Check.Detail, in English, on demand. "which" is the list of the
// presentations (vp_token's paths) or credentials concerned.
const (
	ReasonPresentationsOK          = "presentations.ok"
	ReasonPresentationsNotVerified = "presentations.notVerified" // params: which
	ReasonNonceOK                  = "nonce.ok"
	ReasonNonceMissing             = "nonce.missing" // params: which
	ReasonAudienceOK               = "audience.ok"   // params: clientId
	ReasonAudienceMismatch         = "audience.mismatch"
	ReasonHolderBindingOK          = "holderBinding.ok"
	ReasonHolderBindingUnbound     = "holderBinding.unbound"        // params: which
	ReasonHolderBindingSeveral     = "holderBinding.severalHolders" // params: holders
	ReasonQueryOK                  = "query.ok"
	ReasonQueryUnanswered          = "query.unanswered" // params: which
	ReasonDisclosureOK             = "disclosure.ok"
	ReasonDisclosureExtra          = "disclosure.extra"       // params: claims
	ReasonDisclosureAlwaysShown    = "disclosure.alwaysShown" // params: claims (in the clear: the wallet could not withhold them)
	ReasonWalletDeclined           = "wallet.declined"        // params: error (the wallet's OAuth error code)
)

// VerdictCodes lists every code the checks of an OpenID4VP verdict report.
var VerdictCodes = []string{
	ReasonPresentationsOK, ReasonPresentationsNotVerified, ReasonNonceOK, ReasonNonceMissing,
	ReasonAudienceOK, ReasonAudienceMismatch, ReasonHolderBindingOK, ReasonHolderBindingUnbound, ReasonHolderBindingSeveral,
	ReasonQueryOK, ReasonQueryUnanswered, ReasonDisclosureOK, ReasonDisclosureExtra, ReasonDisclosureAlwaysShown, ReasonWalletDeclined,
}
