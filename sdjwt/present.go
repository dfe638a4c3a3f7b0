package sdjwt

import (
	"net/http"
	"strings"
	"time"

	"github.com/weidgo/weid/internal/strictjson"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
)

// KeyBinding is what the holder's key-binding JWT says.
type KeyBinding struct {
	// Key is the holder's private key, the one bound by "cnf".
	Key *keys.PrivateKey
	// Audience and Nonce come from the verifier's request.
	Audience, Nonce string
	// IssuedAt is the "iat"; time.Now() when zero.
	IssuedAt time.Time
}

// Present makes a presentation of the SD-JWT sdjwt (as Issue returns it,
// without a key-binding JWT) that reveals exactly the claims named by the
// JSON pointers in reveal: each must name a selectively disclosable claim
// (pointers address the claims as they read with every disclosure
// applied); the disclosures of the claims that contain it come along, and
// disclosable claims under it stay hidden unless named too. With kb
// non-nil a key-binding JWT signed by kb.Key, which must be the key bound
// by "cnf", is appended. Present does not verify the issuer signature.
func Present(sdjwt string, reveal []string, kb *KeyBinding) (string, error) {
	j, err := parse(sdjwt, nil)
	if err != nil {
		return "", err
	}
	if j.KeyBinding != nil {
		return "", malformed("the SD-JWT already has a key-binding JWT")
	}
	w, claims, err := j.process()
	if err != nil {
		return "", err
	}
	byPtr := make(map[string]int, len(w.ptr))
	for i, p := range w.ptr {
		byPtr[p] = i
	}
	keep := make([]bool, len(j.Disclosures))
	for _, p := range reveal {
		toks, err := parsePointer(p)
		if err != nil {
			return "", fail(http.StatusBadRequest, CodeInvalidPointer, "%v", err)
		}
		c := ""
		for _, t := range toks {
			c = childPointer(c, t)
		}
		i, ok := byPtr[c]
		if !ok {
			return "", fail(http.StatusBadRequest, CodeNotDisclosable, "%q names no selectively disclosable claim of this SD-JWT", truncate(p))
		}
		for ; i >= 0 && !keep[i]; i = w.parent[i] {
			keep[i] = true
		}
	}
	var sb strings.Builder
	sb.WriteString(j.issuerJWT)
	sb.WriteByte('~')
	for i, d := range j.Disclosures {
		if keep[i] {
			sb.WriteString(d.Raw)
			sb.WriteByte('~')
		}
	}
	if kb == nil {
		return sb.String(), nil
	}
	if kb.Key == nil || kb.Audience == "" || kb.Nonce == "" {
		return "", fail(http.StatusBadRequest, CodeInvalidOptions, "key binding needs a key, an audience and a nonce")
	}
	cnf, ok := claims["cnf"]
	if !ok {
		return "", fail(http.StatusBadRequest, CodeNoHolderKey, "the SD-JWT binds no holder key (\"cnf\")")
	}
	pk, err := cnfKey(cnf)
	if err != nil {
		return "", err
	}
	if !pk.Equal(kb.Key.Public()) {
		return "", fail(http.StatusBadRequest, CodeNoHolderKey, "the key-binding key is not the holder key the SD-JWT binds")
	}
	iat := kb.IssuedAt
	if iat.IsZero() {
		iat = time.Now()
	}
	payload, err := strictjson.Marshal(map[string]any{
		"iat":     iat.Unix(),
		"aud":     kb.Audience,
		"nonce":   kb.Nonce,
		"sd_hash": hashPresentation(sb.String()),
	})
	if err != nil {
		return "", malformed("key-binding JWT: %v", err)
	}
	tok, err := jose.Sign(kb.Key, jose.Header{Typ: TypKB}, payload)
	if err != nil {
		return "", fail(http.StatusBadRequest, CodeInvalidOptions, "sign the key-binding JWT: %v", err)
	}
	if sb.Len()+len(tok) > MaxBytes {
		return "", fail(http.StatusRequestEntityTooLarge, CodeTooLarge, "the presentation would be longer than %d bytes", MaxBytes)
	}
	sb.WriteString(tok)
	return sb.String(), nil
}
