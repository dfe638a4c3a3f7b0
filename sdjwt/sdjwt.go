package sdjwt

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unsafe"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/strictjson"
	"github.com/weidgo/weid/jose"
)

// Media types and algorithm names.
const (
	// TypVC is the "typ" of an SD-JWT VC issuer JWT.
	TypVC = "dc+sd-jwt"
	// TypKB is the "typ" of a key-binding JWT.
	TypKB = "kb+jwt"
	// HashAlg is the only "_sd_alg" supported, and the one Issue writes.
	HashAlg = "sha-256"
)

// Limits of what Parse and Issue accept.
const (
	// MaxBytes bounds a whole SD-JWT, with its disclosures and key-binding
	// JWT.
	MaxBytes = 256 << 10
	// MaxDisclosures bounds the disclosures of one SD-JWT.
	MaxDisclosures = 1024
)

// Error codes of the *errs.Error values this package returns.
const (
	CodeMalformed              = "sdjwt.malformed"              // 400: not a well-formed SD-JWT
	CodeTooLarge               = "sdjwt.tooLarge"               // 413: over MaxBytes or MaxDisclosures
	CodeBadSignature           = "sdjwt.badSignature"           // 400: the issuer signature does not verify
	CodeUnsupportedAlg         = "sdjwt.unsupportedAlg"         // 400: "_sd_alg" other than sha-256
	CodeInvalidDisclosure      = "sdjwt.invalidDisclosure"      // 400: a disclosure of the wrong form or with a reserved name
	CodeDuplicateDigest        = "sdjwt.duplicateDigest"        // 400: a digest or disclosure that appears twice
	CodeUnreferencedDisclosure = "sdjwt.unreferencedDisclosure" // 400: a disclosure whose digest the SD-JWT does not contain
	CodeClaimCollision         = "sdjwt.claimCollision"         // 400: a disclosed name that already exists in its object
	CodeExpired                = "sdjwt.expired"                // 400: "exp" has passed
	CodeNotYetValid            = "sdjwt.notYetValid"            // 400: "nbf" is in the future
	CodeKeyBindingRequired     = "sdjwt.keyBindingRequired"     // 401: no key-binding JWT where one is required
	CodeBadKeyBinding          = "sdjwt.badKeyBinding"          // 401: the key-binding JWT does not verify
	CodeNoHolderKey            = "sdjwt.noHolderKey"            // 400: no usable "cnf" {"jwk"} for key binding
	CodeInvalidOptions         = "sdjwt.invalidOptions"         // 400: options that cannot be honoured
	CodeInvalidClaims          = "sdjwt.invalidClaims"          // 400: claims Issue cannot secure
	CodeInvalidPointer         = "sdjwt.invalidPointer"         // 400: a malformed JSON pointer or one naming nothing
	CodeNotDisclosable         = "sdjwt.notDisclosable"         // 400: Present asked to reveal a claim with no disclosure
)

func fail(status int, code, format string, args ...any) *errs.Error {
	return errs.New(status, code, format, args...)
}

func malformed(format string, args ...any) *errs.Error {
	return fail(http.StatusBadRequest, CodeMalformed, format, args...)
}

// payloadLimits bound the issuer JWT payload, KB-JWT payload and each
// disclosure.
var payloadLimits = strictjson.Limits{Depth: 32, Array: 4096, Members: 1024}

var b64 = base64.RawURLEncoding.Strict()

// Disclosure is one parsed disclosure: the base64url-encoded JSON array
// [salt, name, value] (an object member) or [salt, value] (an array
// element).
type Disclosure struct {
	// Raw is the disclosure as it appears in the SD-JWT.
	Raw string
	// Digest is base64url(SHA-256(Raw)), the value the issuer JWT holds.
	Digest string
	// Salt is the disclosure's salt.
	Salt string
	// Name is the member name; empty for an array element.
	Name string
	// ArrayElement reports the two-element form.
	ArrayElement bool
	// Value is the disclosed value, strictly decoded (numbers are
	// json.Number).
	Value any
}

// SDJWT is a parsed SD-JWT or SD-JWT presentation. Nothing in it has been
// verified until Verify succeeds.
type SDJWT struct {
	// Issuer is the issuer-signed JWT; its header's Kid names the
	// verification method to resolve.
	Issuer *jose.JWS
	// Payload is the issuer JWT payload, strictly decoded, still with its
	// "_sd" digests.
	Payload map[string]any
	// Disclosures are the disclosures in the order they appear.
	Disclosures []Disclosure
	// KeyBinding is the key-binding JWT, or nil when there is none.
	KeyBinding *jose.JWS
	// KeyBindingPayload is the key-binding JWT's decoded payload.
	KeyBindingPayload map[string]any

	issuerJWT string // the issuer JWT as serialized
	hashInput string // everything up to and including the last '~'
}

// Parse strictly parses an SD-JWT <issuer-jwt>~<disclosure>~…~ or an
// SD-JWT+KB <issuer-jwt>~<disclosure>~…~<kb-jwt>: at most MaxBytes and
// MaxDisclosures; the issuer JWT through jose.Parse with "typ" one of typs
// (TypVC when none are given); each disclosure canonical unpadded
// base64url of a JSON array [salt, name, value] or [salt, value] with a
// string salt and a string name other than "_sd" and "..."; no disclosure
// twice; the optional last segment a JWT with "typ" TypKB. Nothing is
// verified: resolve the key named by Issuer.Header.Kid and call Verify.
func Parse(s string, typs ...string) (*SDJWT, error) {
	if len(typs) == 0 {
		typs = []string{TypVC}
	}
	return parse(s, typs)
}

// parse is Parse with typs nil meaning any "typ".
func parse(s string, typs []string) (*SDJWT, error) {
	if len(s) > MaxBytes {
		return nil, fail(http.StatusRequestEntityTooLarge, CodeTooLarge, "the SD-JWT is longer than %d bytes", MaxBytes)
	}
	first := strings.IndexByte(s, '~')
	if first < 0 {
		return nil, malformed("an SD-JWT is <issuer-jwt>~<disclosure>~…~ and this has no '~'")
	}
	last := strings.LastIndexByte(s, '~')
	n := strings.Count(s[first:last], "~")
	if n > MaxDisclosures {
		return nil, fail(http.StatusRequestEntityTooLarge, CodeTooLarge, "the SD-JWT has %d disclosures, more than %d", n, MaxDisclosures)
	}
	iss, err := jose.Parse(s[:first], typs...)
	if err != nil {
		return nil, malformed("issuer JWT: %v", err)
	}
	// The payload's strings may share iss.Payload, decoded for this parse
	// alone and never written (as credential's vc+jwt payloads).
	payload, err := strictjson.DecodeObjectOwned(iss.Payload, payloadLimits)
	if err != nil {
		return nil, malformed("issuer JWT payload: %v", err)
	}
	j := &SDJWT{Issuer: iss, Payload: payload, issuerJWT: s[:first], hashInput: s[:last+1]}
	if last > first {
		var seen map[string]bool // beyond a few disclosures
		if n > smallDisclosures {
			seen = make(map[string]bool, n)
		}
		j.Disclosures = make([]Disclosure, 0, n)
		rest := s[first+1 : last]
		// Every disclosure's JSON and digest text go into one buffer
		// each (disclosureBuffers) instead of two allocations apiece.
		bufs := disclosureBuffers{js: make([]byte, 0, b64.DecodedLen(len(rest))), digests: make([]byte, 0, n*digestLen)}
		for i := 0; ; i++ {
			raw, more, found := strings.Cut(rest, "~")
			d, err := bufs.decode(raw)
			if err != nil {
				code := CodeMalformed
				if errors.Is(err, errInvalidDisclosure) {
					code = CodeInvalidDisclosure
				}
				return nil, fail(http.StatusBadRequest, code, "disclosure %d: %v", i+1, err)
			}
			if twice(j.Disclosures, seen, d.Digest) {
				return nil, fail(http.StatusBadRequest, CodeDuplicateDigest, "disclosure %d appears twice", i+1)
			}
			j.Disclosures = append(j.Disclosures, d)
			if !found {
				break
			}
			rest = more
		}
	}
	if kb := s[last+1:]; kb != "" {
		j.KeyBinding, err = jose.Parse(kb, TypKB)
		if err != nil {
			return nil, malformed("key-binding JWT: %v", err)
		}
		j.KeyBindingPayload, err = strictjson.DecodeObject(j.KeyBinding.Payload, payloadLimits)
		if err != nil {
			return nil, malformed("key-binding JWT payload: %v", err)
		}
	}
	return j, nil
}

// errInvalidDisclosure marks a disclosure that is a JSON array but not of
// a disclosure's form.
var errInvalidDisclosure = errors.New("invalid disclosure")

// base64URLByte marks the bytes of the base64url alphabet (RFC 4648 §5).
var base64URLByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
	}
	return t
}()

// smallDisclosures is the number of disclosures up to which Parse finds
// one given twice by comparing digests, without a map.
const smallDisclosures = 16

// digestLen is the length of a disclosure's digest, base64url of a
// SHA-256.
var digestLen = base64.RawURLEncoding.EncodedLen(sha256.Size)

// twice reports whether digest is one of the disclosures ds already has,
// through seen (which it updates) when there is one.
func twice(ds []Disclosure, seen map[string]bool, digest string) bool {
	if seen != nil {
		if seen[digest] {
			return true
		}
		seen[digest] = true
		return false
	}
	for i := range ds {
		if ds[i].Digest == digest {
			return true
		}
	}
	return false
}

// disclosureBuffers hold the decoded JSON and the digest text of an
// SD-JWT's disclosures: each is appended and never written again, so the
// decoded strings and the digests may share their bytes.
type disclosureBuffers struct {
	js, digests []byte
}

// decodeDisclosure decodes and checks one disclosure.
func decodeDisclosure(raw string) (Disclosure, error) {
	var b disclosureBuffers
	return b.decode(raw)
}

// decode decodes and checks one disclosure, into b.
func (b *disclosureBuffers) decode(raw string) (Disclosure, error) {
	if raw == "" {
		return Disclosure{}, fmt.Errorf("empty (two '~' in a row)")
	}
	for i := 0; i < len(raw); i++ {
		if !base64URLByte[raw[i]] {
			return Disclosure{}, fmt.Errorf("not unpadded base64url (byte %d)", i)
		}
	}
	// raw's bytes, only read: by b64.Decode and SHA-256.
	text := unsafe.Slice(unsafe.StringData(raw), len(raw))
	js := grow(&b.js, b64.DecodedLen(len(raw)))
	n, err := b64.Decode(js, text)
	if err != nil {
		return Disclosure{}, fmt.Errorf("not canonical base64url: %v", err)
	}
	b.js = b.js[:len(b.js)-len(js)+n]
	arr, err := decodeArray(js[:n:n]) // never written again: its strings may share it
	if err != nil {
		return Disclosure{}, err
	}
	// The digest is of the base64url text.
	sum := sha256.Sum256(text)
	dig := grow(&b.digests, digestLen)
	base64.RawURLEncoding.Encode(dig, sum[:])
	d := Disclosure{Raw: raw, Digest: unsafe.String(unsafe.SliceData(dig), len(dig))}
	var ok bool
	if d.Salt, ok = arr[0].(string); !ok {
		return Disclosure{}, fmt.Errorf("%w: the salt must be a string", errInvalidDisclosure)
	}
	switch len(arr) {
	case 2:
		d.ArrayElement, d.Value = true, arr[1]
	case 3:
		if d.Name, ok = arr[1].(string); !ok {
			return Disclosure{}, fmt.Errorf("%w: the claim name must be a string", errInvalidDisclosure)
		}
		if d.Name == "_sd" || d.Name == "..." {
			return Disclosure{}, fmt.Errorf("%w: the claim name %q is reserved", errInvalidDisclosure, d.Name)
		}
		d.Value = arr[2]
	}
	return d, nil
}

// grow extends *buf by n bytes and returns them; when its capacity is
// short, *buf starts afresh in a new array (the bytes handed out before
// stay where they are, never written again).
func grow(buf *[]byte, n int) []byte {
	if cap(*buf)-len(*buf) < n {
		*buf = make([]byte, 0, max(n, 2*cap(*buf)))
	}
	at := len(*buf)
	*buf = (*buf)[:at+n]
	return (*buf)[at : at+n : at+n]
}

// decodeArray strictly decodes js, which no one writes again, as a JSON
// array of two or three elements.
func decodeArray(js []byte) ([]any, error) {
	arr, err := strictjson.DecodeArrayOwned(js, payloadLimits)
	if err != nil {
		return nil, fmt.Errorf("not one JSON array: %v", err)
	}
	if len(arr) != 2 && len(arr) != 3 {
		return nil, fmt.Errorf("%w: a disclosure is [salt, name, value] or [salt, value], not %d elements", errInvalidDisclosure, len(arr))
	}
	return arr, nil
}
