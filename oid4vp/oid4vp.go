// Package oid4vp holds the protocol objects of OpenID for Verifiable
// Presentations 1.0 (OID4VP) that weid's verifier and the wallet (package
// wallet) exchange: the Digital Credentials Query Language (§6) and the claims path
// pointers it uses (§7), with a matcher that tells whether a credential
// answers a query; DIF Presentation Exchange 2.0 presentation definitions,
// which older wallets still send and receive, translated to DCQL; signed
// request objects passed by reference (§5, RFC 9101) with the
// decentralized_identifier client identifier prefix (§5.9.3); deep links
// (§5.1, openid4vp://); and the responses of response modes direct_post
// (§8.2) and direct_post.jwt (§8.3, a JWE to the verifier's ephemeral key).
//
// Verifier is weid's verifier as a service, without HTTP (verifier.go,
// answer.go, verdict.go): it makes requests for an account's DID, serves
// their request objects, and verifies and records the wallets' answers,
// keeping the requests in a Store, signing with Keys and verifying
// presentations through a Checker, all three of which the node provides
// (node/oid4vp.go); server/oid4vp routes and encodes. The wallet
// (wallet/vp.go, weid wallet present) answers.
package oid4vp

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/weidgo/weid/internal/strictjson"
	"github.com/weidgo/weid/oid4vci"
	"github.com/weidgo/weid/txn"
)

// Identifiers the specification fixes.
const (
	// Scheme is the custom URL scheme of authorization requests (§13.1).
	Scheme = "openid4vp"
	// RequestObjectTyp is the "typ" of a signed request object (§5, RFC
	// 9101 §10.8).
	RequestObjectTyp = "oauth-authz-req+jwt"
	// MediaTypeRequestObject is the media type a request_uri answers with.
	MediaTypeRequestObject = "application/oauth-authz-req+jwt"
	// MediaTypeJWT is the media type RFC 9101 §4 notes some deployments
	// serve request objects as; CheckRequestObjectType accepts it too.
	MediaTypeJWT = "application/jwt"
	// SelfIssuedAudience is the "aud" of a request object when the wallet's
	// metadata is not known (§5.8, static discovery).
	SelfIssuedAudience = "https://self-issued.me/v2"
	// ResponseTypeVPToken is the only response_type weid asks for (§5.4).
	ResponseTypeVPToken = "vp_token"
	// ResponseModeDirectPost posts the response to the response_uri
	// (§8.2); ResponseModeDirectPostJWT posts it encrypted (§8.3.1).
	ResponseModeDirectPost    = "direct_post"
	ResponseModeDirectPostJWT = "direct_post.jwt"
	// PrefixDecentralizedIdentifier is the client identifier prefix of a
	// verifier identified by a DID (§5.9.3): the request object is signed
	// by a key of that DID.
	PrefixDecentralizedIdentifier = "decentralized_identifier:"
)

// Credential formats (Appendix B) weid verifies.
const (
	FormatSDJWT     = oid4vci.FormatSDJWT     // IETF SD-JWT VC (Appendix B.3)
	FormatJWTVCJSON = oid4vci.FormatJWTVCJSON // W3C VC as a JWT (Appendix B.1.3.1)
	FormatLDPVC     = oid4vci.FormatLDPVC     // W3C VC with Data Integrity (Appendix B.1.3.2)
)

// Formats are the credential formats weid accepts in queries.
var Formats = []string{FormatSDJWT, FormatJWTVCJSON, FormatLDPVC}

// OAuth error codes of authorization (error) responses (§8.5, RFC 6749
// §4.1.2.1) that the verifier's response endpoint answers with.
const (
	ErrInvalidRequest          = "invalid_request"
	ErrAccessDenied            = "access_denied"
	ErrVPFormatsNotSupported   = "vp_formats_not_supported"
	ErrInvalidRequestURIMethod = "invalid_request_uri_method"
)

// Error is an OAuth-style error response, shared with OID4VCI.
type Error = oid4vci.Error

// Errorf returns an *Error with code and a formatted description.
func Errorf(code, format string, args ...any) *Error { return oid4vci.Errorf(code, format, args...) }

// CheckURL checks that s is an https URL (or http to a loopback host), as
// a response_uri or request_uri must be.
func CheckURL(s string) error { return oid4vci.CheckURL(s) }

// decodeStrict decodes one JSON value into v, refusing anything after it
// and a member named twice in any object (txn.CheckUnique: a verifier
// that kept the first "state" or query id would read another message).
// Unknown members are ignored (OID4VP §5: "parameters … not understood
// MUST be ignored"). Its errors name JSON types, not Go's
// (txn.JSONError): they reach the verifier's and the wallet's callers.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return txn.JSONError(err)
	}
	if _, err := dec.Token(); err == nil {
		return fmt.Errorf("data after the JSON value")
	}
	return txn.CheckUnique(b)
}

func truncate(s string, n int) string { return strictjson.Truncate(s, n) }
