package jose

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/weidgo/weid/internal/strictjson"
	"github.com/weidgo/weid/keys"
)

// ParsePublicJWK reads an Ed25519 (OKP), P-256, secp256k1 or SM2 (EC)
// public JWK (RFC 7517, RFC 7518 §6.2.1, RFC 8037 §2,
// draft-dang-webauthn-sm2-00 §2).
func ParsePublicJWK(raw json.RawMessage) (keys.PublicKey, error) {
	m, err := strictjson.DecodeObject(raw, jwkLimits)
	if err != nil {
		return keys.PublicKey{}, fmt.Errorf("publicKeyJwk: %w", err)
	}
	return publicJWK(m)
}

// jwkLimits bound the JSON of a JWK.
var jwkLimits = strictjson.Limits{Depth: 4, Array: 16, Members: 32}

// ParsePublicJWKValue is ParsePublicJWK of the JSON encoding of v, a value
// strictjson decoded (a "cnf" claim's "jwk"): an object within
// ParsePublicJWK's limits is read as it is, without encoding it again.
func ParsePublicJWKValue(v any) (keys.PublicKey, error) {
	if m, ok := v.(map[string]any); ok && jwkLimits.Allows(m) {
		return publicJWK(m)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return keys.PublicKey{}, fmt.Errorf("publicKeyJwk: %w", err)
	}
	return ParsePublicJWK(raw)
}

// publicJWK reads the decoded JWK m.
func publicJWK(m map[string]any) (keys.PublicKey, error) {
	str := func(name string) string { s, _ := m[name].(string); return s }
	coord := func(name string) ([]byte, error) {
		b, err := b64.DecodeString(str(name))
		if err != nil || len(b) != 32 {
			return nil, fmt.Errorf("publicKeyJwk %q must be 32 bytes of base64url", name)
		}
		return b, nil
	}
	if _, private := m["d"]; private {
		return keys.PublicKey{}, errors.New("publicKeyJwk holds a private key")
	}
	switch kty, crv := str("kty"), str("crv"); {
	case kty == "OKP" && crv == "Ed25519":
		x, err := coord("x")
		if err != nil {
			return keys.PublicKey{}, err
		}
		return keys.NewPublicKey(keys.Ed25519, x)
	case crv == "SM2" && kty != "EC":
		return keys.PublicKey{}, fmt.Errorf("publicKeyJwk: an SM2 key has \"kty\": \"EC\", got %q", strictjson.Truncate(kty, 16))
	case kty == "EC" && (crv == "P-256" || crv == "secp256k1" || crv == "SM2"):
		x, err := coord("x")
		if err != nil {
			return keys.PublicKey{}, err
		}
		y, err := coord("y")
		if err != nil {
			return keys.PublicKey{}, err
		}
		t := keys.P256
		switch crv {
		case "secp256k1":
			t = keys.Secp256k1
		case "SM2":
			t = keys.SM2
		}
		return keys.NewPublicKey(t, append(append([]byte{4}, x...), y...))
	default:
		return keys.PublicKey{}, fmt.Errorf("publicKeyJwk: unsupported key (kty %q, crv %q; want Ed25519, P-256, secp256k1 or SM2)", strictjson.Truncate(kty, 16), strictjson.Truncate(crv, 16))
	}
}

// PublicJWK returns the public JWK of pk: {"kty": "OKP", "crv": "Ed25519",
// "x"} or {"kty": "EC", "crv": "P-256"|"secp256k1"|"SM2", "x", "y"}.
func PublicJWK(pk keys.PublicKey) (json.RawMessage, error) {
	type jwk struct {
		Kty string `json:"kty"`
		Crv string `json:"crv"`
		X   string `json:"x"`
		Y   string `json:"y,omitempty"`
	}
	switch pk.Type {
	case keys.Ed25519:
		return json.Marshal(jwk{Kty: "OKP", Crv: "Ed25519", X: b64.EncodeToString(pk.Bytes)})
	case keys.P256, keys.Secp256k1, keys.SM2:
		u := pk.Uncompressed()
		if len(u) != 64 {
			return nil, fmt.Errorf("public JWK: malformed %s key", pk.Type)
		}
		crv := "P-256"
		switch pk.Type {
		case keys.Secp256k1:
			crv = "secp256k1"
		case keys.SM2:
			crv = "SM2"
		}
		return json.Marshal(jwk{Kty: "EC", Crv: crv, X: b64.EncodeToString(u[:32]), Y: b64.EncodeToString(u[32:])})
	}
	return nil, fmt.Errorf("public JWK: unsupported key type %q", pk.Type)
}
