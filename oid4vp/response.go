package oid4vp

// Authorization responses (§8): the vp_token (§8.1), posted as a form with
// response mode direct_post (§8.2) or as a JWE with direct_post.jwt (§8.3).

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwe"
	"github.com/lestrrat-go/jwx/v2/jwk"
)

// Limits of a response.
const (
	// MaxPresentations bounds the presentations of one vp_token.
	MaxPresentations = 32
	// MaxResponseBytes bounds a response body.
	MaxResponseBytes = 1 << 20
)

// Content encryption algorithms of direct_post.jwt (§8.3).
const (
	EncA128GCM = "A128GCM"
	EncA256GCM = "A256GCM"
	// AlgECDHES is the key agreement algorithm of the verifier's
	// ephemeral key.
	AlgECDHES = "ECDH-ES"
)

// Response is an authorization response (§8.1) or error response (§8.5),
// as the wallet sent it.
type Response struct {
	// VPToken is the vp_token JSON: for a DCQL query an object from
	// credential query ids to arrays of presentations.
	VPToken json.RawMessage `json:"vp_token,omitempty"`
	State   string          `json:"state,omitempty"`
	// PresentationSubmission answers a presentation definition.
	PresentationSubmission *PresentationSubmission `json:"presentation_submission,omitempty"`
	// Error and ErrorDescription are a wallet's error response (§8.5).
	Error            string `json:"error,omitempty"`
	ErrorDescription string `json:"error_description,omitempty"`
}

// ParseResponseForm reads the form a wallet posts to a response_uri: with
// direct_post, vp_token (JSON), state, presentation_submission (JSON) or
// error and error_description (§8.2, §8.5); with direct_post.jwt the
// single parameter response, a JWE that decrypt opens to the same
// parameters as a JSON object (§8.3.1). No parameter may be repeated.
func ParseResponseForm(body []byte, mode string, decrypt func(jwe string) ([]byte, error)) (*Response, error) {
	bad := func(format string, args ...any) (*Response, error) {
		return nil, Errorf(ErrInvalidRequest, format, args...)
	}
	if len(body) > MaxResponseBytes {
		return bad("the response is longer than %d bytes", MaxResponseBytes)
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return bad("the body is not form-encoded (application/x-www-form-urlencoded)")
	}
	for k, v := range form {
		if len(v) > 1 {
			return bad("parameter %q is repeated", truncate(k, 64))
		}
	}
	var r Response
	if mode == ResponseModeDirectPostJWT && form.Get("error") == "" {
		enc := form.Get("response")
		if enc == "" {
			return bad("response mode direct_post.jwt: the response parameter (a JWE) is required (§8.3.1)")
		}
		if _, ok := form["vp_token"]; ok {
			return bad("response mode direct_post.jwt: vp_token goes inside the encrypted response")
		}
		plain, err := decrypt(enc)
		if err != nil {
			return bad("the encrypted response: %v", err)
		}
		if err := decodeStrict(plain, &r); err != nil {
			return bad("the encrypted response is not a JSON object of response parameters: %v", err)
		}
		if r.Error != "" && (len(r.VPToken) > 0 || r.PresentationSubmission != nil) {
			return bad("the encrypted response is an error response (§8.5: error, error_description, state) that also carries vp_token or presentation_submission")
		}
		// §8.3.1: state may also travel outside; if both, they agree.
		if s := form.Get("state"); s != "" && r.State != "" && s != r.State {
			return bad("the state outside the encrypted response differs from the one inside")
		} else if r.State == "" {
			r.State = s
		}
		return &r, nil
	}
	if _, ok := form["response"]; ok && mode == ResponseModeDirectPost {
		return bad("the request asked for response mode direct_post, not an encrypted response")
	}
	r.State = form.Get("state")
	r.Error, r.ErrorDescription = form.Get("error"), form.Get("error_description")
	if r.Error != "" {
		// OID4VP 1.0 §8.3.1: a wallet that cannot encrypt MAY send an
		// error response unencrypted, so direct_post.jwt takes it too.
		return errorResponse(&r, form)
	}
	vp := form.Get("vp_token")
	if vp == "" {
		return bad("vp_token is required")
	}
	if json.Valid([]byte(vp)) {
		r.VPToken = json.RawMessage(vp)
	} else {
		// A single compact presentation (Presentation Exchange style)
		// sent as it is, not as a JSON string.
		r.VPToken, _ = json.Marshal(vp)
	}
	if ps := form.Get("presentation_submission"); ps != "" {
		r.PresentationSubmission = new(PresentationSubmission)
		if err := decodeStrict([]byte(ps), r.PresentationSubmission); err != nil {
			return bad("presentation_submission is not a JSON object: %v", err)
		}
	}
	return &r, nil
}

// errorResponse returns r, read from form, an error response: error,
// error_description and state (§8.5), and nothing an authorization
// response carries, which would be either answer to two readers.
func errorResponse(r *Response, form url.Values) (*Response, error) {
	for _, k := range []string{"vp_token", "presentation_submission", "response"} {
		if _, ok := form[k]; ok {
			return nil, Errorf(ErrInvalidRequest, "an error response (error=%q) carries only error, error_description and state (§8.5), not %s", truncate(r.Error, 64), k)
		}
	}
	return r, nil
}

// Presentations sorts the response's presentations by credential query id
// and checks them against the query: for a DCQL query the vp_token is an
// object whose keys are ids of the query, each with a non-empty array of
// presentations — one unless the query allows multiple (§8.1); for a
// presentation definition (pd not nil) the presentation_submission maps
// them. The answered queries must satisfy the query (§6.4.2). A
// presentation is a compact string (an SD-JWT with its key-binding JWT, a
// vp+jwt) or an object (a presentation with a Data Integrity proof).
func (r *Response) Presentations(q *DCQL, pd *PresentationDefinition) (map[string][]json.RawMessage, error) {
	bad := func(format string, args ...any) (map[string][]json.RawMessage, error) {
		return nil, Errorf(ErrInvalidRequest, format, args...)
	}
	if len(r.VPToken) == 0 {
		return bad("vp_token is required")
	}
	var byID map[string][]json.RawMessage
	if pd != nil && r.PresentationSubmission != nil {
		var err error
		if byID, err = byDescriptor(r.VPToken, r.PresentationSubmission, pd); err != nil {
			return bad("%v", err)
		}
	} else {
		var m map[string]json.RawMessage
		if err := decodeStrict(r.VPToken, &m); err != nil || m == nil {
			return bad("vp_token must be a JSON object from credential query ids to arrays of presentations (§8.1)%s", because(err))
		}
		byID = make(map[string][]json.RawMessage, len(m))
		for id, v := range m {
			var list []json.RawMessage
			if err := json.Unmarshal(v, &list); err != nil || len(list) == 0 {
				return bad("vp_token[%q] must be a non-empty array of presentations (§8.1)", truncate(id, 64))
			}
			byID[id] = list
		}
	}
	n := 0
	answered := map[string]bool{}
	for id, list := range byID {
		cq := q.Query(id)
		if cq == nil {
			return bad("vp_token has %q, which is no credential query of the request", truncate(id, 64))
		}
		if len(list) > 1 && !cq.Multiple {
			return bad("vp_token[%q] holds %d presentations; the query asks for one", id, len(list))
		}
		for i, p := range list {
			var v any
			if err := json.Unmarshal(p, &v); err != nil {
				return bad("vp_token[%q][%d] is not JSON", id, i)
			}
			switch v.(type) {
			case string, map[string]any:
			default:
				return bad("vp_token[%q][%d] must be a compact string or an object", id, i)
			}
		}
		n += len(list)
		answered[id] = true
	}
	if n == 0 {
		return bad("vp_token holds no presentation")
	}
	if n > MaxPresentations {
		return bad("vp_token holds more than %d presentations", MaxPresentations)
	}
	if err := q.Satisfied(answered); err != nil {
		return bad("%v", err)
	}
	return byID, nil
}

// EphemeralKey is a verifier's key for one request's encrypted response
// (§8.3): a P-256 key for ECDH-ES.
type EphemeralKey struct {
	Private *ecdsa.PrivateKey
	KID     string
}

// NewEphemeralKey draws a P-256 key named kid.
func NewEphemeralKey(kid string) (*EphemeralKey, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	return &EphemeralKey{Private: k, KID: kid}, nil
}

// PublicJWK is the public key as the request's client_metadata.jwks
// carries it: use enc, alg ECDH-ES, its kid.
func (k *EphemeralKey) PublicJWK() (json.RawMessage, error) {
	j, err := jwk.FromRaw(&k.Private.PublicKey)
	if err != nil {
		return nil, err
	}
	for name, v := range map[string]any{jwk.KeyIDKey: k.KID, jwk.KeyUsageKey: "enc", jwk.AlgorithmKey: jwa.ECDH_ES} {
		if err := j.Set(name, v); err != nil {
			return nil, err
		}
	}
	return json.Marshal(j)
}

// Decrypt opens a direct_post.jwt response: a compact JWE with alg
// ECDH-ES, enc A128GCM or A256GCM, no compression (zip) and, if it names
// one, this key's kid, whose plaintext is at most MaxResponseBytes.
func (k *EphemeralKey) Decrypt(token string) ([]byte, error) {
	if len(token) > MaxResponseBytes {
		return nil, errors.New("the JWE is too long")
	}
	msg, err := jwe.Parse([]byte(token))
	if err != nil {
		return nil, errors.New("not a compact JWE")
	}
	h := msg.ProtectedHeaders()
	if h.Algorithm() != jwa.ECDH_ES {
		return nil, fmt.Errorf("alg must be ECDH-ES, not %q", truncate(h.Algorithm().String(), 32))
	}
	if enc := h.ContentEncryption().String(); enc != EncA128GCM && enc != EncA256GCM {
		return nil, fmt.Errorf("enc must be A128GCM or A256GCM, not %q", truncate(enc, 32))
	}
	if zip := h.Compression(); zip != jwa.NoCompress {
		// A few kilobytes of DEFLATE open to megabytes: refused, as
		// nothing in OID4VP asks for compression.
		return nil, fmt.Errorf("a compressed JWE (zip %q) is not accepted", truncate(zip.String(), 32))
	}
	if kid := h.KeyID(); kid != "" && kid != k.KID {
		return nil, errors.New("the JWE is encrypted to another key (kid)")
	}
	plain, err := jwe.Decrypt([]byte(token), jwe.WithKey(jwa.ECDH_ES, k.Private), jwe.WithMaxDecompressBufferSize(MaxResponseBytes))
	if err != nil {
		return nil, errors.New("the JWE does not decrypt with this request's key")
	}
	if len(plain) > MaxResponseBytes {
		return nil, fmt.Errorf("the decrypted response is longer than %d bytes", MaxResponseBytes)
	}
	return plain, nil
}

// EncryptResponse encrypts a response's parameters (as a JSON object) to
// the first EC key with alg ECDH-ES of the verifier's client_metadata
// (§8.3: a key without alg is not used): alg
// ECDH-ES, enc the first of the verifier's encrypted_response_enc_values
// _supported that weid knows (A128GCM when it lists none), kid the key's.
func EncryptResponse(md *ClientMetadata, r *Response) (string, error) {
	if md == nil || md.JWKS == nil {
		return "", errors.New("the verifier gave no key to encrypt to")
	}
	var key jwk.Key
	for _, raw := range md.JWKS.Keys {
		k, err := jwk.ParseKey(raw)
		if err != nil {
			continue
		}
		if k.KeyType() != "EC" || (k.KeyUsage() != "" && k.KeyUsage() != "enc") {
			continue
		}
		if k.Algorithm().String() != AlgECDHES {
			continue // §8.3: the key's alg is present, and weid does ECDH-ES
		}
		key = k
		break
	}
	if key == nil {
		return "", errors.New("client_metadata.jwks has no EC key for ECDH-ES encryption")
	}
	enc := EncA128GCM
	if vs := md.EncryptedResponseEncValuesSupported; len(vs) > 0 {
		enc = ""
		for _, v := range vs {
			if v == EncA128GCM || v == EncA256GCM {
				enc = v
				break
			}
		}
		if enc == "" {
			return "", fmt.Errorf("the verifier decrypts none of A128GCM, A256GCM (it lists %v)", vs)
		}
	}
	plain, err := json.Marshal(r)
	if err != nil {
		return "", err
	}
	hdr := jwe.NewHeaders()
	if key.KeyID() != "" {
		if err := hdr.Set(jwe.KeyIDKey, key.KeyID()); err != nil {
			return "", err
		}
	}
	out, err := jwe.Encrypt(plain, jwe.WithKey(jwa.ECDH_ES, key), jwe.WithContentEncryption(jwa.ContentEncryptionAlgorithm(enc)), jwe.WithProtectedHeaders(hdr))
	if err != nil {
		return "", fmt.Errorf("encrypt the response: %w", err)
	}
	return string(out), nil
}

// Form returns the form a wallet posts for r with response mode direct_post.
func (r *Response) Form() url.Values {
	f := url.Values{}
	if len(r.VPToken) > 0 {
		f.Set("vp_token", string(r.VPToken))
	}
	if r.State != "" {
		f.Set("state", r.State)
	}
	if r.PresentationSubmission != nil {
		b, _ := json.Marshal(r.PresentationSubmission)
		f.Set("presentation_submission", string(b))
	}
	if r.Error != "" {
		f.Set("error", r.Error)
		if r.ErrorDescription != "" {
			f.Set("error_description", r.ErrorDescription)
		}
	}
	return f
}

// because is ": " and err's text, or nothing when err is nil.
func because(err error) string {
	if err == nil {
		return ""
	}
	return ": " + err.Error()
}
