// Package oid4vci holds the protocol objects of OpenID for Verifiable
// Credential Issuance 1.0 (OID4VCI) that weid's issuer and the wallet
// (package wallet) exchange: credential offers and their deep links (§4.1), the
// pre-authorized code grant's token request and response (§6), the nonce
// endpoint (§7), the credential request and response (§8) with JWT key
// proofs (Appendix F.1), credential issuer metadata (§12.2) and the
// OAuth 2.0 authorization server metadata (RFC 8414) of the pre-authorized
// code flow, and the error responses of those endpoints (§6.3, §8.3.1.2,
// RFC 6749 §5.2, RFC 6750 §3.1).
//
// Besides the wire format and its checks it holds the credential issuer
// itself (Issuer, issuer.go): offers, the pre-authorized code and its
// transaction code, access tokens, c_nonces, the credential endpoint and
// the sweeper, as a service over a Store of records and a Backend that
// issues (both implemented by the node, node/oid4vci.go), testable without
// HTTP. server/oid4vci routes and encodes its endpoints; the wallet
// (wallet/vci.go, weid wallet receive) runs the flow from the other side.
package oid4vci

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/weidgo/weid/internal/strictjson"
	"github.com/weidgo/weid/txn"
)

// Identifiers the specification fixes.
const (
	// GrantPreAuthorizedCode is the pre-authorized code grant type (§3.5, §4.1.1).
	GrantPreAuthorizedCode = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
	// OfferScheme is the custom URL scheme of credential offers (§4.1).
	OfferScheme = "openid-credential-offer"
	// ProofTypeJWT is the proof type of JWT key proofs (Appendix F.1).
	ProofTypeJWT = "jwt"
	// ProofTyp is the "typ" of a JWT key proof (Appendix F.1).
	ProofTyp = "openid4vci-proof+jwt"
	// WellKnownIssuer is the well-known URI suffix of credential issuer
	// metadata (§12.2.2).
	WellKnownIssuer = "openid-credential-issuer"
	// WellKnownAuthorizationServer is the well-known URI suffix of OAuth
	// 2.0 authorization server metadata (RFC 8414 §3).
	WellKnownAuthorizationServer = "oauth-authorization-server"
)

// Credential formats (Appendix A) weid issues in.
const (
	// FormatSDJWT is IETF SD-JWT VC (Appendix A.3), weid's dc+sd-jwt.
	FormatSDJWT = "dc+sd-jwt"
	// FormatJWTVCJSON is a W3C VC secured as a JWT, not using JSON-LD
	// (Appendix A.1.1): weid's vc+jwt.
	FormatJWTVCJSON = "jwt_vc_json"
	// FormatLDPVC is a W3C VC secured with Data Integrity (Appendix A.1.3).
	FormatLDPVC = "ldp_vc"
)

// OAuth error codes of the token endpoint (RFC 6749 §5.2, OID4VCI §6.3),
// the credential and nonce endpoints (§8.3.1.2) and bearer token use
// (RFC 6750 §3.1).
const (
	ErrInvalidRequest                 = "invalid_request"
	ErrInvalidClient                  = "invalid_client"
	ErrInvalidGrant                   = "invalid_grant"
	ErrUnsupportedGrantType           = "unsupported_grant_type"
	ErrInvalidToken                   = "invalid_token"
	ErrInvalidCredentialRequest       = "invalid_credential_request"
	ErrUnknownCredentialConfiguration = "unknown_credential_configuration"
	ErrUnknownCredentialIdentifier    = "unknown_credential_identifier"
	ErrInvalidProof                   = "invalid_proof"
	ErrInvalidNonce                   = "invalid_nonce"
	ErrInvalidEncryptionParameters    = "invalid_encryption_parameters"
	ErrCredentialRequestDenied        = "credential_request_denied"
)

// Error is an OAuth-style error response: {"error", "error_description"}.
type Error struct {
	Code        string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

func (e *Error) Error() string {
	if e.Description == "" {
		return e.Code
	}
	return e.Code + ": " + e.Description
}

// Errorf returns an *Error with code and a formatted description.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Description: fmt.Sprintf(format, args...)}
}

// CredentialOffer is a credential offer (§4.1.1).
type CredentialOffer struct {
	CredentialIssuer           string   `json:"credential_issuer"`
	CredentialConfigurationIDs []string `json:"credential_configuration_ids"`
	Grants                     *Grants  `json:"grants,omitempty"`
}

// Grants are the grant types an offer may be redeemed with. weid offers
// only the pre-authorized code grant.
type Grants struct {
	PreAuthorizedCode *PreAuthorizedCodeGrant `json:"urn:ietf:params:oauth:grant-type:pre-authorized_code,omitempty"`
	AuthorizationCode json.RawMessage         `json:"authorization_code,omitempty"`
}

// PreAuthorizedCodeGrant is the pre-authorized code grant of an offer.
type PreAuthorizedCodeGrant struct {
	PreAuthorizedCode   string  `json:"pre-authorized_code"`
	TxCode              *TxCode `json:"tx_code,omitempty"`
	AuthorizationServer string  `json:"authorization_server,omitempty"`
}

// TxCode describes the transaction code (PIN) the wallet must ask the user
// for, sent to the user through another channel (§4.1.1).
type TxCode struct {
	// InputMode is "numeric" (the default) or "text".
	InputMode   string `json:"input_mode,omitempty"`
	Length      int    `json:"length,omitempty"`
	Description string `json:"description,omitempty"`
}

// Limits of what this package reads.
const (
	// MaxOfferBytes bounds a credential offer's JSON.
	MaxOfferBytes = 16 << 10
	// MaxOfferURIBytes bounds a credential offer deep link.
	MaxOfferURIBytes = 64 << 10
	// MaxConfigurations bounds an offer's credential_configuration_ids.
	MaxConfigurations = 32
)

// ParseOffer strictly reads a credential offer (§4.1.1): one JSON object of
// at most MaxOfferBytes, an https (or, for local trials, http) credential
// issuer, 1 to MaxConfigurations unique non-empty configuration ids, and a
// pre-authorized code grant with a non-empty code if it has grants.
func ParseOffer(b []byte) (*CredentialOffer, error) {
	if len(b) > MaxOfferBytes {
		return nil, fmt.Errorf("credential offer: longer than %d bytes", MaxOfferBytes)
	}
	var o CredentialOffer
	// A member named twice is refused (txn.DecodeLenient): a wallet and
	// another reader of the offer must not see two offers.
	if err := txn.DecodeLenient(b, &o); err != nil {
		return nil, fmt.Errorf("credential offer: %w", err)
	}
	if err := checkIssuerURL(o.CredentialIssuer); err != nil {
		return nil, fmt.Errorf("credential offer: credential_issuer: %w", err)
	}
	if n := len(o.CredentialConfigurationIDs); n == 0 || n > MaxConfigurations {
		return nil, fmt.Errorf("credential offer: credential_configuration_ids must hold 1 to %d ids", MaxConfigurations)
	}
	seen := map[string]bool{}
	for _, id := range o.CredentialConfigurationIDs {
		if id == "" || len(id) > 256 || seen[id] {
			return nil, fmt.Errorf("credential offer: credential_configuration_ids must be unique non-empty strings of at most 256 bytes")
		}
		seen[id] = true
	}
	if g := o.Grants; g != nil && g.PreAuthorizedCode != nil {
		p := g.PreAuthorizedCode
		if p.PreAuthorizedCode == "" || len(p.PreAuthorizedCode) > 1024 {
			return nil, fmt.Errorf("credential offer: the pre-authorized_code must be a non-empty string of at most 1024 bytes")
		}
		if t := p.TxCode; t != nil {
			if t.InputMode != "" && t.InputMode != "numeric" && t.InputMode != "text" {
				return nil, fmt.Errorf("credential offer: tx_code.input_mode must be \"numeric\" or \"text\"")
			}
			if t.Length < 0 || t.Length > 64 || len(t.Description) > 300 {
				return nil, fmt.Errorf("credential offer: tx_code.length must be 0 to 64 and its description at most 300 bytes")
			}
		}
	}
	return &o, nil
}

// IssuerMetadata is credential issuer metadata (§12.2.4).
type IssuerMetadata struct {
	CredentialIssuer                  string                             `json:"credential_issuer"`
	AuthorizationServers              []string                           `json:"authorization_servers,omitempty"`
	CredentialEndpoint                string                             `json:"credential_endpoint"`
	NonceEndpoint                     string                             `json:"nonce_endpoint,omitempty"`
	DeferredCredentialEndpoint        string                             `json:"deferred_credential_endpoint,omitempty"`
	NotificationEndpoint              string                             `json:"notification_endpoint,omitempty"`
	BatchCredentialIssuance           *BatchIssuance                     `json:"batch_credential_issuance,omitempty"`
	Display                           []Display                          `json:"display,omitempty"`
	CredentialConfigurationsSupported map[string]CredentialConfiguration `json:"credential_configurations_supported"`
}

// BatchIssuance says how many credentials one request may ask for.
type BatchIssuance struct {
	BatchSize int `json:"batch_size"`
}

// Display is a display property (§12.2.4).
type Display struct {
	Name   string `json:"name,omitempty"`
	Locale string `json:"locale,omitempty"`
}

// CredentialConfiguration is one entry of
// credential_configurations_supported (§12.2.4, Appendix A).
type CredentialConfiguration struct {
	Format                               string               `json:"format"`
	Scope                                string               `json:"scope,omitempty"`
	CryptographicBindingMethodsSupported []string             `json:"cryptographic_binding_methods_supported,omitempty"`
	CredentialSigningAlgValuesSupported  []string             `json:"credential_signing_alg_values_supported,omitempty"`
	ProofTypesSupported                  map[string]ProofType `json:"proof_types_supported,omitempty"`
	// Vct is the SD-JWT VC type (Appendix A.3.2), for dc+sd-jwt.
	Vct string `json:"vct,omitempty"`
	// CredentialDefinition is the W3C VC type (and @context for ldp_vc),
	// for jwt_vc_json and ldp_vc (Appendix A.1).
	CredentialDefinition *CredentialDefinition `json:"credential_definition,omitempty"`
	CredentialMetadata   *CredentialMetadata   `json:"credential_metadata,omitempty"`
}

// ProofType lists the algorithms of a proof type.
type ProofType struct {
	ProofSigningAlgValuesSupported []string `json:"proof_signing_alg_values_supported"`
}

// CredentialDefinition names a W3C VC's types (and contexts).
type CredentialDefinition struct {
	Context []string `json:"@context,omitempty"`
	Type    []string `json:"type"`
}

// CredentialMetadata is how a wallet shows a credential (§12.2.4).
type CredentialMetadata struct {
	Display []Display `json:"display,omitempty"`
}

// AuthorizationServerMetadata is the RFC 8414 metadata of the issuer's own
// authorization server, with the pre-authorized code grant (§12.3).
type AuthorizationServerMetadata struct {
	Issuer                                string   `json:"issuer"`
	TokenEndpoint                         string   `json:"token_endpoint"`
	ResponseTypesSupported                []string `json:"response_types_supported"`
	GrantTypesSupported                   []string `json:"grant_types_supported"`
	TokenEndpointAuthMethodsSupported     []string `json:"token_endpoint_auth_methods_supported"`
	PreAuthorizedGrantAnonymousAccessSupp bool     `json:"pre-authorized_grant_anonymous_access_supported"`
}

// TokenResponse is a successful token response (§6.2, RFC 6749 §5.1).
type TokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
}

// NonceResponse is the nonce endpoint's response (§7.2).
type NonceResponse struct {
	CNonce string `json:"c_nonce"`
}

// CredentialRequest is a credential request (§8.2). weid reads only the
// jwt proof type and answers proof (singular, removed in 1.0) with
// invalid_credential_request.
type CredentialRequest struct {
	CredentialIdentifier      string          `json:"credential_identifier,omitempty"`
	CredentialConfigurationID string          `json:"credential_configuration_id,omitempty"`
	Proofs                    *Proofs         `json:"proofs,omitempty"`
	Proof                     json.RawMessage `json:"proof,omitempty"`
	CredentialResponseEncrypt json.RawMessage `json:"credential_response_encryption,omitempty"`
}

// Proofs are a credential request's key proofs, one credential per proof.
type Proofs struct {
	JWT []string `json:"jwt,omitempty"`
}

// CredentialResponse is an immediate credential response (§8.3).
type CredentialResponse struct {
	Credentials []IssuedCredential `json:"credentials"`
}

// IssuedCredential is one credential of a response: a string for
// dc+sd-jwt and jwt_vc_json, a JSON object for ldp_vc.
type IssuedCredential struct {
	Credential json.RawMessage `json:"credential"`
}

// checkIssuerURL checks a credential issuer identifier (§12.2.1): an https
// URL without query or fragment (http is accepted for loopback trials).
func checkIssuerURL(s string) error {
	u, err := parseURL(s)
	if err != nil {
		return err
	}
	if u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(s, "?#") {
		return fmt.Errorf("%q has a query or fragment", strictjson.Truncate(s, 200))
	}
	return nil
}
