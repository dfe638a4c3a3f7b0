package credential

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/weidgo/weid/ldproof"
)

// Limits of a document secured with Data Integrity beyond those of Parse:
// JSON-LD processing (json-gold's node map) costs time quadratic in the
// values of one property, so hostile arrays are kept short.
const (
	// MaxLinkedDataArray bounds one array of a Data Integrity document.
	MaxLinkedDataArray = 256
	// MaxLinkedDataNodes bounds the objects and arrays of one.
	MaxLinkedDataNodes = 2048
)

// linkedDataView checks that the JSON of a Data Integrity document means
// to a JSON reader exactly what its signed RDF means, so that the checks,
// which read the JSON, cannot be fooled by a document signed for other
// statements:
//
//   - every @context, wherever it appears, is a URL of a context weid
//     embeds (ldproof.ContextURLs), an inline context object, or a list
//     of them (VC Data Model 2.0 §4.3: items after the base context may
//     be URLs or objects). An inline context may define new terms, but no
//     term of it may alias a JSON-LD keyword or map into the
//     vocabularies the checks read by name (inlineContext), so that no
//     name such as "until" can stand for validUntil or credentialStatus;
//     @protected terms of the embedded contexts cannot be redefined
//     (JSON-LD 1.1 §4.1.11, enforced by the expansion);
//   - no member name is an IRI or compact IRI (contains ':') or a JSON-LD
//     keyword other than @context: a full IRI in place of a term would be
//     the same statement with a name the checks do not read;
//   - every number has the value of the double JSON-LD turns it into
//     (9007199254740993 would be signed as ...992, and 0.10000000000000001
//     as 0.1);
//   - arrays and nesting stay within MaxLinkedDataArray and
//     MaxLinkedDataNodes.
func linkedDataView(doc map[string]any) error {
	known := ldproof.ContextURLs()
	nodes := 0
	// The path to the value being walked, rendered only for an error.
	var at ldPath
	var walk func(v any) error
	walk = func(v any) error {
		switch v := v.(type) {
		case map[string]any:
			if nodes++; nodes > MaxLinkedDataNodes {
				return fmt.Errorf("more than %d objects and arrays", MaxLinkedDataNodes)
			}
			for k, e := range v {
				if k == "@context" {
					if err := knownContexts(e, known); err != nil {
						return fmt.Errorf("%s/@context: %v", at, err)
					}
					continue
				}
				if valueObjectKey(k) && isLanguageValue(v) {
					continue // a literal (VC Data Model 2.0 §11.1)
				}
				if strings.HasPrefix(k, "@") || strings.Contains(k, ":") {
					return fmt.Errorf("%s: member %q is a JSON-LD keyword or an IRI; use the terms the contexts define", at, truncate(k, 64))
				}
				at = append(at, ldSegment{name: k})
				if err := walk(e); err != nil {
					return err
				}
				at = at[:len(at)-1]
			}
		case []any:
			if nodes++; nodes > MaxLinkedDataNodes {
				return fmt.Errorf("more than %d objects and arrays", MaxLinkedDataNodes)
			}
			if len(v) > MaxLinkedDataArray {
				return fmt.Errorf("%s: an array of %d elements (at most %d)", at, len(v), MaxLinkedDataArray)
			}
			for i, e := range v {
				at = append(at, ldSegment{index: i, isIndex: true})
				if err := walk(e); err != nil {
					return err
				}
				at = at[:len(at)-1]
			}
		case json.Number:
			if !exactDouble(string(v)) {
				return fmt.Errorf("%s: the number %s is not exactly representable as a double, as JSON-LD signs it", at, truncate(string(v), 40))
			}
		}
		return nil
	}
	if err := walk(doc); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return nil
}

// valueObjectKey reports whether k is a member of a language value
// object (VC Data Model 2.0 §11.1).
func valueObjectKey(k string) bool {
	return k == "@value" || k == "@language" || k == "@direction"
}

// isLanguageValue reports whether m is a language value object: a string
// @value with at most @language and @direction, all strings. It is a
// literal, which JSON-LD signs as a language-tagged string. Its
// @direction is not signed by the RDFC suites: JSON-LD's toRdf drops it
// unless rdfDirection is set (JSON-LD 1.1 API §8.1), which no cryptosuite
// does; it only says how to display the text.
func isLanguageValue(m map[string]any) bool {
	if _, ok := m["@value"].(string); !ok {
		return false
	}
	for k, v := range m {
		if _, isStr := v.(string); !valueObjectKey(k) || !isStr {
			return false
		}
	}
	return true
}

// ldPath is a path into a document: "" for the document, then "/name" or
// "/index" per step.
type ldPath []ldSegment

type ldSegment struct {
	name    string
	index   int
	isIndex bool
}

func (p ldPath) String() string {
	var sb strings.Builder
	for _, s := range p {
		sb.WriteByte('/')
		if s.isIndex {
			sb.WriteString(strconv.Itoa(s.index))
		} else {
			sb.WriteString(s.name)
		}
	}
	return sb.String()
}

// knownContexts accepts an @context value: a URL of an embedded context,
// an inline context object (inlineContext), or an array of them. Nothing
// is ever fetched: a URL weid does not embed is refused here, and one an
// inline context names is refused by the expansion's document loader.
func knownContexts(v any, known []string) error {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	for i, e := range list {
		switch e := e.(type) {
		case string:
			if !slices.Contains(known, e) {
				return fmt.Errorf("unknown context %q (weid embeds %d contexts and fetches none)", truncate(e, 200), len(known))
			}
		case map[string]any:
			// A context object wrapped as {"@context": {…}}, as the W3C
			// suites' fixtures write it: jsonld.js and json-gold (which
			// weid expands with) process the object inside and ignore
			// anything beside it, so nothing may be beside it.
			if inner, wrapped := e["@context"]; wrapped {
				m, isMap := inner.(map[string]any)
				if !isMap || len(e) != 1 {
					return fmt.Errorf("inline context %d: a wrapped context must be {\"@context\": {…}} alone", i)
				}
				e = m
			}
			if err := inlineContext(e, known); err != nil {
				return fmt.Errorf("inline context %d: %v", i, err)
			}
		case nil:
			// JSON-LD 1.1 §4.1: null clears the active context, which
			// would drop the base context's protected terms.
			return errors.New("a null context is not accepted")
		default:
			return errors.New("a context must be a URL or an object")
		}
	}
	return nil
}

// reservedIRIs are the vocabularies whose terms the checks read by their
// JSON names (the VC vocabulary, the security vocabulary of proofs, the
// status vocabulary, rdf:type): an inline context may not map a term into
// them, or a credential could say "until" where the checks read
// validUntil. The compact forms are the prefixes the embedded contexts
// define for them.
var reservedIRIs = []string{
	"https://www.w3.org/2018/credentials#", "cred:",
	"https://w3id.org/security#", "sec:",
	"https://www.w3.org/ns/credentials/status#",
	"http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdf:",
}

// inlineContext checks an inline context object (JSON-LD 1.1 §9.15
// context definitions) before the expansion processes it in safe mode: it
// may define terms, @vocab, @language, @direction, @version, @protected
// and @propagate, and type- or property-scoped contexts under the same
// rules; it may not alias a keyword, map a term into reservedIRIs, set
// @base or @import another context.
func inlineContext(m map[string]any, known []string) error {
	for k, v := range m {
		switch k {
		case "@version", "@protected", "@propagate", "@language", "@direction":
			continue
		case "@vocab":
			s, ok := v.(string)
			if !ok {
				return errors.New(`"@vocab" must be an IRI`)
			}
			if err := termIRI(s, m); err != nil {
				return fmt.Errorf(`"@vocab": %v`, err)
			}
			continue
		case "@base", "@import":
			return fmt.Errorf("%q is not accepted in an inline context", k)
		}
		if strings.HasPrefix(k, "@") {
			return fmt.Errorf("%q is not a context keyword", truncate(k, 64))
		}
		switch def := v.(type) {
		case nil:
		case string:
			if err := termIRI(def, m); err != nil {
				return fmt.Errorf("term %q: %v", truncate(k, 64), err)
			}
		case map[string]any:
			for dk, dv := range def {
				switch dk {
				case "@id", "@reverse":
					if dv == nil {
						continue
					}
					s, ok := dv.(string)
					if !ok {
						return fmt.Errorf("term %q: %q must be an IRI", truncate(k, 64), dk)
					}
					if err := termIRI(s, m); err != nil {
						return fmt.Errorf("term %q: %v", truncate(k, 64), err)
					}
				case "@context":
					if err := knownContexts(dv, known); err != nil {
						return fmt.Errorf("term %q: scoped context: %v", truncate(k, 64), err)
					}
				}
			}
		default:
			return fmt.Errorf("term %q must be defined by an IRI or an object", truncate(k, 64))
		}
	}
	return nil
}

// termIRI checks an IRI an inline context maps a term to. local is the
// context, whose own prefixes a compact IRI may use.
func termIRI(s string, local map[string]any) error {
	if strings.HasPrefix(s, "@") {
		return fmt.Errorf("aliases the keyword %q", truncate(s, 64))
	}
	for _, r := range reservedIRIs {
		if strings.HasPrefix(s, r) {
			return fmt.Errorf("maps into %s, whose terms the base context defines", r)
		}
	}
	if prefix, _, ok := strings.Cut(s, ":"); ok {
		var p string
		switch d := local[prefix].(type) {
		case string:
			p = d
		case map[string]any:
			p, _ = d["@id"].(string)
		}
		if p != "" && p != s {
			return termIRI(p, nil)
		}
	}
	return nil
}

// exactDouble reports whether the JSON number n has the value of the
// double JSON-LD turns it into (its shortest decimal form): otherwise two
// JSON numbers would be signed as the same statement.
func exactDouble(n string) bool {
	if smallInteger(n) {
		return true // below 2^53: every such integer is a double
	}
	f, err := strconv.ParseFloat(n, 64)
	if err != nil {
		return false
	}
	lit, ok1 := new(big.Rat).SetString(n)
	dbl, ok2 := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
	return ok1 && ok2 && lit.Cmp(dbl) == 0
}

// smallInteger reports whether n is an integer literal of at most 15
// digits.
func smallInteger(n string) bool {
	n = strings.TrimPrefix(n, "-")
	if n == "" || len(n) > 15 {
		return false
	}
	for i := 0; i < len(n); i++ {
		if n[i] < '0' || n[i] > '9' {
			return false
		}
	}
	return true
}
