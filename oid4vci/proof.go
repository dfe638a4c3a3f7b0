package oid4vci

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/internal/strictjson"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
)

// MaxProofBytes bounds one JWT key proof.
const MaxProofBytes = 8 << 10

// Proof is a JWT key proof (Appendix F.1) whose form and claims ParseProof
// checked. Its signature is checked by Verify, with Key (from "jwk") or
// with the key the caller resolved for Kid.
type Proof struct {
	JWS *jose.JWS
	// Kid is the DID URL of the key, when the header names one.
	Kid string
	// JWK is the public key the header carries, when it carries one; Key
	// is that key.
	JWK json.RawMessage
	Key keys.PublicKey
	// Claims.
	Issuer   string
	Nonce    string
	IssuedAt time.Time
}

// ProofCheck is what a proof must say.
type ProofCheck struct {
	// Audience is the credential issuer identifier ("aud").
	Audience string
	Now      time.Time
	// MaxAge bounds how old "iat" may be; Skew how far in the future.
	MaxAge, Skew time.Duration
}

// ParseProof strictly reads a JWT key proof (Appendix F.1.1): a compact
// JWS of at most MaxProofBytes with "typ" openid4vci-proof+jwt, an
// asymmetric "alg" weid verifies (EdDSA, ES256, ES256K, SM2; never "none"),
// exactly one of "kid" (a DID URL with a fragment) and "jwk" (a public
// key), no "x5c", "trust_chain" or "key_attestation" (weid takes keys from
// neither), and claims "aud" = c.Audience, "iat" within [Now-MaxAge,
// Now+Skew], a non-empty "nonce" and an optional string "iss". Every
// failure is an *Error with code invalid_proof; the nonce's value is the
// caller's to check (invalid_nonce).
func ParseProof(token string, c ProofCheck) (*Proof, error) {
	bad := func(format string, args ...any) error { return Errorf(ErrInvalidProof, format, args...) }
	if len(token) > MaxProofBytes {
		return nil, bad("the proof is longer than %d bytes", MaxProofBytes)
	}
	j, err := jose.Parse(token, ProofTyp)
	if err != nil {
		return nil, bad("%v", err)
	}
	// Header members jose.Parse does not read.
	hdrSeg, _, _ := strings.Cut(token, ".")
	hdrJSON, _ := base64.RawURLEncoding.DecodeString(hdrSeg)
	hdr, err := strictjson.DecodeObject(hdrJSON, strictjson.Limits{Depth: 8, Array: 64, Members: 64})
	if err != nil {
		return nil, bad("header: %v", err)
	}
	for _, name := range []string{"x5c", "trust_chain", "key_attestation", "jku", "x5u"} {
		if _, ok := hdr[name]; ok {
			return nil, bad("header %q is not supported: name the key with \"kid\" (a DID URL) or \"jwk\"", name)
		}
	}
	p := &Proof{JWS: j, Kid: j.Header.Kid, JWK: j.Header.JWK}
	switch {
	case p.Kid != "" && len(p.JWK) != 0:
		return nil, bad("the header has both \"kid\" and \"jwk\"; one names the key")
	case p.Kid != "":
		u, err := did.ParseDIDURL(p.Kid)
		if err != nil || u.Fragment == "" || u.Path != "" || u.Query != "" {
			return nil, bad("\"kid\" must be a DID URL naming a verification method (did:…#fragment)")
		}
	case len(p.JWK) != 0:
		if p.Key, err = jose.ParsePublicJWK(p.JWK); err != nil {
			return nil, bad("\"jwk\": %v", err)
		}
		if t, _ := jose.KeyTypeFor(j.Header.Alg); t != p.Key.Type {
			return nil, bad("\"alg\" %s does not match the %s key of \"jwk\"", j.Header.Alg, p.Key.Type)
		}
	default:
		return nil, bad("the header names no key: \"kid\" (a DID URL) or \"jwk\" is required")
	}
	claims, err := strictjson.DecodeObject(j.Payload, strictjson.Limits{Depth: 8, Array: 16, Members: 64})
	if err != nil {
		return nil, bad("claims: %v", err)
	}
	switch aud := claims["aud"].(type) {
	case string:
		if aud != c.Audience {
			return nil, bad("\"aud\" is not this credential issuer (%s)", c.Audience)
		}
	case []any:
		if len(aud) != 1 || aud[0] != c.Audience {
			return nil, bad("\"aud\" is not this credential issuer (%s)", c.Audience)
		}
	default:
		return nil, bad("\"aud\" (the credential issuer identifier) is required")
	}
	if v, ok := claims["iss"]; ok {
		s, isStr := v.(string)
		if !isStr {
			return nil, bad("\"iss\" must be a string")
		}
		p.Issuer = s
	}
	iat, ok := numericDate(claims["iat"])
	if !ok {
		return nil, bad("\"iat\" (a NumericDate) is required")
	}
	p.IssuedAt = iat
	if iat.Before(c.Now.Add(-c.MaxAge)) {
		return nil, bad("the proof was issued more than %s ago (\"iat\")", c.MaxAge)
	}
	if iat.After(c.Now.Add(c.Skew)) {
		return nil, bad("the proof is issued in the future (\"iat\")")
	}
	if n, ok := claims["nonce"].(string); ok && n != "" {
		p.Nonce = n
	} else {
		return nil, Errorf(ErrInvalidNonce, "the proof has no \"nonce\": get a c_nonce from the nonce endpoint")
	}
	return p, nil
}

// Verify checks the proof's signature with pk (its "jwk", or the key the
// caller resolved for its "kid").
func (p *Proof) Verify(pk keys.PublicKey) error {
	if err := p.JWS.Verify(pk); err != nil {
		return Errorf(ErrInvalidProof, "the signature does not verify with the proof's key")
	}
	return nil
}

// numericDate reads a JWT NumericDate (seconds, possibly fractional).
func numericDate(v any) (time.Time, bool) {
	var f float64
	switch n := v.(type) {
	case json.Number:
		var err error
		if f, err = n.Float64(); err != nil {
			return time.Time{}, false
		}
	case float64:
		f = n
	default:
		return time.Time{}, false
	}
	if math.IsNaN(f) || f < 0 || f > 1<<40 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}

// SignProof signs a JWT key proof with k for the credential issuer aud and
// c_nonce nonce, issued at now. kid, if not "", is the DID URL of k in the
// wallet's DID document; otherwise the proof carries k's public JWK.
func SignProof(k *keys.PrivateKey, kid, aud, nonce string, now time.Time) (string, error) {
	h := jose.Header{Typ: ProofTyp, Kid: kid}
	if kid == "" {
		jwk, err := jose.PublicJWK(k.Public())
		if err != nil {
			return "", err
		}
		h.JWK = jwk
	}
	claims := map[string]any{"aud": aud, "iat": now.Unix(), "nonce": nonce}
	b, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("key proof: %w", err)
	}
	return jose.Sign(k, h, b)
}
