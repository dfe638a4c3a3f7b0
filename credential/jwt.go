package credential

import (
	"fmt"

	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
)

// Media types of a vc+jwt protected header (VC-JOSE-COSE §3.1.1, §3.1.3).
const (
	// TypVCJWT is the "typ" of a credential secured with JOSE.
	TypVCJWT = "vc+jwt"
	// CtyVC is the "cty" of its payload, a credential.
	CtyVC = "vc"
)

// MaxTokenBytes bounds a whole compact JWS (jose.MaxTokenBytes).
const MaxTokenBytes = jose.MaxTokenBytes

// SignJWS signs payload with k as a vc+jwt compact JWS whose protected
// header is {"alg", "typ": "vc+jwt", "cty": "vc", "kid": kid}.
func SignJWS(k *keys.PrivateKey, kid string, payload []byte) (string, error) {
	return jose.Sign(k, jose.Header{Typ: TypVCJWT, Cty: CtyVC, Kid: kid}, payload)
}

// ParseJWS strictly parses the compact JWS of a vc+jwt credential: as
// jose.Parse, with "typ" "vc+jwt" and "cty" absent or "vc" (each also with
// the prefix "application/"). Errors wrap jose.ErrMalformedJWS or
// jose.ErrUnsupportedAlg.
func ParseJWS(token string) (*jose.JWS, error) {
	j, err := jose.Parse(token, TypVCJWT)
	if err != nil {
		return nil, err
	}
	if j.Header.Cty != "" && !jose.MediaTypeIs(j.Header.Cty, CtyVC) {
		return nil, fmt.Errorf("%w: protected header: \"cty\" must be %q, got %q", jose.ErrMalformedJWS, CtyVC, truncate(j.Header.Cty, 64))
	}
	return j, nil
}
