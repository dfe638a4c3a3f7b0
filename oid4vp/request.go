package oid4vp

// Authorization requests (§5): the deep link a wallet scans and the signed
// request object it fetches from request_uri (RFC 9101).

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
)

// MaxRequestURIBytes bounds a deep link.
const MaxRequestURIBytes = 8 << 10

// RequestObject is the payload of a signed request object: the
// authorization request parameters (§5.1, §5.2) and the JWT claims of RFC
// 9101 §4.
type RequestObject struct {
	ClientID     string `json:"client_id"`
	ResponseType string `json:"response_type"`
	ResponseMode string `json:"response_mode"`
	// ResponseURI is where the wallet posts its response (§8.2).
	ResponseURI string `json:"response_uri"`
	Nonce       string `json:"nonce"`
	State       string `json:"state,omitempty"`
	// Exactly one of DCQLQuery (OID4VP 1.0 §5.1) and
	// PresentationDefinition (Presentation Exchange, drafts ≤ 22).
	DCQLQuery              json.RawMessage `json:"dcql_query,omitempty"`
	PresentationDefinition json.RawMessage `json:"presentation_definition,omitempty"`
	ClientMetadata         *ClientMetadata `json:"client_metadata,omitempty"`
	// Purpose is weid's extension: why the verifier asks, for the wallet
	// to show (unknown parameters are ignored by other wallets).
	Purpose string `json:"purpose,omitempty"`
	// RFC 9101 / RFC 7519 claims.
	Iss string `json:"iss,omitempty"`
	Aud string `json:"aud,omitempty"`
	Iat int64  `json:"iat,omitempty"`
	Exp int64  `json:"exp,omitempty"`
}

// ClientMetadata is the verifier's metadata passed in the request (§5.1,
// §11.1).
type ClientMetadata struct {
	ClientName string `json:"client_name,omitempty"`
	// JWKS holds the key a direct_post.jwt response is encrypted to
	// (§8.3).
	JWKS *JWKS `json:"jwks,omitempty"`
	// EncryptedResponseEncValuesSupported lists the JWE content
	// encryption algorithms the verifier decrypts (§8.3; A128GCM when
	// absent).
	EncryptedResponseEncValuesSupported []string `json:"encrypted_response_enc_values_supported,omitempty"`
	// VPFormatsSupported says which formats and algorithms the verifier
	// accepts (§11.1, Appendix B).
	VPFormatsSupported map[string]map[string][]string `json:"vp_formats_supported,omitempty"`
}

// JWKS is a JSON Web Key Set (RFC 7517 §5).
type JWKS struct {
	Keys []json.RawMessage `json:"keys"`
}

// Request is a request object that was read and checked, with its query.
type Request struct {
	RequestObject
	// DCQL is the query: the request's own, or its presentation
	// definition translated (PresentationDef then set).
	DCQL            *DCQL
	PresentationDef *PresentationDefinition
	// Header is the JWS header; VerifierDID the DID of client_id.
	Header      jose.Header
	VerifierDID string
	jws         *jose.JWS
}

// SignRequestObject signs ro as a request object (typ
// oauth-authz-req+jwt) with k, named by kid (a DID URL of the verifier's
// DID, §5.9.3).
func SignRequestObject(k *keys.PrivateKey, kid string, ro *RequestObject) (string, error) {
	b, err := json.Marshal(ro)
	if err != nil {
		return "", err
	}
	return jose.Sign(k, jose.Header{Typ: RequestObjectTyp, Kid: kid}, b)
}

// RequestURI returns the deep link of a request passed by reference
// (§5.7, RFC 9101 §5.2): openid4vp://?client_id=…&request_uri=…&
// request_uri_method=get.
func RequestURI(clientID, requestURI string) string {
	q := url.Values{"client_id": {clientID}, "request_uri": {requestURI}, "request_uri_method": {"get"}}
	return Scheme + "://?" + q.Encode()
}

// ParseRequestURI reads a deep link to a request by reference: the
// client_id and the request_uri, an https (or loopback http) URL; any
// scheme is accepted (wallets may register https links). A request by
// value (request=, or bare parameters) is refused: weid wallets accept
// only signed requests, fetched by reference, and request_uri_method post
// is not supported.
func ParseRequestURI(s string) (clientID, requestURI string, err error) {
	s = strings.TrimSpace(s)
	if len(s) > MaxRequestURIBytes {
		return "", "", fmt.Errorf("request link: longer than %d bytes", MaxRequestURIBytes)
	}
	_, query, ok := strings.Cut(s, "?")
	if !ok || !strings.Contains(s[:len(s)-len(query)-1], ":") {
		return "", "", errors.New("request link: want openid4vp://?client_id=…&request_uri=…")
	}
	if i := strings.IndexByte(query, '#'); i >= 0 {
		query = query[:i]
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", "", fmt.Errorf("request link: query: %w", err)
	}
	for k, v := range q {
		if len(v) > 1 {
			return "", "", fmt.Errorf("request link: %q is repeated", truncate(k, 64))
		}
	}
	if q.Get("request_uri") == "" {
		return "", "", errors.New("request link: no request_uri: weid wallets answer only signed requests passed by reference")
	}
	if m := q.Get("request_uri_method"); m != "" && m != "get" {
		return "", "", Errorf(ErrInvalidRequestURIMethod, "request_uri_method %q is not supported (get only)", truncate(m, 32))
	}
	if q.Get("client_id") == "" {
		return "", "", errors.New("request link: client_id is required (§5.10)")
	}
	if err := CheckURL(q.Get("request_uri")); err != nil {
		return "", "", fmt.Errorf("request link: request_uri: %w", err)
	}
	return q.Get("client_id"), q.Get("request_uri"), nil
}

// CheckRequestObjectType refuses the Content-Type ct of a request_uri's
// answer unless it is application/oauth-authz-req+jwt (RFC 9101 §5,
// OID4VP §5.10.1) or application/jwt, which RFC 9101 §4 notes existing
// deployments use: a web page or a JSON error is not a request object.
func CheckRequestObjectType(ct string) error {
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && (mt == MediaTypeRequestObject || mt == MediaTypeJWT) {
		return nil
	}
	if ct == "" {
		ct = "none"
	}
	return fmt.Errorf("the request_uri answered with content type %q, not %s (RFC 9101 §5) or %s", truncate(ct, 100), MediaTypeRequestObject, MediaTypeJWT)
}

// ParseRequestObject reads a request object, without verifying its
// signature (see VerifyRequestObject): a JWS of typ oauth-authz-req+jwt
// whose payload is one JSON object; client_id equal to clientID (the deep
// link's, §5.10) with the decentralized_identifier prefix and a "kid" of
// that DID (§5.9.3); response_type vp_token; response_mode direct_post or
// direct_post.jwt (with client_metadata.jwks holding the key to encrypt
// to); an https or loopback response_uri; a nonce; exactly one of
// dcql_query (checked as ParseDCQL does) and presentation_definition; exp,
// if present, not before now.
func ParseRequestObject(token, clientID string, now time.Time) (*Request, error) {
	j, err := jose.Parse(token, RequestObjectTyp)
	if err != nil {
		return nil, fmt.Errorf("request object: %w", err)
	}
	var r Request
	if err := decodeStrict(j.Payload, &r.RequestObject); err != nil {
		return nil, fmt.Errorf("request object: %w", err)
	}
	r.Header, r.jws = j.Header, j
	bad := func(format string, args ...any) (*Request, error) {
		return nil, Errorf(ErrInvalidRequest, "request object: %s", fmt.Sprintf(format, args...))
	}
	ro := &r.RequestObject
	if clientID != "" && ro.ClientID != clientID {
		return bad("its client_id is not the link's (§5.10)")
	}
	d, ok := strings.CutPrefix(ro.ClientID, PrefixDecentralizedIdentifier)
	if !ok {
		return bad("client_id %q: weid wallets accept the decentralized_identifier: prefix only (§5.9.3)", truncate(ro.ClientID, 100))
	}
	if _, err := did.ParseDID(d); err != nil {
		return bad("client_id: %q is not a DID", truncate(d, 100))
	}
	u, err := did.ParseDIDURL(j.Header.Kid)
	if err != nil || u.DID != d || u.Fragment == "" {
		return bad("\"kid\" must be a DID URL of a verification method of %s (§5.9.3)", truncate(d, 100))
	}
	r.VerifierDID = d
	if ro.ResponseType != ResponseTypeVPToken {
		return bad("response_type must be vp_token")
	}
	switch ro.ResponseMode {
	case ResponseModeDirectPost:
	case ResponseModeDirectPostJWT:
		if ro.ClientMetadata == nil || ro.ClientMetadata.JWKS == nil || len(ro.ClientMetadata.JWKS.Keys) == 0 {
			return bad("direct_post.jwt needs client_metadata.jwks with the key to encrypt to (§8.3)")
		}
	default:
		return bad("response_mode %q is not supported (direct_post, direct_post.jwt)", truncate(ro.ResponseMode, 64))
	}
	if err := CheckURL(ro.ResponseURI); err != nil {
		return bad("response_uri: %v", err)
	}
	if ro.Nonce == "" || len(ro.Nonce) > 512 || len(ro.State) > 512 {
		return bad("nonce must be 1 to 512 bytes, state at most 512")
	}
	switch {
	case len(ro.DCQLQuery) > 0 && len(ro.PresentationDefinition) > 0:
		return bad("dcql_query and presentation_definition are exclusive")
	case len(ro.DCQLQuery) > 0:
		if r.DCQL, err = ParseDCQL(ro.DCQLQuery); err != nil {
			return bad("%v", err)
		}
	case len(ro.PresentationDefinition) > 0:
		if r.PresentationDef, r.DCQL, err = ParsePresentationDefinition(ro.PresentationDefinition); err != nil {
			return bad("%v", err)
		}
	default:
		return bad("no dcql_query")
	}
	if ro.Exp != 0 && now.Unix() > ro.Exp {
		return bad("it expired at %s", time.Unix(ro.Exp, 0).UTC().Format(time.RFC3339))
	}
	if len(ro.Purpose) > 1000 {
		return bad("purpose is at most 1000 bytes")
	}
	return &r, nil
}

// VerifyRequestObject checks the request object's signature with the key
// of its "kid" in the verifier's DID document (§5.9.3): a verification
// method listed under authentication or assertionMethod.
func (r *Request) VerifyRequestObject(doc *did.Document) error {
	if doc == nil || doc.ID != r.VerifierDID {
		return fmt.Errorf("request object: the DID document is not %s's", r.VerifierDID)
	}
	kid := r.Header.Kid
	vm, ok := doc.Method(kid)
	if !ok || !slices.ContainsFunc([]string{"authentication", "assertionMethod"}, func(rel string) bool { return doc.HasRelationship(rel, vm.ID) }) {
		return fmt.Errorf("request object: %s is not an authentication or assertionMethod method of the verifier's DID", truncate(kid, 200))
	}
	pk, err := vm.PublicKey()
	if err != nil {
		return fmt.Errorf("request object: %s: %v", truncate(kid, 200), err)
	}
	if err := r.jws.Verify(pk); err != nil {
		return fmt.Errorf("request object: the signature does not verify with %s: %w", truncate(kid, 200), err)
	}
	return nil
}
