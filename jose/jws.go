// Package jose implements the compact JWS serialization (RFC 7515 §7.1)
// for the key types weid signs with, strictly: it is the layer under
// vc+jwt credentials, SD-JWT VCs, key-binding JWTs and proof-of-possession
// JWTs. Differential tests check it against github.com/lestrrat-go/jwx/v2.
//
// SM2 follows draft-dang-webauthn-sm2-00 ("Using SM2 with JOSE and COSE",
// IETF individual draft, expired 2022): a JWK {"kty": "EC", "crv": "SM2",
// "x", "y"} and the JWS "alg" "SM2" — SM2 signature with SM3 over Z_A ‖
// signing input (GB/T 32918.2), the default distinguishing identifier
// 1234567812345678, and the signature as 64 bytes r ‖ s like ES256. The
// draft's §2 and §3 text could not be read from here (only its abstract);
// "SM2" is the name its COSE registration is known by in a public go-cose
// implementation citing it (value -48), and no IANA JOSE registration
// exists, so the name is the draft's and not a registered one.
package jose

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unsafe"

	"github.com/weidgo/weid/internal/strictjson"
	"github.com/weidgo/weid/keys"
)

// JOSE algorithm names (RFC 7518 §3.1, RFC 8037 §3.1, RFC 8812 §3.2) of the
// key types weid signs with.
const (
	AlgEdDSA  = "EdDSA"
	AlgES256  = "ES256"
	AlgES256K = "ES256K"
	// AlgSM2 is SM2 with SM3 (draft-dang-webauthn-sm2-00; see the package
	// comment).
	AlgSM2 = "SM2"
)

// Size limits of a compact JWS.
const (
	// MaxTokenBytes bounds a whole compact JWS.
	MaxTokenBytes = 256 << 10
	// MaxHeaderBytes bounds the decoded protected header.
	MaxHeaderBytes = 8 << 10
)

// Errors of the JWS layer; the errors returned wrap one of them.
var (
	// ErrMalformedJWS reports a token that is not a well-formed compact JWS
	// weid accepts.
	ErrMalformedJWS = errors.New("malformed JWS")
	// ErrUnsupportedAlg reports an "alg" weid does not verify, or one that
	// does not match the key.
	ErrUnsupportedAlg = errors.New("unsupported JWS algorithm")
	// ErrBadSignature reports a signature that does not verify.
	ErrBadSignature = errors.New("JWS signature does not verify")
)

// AlgFor returns the JOSE "alg" for signatures by keys of type t.
func AlgFor(t keys.Type) (string, error) {
	switch t {
	case keys.Ed25519:
		return AlgEdDSA, nil
	case keys.P256:
		return AlgES256, nil
	case keys.Secp256k1:
		return AlgES256K, nil
	case keys.SM2:
		return AlgSM2, nil
	}
	return "", fmt.Errorf("%w: no JOSE algorithm for key type %q", ErrUnsupportedAlg, t)
}

// KeyTypeFor returns the key type that signs with JOSE algorithm alg.
func KeyTypeFor(alg string) (keys.Type, error) {
	switch alg {
	case AlgEdDSA:
		return keys.Ed25519, nil
	case AlgES256:
		return keys.P256, nil
	case AlgES256K:
		return keys.Secp256k1, nil
	case AlgSM2:
		return keys.SM2, nil
	case "none", "None", "NONE":
		return "", fmt.Errorf("%w: unsecured JWS (\"alg\": %q) refused", ErrUnsupportedAlg, alg)
	}
	return "", fmt.Errorf("%w %q (want EdDSA, ES256, ES256K or SM2)", ErrUnsupportedAlg, strictjson.Truncate(alg, 32))
}

// Header is the protected header of a JWS: the parameters weid reads.
type Header struct {
	Alg string `json:"alg"`
	Typ string `json:"typ,omitempty"`
	Cty string `json:"cty,omitempty"`
	// Kid is the DID URL of the verification method whose key signed.
	Kid string `json:"kid,omitempty"`
	// JWK is a public key the header carries (as in a proof-of-possession
	// JWT); Parse only checks that it is an object. Nothing in this
	// package trusts it: a caller that uses it decides why it may.
	JWK json.RawMessage `json:"jwk,omitempty"`
}

// JWS is a parsed compact JWS. Its signature has not been checked until
// Verify succeeds.
type JWS struct {
	Header    Header
	Payload   []byte // the decoded payload
	Signature []byte

	signingInput []byte // ASCII(BASE64URL(header) || '.' || BASE64URL(payload))
}

var b64 = base64.RawURLEncoding.Strict()

// base64URLByte tells the bytes of the base64url alphabet.
var base64URLByte = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
	}
	return t
}()

// Sign signs payload with k as a compact JWS whose protected header is h
// with "alg" set to k's algorithm.
func Sign(k *keys.PrivateKey, h Header, payload []byte) (string, error) {
	if k == nil {
		return "", errors.New("sign JWS: no key")
	}
	alg, err := AlgFor(k.Type())
	if err != nil {
		return "", err
	}
	h.Alg = alg
	hdr, err := json.Marshal(h)
	if err != nil {
		return "", fmt.Errorf("sign JWS: encode header: %w", err)
	}
	var sb strings.Builder
	sb.Grow(b64.EncodedLen(len(hdr)) + b64.EncodedLen(len(payload)) + 90)
	sb.WriteString(b64.EncodeToString(hdr))
	sb.WriteByte('.')
	sb.WriteString(b64.EncodeToString(payload))
	sig, err := k.Sign([]byte(sb.String()))
	if err != nil {
		return "", fmt.Errorf("sign JWS: %w", err)
	}
	sb.WriteByte('.')
	sb.WriteString(b64.EncodeToString(sig))
	if sb.Len() > MaxTokenBytes {
		return "", fmt.Errorf("%w: the token would be %d bytes, more than %d", ErrMalformedJWS, sb.Len(), MaxTokenBytes)
	}
	return sb.String(), nil
}

// Parse strictly parses a compact JWS (RFC 7515 §7.1): at most
// MaxTokenBytes; exactly three segments of unpadded, canonical base64url
// (no whitespace); a protected header that is one JSON object of at most
// MaxHeaderBytes with unique member names, a string "alg" weid supports
// ("none" is refused), "typ" one of typs (each also accepted with the
// prefix "application/"; with no typs, "typ" may be absent or anything),
// "cty" and "kid" absent or strings, "jwk" absent or an object, no "crit"
// (weid understands no extension, RFC 7515 §4.1.11) and no "b64" other
// than true (RFC 7797 unencoded payloads are refused); a non-empty
// payload; a 64-byte signature. Other header parameters are ignored; in
// particular keys are never taken from "jku", "x5c" or "x5u".
func Parse(token string, typs ...string) (*JWS, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrMalformedJWS, fmt.Sprintf(format, args...))
	}
	if len(token) > MaxTokenBytes {
		return nil, bad("longer than %d bytes", MaxTokenBytes)
	}
	h, rest, ok := strings.Cut(token, ".")
	if !ok {
		return nil, bad("want three base64url segments separated by '.'")
	}
	p, s, ok := strings.Cut(rest, ".")
	if !ok || strings.IndexByte(s, '.') >= 0 {
		return nil, bad("want exactly three base64url segments separated by '.'")
	}
	// The three segments decode into one buffer. A segment is checked
	// byte by byte only when the strict decoder refuses it or it holds a
	// line break (the only bytes outside the alphabet the decoder skips):
	// a segment it decodes without either is all base64url.
	buf := make([]byte, 0, b64.DecodedLen(len(h))+b64.DecodedLen(len(p))+b64.DecodedLen(len(s)))
	seg := func(name, v string) ([]byte, error) {
		if v == "" {
			return nil, bad("empty %s", name)
		}
		at := len(buf)
		n, err := b64.Decode(buf[at:at+b64.DecodedLen(len(v))], unsafe.Slice(unsafe.StringData(v), len(v)))
		if err != nil || strings.IndexByte(v, '\n') >= 0 || strings.IndexByte(v, '\r') >= 0 {
			for i := 0; i < len(v); i++ {
				if !base64URLByte[v[i]] {
					return nil, bad("%s is not unpadded base64url (byte %d)", name, i)
				}
			}
			if err != nil {
				return nil, bad("%s: %v", name, err)
			}
		}
		buf = buf[:at+n]
		return buf[at : at+n : at+n], nil
	}
	if len(h) > b64.EncodedLen(MaxHeaderBytes) {
		return nil, bad("protected header longer than %d bytes", MaxHeaderBytes)
	}
	// A header already parsed (the same bytes, the same typs) is not
	// decoded again: it decodes and parses as it did then.
	cacheable := len(typs) <= 1 && len(h) <= maxCachedHeader
	key := headerKey{h: h}
	if len(typs) == 1 {
		key.typ = typs[0]
	}
	hdr, cached := Header{}, false
	if cacheable {
		hdr, cached = headers.get(key)
	}
	var hdrJSON []byte
	var err error
	if !cached {
		if hdrJSON, err = seg("protected header", h); err != nil {
			return nil, err
		}
	}
	payload, err := seg("payload", p)
	if err != nil {
		return nil, err
	}
	sig, err := seg("signature", s)
	if err != nil {
		return nil, err
	}
	if len(sig) != keys.SignatureSize {
		return nil, bad("signature must be %d bytes, got %d", keys.SignatureSize, len(sig))
	}
	if !cached {
		if hdr, err = parseHeader(hdrJSON, typs); err != nil {
			return nil, bad("protected header: %v", err)
		}
		if cacheable && hdr.JWK == nil {
			headers.put(key, hdr)
		}
	}
	// The signing input is read, never written: it shares token's bytes.
	return &JWS{Header: hdr, Payload: payload, Signature: sig, signingInput: unsafe.Slice(unsafe.StringData(token), len(h)+1+len(p))}, nil
}

// Parsed protected headers, by their encoded form and the typ asked for:
// the tokens of one issuer's key repeat the same header.
const (
	maxCachedHeader  = 1024
	maxCachedHeaders = 256
)

type headerKey struct{ h, typ string }

type headerCache struct {
	mu sync.RWMutex
	m  map[headerKey]Header
}

var headers = &headerCache{m: map[headerKey]Header{}}

func (c *headerCache) get(k headerKey) (Header, bool) {
	c.mu.RLock()
	h, ok := c.m[k]
	c.mu.RUnlock()
	return h, ok
}

func (c *headerCache) put(k headerKey, h Header) {
	c.mu.Lock()
	if len(c.m) >= maxCachedHeaders {
		clear(c.m)
	}
	c.m[headerKey{strings.Clone(k.h), strings.Clone(k.typ)}] = h // not the token's memory
	c.mu.Unlock()
}

func parseHeader(b []byte, typs []string) (Header, error) {
	m, err := strictjson.DecodeObject(b, strictjson.Limits{Depth: 8, Array: 64, Members: 64})
	if err != nil {
		return Header{}, err
	}
	str := func(name string, required bool) (string, error) {
		v, ok := m[name]
		if !ok {
			if required {
				return "", fmt.Errorf("no %q", name)
			}
			return "", nil
		}
		s, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("%q must be a string", name)
		}
		return s, nil
	}
	var h Header
	if h.Alg, err = str("alg", true); err != nil {
		return Header{}, err
	}
	if _, err := KeyTypeFor(h.Alg); err != nil {
		return Header{}, err
	}
	if _, ok := m["crit"]; ok {
		return Header{}, errors.New("\"crit\" is not supported: weid understands no JWS extension")
	}
	if v, ok := m["b64"]; ok && v != true {
		return Header{}, errors.New("unencoded payloads (\"b64\": false, RFC 7797) are not supported")
	}
	if h.Typ, err = str("typ", len(typs) > 0); err != nil {
		return Header{}, err
	}
	if len(typs) > 0 && !MediaTypeIs(h.Typ, typs...) {
		return Header{}, fmt.Errorf("\"typ\" must be %q, got %q", typs[0], strictjson.Truncate(h.Typ, 64))
	}
	if h.Cty, err = str("cty", false); err != nil {
		return Header{}, err
	}
	if h.Kid, err = str("kid", false); err != nil {
		return Header{}, err
	}
	if v, ok := m["jwk"]; ok {
		if _, isObj := v.(map[string]any); !isObj {
			return Header{}, errors.New("\"jwk\" must be an object")
		}
		if h.JWK, err = json.Marshal(v); err != nil {
			return Header{}, fmt.Errorf("\"jwk\": %w", err)
		}
	}
	return h, nil
}

// MediaTypeIs reports whether the "typ" or "cty" value v is one of want,
// with or without the prefix "application/" (RFC 7515 §4.1.9).
func MediaTypeIs(v string, want ...string) bool {
	for _, w := range want {
		if v == w || v == "application/"+w {
			return true
		}
	}
	return false
}

// Verify checks the signature with pk, whose type must be the one the
// header's "alg" names. ECDSA signatures are accepted with a high or a low
// S (see keys.LowS); the ledger's own transactions stay low-S only.
func (j *JWS) Verify(pk keys.PublicKey) error {
	t, err := KeyTypeFor(j.Header.Alg)
	if err != nil {
		return err
	}
	if pk.Type != t {
		return fmt.Errorf("%w: \"alg\" %s needs a %s key, the verification method has a %s key", ErrUnsupportedAlg, j.Header.Alg, t, pk.Type)
	}
	if !pk.Verify(j.signingInput, keys.LowS(pk.Type, j.Signature)) {
		return ErrBadSignature
	}
	return nil
}
