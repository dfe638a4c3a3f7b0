package sdjwt

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/strictjson"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
)

// SaltBytes is the number of random bytes in each salt Issue draws.
const SaltBytes = 16

// MaxDecoys bounds IssueOptions.Decoys.
const MaxDecoys = 16

// IssueOptions say what Issue makes selectively disclosable and how.
type IssueOptions struct {
	// Disclosable are JSON pointers (RFC 6901) to the object members and
	// array elements, at any depth, that become selectively disclosable.
	// A pointer under another gives a recursive disclosure: the parent's
	// disclosure carries the child's digest. For TypVC the registered
	// claims "iss", "nbf", "exp", "cnf", "vct", "vct#integrity" and
	// "status" cannot be disclosable.
	Disclosable []string
	// HolderKey, when set, is bound as "cnf": {"jwk": …}; a presentation
	// then proves possession of it with a key-binding JWT.
	HolderKey *keys.PublicKey
	// Typ is the issuer JWT "typ"; TypVC when empty.
	Typ string
	// Decoys is the number of decoy digests (RFC 9901 §4.2.5) added to
	// each "_sd" array Issue writes, at most MaxDecoys.
	Decoys int
}

// vcFixedClaims are the SD-JWT VC claims that must stay plain.
var vcFixedClaims = []string{"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status"}

// Issue signs claims (a JSON object) with k as an SD-JWT whose header
// carries kid (the DID URL of k's verification method) and returns
// <issuer-jwt>~<disclosure>~…~. The payload gets "_sd_alg": "sha-256" and,
// with o.HolderKey, "cnf"; salts are SaltBytes from crypto/rand; each
// "_sd" array is sorted and the disclosures are ordered by digest, so no
// order leaks the claims' order. For TypVC the claims need a string
// "vct".
func Issue(k *keys.PrivateKey, kid string, claims json.RawMessage, o IssueOptions) (string, error) {
	if k == nil {
		return "", fail(http.StatusBadRequest, CodeInvalidOptions, "no signing key")
	}
	if o.Typ == "" {
		o.Typ = TypVC
	}
	if o.Decoys < 0 || o.Decoys > MaxDecoys {
		return "", fail(http.StatusBadRequest, CodeInvalidOptions, "decoys must be between 0 and %d", MaxDecoys)
	}
	if len(claims) > MaxBytes {
		return "", fail(http.StatusRequestEntityTooLarge, CodeTooLarge, "the claims are longer than %d bytes", MaxBytes)
	}
	doc, err := strictjson.DecodeObject(claims, payloadLimits)
	if err != nil {
		return "", errs.Wrap(http.StatusBadRequest, CodeInvalidClaims, err)
	}
	if _, ok := doc["_sd_alg"]; ok {
		return "", fail(http.StatusBadRequest, CodeInvalidClaims, "the claims must not hold \"_sd_alg\": Issue sets it")
	}
	if bad := reservedName(doc); bad != "" {
		return "", fail(http.StatusBadRequest, CodeInvalidClaims, "the claims must not hold a member named %q: SD-JWT reserves it", bad)
	}
	if o.HolderKey != nil {
		if _, ok := doc["cnf"]; ok {
			return "", fail(http.StatusBadRequest, CodeInvalidClaims, "the claims hold \"cnf\" and a holder key is given")
		}
		jwk, err := jose.PublicJWK(*o.HolderKey)
		if err != nil {
			return "", fail(http.StatusBadRequest, CodeInvalidOptions, "holder key: %v", err)
		}
		doc["cnf"] = map[string]any{"jwk": json.RawMessage(jwk)}
	}
	if o.Typ == TypVC {
		if _, ok := doc["vct"].(string); !ok {
			return "", fail(http.StatusBadRequest, CodeInvalidClaims, "an SD-JWT VC needs a string \"vct\"")
		}
	}
	sd := make(map[string]bool, len(o.Disclosable))
	for _, p := range o.Disclosable {
		c, err := canonicalPointer(doc, p)
		if err != nil {
			return "", err
		}
		if sd[c] {
			return "", fail(http.StatusBadRequest, CodeInvalidPointer, "JSON pointer %q is listed twice", truncate(p))
		}
		if o.Typ == TypVC {
			for _, name := range vcFixedClaims {
				if c == childPointer("", name) {
					return "", fail(http.StatusBadRequest, CodeInvalidPointer, "%q cannot be selectively disclosable in an SD-JWT VC", name)
				}
			}
		}
		sd[c] = true
	}
	if len(sd) > MaxDisclosures {
		return "", fail(http.StatusRequestEntityTooLarge, CodeTooLarge, "%d disclosable claims, more than %d", len(sd), MaxDisclosures)
	}
	b := &builder{sd: sd, decoys: o.Decoys}
	payload, err := b.object(doc, "")
	if err != nil {
		return "", err
	}
	payload["_sd_alg"] = HashAlg
	pj, err := strictjson.Marshal(payload)
	if err != nil {
		return "", fmt.Errorf("issue SD-JWT: encode payload: %w", err)
	}
	tok, err := jose.Sign(k, jose.Header{Typ: o.Typ, Kid: kid}, pj)
	if err != nil {
		return "", fail(http.StatusBadRequest, CodeInvalidOptions, "sign: %v", err)
	}
	sort.Slice(b.disclosures, func(i, j int) bool { return b.disclosures[i].digest < b.disclosures[j].digest })
	var sb strings.Builder
	sb.WriteString(tok)
	sb.WriteByte('~')
	for _, d := range b.disclosures {
		sb.WriteString(d.raw)
		sb.WriteByte('~')
	}
	if sb.Len() > MaxBytes {
		return "", fail(http.StatusRequestEntityTooLarge, CodeTooLarge, "the SD-JWT would be %d bytes, more than %d", sb.Len(), MaxBytes)
	}
	return sb.String(), nil
}

// reservedName returns a member name "_sd" or "..." anywhere in v, or "".
func reservedName(v any) string {
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			if k == "_sd" || k == "..." {
				return k
			}
			if bad := reservedName(c); bad != "" {
				return bad
			}
		}
	case []any:
		for _, c := range v {
			if bad := reservedName(c); bad != "" {
				return bad
			}
		}
	}
	return ""
}

type issued struct{ raw, digest string }

// builder replaces the disclosable parts of a claims tree by digests.
type builder struct {
	sd          map[string]bool // canonical pointers of the disclosable claims
	decoys      int
	disclosures []issued
}

func (b *builder) value(v any, ptr string) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		return b.object(v, ptr)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			p := childPointer(ptr, fmt.Sprint(i))
			enc, err := b.value(e, p)
			if err != nil {
				return nil, err
			}
			if b.sd[p] {
				dig, err := b.disclose([]any{enc})
				if err != nil {
					return nil, err
				}
				enc = map[string]any{"...": dig}
			}
			out[i] = enc
		}
		return out, nil
	}
	return v, nil
}

func (b *builder) object(m map[string]any, ptr string) (map[string]any, error) {
	out := make(map[string]any, len(m))
	var digests []string
	for k, v := range m {
		p := childPointer(ptr, k)
		enc, err := b.value(v, p)
		if err != nil {
			return nil, err
		}
		if !b.sd[p] {
			out[k] = enc
			continue
		}
		dig, err := b.disclose([]any{k, enc})
		if err != nil {
			return nil, err
		}
		digests = append(digests, dig)
	}
	if len(digests) > 0 {
		for range b.decoys {
			salt, err := newSalt()
			if err != nil {
				return nil, err
			}
			sum := sha256.Sum256([]byte(salt))
			digests = append(digests, base64.RawURLEncoding.EncodeToString(sum[:]))
		}
		sort.Strings(digests)
		out["_sd"] = digests
	}
	return out, nil
}

// disclose makes the disclosure [salt, rest...] and returns its digest.
func (b *builder) disclose(rest []any) (string, error) {
	salt, err := newSalt()
	if err != nil {
		return "", err
	}
	js, err := strictjson.Marshal(append([]any{salt}, rest...))
	if err != nil {
		return "", fmt.Errorf("issue SD-JWT: encode disclosure: %w", err)
	}
	raw := base64.RawURLEncoding.EncodeToString(js)
	sum := sha256.Sum256([]byte(raw))
	dig := base64.RawURLEncoding.EncodeToString(sum[:])
	b.disclosures = append(b.disclosures, issued{raw: raw, digest: dig})
	return dig, nil
}

func newSalt() (string, error) {
	var s [SaltBytes]byte
	if _, err := rand.Read(s[:]); err != nil {
		return "", fmt.Errorf("issue SD-JWT: salt: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(s[:]), nil
}
