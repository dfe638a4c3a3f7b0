package sdjwt

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
)

// Defaults of VerifyOptions.
const (
	DefaultMaxAge = 5 * time.Minute
	DefaultSkew   = time.Minute
)

// VerifyOptions are what Verify checks beyond the SD-JWT itself.
type VerifyOptions struct {
	// RequireKeyBinding refuses a presentation without a key-binding JWT.
	RequireKeyBinding bool
	// Audience and Nonce are the values the key-binding JWT's "aud" and
	// "nonce" must equal. Both are needed to verify a key-binding JWT: a
	// presentation that carries one is refused when either is empty.
	Audience, Nonce string
	// Now is the time of verification; time.Now() when zero.
	Now time.Time
	// MaxAge bounds how long before Now the key-binding JWT may have been
	// issued ("iat"); DefaultMaxAge when zero.
	MaxAge time.Duration
	// Skew is the clock skew allowed on "iat", "nbf" and "exp";
	// DefaultSkew when zero, none when negative.
	Skew time.Duration
}

// Verified is the outcome of a successful Verify.
type Verified struct {
	// Claims are the processed claims (RFC 9901 §7.1): the disclosed
	// values in place, every "_sd", "_sd_alg" and undisclosed array element
	// removed. Numbers are json.Number.
	Claims map[string]any
	// Disclosed are the JSON pointers, into Claims, of the claims that
	// were selectively disclosed, sorted. (An array element's index is its
	// index in Claims, after the undisclosed elements were removed.)
	Disclosed []string
	// Withheld counts the digests that name no disclosure presented:
	// claims the holder did not disclose, or decoys (RFC 9901 §4.2.5),
	// which a verifier cannot tell apart. Zero means every claim the
	// issuer signed is in Claims.
	Withheld int
	// Header is the issuer JWT's protected header.
	Header jose.Header
	// Issuer is the "iss" claim, or "".
	Issuer string
	// VCT is the SD-JWT VC type, "vct", or "".
	VCT string
	// IssuedAt, NotBefore and Expires are "iat", "nbf" and "exp", zero
	// when absent.
	IssuedAt, NotBefore, Expires time.Time
	// Status is the "status" claim, or nil.
	Status any
	// HolderKey is the key bound by "cnf": {"jwk"}, or nil.
	HolderKey *keys.PublicKey
	// KeyBound reports that a key-binding JWT verified; KeyBindingIssuedAt
	// is its "iat".
	KeyBound           bool
	KeyBindingIssuedAt time.Time
}

// Verify verifies the SD-JWT (RFC 9901 §7.1) with the issuer's key and,
// when it carries one or o requires one, its key-binding JWT (§7.3).
// The issuer signature is checked first; then "_sd_alg" (sha-256, the
// default when absent); then every digest, in "_sd" arrays and in
// {"...": digest} array elements, of the payload and recursively of the
// disclosed values: no digest may appear twice; a digest in "_sd" must
// match a [salt, name, value] disclosure, one in an array a [salt, value]
// one; a disclosed name must not already exist in its object; every
// disclosure must be referenced. "exp" and "nbf", if present, must hold at
// o.Now. For TypVC the claims need a string "vct", and "iss", "nbf",
// "exp", "cnf", "vct", "vct#integrity" and "status" must not be
// selectively disclosed. The key-binding
// JWT must be signed by the "cnf" key, have an "iat" within o.MaxAge
// before o.Now, "aud" and "nonce" equal to o.Audience and o.Nonce, and an
// "sd_hash" equal to the base64url SHA-256 of the presentation up to and
// including the last '~'.
func (j *SDJWT) Verify(issuerKey keys.PublicKey, o VerifyOptions) (*Verified, error) {
	if err := j.Issuer.Verify(issuerKey); err != nil {
		code := CodeBadSignature
		if !errors.Is(err, jose.ErrBadSignature) {
			code = CodeUnsupportedAlg
		}
		return nil, errs.Wrap(http.StatusBadRequest, code, err)
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.MaxAge <= 0 {
		o.MaxAge = DefaultMaxAge
	}
	switch {
	case o.Skew == 0:
		o.Skew = DefaultSkew
	case o.Skew < 0:
		o.Skew = 0
	}
	w, claims, err := j.process()
	if err != nil {
		return nil, err
	}
	v := &Verified{Claims: claims, Header: j.Issuer.Header, Disclosed: w.disclosedPointers(), Withheld: len(w.decoys)}
	if jose.MediaTypeIs(j.Issuer.Header.Typ, TypVC) {
		for _, p := range v.Disclosed {
			for _, name := range vcFixedClaims {
				if len(p) > 1 && p[0] == '/' && p[1:] == escapeToken(name) { // childPointer("", name)
					return nil, fail(http.StatusBadRequest, CodeInvalidDisclosure, "%q must not be selectively disclosed in an SD-JWT VC", name)
				}
			}
		}
		if _, ok := claims["vct"].(string); !ok {
			return nil, malformed("an SD-JWT VC needs a string \"vct\"")
		}
	}
	if err := v.readRegistered(claims, o); err != nil {
		return nil, err
	}
	if j.KeyBinding == nil {
		if o.RequireKeyBinding {
			return nil, fail(http.StatusUnauthorized, CodeKeyBindingRequired, "the presentation has no key-binding JWT")
		}
		return v, nil
	}
	if err := j.verifyKeyBinding(v, o); err != nil {
		return nil, err
	}
	return v, nil
}

// readRegistered reads the registered claims of the processed claims p.
func (v *Verified) readRegistered(p map[string]any, o VerifyOptions) error {
	str := func(name string) (string, error) {
		x, ok := p[name]
		if !ok {
			return "", nil
		}
		s, ok := x.(string)
		if !ok {
			return "", malformed("%q must be a string", name)
		}
		return s, nil
	}
	var err error
	if v.Issuer, err = str("iss"); err != nil {
		return err
	}
	if v.VCT, err = str("vct"); err != nil {
		return err
	}
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"iat", &v.IssuedAt}, {"nbf", &v.NotBefore}, {"exp", &v.Expires}} {
		if x, ok := p[t.name]; ok {
			if *t.dst, err = numericDate(x); err != nil {
				return malformed("%q: %v", t.name, err)
			}
		}
	}
	if !v.Expires.IsZero() && !o.Now.Before(v.Expires.Add(o.Skew)) {
		return fail(http.StatusBadRequest, CodeExpired, "the SD-JWT expired at %s", v.Expires.UTC().Format(time.RFC3339))
	}
	if !v.NotBefore.IsZero() && o.Now.Add(o.Skew).Before(v.NotBefore) {
		return fail(http.StatusBadRequest, CodeNotYetValid, "the SD-JWT is not valid before %s", v.NotBefore.UTC().Format(time.RFC3339))
	}
	v.Status = p["status"]
	if cnf, ok := p["cnf"]; ok {
		pk, err := cnfKey(cnf)
		if err != nil {
			return err
		}
		v.HolderKey = &pk
	}
	return nil
}

// cnfKey reads the holder key of a "cnf" claim.
func cnfKey(cnf any) (keys.PublicKey, error) {
	m, ok := cnf.(map[string]any)
	if !ok {
		return keys.PublicKey{}, malformed("\"cnf\" must be an object")
	}
	jwk, ok := m["jwk"]
	if !ok {
		return keys.PublicKey{}, fail(http.StatusBadRequest, CodeNoHolderKey, "\"cnf\" has no \"jwk\" (only JWK confirmation is supported)")
	}
	pk, err := jose.ParsePublicJWKValue(jwk)
	if err != nil {
		return keys.PublicKey{}, errs.Wrap(http.StatusBadRequest, CodeNoHolderKey, err)
	}
	return pk, nil
}

// numericDate reads a JWT NumericDate (RFC 7519 §2).
func numericDate(x any) (time.Time, error) {
	n, ok := x.(json.Number)
	if !ok {
		return time.Time{}, errors.New("must be a number")
	}
	if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		if i < 0 || i > 1<<40 {
			return time.Time{}, errors.New("out of range")
		}
		return time.Unix(i, 0), nil
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > 1<<40 {
		return time.Time{}, errors.New("out of range")
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), nil
}

func (j *SDJWT) verifyKeyBinding(v *Verified, o VerifyOptions) error {
	bad := func(format string, args ...any) error {
		return fail(http.StatusUnauthorized, CodeBadKeyBinding, format, args...)
	}
	if o.Audience == "" || o.Nonce == "" {
		return fail(http.StatusBadRequest, CodeInvalidOptions, "the presentation has a key-binding JWT: the expected audience and nonce are needed to verify it")
	}
	if v.HolderKey == nil {
		return fail(http.StatusBadRequest, CodeNoHolderKey, "the presentation has a key-binding JWT but the SD-JWT binds no key (\"cnf\")")
	}
	if err := j.KeyBinding.Verify(*v.HolderKey); err != nil {
		return bad("the key-binding JWT is not signed by the \"cnf\" key: %v", err)
	}
	p := j.KeyBindingPayload
	iatv, ok := p["iat"]
	if !ok {
		return bad("the key-binding JWT has no \"iat\"")
	}
	iat, err := numericDate(iatv)
	if err != nil {
		return bad("key-binding JWT \"iat\": %v", err)
	}
	if iat.After(o.Now.Add(o.Skew)) {
		return bad("the key-binding JWT was issued in the future (%s)", iat.UTC().Format(time.RFC3339))
	}
	if iat.Before(o.Now.Add(-o.MaxAge - o.Skew)) {
		return bad("the key-binding JWT was issued at %s, more than %s ago", iat.UTC().Format(time.RFC3339), o.MaxAge)
	}
	if aud, _ := p["aud"].(string); aud != o.Audience {
		return bad("the key-binding JWT's \"aud\" is not the expected audience")
	}
	if nonce, _ := p["nonce"].(string); subtle.ConstantTimeCompare([]byte(nonce), []byte(o.Nonce)) != 1 {
		return bad("the key-binding JWT's \"nonce\" is not the expected nonce")
	}
	sdHash, _ := p["sd_hash"].(string)
	if sdHash == "" {
		return bad("the key-binding JWT has no string \"sd_hash\"")
	}
	if sdHash != hashPresentation(j.hashInput) {
		return bad("the key-binding JWT's \"sd_hash\" is not the hash of this presentation")
	}
	v.KeyBound, v.KeyBindingIssuedAt = true, iat
	return nil
}

// hashPresentation is the "sd_hash" of s, the presentation up to and
// including the last '~'.
func hashPresentation(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// process checks "_sd_alg" and every digest and disclosure and returns the
// processed claims.
func (j *SDJWT) process() (*walker, map[string]any, error) {
	if alg, ok := j.Payload["_sd_alg"]; ok && alg != HashAlg {
		s, _ := alg.(string)
		return nil, nil, fail(http.StatusBadRequest, CodeUnsupportedAlg, "\"_sd_alg\" %q is not supported (want %q)", truncate(s), HashAlg)
	}
	w := &walker{
		disc:     j.Disclosures,
		byDigest: make(map[string]int, len(j.Disclosures)),
		ptr:      make([]string, len(j.Disclosures)),
		parent:   make([]int, len(j.Disclosures)),
		used:     make([]bool, len(j.Disclosures)),
	}
	for i, d := range j.Disclosures {
		w.byDigest[d.Digest] = i
	}
	claims, err := w.object(j.Payload, -1, true)
	if err != nil {
		return nil, nil, err
	}
	for i, u := range w.used {
		if !u {
			return nil, nil, fail(http.StatusBadRequest, CodeUnreferencedDisclosure, "disclosure %d (digest %s) is not referenced by the SD-JWT", i+1, j.Disclosures[i].Digest)
		}
	}
	return w, claims, nil
}

// walker replaces digests by the values of their disclosures.
type walker struct {
	disc     []Disclosure
	byDigest map[string]int
	// decoys are the digests met so far that are no disclosure's, made
	// when the first is met; a disclosure's digest met is used.
	decoys map[string]bool
	used   []bool   // per disclosure: its digest was met
	ptr    []string // per disclosure: its pointer in the processed claims
	parent []int    // per disclosure: the disclosure whose value holds it, or -1
	// toks are the reference tokens, unescaped, of the value being
	// walked: its JSON pointer, made only when one is needed (pointer).
	toks []string
}

// pointer is the JSON pointer of the value being walked.
func (w *walker) pointer() string {
	var b strings.Builder
	for _, t := range w.toks {
		b.WriteByte('/')
		b.WriteString(escapeToken(t))
	}
	return b.String()
}

func (w *walker) push(tok string) { w.toks = append(w.toks, tok) }
func (w *walker) pop()            { w.toks = w.toks[:len(w.toks)-1] }

func (w *walker) disclosedPointers() []string {
	out := make([]string, 0, len(w.ptr))
	for i, p := range w.ptr {
		if w.used[i] {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// digest records digest dig as met and returns its disclosure, or -1.
func (w *walker) digest(dig string) (int, error) {
	i, ok := w.byDigest[dig]
	if ok && !w.used[i] {
		w.used[i] = true
		return i, nil
	}
	if !ok && !w.decoys[dig] {
		if w.decoys == nil {
			w.decoys = map[string]bool{}
		}
		w.decoys[dig] = true
		return -1, nil
	}
	return -1, fail(http.StatusBadRequest, CodeDuplicateDigest, "digest %s appears more than once", truncate(dig))
}

// reference resolves v, a digest met at w.pointer() in "_sd" or, with
// arrayElement, as an array element {"...": v}: the index of the
// disclosure it names, -1 for a decoy or an undisclosed claim. v that is
// no string, a repeated digest and a disclosure of the other kind ([salt,
// value] in "_sd", [salt, name, value] as an array element) are errors.
func (w *walker) reference(v any, arrayElement bool) (int, error) {
	dig, ok := v.(string)
	if !ok && arrayElement {
		return -1, malformed("an array element digest {\"...\": …} at %q is not a string", truncate(w.pointer()))
	}
	if !ok {
		return -1, malformed("\"_sd\" at %q holds a digest that is not a string", truncate(w.pointer()))
	}
	i, err := w.digest(dig)
	if err != nil || i < 0 {
		return -1, err
	}
	switch d := &w.disc[i]; {
	case arrayElement && !d.ArrayElement:
		return -1, fail(http.StatusBadRequest, CodeInvalidDisclosure, "disclosure %s is referenced as an array element at %q but is a [salt, name, value] disclosure", d.Digest, truncate(w.pointer()))
	case !arrayElement && d.ArrayElement:
		return -1, fail(http.StatusBadRequest, CodeInvalidDisclosure, "disclosure %s is referenced from \"_sd\" at %q but is a [salt, value] disclosure", d.Digest, truncate(w.pointer()))
	}
	return i, nil
}

// value processes v, at w.pointer().
func (w *walker) value(v any, parent int) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		return w.object(v, parent, false)
	case []any:
		out := make([]any, 0, len(v))
		for _, e := range v {
			if m, ok := e.(map[string]any); ok && len(m) == 1 {
				if dv, ok := m["..."]; ok {
					i, err := w.reference(dv, true)
					if err != nil {
						return nil, err
					}
					if i < 0 {
						continue // not disclosed, or a decoy
					}
					x, err := w.disclosed(i, strconv.Itoa(len(out)), parent)
					if err != nil {
						return nil, err
					}
					out = append(out, x)
					continue
				}
			}
			w.push(strconv.Itoa(len(out)))
			x, err := w.value(e, parent)
			w.pop()
			if err != nil {
				return nil, err
			}
			out = append(out, x)
		}
		return out, nil
	}
	return v, nil
}

// disclosed processes the value of disclosure i, found under name (a
// claim's name, or an array element's index) at w.pointer(), within the
// value of disclosure parent (-1: the payload), and records where it was
// found (RFC 9901 §7.1 step 3).
func (w *walker) disclosed(i int, name string, parent int) (any, error) {
	w.push(name)
	w.ptr[i], w.parent[i] = w.pointer(), parent
	x, err := w.value(w.disc[i].Value, i)
	w.pop()
	return x, err
}

// object processes the object m, at w.pointer(); top says it is the
// payload.
func (w *walker) object(m map[string]any, parent int, top bool) (map[string]any, error) {
	// Sized for the disclosed members too (a few more for decoys): an
	// SD-JWT VC's claims map no longer grows while they go in.
	n := len(m)
	if sd, ok := m["_sd"].([]any); ok {
		n += len(sd) - 1
	}
	out := make(map[string]any, n)
	for k, v := range m {
		if k == "_sd" || top && k == "_sd_alg" {
			continue
		}
		switch v.(type) {
		case map[string]any, []any:
			w.push(k)
			x, err := w.value(v, parent)
			w.pop()
			if err != nil {
				return nil, err
			}
			out[k] = x
		default:
			out[k] = v // a scalar is its own processed value
		}
	}
	sdv, ok := m["_sd"]
	if !ok {
		return out, nil
	}
	sd, ok := sdv.([]any)
	if !ok {
		return nil, malformed("\"_sd\" at %q is not an array", truncate(w.pointer()))
	}
	for _, e := range sd {
		i, err := w.reference(e, false)
		if err != nil {
			return nil, err
		}
		if i < 0 {
			continue
		}
		d := &w.disc[i]
		_, plain := m[d.Name]
		if _, disclosed := out[d.Name]; plain || disclosed {
			return nil, fail(http.StatusBadRequest, CodeClaimCollision, "disclosed claim %q already exists at %q", truncate(d.Name), truncate(w.pointer()))
		}
		x, err := w.disclosed(i, d.Name, parent)
		if err != nil {
			return nil, err
		}
		out[d.Name] = x
	}
	return out, nil
}

// Processed returns the claims with every disclosure the SD-JWT carries
// applied (RFC 9901 §7.1 steps 3–5) and the JSON pointers of its
// selectively disclosable claims, sorted, without verifying the issuer
// signature: a holder's view of its own SD-JWT, to choose what to disclose
// (Present takes these pointers). Never trust it as a verifier.
func (j *SDJWT) Processed() (map[string]any, []string, error) {
	w, claims, err := j.process()
	if err != nil {
		return nil, nil, err
	}
	return claims, w.disclosedPointers(), nil
}
