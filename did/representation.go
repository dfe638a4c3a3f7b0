package did

import (
	"errors"
	"fmt"
	"strings"
)

// Media types of DID documents (DID Core 1.0 §6.2.1, §6.3.1; DID 1.1's
// application/did) and of DID resolution and DID URL dereferencing results
// (DID Resolution v1.0 §12.1 "HTTP(S) Binding").
const (
	MediaDIDLD         = "application/did+ld+json"
	MediaDIDJSON       = "application/did+json"
	MediaDID           = "application/did"
	MediaJSONLD        = "application/ld+json"
	MediaResolution    = "application/did-resolution"
	MediaDereferencing = "application/did-url-dereferencing"
	// MediaResolutionLD is a resolution result as the DID Resolution drafts
	// before v1.0 named it, and as the Universal Resolver and the did:key
	// test suite still ask for it.
	MediaResolutionLD = `application/ld+json;profile="https://w3id.org/did-resolution"`
	// MediaResolutionJSON is what weid answered before it negotiated;
	// clients already deployed may ask for it.
	MediaResolutionJSON = "application/did-resolution+json"
	MediaJSON           = "application/json"
)

// ErrRepresentationNotSupported is an Accept header that names nothing the
// resolver can answer (DID Resolution v1.0 §11
// REPRESENTATION_NOT_SUPPORTED, "representationNotSupported", HTTP 406).
var ErrRepresentationNotSupported = errors.New("representation not supported")

// Representation is how the HTTP(S) binding answers a request: the whole
// result (Result) or only the document (the content, for a DID URL),
// labelled MediaType.
type Representation struct {
	MediaType string
	Result    bool
}

// resolutionOffers and dereferencingOffers are the representations of a
// resolution and of a dereferencing, in the resolver's order of preference:
// the first is the answer to a request without Accept (or with */*), and
// an Accept that ranks two the same gets the earlier. The document types
// come before the legacy result types so that a bare application/ld+json
// asks for the document (JSON-LD) and only the did-resolution profile asks
// for the result.
var (
	resolutionOffers = []Representation{
		{MediaResolution, true},
		{MediaDIDLD, false}, {MediaDIDJSON, false}, {MediaDID, false}, {MediaJSONLD, false},
		{MediaResolutionLD, true}, {MediaResolutionJSON, true}, {MediaJSON, true},
	}
	dereferencingOffers = []Representation{
		{MediaDereferencing, true},
		{MediaDIDLD, false}, {MediaDIDJSON, false}, {MediaDID, false}, {MediaJSONLD, false},
		{MediaResolutionLD, true}, {MediaResolutionJSON, true}, {MediaJSON, true},
	}
)

// Negotiate chooses the representation of a resolution (or, with deref, of
// a DID URL dereferencing) for accept, the request's Accept field value
// (its lines joined with commas), by proactive negotiation (RFC 9110
// §12.5.1): each offer takes the weight of the most specific media range
// that matches it (a range's parameters must all be the offer's; charset is
// ignored, JSON has none), the heaviest offer wins, then the one matched
// most specifically, then the resolver's order. No Accept, or an empty
// one, is the result (DID Resolution v1.0 §12.1: application/did-resolution
// asks for the result, the accept option's media type for the document
// alone). An Accept that no offer matches with a weight above 0 is
// ErrRepresentationNotSupported. Malformed ranges are skipped.
func Negotiate(accept string, deref bool) (Representation, error) {
	offers := resolutionOffers
	if deref {
		offers = dereferencingOffers
	}
	if strings.TrimSpace(accept) == "" {
		return offers[0], nil
	}
	ranges := parseAccept(accept)
	best, bestQ, bestSpec := -1, 0, -1
	for i, o := range offers {
		q, spec := weigh(parseMediaRange(o.MediaType), ranges)
		if q > bestQ || (q == bestQ && q > 0 && spec > bestSpec) {
			best, bestQ, bestSpec = i, q, spec
		}
	}
	if best < 0 {
		names := make([]string, len(offers))
		for i, o := range offers {
			names[i] = o.MediaType
		}
		if len(accept) > 200 {
			accept = accept[:200] + "…"
		}
		return Representation{}, fmt.Errorf("%w: Accept %q names none of %s", ErrRepresentationNotSupported, accept, strings.Join(names, ", "))
	}
	return offers[best], nil
}

// mediaRange is one element of an Accept field: type and subtype in lower
// case ("*" for a wildcard), its parameters (names in lower case, values
// unquoted) and its weight in thousandths.
type mediaRange struct {
	typ, sub string
	params   map[string]string
	q        int
}

// weigh returns the weight the most specific range of ranges that matches
// offer gives it, and that range's specificity: 0 for */*, 1 for type/*, 2
// for type/subtype, 3 for type/subtype with parameters. An offer no range
// matches weighs 0 with specificity -1.
func weigh(offer mediaRange, ranges []mediaRange) (q, spec int) {
	spec = -1
	for _, r := range ranges {
		s := -1
		switch {
		case r.typ == "*" && r.sub == "*":
			s = 0
		case r.typ == offer.typ && r.sub == "*":
			s = 1
		case r.typ == offer.typ && r.sub == offer.sub:
			s = 2
		}
		if s < 0 {
			continue
		}
		for name, v := range r.params {
			if ov, ok := offer.params[name]; !ok || ov != v {
				s = -1
				break
			}
		}
		if s == 2 && len(r.params) > 0 {
			s = 3
		}
		if s > spec {
			q, spec = r.q, s
		}
	}
	return q, spec
}

// parseAccept parses an Accept field value (RFC 9110 §12.5.1): media ranges
// separated by commas, each with parameters and an optional weight q.
// Elements that are not media ranges are skipped.
func parseAccept(s string) []mediaRange {
	var out []mediaRange
	for _, el := range splitQuoted(s, ',') {
		if r := parseMediaRange(el); r.typ != "" {
			out = append(out, r)
		}
	}
	return out
}

// parseMediaRange parses one media range with its parameters; a malformed
// one has an empty typ. The charset parameter is dropped.
func parseMediaRange(s string) mediaRange {
	parts := splitQuoted(s, ';')
	typ, sub, ok := strings.Cut(strings.ToLower(strings.TrimSpace(parts[0])), "/")
	if !ok || !isToken(typ) || !isToken(sub) || (typ == "*" && sub != "*") {
		return mediaRange{}
	}
	r := mediaRange{typ: typ, sub: sub, q: 1000}
	for _, p := range parts[1:] {
		name, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		name = strings.ToLower(strings.TrimSpace(name))
		if !ok || !isToken(name) {
			if strings.TrimSpace(p) == "" {
				continue // RFC 9110 §5.6.6 allows empty parameters
			}
			return mediaRange{}
		}
		v, ok = unquote(strings.TrimSpace(v))
		switch {
		case !ok:
			return mediaRange{}
		case name == "q":
			if r.q, ok = parseQ(v); !ok {
				return mediaRange{}
			}
		case name != "charset":
			if r.params == nil {
				r.params = map[string]string{}
			}
			r.params[name] = v
		}
	}
	return r
}

// parseQ parses a qvalue (RFC 9110 §12.4.2: "0" ["." 0*3DIGIT] or "1" ["."
// 0*3("0")]) into thousandths.
func parseQ(v string) (int, bool) {
	whole, frac, _ := strings.Cut(v, ".")
	if (whole != "0" && whole != "1") || len(frac) > 3 {
		return 0, false
	}
	n := 0
	for i := 0; i < 3; i++ {
		d := byte('0')
		if i < len(frac) {
			d = frac[i]
		}
		if d < '0' || d > '9' {
			return 0, false
		}
		n = n*10 + int(d-'0')
	}
	if whole == "1" {
		if n != 0 {
			return 0, false
		}
		return 1000, true
	}
	return n, true
}

// splitQuoted splits s at sep outside quoted strings (RFC 9110 §5.6.4).
func splitQuoted(s string, sep byte) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case !quoted && c == sep:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// unquote returns a parameter value: a token, or a quoted string without
// its quotes and backslashes (RFC 9110 §5.6.4).
func unquote(v string) (string, bool) {
	if !strings.HasPrefix(v, `"`) {
		return v, isToken(v)
	}
	if len(v) < 2 || !strings.HasSuffix(v, `"`) {
		return "", false
	}
	var b strings.Builder
	for i := 1; i < len(v)-1; i++ {
		c := v[i]
		if c == '"' {
			return "", false
		}
		if c == '\\' {
			if i++; i == len(v)-1 {
				return "", false
			}
			c = v[i]
		}
		b.WriteByte(c)
	}
	return b.String(), true
}

// isToken reports whether s is a non-empty token (RFC 9110 §5.6.2).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}
