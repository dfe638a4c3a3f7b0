package wallet

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/sdjwt"
)

// PresentationOptions bind a presentation to a verifier's request.
type PresentationOptions struct {
	// Challenge is the verifier's nonce and Domain its audience (aud).
	// An SD-JWT's key-binding JWT needs both.
	Challenge, Domain string
	// Disclose are JSON pointers to the selectively disclosable claims an
	// SD-JWT reveals (/credentialSubject/degree or /degree); none by
	// default. The other formats are presented whole.
	Disclose []string
	// Now is the time of the proof (zero: now).
	Now time.Time
}

// Presentation is a presentation the wallet made, and its format: a vp+jwt
// (credential.TypVPJWT) or an SD-JWT with key binding (dc+sd-jwt).
type Presentation struct {
	Format       string `json:"format"`
	Presentation string `json:"presentation"`
}

// Why a set of credentials cannot be presented as asked.
var (
	// ErrDiscloseWhole: disclosures were named, but no credential is an
	// SD-JWT.
	ErrDiscloseWhole = errors.New("disclosures apply to an SD-JWT (dc+sd-jwt) credential only; the others are presented whole")
	// ErrNoBinding: an SD-JWT is presented without a challenge or domain
	// for its key-binding JWT.
	ErrNoBinding = errors.New("an SD-JWT presentation's key-binding JWT needs a challenge and a domain (the verifier's nonce and audience)")
)

// CheckPresentation checks that creds can go in one presentation with o,
// before the key is unlocked: each once; an SD-JWT alone, with a challenge
// and domain; disclosures only of an SD-JWT.
func CheckPresentation(creds []*Stored, o PresentationOptions) error {
	if len(creds) == 0 {
		return errors.New("no credential to present")
	}
	seen := map[string]bool{}
	sd := -1
	for i, s := range creds {
		if seen[s.ID] {
			return fmt.Errorf("credential %s is named twice", s.ID)
		}
		seen[s.ID] = true
		if s.Format == credential.FormatSDJWT {
			sd = i
		}
	}
	switch {
	case sd >= 0 && len(creds) > 1:
		return fmt.Errorf("credential %s is an SD-JWT: it is presented alone, not with other credentials", creds[sd].ID)
	case len(o.Disclose) > 0 && sd < 0:
		return ErrDiscloseWhole
	case sd >= 0 && (o.Challenge == "" || o.Domain == ""):
		return ErrNoBinding
	}
	return nil
}

// Presentation makes a presentation of creds signed by the wallet's key,
// as its holder DID. vc+jwt and Data Integrity credentials go in a vp+jwt:
// a compact JWS (kid the wallet's verification method) of a VC 2.0
// presentation holding them (a vc+jwt as an EnvelopedVerifiableCredential),
// with the challenge as "nonce" and the domain as "aud". An SD-JWT goes
// alone, as the SD-JWT revealing only o.Disclose with a key-binding JWT of
// the challenge and domain.
func (w *Wallet) Presentation(creds []*Stored, o PresentationOptions) (*Presentation, error) {
	if err := CheckPresentation(creds, o); err != nil {
		return nil, err
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	h, err := w.Holder()
	if err != nil {
		return nil, err
	}
	if creds[0].Format == credential.FormatSDJWT {
		return presentSDJWT(h, creds[0], o)
	}
	items := make([]any, 0, len(creds))
	for _, s := range creds {
		sec, err := s.Secured()
		if err != nil {
			return nil, err
		}
		switch sec.Format {
		case credential.FormatJWT:
			items = append(items, envelope(sec.Token))
		case credential.FormatDataIntegrity:
			items = append(items, sec.Doc)
		default:
			return nil, fmt.Errorf("credential %s: format %s cannot go in a vp+jwt", s.ID, sec.Format)
		}
	}
	tok, err := credential.SignPresentationJWT(h.signer(), presentationOf(h.DID, items), o.Challenge, o.Domain, o.Now)
	if err != nil {
		return nil, err
	}
	return &Presentation{Format: credential.TypVPJWT, Presentation: tok}, nil
}

func (h Holder) signer() credential.Signer {
	return credential.Signer{DID: h.DID, VerificationMethod: h.KID, Key: h.Key}
}

// envelope is a vc+jwt as a presentation holds it: an
// EnvelopedVerifiableCredential (VC Data Model 2.0), its id the data: URL
// of the token.
func envelope(token string) api.EnvelopedCredential {
	return api.EnvelopedCredential{Context: []string{credential.ContextV2}, ID: credential.DataURLVCJWT + token, Type: api.TypeEnvelopedCredential}
}

// presentationOf is the VC 2.0 presentation of items by holder.
func presentationOf(holder string, items []any) json.RawMessage {
	vp, _ := json.Marshal(map[string]any{
		"@context":             []string{credential.ContextV2},
		"type":                 []string{credential.TypeVerifiablePresentation},
		"holder":               holder,
		"verifiableCredential": items,
	})
	return vp
}

func presentSDJWT(h Holder, s *Stored, o PresentationOptions) (*Presentation, error) {
	sec, err := s.Secured()
	if err != nil {
		return nil, err
	}
	reveal, err := SDJWTPointers(sec.Token, o.Disclose)
	if err != nil {
		return nil, err
	}
	p, err := sdjwt.Present(sec.Token, reveal, &sdjwt.KeyBinding{Key: h.Key, Audience: o.Domain, Nonce: o.Challenge, IssuedAt: o.Now})
	if err != nil {
		return nil, fmt.Errorf("present SD-JWT credential %s: %w", s.ID, err)
	}
	return &Presentation{Format: string(credential.FormatSDJWT), Presentation: p}, nil
}

// SDJWTPointers maps pointers into a credential to pointers into the
// SD-JWT's claims: an SD-JWT VC issued by weid carries the
// credentialSubject members as top-level claims, so /credentialSubject/degree
// names /degree there.
func SDJWTPointers(token string, disclose []string) ([]string, error) {
	issuerJWT, _, _ := strings.Cut(token, "~")
	j, err := jose.Parse(issuerJWT)
	if err != nil {
		return nil, fmt.Errorf("SD-JWT credential: %w", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(j.Payload, &claims); err != nil {
		return nil, fmt.Errorf("SD-JWT credential: the payload is not a JSON object")
	}
	_, hasVCT := claims["vct"]
	_, hasSubject := claims["credentialSubject"]
	out := make([]string, 0, len(disclose))
	for _, p := range disclose {
		if rest, ok := strings.CutPrefix(p, "/credentialSubject/"); ok && hasVCT && !hasSubject {
			p = "/" + rest
		}
		out = append(out, p)
	}
	return out, nil
}
