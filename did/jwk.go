package did

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"unicode/utf8"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/gowebpki/jcs"
	"github.com/lestrrat-go/jwx/v2/jwk"
)

// ContextJWK is the JSON-LD context that defines the JsonWebKey verification
// method type (W3C Controlled Identifiers 1.0 §2.2.3).
const ContextJWK = "https://w3id.org/security/jwk/v1"

// JSONWebKeyType is the type of a verification method whose key is a
// publicKeyJwk (W3C Controlled Identifiers 1.0 §2.2.3 "JsonWebKey").
const JSONWebKeyType = "JsonWebKey"

// jwkMinRSABits is the smallest RSA modulus a did:jwk may carry.
const jwkMinRSABits = 2048

// JWKMethod resolves did:jwk DIDs (https://github.com/quartzjer/did-jwk,
// "did:jwk Method Specification", §"Read"): the method-specific id is the
// unpadded base64url of a UTF-8 JSON public JWK (RFC 7517). The document has
// one JsonWebKey verification method, "#0". Its relationships follow the
// key's "use": "enc" (or an X25519 key) gives keyAgreement only, "sig" every
// relationship but keyAgreement, and anything else all five.
//
// The key is validated: EC points must be on their curve (P-256, P-384,
// P-521, secp256k1), OKP keys must be Ed25519 or X25519 points of large
// order, RSA moduli must have at least 2048 bits. A private or symmetric key
// is refused (did:jwk §"Security": a private JWK "must be rejected").
type JWKMethod struct{}

// Resolve implements MethodResolver. An identifier that does not decode to
// a JSON object fails with ErrInvalidDID; an unsupported, private or invalid
// key fails with ErrInvalidPublicKey. did:jwk documents never change, so a
// versionId selects nothing and fails with ErrNotFound.
func (JWKMethod) Resolve(ctx context.Context, d DIDURL, opts Options) (*ResolutionResult, error) {
	return resolveComputed(ctx, "jwk", d, opts, jwkDocument)
}

// JWKDID returns the did:jwk DID of a public JWK (did:jwk §"Create"). The
// key is validated as Resolve validates it, then serialized with the JSON
// Canonicalization Scheme (RFC 8785), which the specification recommends, so
// every serialization of one JWK yields the same DID.
func JWKDID(jwkJSON []byte) (string, error) {
	if _, err := parsePublicJWK(jwkJSON, ErrInvalidPublicKey); err != nil {
		return "", fmt.Errorf("did:jwk: %w", err)
	}
	canon, err := jcs.Transform(jwkJSON)
	if err != nil {
		return "", fmt.Errorf("did:jwk: canonicalize JWK: %w", err)
	}
	did := "did:jwk:" + base64.RawURLEncoding.EncodeToString(canon)
	if len(did) > MaxDIDLength {
		return "", fmt.Errorf("did:jwk: %w: the DID would be longer than %d bytes", ErrInvalidPublicKey, MaxDIDLength)
	}
	return did, nil
}

// jwkDocument builds the document of did:jwk:<id>.
func jwkDocument(id string) (*Document, error) {
	did := "did:jwk:" + id
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return nil, fmt.Errorf("%w: %s: did:jwk value must be base64url without padding, found %q", ErrInvalidDID, did, c)
		}
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(id)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: did:jwk value is not base64url: %v", ErrInvalidDID, did, err)
	}
	key, err := parsePublicJWK(raw, ErrInvalidDID)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", did, err)
	}
	vmID := did + "#0"
	doc := &Document{
		Context: []string{ContextDIDv1, ContextJWK},
		ID:      did,
		VerificationMethod: []VerificationMethod{{
			ID:           vmID,
			Type:         JSONWebKeyType,
			Controller:   did,
			PublicKeyJwk: key.json,
		}},
	}
	ref := func() []string { return []string{vmID} }
	if key.use == "enc" || key.agreementOnly {
		doc.KeyAgreement = ref()
		return doc, nil
	}
	doc.Authentication, doc.AssertionMethod = ref(), ref()
	doc.CapabilityInvocation, doc.CapabilityDelegation = ref(), ref()
	if key.use != "sig" {
		doc.KeyAgreement = ref()
	}
	return doc, nil
}

// publicJWK is a validated public JWK.
type publicJWK struct {
	json          json.RawMessage // the JWK, compacted
	use           string
	agreementOnly bool // X25519: no signatures
}

// parsePublicJWK validates b as one public JWK. JSON that is not a single
// object with unique member names fails with notJSON; every key-level
// problem fails with ErrInvalidPublicKey.
func parsePublicJWK(b []byte, notJSON error) (*publicJWK, error) {
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("%w: JWK is not UTF-8", notJSON)
	}
	if err := checkUniqueMembers(b); err != nil {
		return nil, fmt.Errorf("%w: JWK: %v", notJSON, err)
	}
	if err := checkPublicJWK(b); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidPublicKey, err)
	}
	k, err := jwk.ParseKey(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidPublicKey, err)
	}
	out := &publicJWK{use: k.KeyUsage()}
	switch k := k.(type) {
	case jwk.RSAPrivateKey, jwk.ECDSAPrivateKey, jwk.OKPPrivateKey, jwk.SymmetricKey:
		return nil, fmt.Errorf("%w: JWK is a private or symmetric key (kty %q); did:jwk takes public keys only", ErrInvalidPublicKey, k.KeyType())
	case jwk.ECDSAPublicKey:
		if err := checkECPoint(string(k.Crv()), k.X(), k.Y()); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidPublicKey, err)
		}
	case jwk.OKPPublicKey:
		x := k.X()
		switch crv := string(k.Crv()); crv {
		case "Ed25519":
			if _, err := ed25519ToX25519(x); err != nil {
				return nil, fmt.Errorf("%w: Ed25519 JWK: %v", ErrInvalidPublicKey, err)
			}
		case "X25519":
			if err := checkX25519(x); err != nil {
				return nil, fmt.Errorf("%w: X25519 JWK: %v", ErrInvalidPublicKey, err)
			}
			if out.use == "sig" {
				return nil, fmt.Errorf("%w: an X25519 key cannot have \"use\": \"sig\"", ErrInvalidPublicKey)
			}
			out.agreementOnly = true
		default:
			return nil, fmt.Errorf("%w: unsupported OKP curve %q (want Ed25519 or X25519)", ErrInvalidPublicKey, crv)
		}
	case jwk.RSAPublicKey:
		n := new(big.Int).SetBytes(k.N())
		e := new(big.Int).SetBytes(k.E())
		if n.BitLen() < jwkMinRSABits || n.Bit(0) == 0 {
			return nil, fmt.Errorf("%w: RSA modulus must be odd and at least %d bits, got %d bits", ErrInvalidPublicKey, jwkMinRSABits, n.BitLen())
		}
		if e.BitLen() > 31 || e.Cmp(big.NewInt(3)) < 0 || e.Bit(0) == 0 {
			return nil, fmt.Errorf("%w: RSA exponent must be odd, at least 3 and below 2^31", ErrInvalidPublicKey)
		}
	default:
		return nil, fmt.Errorf("%w: unsupported JWK key type %q", ErrInvalidPublicKey, k.KeyType())
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return nil, fmt.Errorf("%w: JWK: %v", notJSON, err)
	}
	out.json = buf.Bytes()
	return out, nil
}

// checkECPoint checks that (x, y) is a point of the named curve, each
// coordinate the full size of the field (RFC 7518 §6.2.1.2, §6.2.1.3).
func checkECPoint(crv string, x, y []byte) error {
	var size int
	var curve ecdh.Curve
	switch crv {
	case "P-256":
		size, curve = 32, ecdh.P256()
	case "P-384":
		size, curve = 48, ecdh.P384()
	case "P-521":
		size, curve = 66, ecdh.P521()
	case "secp256k1":
		size = 32
	default:
		return fmt.Errorf("unsupported EC curve %q (want P-256, P-384, P-521 or secp256k1)", crv)
	}
	if len(x) != size || len(y) != size {
		return fmt.Errorf("%s JWK coordinates must be %d bytes each, got %d and %d", crv, size, len(x), len(y))
	}
	point := append(append([]byte{4}, x...), y...)
	if curve == nil {
		if _, err := secp256k1.ParsePubKey(point); err != nil {
			return fmt.Errorf("secp256k1 JWK: %v", err)
		}
		return nil
	}
	if _, err := curve.NewPublicKey(point); err != nil {
		return fmt.Errorf("%s JWK is not a point on the curve", crv)
	}
	return nil
}

// checkUniqueMembers checks that b is one JSON object whose member names are
// unique (RFC 7517 §4: "member names within a JWK MUST be unique"; a
// duplicate would let two readers see two different keys).
func checkUniqueMembers(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return errors.New("not a JSON object")
	}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := t.(string)
		if seen[name] {
			return fmt.Errorf("duplicate member %q", name)
		}
		seen[name] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}
