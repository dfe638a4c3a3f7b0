package ldproof

import (
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gowebpki/jcs"
	"github.com/piprate/json-gold/ld"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/strictjson"
)

// RDF and XML Schema IRIs of the JSON-LD to RDF conversion.
const (
	rdfType     = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
	rdfFirst    = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first"
	rdfRest     = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest"
	rdfNil      = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil"
	rdfJSON     = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"
	xsdBoolean  = "http://www.w3.org/2001/XMLSchema#boolean"
	xsdInteger  = "http://www.w3.org/2001/XMLSchema#integer"
	xsdDouble   = "http://www.w3.org/2001/XMLSchema#double"
	maxRDFQuads = 100_000
)

// nodeMapToQuads converts a node map (json-gold's GenerateNodeMap) to RDF
// quads: JSON-LD 1.1 API §6.1.2 Deserialize JSON-LD to RDF, with the
// canonical number forms of §8.6 (Object to RDF). It does the work of
// json-gold's RDFDataset.GraphToRDF without its regular-expression IRI
// checks, which cost more than the rest of signing, and refuses what that
// step would silently drop.
func nodeMapToQuads(nodeMap map[string]any, issuer *ld.IdentifierIssuer) ([]quad, error) {
	// One statement per value at least (lists make more): the quads,
	// 224 bytes each, are allocated once at about their number instead
	// of copied at every doubling (5% of an eddsa-rdfc-2022 verification).
	n := 0
	for _, gv := range nodeMap {
		graph, _ := gv.(map[string]any)
		for _, nv := range graph {
			node, _ := nv.(map[string]any)
			for prop, vs := range node {
				if values, ok := vs.([]any); ok && (prop == "@type" || !strings.HasPrefix(prop, "@")) {
					n += len(values)
				}
			}
		}
	}
	out := make([]quad, 0, min(n, maxRDFQuads+1))
	names := sortedKeys(nodeMap)
	for _, gname := range names {
		var g term
		if gname != "@default" {
			t, err := nodeTerm(gname)
			if err != nil {
				return nil, err
			}
			g = t
		}
		graph, _ := nodeMap[gname].(map[string]any)
		for _, id := range sortedKeys(graph) {
			subj, err := nodeTerm(id)
			if err != nil {
				return nil, err
			}
			node, _ := graph[id].(map[string]any)
			for _, prop := range sortedKeys(node) {
				var pred term
				switch {
				case prop == "@type":
					pred = term{kind: termIRI, value: rdfType}
				case strings.HasPrefix(prop, "@"):
					continue
				case strings.HasPrefix(prop, "_:"):
					return nil, errs.BadRequest(CodeUndefinedTerm, "the property %q maps to a blank node, which RDF does not allow", strictjson.Truncate(prop, 100))
				default:
					if !absoluteIRI(prop) {
						return nil, errs.BadRequest(CodeUndefinedTerm, "the property %q is not an absolute IRI", strictjson.Truncate(prop, 100))
					}
					pred = term{kind: termIRI, value: prop}
				}
				values, _ := node[prop].([]any)
				for _, item := range values {
					var obj term
					if prop == "@type" {
						s, _ := item.(string)
						if obj, err = nodeTerm(s); err != nil {
							return nil, err
						}
					} else if obj, out, err = objectToTerm(item, issuer, g, out); err != nil {
						return nil, err
					}
					out = append(out, quad{subj, pred, obj, g})
					if len(out) > maxRDFQuads {
						return nil, errs.BadRequest(CodeInvalidJSONLD, "the document makes more than %d RDF statements", maxRDFQuads)
					}
				}
			}
		}
	}
	return out, nil
}

func sortedKeys(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}

// nodeTerm is the term of a node identifier: a blank node or an absolute
// IRI.
func nodeTerm(id string) (term, error) {
	if strings.HasPrefix(id, "_:") {
		return term{kind: termBlank, value: id[2:]}, nil
	}
	if !absoluteIRI(id) {
		return term{}, errs.BadRequest(CodeUndefinedTerm, "%q is not an absolute IRI; it would be dropped from the signed data", strictjson.Truncate(id, 100))
	}
	return term{kind: termIRI, value: id}, nil
}

// schemeColon is the index of the colon that ends s's scheme: a letter,
// then letters, digits, '+', '-' or '.' (RFC 3986 §3.1); ok is false when
// s does not begin with a scheme and a colon.
func schemeColon(s string) (colon int, ok bool) {
	colon = strings.IndexByte(s, ':')
	if colon < 1 {
		return 0, false
	}
	for i := 0; i < colon; i++ {
		c := s[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return 0, false
		}
	}
	return colon, true
}

// absoluteIRI reports whether s is an absolute IRI that N-Quads can
// write: a scheme, a colon, and no white space, controls or the
// characters <>"{}|^`\ (RFC 3987 excludes them; in N-Quads they would
// let a value forge statements).
func absoluteIRI(s string) bool {
	colon, ok := schemeColon(s)
	if !ok {
		return false
	}
	for i := colon + 1; i < len(s); i++ {
		if c := s[i]; c < utf8.RuneSelf {
			if notInIRI[c] {
				return false
			}
			continue
		}
		// Not ASCII: the runes checked one by one (an invalid byte
		// decodes as U+FFFD).
		for _, r := range s[i:] {
			if r < utf8.RuneSelf && notInIRI[r] || r == 0x85 || r == 0xa0 || r == 0x2028 || r == 0x2029 || r == 0xfffd {
				return false
			}
		}
		return true
	}
	return true
}

// notInIRI marks the ASCII characters absoluteIRI refuses after the
// scheme: white space and controls (up to U+0020, U+007F) and <>"{}|^`\.
var notInIRI = func() (t [utf8.RuneSelf]bool) {
	for c := range utf8.RuneSelf {
		t[c] = c <= 0x20 || c == 0x7f || strings.ContainsRune("<>\"{}|^`\\", rune(c))
	}
	return t
}()

// objectToTerm converts an expanded value, list or node reference (JSON-LD
// 1.1 API §8.6 Object to RDF, §8.7 List to RDF).
func objectToTerm(item any, issuer *ld.IdentifierIssuer, g term, out []quad) (term, []quad, error) {
	m, _ := item.(map[string]any)
	if m == nil {
		s, _ := item.(string)
		t, err := nodeTerm(s)
		return t, out, err
	}
	if v, ok := m["@value"]; ok {
		t, err := literal(v, m)
		return t, out, err
	}
	if l, ok := m["@list"]; ok {
		list, _ := l.([]any)
		if len(list) == 0 {
			return term{kind: termIRI, value: rdfNil}, out, nil
		}
		head := term{kind: termBlank, value: strings.TrimPrefix(issuer.GetId(""), "_:")}
		subj := head
		for i, it := range list {
			obj, o2, err := objectToTerm(it, issuer, g, out)
			if err != nil {
				return term{}, nil, err
			}
			out = append(o2, quad{subj, term{kind: termIRI, value: rdfFirst}, obj, g})
			next := term{kind: termIRI, value: rdfNil}
			if i < len(list)-1 {
				next = term{kind: termBlank, value: strings.TrimPrefix(issuer.GetId(""), "_:")}
			}
			out = append(out, quad{subj, term{kind: termIRI, value: rdfRest}, next, g})
			subj = next
		}
		return head, out, nil
	}
	id, _ := m["@id"].(string)
	t, err := nodeTerm(id)
	return t, out, err
}

// literal converts a value object to a literal.
func literal(v any, m map[string]any) (term, error) {
	dt, _ := m["@type"].(string)
	lang, _ := m["@language"].(string)
	if dt == "@json" {
		b, err := json.Marshal(v)
		if err != nil {
			return term{}, errs.BadRequest(CodeInvalidJSONLD, "a JSON literal: %v", err)
		}
		c, err := jcs.Transform(b)
		if err != nil {
			return term{}, errs.BadRequest(CodeInvalidJSONLD, "a JSON literal: %v", err)
		}
		return term{kind: termLiteral, value: string(c), datatype: rdfJSON}, nil
	}
	if dt != "" && !absoluteIRI(dt) {
		return term{}, errs.BadRequest(CodeUndefinedTerm, "the datatype %q is not an absolute IRI", strictjson.Truncate(dt, 100))
	}
	switch x := v.(type) {
	case bool:
		if dt == "" {
			dt = xsdBoolean
		}
		return term{kind: termLiteral, value: strconv.FormatBool(x), datatype: dt}, nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e21 && dt != xsdDouble {
			if dt == "" {
				dt = xsdInteger
			}
			return term{kind: termLiteral, value: strconv.FormatFloat(x, 'f', -1, 64), datatype: dt}, nil
		}
		if dt == "" {
			dt = xsdDouble
		}
		return term{kind: termLiteral, value: canonicalDouble(x), datatype: dt}, nil
	case string:
		if lang != "" {
			return term{kind: termLiteral, value: x, datatype: rdfLangString, lang: strings.ToLower(lang)}, nil
		}
		return term{kind: termLiteral, value: x, datatype: dt}, nil
	}
	return term{}, errs.BadRequest(CodeInvalidJSONLD, "a value object with an unsupported value")
}

// canonicalDouble is the XML Schema canonical form of a double, as JSON-LD
// writes it: 1.1E0, -5.0E-1, 1.0E21.
func canonicalDouble(x float64) string {
	s := strconv.FormatFloat(x, 'E', -1, 64) // 1.1E+00, 1E+21
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}
