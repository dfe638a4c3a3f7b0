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
//   - every @context, wherever it appears, is a URL or a list of URLs of
//     the contexts weid embeds (ldproof.ContextURLs): no inline context
//     can alias a term such as validUntil or credentialStatus to another
//     name;
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

// knownContexts accepts a context URL or a list of them, each embedded.
func knownContexts(v any, known []string) error {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	for _, e := range list {
		s, ok := e.(string)
		if !ok {
			return errors.New("inline contexts are not accepted in documents secured with Data Integrity: name contexts by URL")
		}
		if !slices.Contains(known, s) {
			return fmt.Errorf("unknown context %q (weid embeds %d contexts and fetches none)", truncate(s, 200), len(known))
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
