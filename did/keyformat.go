package did

import (
	"crypto/elliptic"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/mr-tron/base58"

	"github.com/weidgo/weid/keys"
)

// Verification method types a did:key document can be expressed in
// (did:key v0.7 §3.1.2 step 6, §3.1.5 step 6, "publicKeyFormat").
const (
	TypeJSONWebKey2020             = "JsonWebKey2020"
	TypeEd25519VerificationKey2020 = "Ed25519VerificationKey2020"
	TypeEd25519VerificationKey2018 = "Ed25519VerificationKey2018"
	TypeX25519KeyAgreementKey2020  = "X25519KeyAgreementKey2020"
	TypeX25519KeyAgreementKey2019  = "X25519KeyAgreementKey2019"
)

// keyFormatContexts are the JSON-LD contexts that define each verification
// method type (did:key v0.7 §3.1.7 "Context Creation Algorithm").
var keyFormatContexts = map[string]string{
	MultikeyType:                   ContextMultikey,
	TypeJSONWebKey2020:             "https://w3id.org/security/suites/jws-2020/v1",
	TypeEd25519VerificationKey2020: "https://w3id.org/security/suites/ed25519-2020/v1",
	TypeEd25519VerificationKey2018: "https://w3id.org/security/suites/ed25519-2018/v1",
	TypeX25519KeyAgreementKey2020:  "https://w3id.org/security/suites/x25519-2020/v1",
	TypeX25519KeyAgreementKey2019:  "https://w3id.org/security/suites/x25519-2019/v1",
}

// keyFormatExperimental are the types did:key v0.7 §3.1.2 step 8 and §3.1.5
// step 8 allow only with enableExperimentalPublicKeyTypes.
var keyFormatExperimental = map[string]bool{
	TypeEd25519VerificationKey2018: true,
	TypeX25519KeyAgreementKey2019:  true,
}

// x25519Counterpart is the key-agreement type that goes with a signature
// type for the X25519 key derived from an Ed25519 did:key (did:key v0.7
// §3.1.1 step 8 runs the Encryption Method Creation Algorithm with the same
// options; an Ed25519 suite type cannot describe an X25519 key, so the
// suite's key-agreement sibling is used).
var x25519Counterpart = map[string]string{
	TypeEd25519VerificationKey2020: TypeX25519KeyAgreementKey2020,
	TypeEd25519VerificationKey2018: TypeX25519KeyAgreementKey2019,
}

// formatKeyDocument returns doc, a did:key document with Multikey methods,
// with its methods expressed as opts.PublicKeyFormat (did:key v0.7 §3.1.2
// steps 6-12, §3.1.5 steps 6-12) and its @context rebuilt for their types
// (§3.1.7). An unknown format is ErrUnsupportedPublicKeyType (step 7); an
// experimental one without opts.EnableExperimentalPublicKeyTypes, or one that
// cannot describe the key (an Ed25519 type for a P-256 key, a JWK for SM2,
// which has no registered JOSE curve), is ErrInvalidPublicKeyType (step 8).
// doc is shared and not modified; "" and Multikey return it as it is.
func formatKeyDocument(doc *Document, opts Options) (*Document, error) {
	format := opts.PublicKeyFormat
	if format == "" || format == MultikeyType {
		return doc, nil
	}
	if err := CheckPublicKeyFormat(format); err != nil {
		return nil, err
	}
	if keyFormatExperimental[format] && !opts.EnableExperimentalPublicKeyTypes {
		return nil, fmt.Errorf("%w: publicKeyFormat %s is experimental; set enableExperimentalPublicKeyTypes=true to use it", ErrInvalidPublicKeyType, format)
	}
	out := *doc
	out.VerificationMethod = make([]VerificationMethod, len(doc.VerificationMethod))
	out.Context = []string{ContextDIDv1}
	for i, vm := range doc.VerificationMethod {
		f := format
		if i > 0 {
			// The second method is the X25519 key derived from an Ed25519 key.
			if c, ok := x25519Counterpart[format]; ok {
				f = c
			}
		}
		nvm, err := formatKeyMethod(vm, f)
		if err != nil {
			return nil, err
		}
		out.VerificationMethod[i] = nvm
		if c := keyFormatContexts[f]; !containsString(out.Context, c) {
			out.Context = append(out.Context, c)
		}
	}
	return &out, nil
}

// formatKeyMethod expresses a Multikey method of a did:key document as a
// method of type format. Its id stays the DID and the multibase value
// (did:key v0.7 §3.1.2 step 5), whatever the format.
func formatKeyMethod(vm VerificationMethod, format string) (VerificationMethod, error) {
	codec, raw, err := decodeKeyMultibase(vm.PublicKeyMultibase)
	if err != nil {
		return vm, err
	}
	out := VerificationMethod{ID: vm.ID, Type: format, Controller: vm.Controller}
	wrongKey := func() (VerificationMethod, error) {
		return vm, fmt.Errorf("%w: publicKeyFormat %s cannot express the %s key %s", ErrInvalidPublicKeyType, format, keyCodecName(codec), vm.ID)
	}
	switch format {
	case TypeEd25519VerificationKey2020, TypeX25519KeyAgreementKey2020:
		// §3.1.2 step 11, §3.1.5 step 11: the multibase value as it is.
		if format == TypeEd25519VerificationKey2020 && codec != mcEd25519Pub || format == TypeX25519KeyAgreementKey2020 && codec != mcX25519Pub {
			return wrongKey()
		}
		out.PublicKeyMultibase = vm.PublicKeyMultibase
	case TypeEd25519VerificationKey2018, TypeX25519KeyAgreementKey2019:
		// The 2018/2019 suites carry the raw key in base58btc.
		if format == TypeEd25519VerificationKey2018 && codec != mcEd25519Pub || format == TypeX25519KeyAgreementKey2019 && codec != mcX25519Pub {
			return wrongKey()
		}
		out.PublicKeyBase58 = base58.Encode(raw)
	case TypeJSONWebKey2020:
		// §3.1.2 step 12: the "Encode JWK Algorithm".
		jwk, err := keyJWK(codec, raw)
		if err != nil {
			return wrongKey()
		}
		out.PublicKeyJwk = jwk
	}
	return out, nil
}

// keyJWK encodes a did:key public key as a JWK (did:key v0.7 §3.1.4 "Encode
// JWK Algorithm"): OKP for Ed25519 and X25519 (RFC 8037 §2), EC with both
// coordinates for P-256, P-384 (RFC 7518 §6.2.1) and secp256k1 (RFC 8812
// §3.1). SM2 has no registered JOSE curve and no JWK.
func keyJWK(codec uint64, raw []byte) (json.RawMessage, error) {
	b64 := base64.RawURLEncoding.EncodeToString
	var m map[string]string
	switch codec {
	case mcEd25519Pub:
		m = map[string]string{"kty": "OKP", "crv": "Ed25519", "x": b64(raw)}
	case mcX25519Pub:
		m = map[string]string{"kty": "OKP", "crv": "X25519", "x": b64(raw)}
	case mcP256Pub, mcSecp256k1Pub:
		pk, err := keys.NewPublicKey(keyTypes[codec], raw)
		if err != nil {
			return nil, err
		}
		xy := pk.Uncompressed()
		// The key types are named as the JOSE curves are.
		m = map[string]string{"kty": "EC", "crv": string(pk.Type), "x": b64(xy[:32]), "y": b64(xy[32:])}
	case mcP384Pub:
		x, y := elliptic.UnmarshalCompressed(elliptic.P384(), raw)
		if x == nil {
			return nil, fmt.Errorf("%w: P-384 key is not a point on the curve", ErrInvalidPublicKey)
		}
		m = map[string]string{"kty": "EC", "crv": "P-384", "x": b64(x.FillBytes(make([]byte, 48))), "y": b64(y.FillBytes(make([]byte, 48)))}
	default:
		return nil, fmt.Errorf("%w: no JWK encoding for %s keys", ErrInvalidPublicKeyType, keyCodecName(codec))
	}
	return json.Marshal(m)
}

// keyCodecName names the key type of a multicodec code.
func keyCodecName(codec uint64) string {
	switch codec {
	case mcEd25519Pub:
		return "Ed25519"
	case mcX25519Pub:
		return "X25519"
	case mcP256Pub:
		return "P-256"
	case mcP384Pub:
		return "P-384"
	case mcSecp256k1Pub:
		return "secp256k1"
	case mcSM2Pub:
		return "SM2"
	}
	if n, ok := keyUnsupported[codec]; ok {
		return n
	}
	return fmt.Sprintf("multicodec 0x%x", codec)
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
