package credential

// Enveloped credentials and presentations (VC Data Model 2.0 §4.13,
// VC-JOSE-COSE §3): an object that carries a secured credential or
// presentation in the data: URL of its id. The envelope is itself a
// small JSON-LD document and must be well formed: @context with the base
// context first, type EnvelopedVerifiableCredential (or
// EnvelopedVerifiablePresentation) as a string or a one-element array,
// an id that is a data: URL of a media type weid reads, and nothing else.

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/weidgo/weid/errs"
)

// Types of enveloped credentials and presentations.
const (
	TypeEnvelopedCredential   = "EnvelopedVerifiableCredential"
	TypeEnvelopedPresentation = "EnvelopedVerifiablePresentation"
)

// DataURLJWT is the data: URL prefix of a JWT with a "vc" or "vp" claim
// (VC Data Model 1.1 §6.3.1), as wallets enveloped them before
// VC-JOSE-COSE.
const DataURLJWT = "data:application/jwt,"

// envelope checks an enveloped credential or presentation object (typ is
// its type) and returns the media type and the payload of its data: URL;
// prefixes are the data: URL prefixes it accepts. Errors say what is
// wrong.
func envelope(doc map[string]any, typ string, prefixes []string) (prefix, payload string, err error) {
	for _, k := range slices.Sorted(maps.Keys(doc)) { // the same error for the same input
		switch k {
		case "@context", "id", "type":
		default:
			return "", "", fmt.Errorf("an %s has only @context, id and type, not %q", typ, truncate(k, 64))
		}
	}
	switch c := doc["@context"].(type) {
	case string:
		if c != ContextV2 {
			return "", "", fmt.Errorf(`the %s's "@context" must be %q or begin with it`, typ, ContextV2)
		}
	case []any:
		if len(c) == 0 || c[0] != ContextV2 {
			return "", "", fmt.Errorf(`the %s's "@context" must begin with %q`, typ, ContextV2)
		}
		for i, item := range c[1:] {
			switch item := item.(type) {
			case string:
				if !isURL(item) {
					return "", "", fmt.Errorf(`the %s's "@context" item %d is not a URL`, typ, i+1)
				}
			case map[string]any:
			default:
				return "", "", fmt.Errorf(`the %s's "@context" item %d must be a URL or an object`, typ, i+1)
			}
		}
	case nil:
		return "", "", fmt.Errorf(`an %s must have an "@context"`, typ)
	default:
		return "", "", fmt.Errorf(`the %s's "@context" must be %q or an array beginning with it`, typ, ContextV2)
	}
	if !isEnvelopeType(doc["type"], typ) {
		return "", "", fmt.Errorf(`the "type" of an envelope must be %q`, typ)
	}
	id, _ := doc["id"].(string)
	for _, p := range prefixes {
		if rest, ok := strings.CutPrefix(id, p); ok {
			if rest == "" {
				return "", "", fmt.Errorf("the %s's data: URL is empty", typ)
			}
			return p, rest, nil
		}
	}
	if strings.HasPrefix(id, "data:") {
		return "", "", fmt.Errorf(`%w: the %s's "id" must be a data: URL beginning with one of %s`, errUnsupportedMediaType, typ, strings.Join(prefixes, " "))
	}
	return "", "", fmt.Errorf(`the %s's "id" must be a data: URL beginning with one of %s`, typ, strings.Join(prefixes, " "))
}

// errUnsupportedMediaType marks an envelope whose data: URL is of a
// media type weid does not read.
var errUnsupportedMediaType = errors.New("unsupported media type")

// isEnvelopeType reports whether v is typ or a one-element array of it.
func isEnvelopeType(v any, typ string) bool {
	if l, ok := v.([]any); ok && len(l) == 1 {
		v = l[0]
	}
	return v == typ
}

// hasType reports whether v (a type value: a string or an array) names
// typ.
func hasType(v any, typ string) bool {
	if v == typ {
		return true
	}
	l, _ := v.([]any)
	for _, t := range l {
		if t == typ {
			return true
		}
	}
	return false
}

// envelopeError is a malformed envelope of a presentation or a credential
// as a 400 *errs.Error: unsupportedFormat for a data: URL of a media type
// weid does not read, invalid otherwise.
func envelopeError(presentation bool, err error) error {
	unsupported := errors.Is(err, errUnsupportedMediaType)
	switch {
	case presentation && unsupported:
		return errs.BadRequest("presentation.unsupportedFormat", "%v", err)
	case presentation:
		return errs.BadRequest("presentation.invalid", "%v", err)
	case unsupported:
		return errs.BadRequest("credential.unsupportedFormat", "%v", err)
	}
	return errs.BadRequest("credential.invalid", "%v", err)
}
