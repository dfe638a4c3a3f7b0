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
	var walk func(v any, path string) error
	walk = func(v any, path string) error {
		switch v := v.(type) {
		case map[string]any:
			if nodes++; nodes > MaxLinkedDataNodes {
				return fmt.Errorf("more than %d objects and arrays", MaxLinkedDataNodes)
			}
			for k, e := range v {
				if k == "@context" {
					if err := knownContexts(e, known); err != nil {
						return fmt.Errorf("%s/@context: %v", path, err)
					}
					continue
				}
				if strings.HasPrefix(k, "@") || strings.Contains(k, ":") {
					return fmt.Errorf("%s: member %q is a JSON-LD keyword or an IRI; use the terms the contexts define", path, truncate(k, 64))
				}
				if err := walk(e, path+"/"+k); err != nil {
					return err
				}
			}
		case []any:
			if nodes++; nodes > MaxLinkedDataNodes {
				return fmt.Errorf("more than %d objects and arrays", MaxLinkedDataNodes)
			}
			if len(v) > MaxLinkedDataArray {
				return fmt.Errorf("%s: an array of %d elements (at most %d)", path, len(v), MaxLinkedDataArray)
			}
			for i, e := range v {
				if err := walk(e, fmt.Sprintf("%s/%d", path, i)); err != nil {
					return err
				}
			}
		case json.Number:
			if !exactDouble(string(v)) {
				return fmt.Errorf("%s: the number %s is not exactly representable as a double, as JSON-LD signs it", path, truncate(string(v), 40))
			}
		}
		return nil
	}
	if err := walk(doc, ""); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return nil
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
	f, err := strconv.ParseFloat(n, 64)
	if err != nil {
		return false
	}
	lit, ok1 := new(big.Rat).SetString(n)
	dbl, ok2 := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
	return ok1 && ok2 && lit.Cmp(dbl) == 0
}
