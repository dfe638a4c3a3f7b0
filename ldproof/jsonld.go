package ldproof

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/piprate/json-gold/ld"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/strictjson"
)

// canonicalRDF returns the RDFC-1.0 canonical N-Quads of a decoded JSON-LD
// document (values as strictjson decodes them). It expands the document
// in safe mode: a member whose name does not expand to an IRI, or a type
// or node identifier that stays a relative IRI, would silently drop out
// of the signed statements, so it fails, naming the term (VC Data
// Integrity §2.4.1, "safe mode"). Contexts come only from the embedded
// set. Errors are *errs.Error for the document's faults.
func canonicalRDF(doc map[string]any) ([]byte, error) {
	qs, err := toQuads(doc)
	if err != nil {
		return nil, err
	}
	out, _, err := canonicalize(qs)
	if err != nil {
		return nil, errs.Wrap(http.StatusBadRequest, CodeInvalidJSONLD, err)
	}
	return out, nil
}

// toQuads expands doc in safe mode and converts it to RDF quads (JSON-LD
// 1.1 API §6.1 Deserialize JSON-LD to RDF). Statements that other
// processors would drop (relative or malformed IRIs, blank node
// predicates) are refused instead: nothing in a document goes unsigned.
func toQuads(doc map[string]any) (qs []quad, err error) {
	defer func() {
		if r := recover(); r != nil {
			qs, err = nil, errs.New(http.StatusBadRequest, CodeInvalidJSONLD, "JSON-LD processing failed on this document: %v", r)
		}
	}()
	docs, err := embeddedContexts()
	if err != nil {
		return nil, err
	}
	expanded, err := expand(doc, docs)
	if err != nil {
		var le *ld.JsonLdError
		if errors.As(err, &le) && le.Code == ld.InvalidProperty {
			return nil, undefinedTerm(doc, docs)
		}
		return nil, jsonldError(err)
	}
	if err := checkAbsolute(expanded); err != nil {
		return nil, err
	}
	issuer := ld.NewIdentifierIssuer("_:b")
	nodeMap := map[string]any{"@default": map[string]any{}}
	if _, err := ld.NewJsonLdApi().GenerateNodeMap(expanded, nodeMap, "@default", issuer, "", "", nil); err != nil {
		return nil, jsonldError(err)
	}
	return nodeMapToQuads(nodeMap, issuer)
}

// expandOptions are the options of every expansion: JSON-LD 1.1, safe
// mode, embedded contexts only.
func expandOptions(docs map[string]*ld.RemoteDocument) *ld.JsonLdOptions {
	opts := ld.NewJsonLdOptions("")
	opts.ProcessingMode = ld.JsonLd_1_1
	opts.DocumentLoader = staticLoader(docs)
	opts.SafeMode = true
	return opts
}

// activeContexts caches the active context of a top-level @context that
// lists embedded context URLs: processing the VC 2.0 context is most of
// the cost of expanding a credential. json-gold never modifies an active
// context (each step copies it), so one value serves every goroutine.
var activeContexts sync.Map // canonical JSON of the @context → *ld.Context

var activeContextsLen atomic.Int32

const maxActiveContexts = 256

// topContext returns the (cached) active context of doc's top-level
// @context, or nil when it is not a cacheable list of known URLs.
func topContext(ctxVal any, docs map[string]*ld.RemoteDocument, opts *ld.JsonLdOptions) (*ld.Context, error) {
	list, ok := ctxVal.([]any)
	if s, isStr := ctxVal.(string); isStr {
		list, ok = []any{s}, true
	}
	if !ok || len(list) == 0 || len(list) > len(contextURLs) {
		return nil, nil
	}
	var key strings.Builder
	for _, v := range list {
		s, isStr := v.(string)
		if _, known := docs[s]; !isStr || !known {
			return nil, nil
		}
		key.WriteString(s)
		key.WriteByte(' ')
	}
	if c, ok := activeContexts.Load(key.String()); ok {
		return c.(*ld.Context), nil
	}
	c, err := ld.NewContext(nil, opts).Parse(list)
	if err != nil {
		return nil, err
	}
	if activeContextsLen.Load() < maxActiveContexts {
		if _, loaded := activeContexts.LoadOrStore(key.String(), c); !loaded {
			activeContextsLen.Add(1)
		}
	}
	return c, nil
}

// expand runs json-gold's expansion algorithm (JSON-LD 1.1 API §5.1.2) in
// safe mode, starting from the cached active context when it can.
func expand(doc map[string]any, docs map[string]*ld.RemoteDocument) (out []any, err error) {
	return expandWith(doc, docs, true)
}

// expandWith is expand, starting from the cached context of the
// top-level types too when typed is true (expandTyped); the differential
// test compares both.
func expandWith(doc map[string]any, docs map[string]*ld.RemoteDocument, typed bool) (out []any, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, errs.New(http.StatusBadRequest, CodeInvalidJSONLD, "JSON-LD processing failed on this document: %v", r)
		}
	}()
	opts := expandOptions(docs)
	input := forJSONLD(doc).(map[string]any)
	active, err := topContext(input["@context"], docs, opts)
	if err != nil {
		return nil, err
	}
	if active == nil {
		active = ld.NewContext(nil, opts)
	} else {
		delete(input, "@context")
	}
	var expanded any
	ok := false
	if typed {
		expanded, ok = expandTyped(active, input, opts)
	}
	if !ok {
		if expanded, err = ld.NewJsonLdApi().Expand(active, "", input, opts, false, nil); err != nil {
			return nil, err
		}
	}
	// The final steps of the expansion algorithm (§5.1.2 step 19).
	m, isMap := expanded.(map[string]any)
	if isMap {
		if len(m) == 0 {
			return []any{}, nil
		}
		if g, ok := m["@graph"]; ok && len(m) == 1 {
			expanded = g
		}
	}
	switch e := expanded.(type) {
	case nil:
		return []any{}, nil
	case []any:
		return e, nil
	}
	return []any{expanded}, nil
}

// jsonldError maps a json-gold error to an *errs.Error.
func jsonldError(err error) error {
	if e, ok := errs.As(err); ok {
		return e
	}
	var le *ld.JsonLdError
	if errors.As(err, &le) {
		if d, ok := le.Details.(error); ok {
			var uc *unknownContextError
			if errors.As(d, &uc) {
				return errs.New(http.StatusBadRequest, CodeUnknownContext, "the JSON-LD context %q is not one weid knows (contexts are never fetched)", strictjson.Truncate(uc.url, 200))
			}
		}
		return errs.New(http.StatusBadRequest, CodeInvalidJSONLD, "invalid JSON-LD: %s", strictjson.Truncate(fmt.Sprint(le.Code, ": ", le.Details), 300))
	}
	return errs.New(http.StatusBadRequest, CodeInvalidJSONLD, "invalid JSON-LD: %s", strictjson.Truncate(err.Error(), 300))
}

// checkAbsolute rejects node identifiers and types of the expanded
// document that are relative IRIs: RDF conversion would drop them.
func checkAbsolute(v any) error {
	switch v := v.(type) {
	case []any:
		for _, x := range v {
			if err := checkAbsolute(x); err != nil {
				return err
			}
		}
	case map[string]any:
		for k, x := range v {
			switch k {
			case "@id":
				if s, ok := x.(string); ok && !absoluteOrBlank(s) {
					return errs.New(http.StatusBadRequest, CodeUndefinedTerm, "the identifier %q is a relative IRI; it would be dropped from the signed data", strictjson.Truncate(s, 100))
				}
			case "@type":
				types, _ := x.([]any)
				if s, ok := x.(string); ok {
					types = []any{s}
				}
				for _, t := range types {
					if s, ok := t.(string); ok && !absoluteOrBlank(s) {
						return errs.New(http.StatusBadRequest, CodeUndefinedTerm, "the type %q is not defined by the document's @context%s", strictjson.Truncate(s, 100), undefinedTermHint)
					}
				}
			case "@value":
				continue
			}
			if err := checkAbsolute(x); err != nil {
				return err
			}
		}
	}
	return nil
}

func absoluteOrBlank(s string) bool {
	return strings.HasPrefix(s, "_:") || strings.Contains(s, ":")
}

// undefinedTermHint says how a document comes to define its terms: a
// context that defines them, or for the issuer's own terms the
// undefined-terms context last (VC Data Model 2.0 §5.2).
const undefinedTermHint = "; define it in a context the document names, or name " + ContextUndefinedTermsV2 + " as the last value of @context (VC Data Model 2.0 §5.2)"

// undefinedTerm finds a member name of doc that safe-mode expansion
// rejects (json-gold's error does not say which). Removing names only
// removes statements, so "expansion fails once the first k candidates are
// removed" is monotone in k, and a binary search finds a culprit in
// log2(n) expansions.
func undefinedTerm(doc map[string]any, docs map[string]*ld.RemoteDocument) error {
	depth := map[string]int{}
	collectTerms(doc, 0, depth)
	// Keyword aliases (id, type) are never the undefined term, and
	// removing them would change more than statements: without "type" a
	// type-scoped context no longer applies, and terms it defines (VC
	// 1.1's issuer) would be blamed instead.
	aliases := keywordAliases(docs)
	cands := make([]string, 0, len(depth))
	for k := range depth {
		if !aliases[k] {
			cands = append(cands, k)
		}
	}
	// Deepest first: removing a member removes everything under it, so a
	// name must be tried before the names of the objects holding it.
	slices.SortFunc(cands, func(a, b string) int {
		if depth[a] != depth[b] {
			return depth[b] - depth[a]
		}
		return strings.Compare(a, b)
	})
	fails := func(k int) bool {
		drop := make(map[string]bool, k)
		for _, c := range cands[:k] {
			drop[c] = true
		}
		_, err := expand(without(doc, drop), docs)
		var le *ld.JsonLdError
		return errors.As(err, &le) && le.Code == ld.InvalidProperty
	}
	lo, hi := 0, len(cands) // fails(lo) is true; find the least k with !fails(k)
	if len(cands) == 0 || fails(hi) {
		return errs.New(http.StatusBadRequest, CodeUndefinedTerm, "the document uses a term its @context does not define%s", undefinedTermHint)
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if fails(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return errs.New(http.StatusBadRequest, CodeUndefinedTerm, "the term %q is not defined by the document's @context%s", strictjson.Truncate(cands[hi-1], 100), undefinedTermHint)
}

// keywordAliases returns the terms the embedded contexts define as
// aliases of JSON-LD keywords ("id" for @id, "type" for @type), wherever
// they define them (top level or scoped).
func keywordAliases(docs map[string]*ld.RemoteDocument) map[string]bool {
	out := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case []any:
			for _, x := range v {
				walk(x)
			}
		case map[string]any:
			for k, x := range v {
				switch d := x.(type) {
				case string:
					if strings.HasPrefix(d, "@") && !strings.HasPrefix(k, "@") {
						out[k] = true
					}
				case map[string]any:
					if id, _ := d["@id"].(string); strings.HasPrefix(id, "@") {
						out[k] = true
					}
					walk(d["@context"])
				}
			}
		}
	}
	for _, d := range docs {
		if m, ok := d.Document.(map[string]any); ok {
			walk(m["@context"])
		}
	}
	return out
}

// collectTerms records every member name of v that is not a keyword,
// outside @context values, with the deepest level it appears at.
func collectTerms(v any, level int, depth map[string]int) {
	switch v := v.(type) {
	case []any:
		for _, x := range v {
			collectTerms(x, level+1, depth)
		}
	case map[string]any:
		for k, x := range v {
			if k == "@context" {
				continue
			}
			if d, ok := depth[k]; !strings.HasPrefix(k, "@") && (!ok || level > d) {
				depth[k] = level
			}
			collectTerms(x, level+1, depth)
		}
	}
}

// without returns a copy of v with the members named in drop removed
// everywhere outside @context values.
func without(v any, drop map[string]bool) map[string]any {
	m, _ := dropTerms(v, drop).(map[string]any)
	return m
}

func dropTerms(v any, drop map[string]bool) any {
	switch v := v.(type) {
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = dropTerms(x, drop)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			if drop[k] {
				continue
			}
			if k == "@context" {
				out[k] = x
			} else {
				out[k] = dropTerms(x, drop)
			}
		}
		return out
	}
	return v
}

// forJSONLD copies a strictjson value into the form json-gold expects:
// numbers as float64 (JSON-LD reads JSON numbers as doubles).
func forJSONLD(v any) any {
	switch v := v.(type) {
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = forJSONLD(x)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = forJSONLD(x)
		}
		return out
	case json.Number:
		f, err := v.Float64()
		if err != nil {
			return string(v)
		}
		return f
	}
	return v
}

// ExpandedTypes returns the IRIs of doc's "type" after JSON-LD expansion
// with its @context and the embedded contexts (safe mode, nothing
// fetched): what a query for "fully expanded types" compares with, such
// as OpenID4VP's type_values (Appendix B.1.1). Types that do not expand
// give none.
func ExpandedTypes(doc map[string]any) []string {
	docs, err := embeddedContexts()
	if err != nil {
		return nil
	}
	// Only the context and the types: an undefined claim elsewhere must
	// not hide them.
	reduced := map[string]any{"@context": doc["@context"], "type": doc["type"]}
	expanded, err := expand(reduced, docs) // recovers from json-gold's panics
	if err != nil || len(expanded) == 0 {
		return nil
	}
	top, _ := expanded[0].(map[string]any)
	var out []string
	for _, t := range asList(top["@type"]) {
		if s, ok := t.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}
