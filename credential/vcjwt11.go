package credential

// VC-JWT as VC Data Model 1.1 §6.3.1 defines it: a JWT ("typ" JWT or
// none) whose "vc" claim is the credential, or whose "vp" claim is the
// presentation, with registered claims standing for some of their
// members — iss for issuer (holder), sub for credentialSubject.id, jti
// for id, nbf and exp for the validity period. Issuers and wallets
// deployed it widely before VC-JOSE-COSE; weid verifies it, bare or in a
// data:application/jwt envelope, and issues only vc+jwt.

import (
	"context"
	"fmt"
	"time"

	"github.com/weidgo/weid/jose"
)

// legacyJWT parses token as a compact JWS whose "typ" is absent or JWT;
// ok is false for anything else (a vc+jwt, a malformed token).
func legacyJWT(token string) (*jose.JWS, bool) {
	j, err := jose.Parse(token)
	if err != nil || (j.Header.Typ != "" && !jose.MediaTypeIs(j.Header.Typ, "JWT")) {
		return nil, false
	}
	return j, true
}

// verifyLegacyJWT verifies a VC-JWT 1.1 credential with the checks of
// VerifyJWT.
func (v *Verifier) verifyLegacyJWT(ctx context.Context, j *jose.JWS, p Policy) *Result {
	r := newResult()
	c, err := legacyCredential(j.Payload)
	if err != nil {
		r.structureFailed(err)
		return r
	}
	r.Credential = c.Doc
	version := "2.0"
	if c.Version == 1 {
		version = "1.1"
	}
	r.addCode(CheckStructure, StatusPassed, ReasonStructureOK, params("format", "VC-JWT "+version), "a VC Data Model "+version+" credential secured as a JWT with a \"vc\" claim (VC Data Model 1.1 §6.3.1, "+j.Header.Alg+")")
	v.claims(ctx, r, c, v.proof(ctx, r, j, c), p)
	return r
}

// legacyCredential reads the credential of a VC-JWT payload: its "vc"
// claim, with iss, sub and jti set as its issuer, credentialSubject.id
// and id, and nbf and exp as its issuanceDate (validFrom) and
// expirationDate (validUntil) where it has none (VC Data Model 1.1
// §6.3.1, "decoding"). A claim that contradicts the member it stands for
// is refused: the checks read the members.
func legacyCredential(payload []byte) (*Credential, error) {
	claims, err := decodeDocument(payload, ErrInvalid, decodeObject)
	if err != nil {
		return nil, err
	}
	vc, ok := claims["vc"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: a JWT credential of VC Data Model 1.1 §6.3.1 has a \"vc\" claim that is the credential", ErrInvalid)
	}
	if err := claimAs(vc, "id", claims["jti"], ErrInvalid); err != nil {
		return nil, err
	}
	if iss, ok := claims["iss"]; ok {
		switch is := vc["issuer"].(type) {
		case map[string]any:
			if err := claimAs(is, "id", iss, ErrInvalid); err != nil {
				return nil, err
			}
		default:
			if err := claimAs(vc, "issuer", iss, ErrInvalid); err != nil {
				return nil, err
			}
		}
	}
	if sub, ok := claims["sub"]; ok {
		subj, isObj := vc["credentialSubject"].(map[string]any)
		if !isObj {
			return nil, fmt.Errorf("%w: the JWT claim \"sub\" needs one credentialSubject object", ErrInvalid)
		}
		if err := claimAs(subj, "id", sub, ErrInvalid); err != nil {
			return nil, err
		}
	}
	from, until := "validFrom", "validUntil"
	if ctx, _ := vc["@context"].([]any); len(ctx) > 0 && ctx[0] == ContextV1 {
		from, until = "issuanceDate", "expirationDate"
	}
	dates := map[string]time.Time{}
	for claim, member := range map[string]string{"nbf": from, "exp": until, "iat": ""} {
		t, err := numericDate(claims, claim)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		dates[claim] = t
		if _, has := vc[member]; member != "" && !t.IsZero() && !has {
			vc[member] = t.UTC().Format(time.RFC3339)
		}
	}
	c, err := FromDocument(vc)
	if err != nil {
		return nil, err
	}
	c.IssuedAt, c.NotBefore, c.Expires = dates["iat"], dates["nbf"], dates["exp"]
	return c, nil
}

// claimAs sets member name of obj to the JWT claim value v when obj has
// none, and refuses a v that differs from it; a nil v is no claim. invalid
// is the error a refusal wraps: ErrInvalid for a credential's claims,
// ErrInvalidPresentation for a presentation's (its "differs from the
// presentation's" names which).
func claimAs(obj map[string]any, name string, v any, invalid error) error {
	if v == nil {
		return nil
	}
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("%w: the JWT claim for %q must be a string", invalid, name)
	}
	if cur, has := obj[name]; has && cur != s {
		doc := "credential"
		if invalid == ErrInvalidPresentation {
			doc = "presentation"
		}
		return fmt.Errorf("%w: the JWT claim for %q differs from the %s's %q", invalid, name, doc, name)
	}
	obj[name] = s
	return nil
}

// legacyPresentation reads the presentation of a VC-JWT payload: its "vp"
// claim, with iss as its holder and jti as its id (VC Data Model 1.1
// §6.3.1). claims are the payload's claims (nonce and aud are read from
// them).
func legacyPresentation(payload []byte) (*Presentation, map[string]any, error) {
	claims, err := decodeDocument(payload, ErrInvalidPresentation, decodeObject)
	if err != nil {
		return nil, nil, err
	}
	vp, ok := claims["vp"].(map[string]any)
	if !ok {
		return nil, nil, fmt.Errorf("%w: a JWT presentation of VC Data Model 1.1 §6.3.1 has a \"vp\" claim that is the presentation", ErrInvalidPresentation)
	}
	if err := claimAs(vp, "id", claims["jti"], ErrInvalidPresentation); err != nil {
		return nil, nil, err
	}
	if iss, ok := claims["iss"]; ok {
		if h, isObj := vp["holder"].(map[string]any); isObj {
			err = claimAs(h, "id", iss, ErrInvalidPresentation)
		} else {
			err = claimAs(vp, "holder", iss, ErrInvalidPresentation)
		}
		if err != nil {
			return nil, nil, err
		}
	}
	p, err := presentationFrom(vp)
	if err != nil {
		return nil, nil, err
	}
	return p, claims, nil
}
