package ldproof

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/piprate/json-gold/ld"
)

// typedContexts caches, per top-level active context and set of
// top-level types, the active context after the types' scoped contexts
// (JSON-LD 1.1 API §5.1.2 step 11): json-gold parses a type-scoped
// context again for every node, and the VC 2.0 context's
// VerifiableCredential and DataIntegrityProof contexts were about half
// the cost of canonicalizing a credential and its proof configuration.
// As with activeContexts, json-gold never modifies an active context, so
// one value serves every goroutine.
var typedContexts sync.Map // typedKey → *ld.Context

var typedContextsLen atomic.Int32

// typedKey identifies a typed context: the top-level context and the
// types, sorted (the order json-gold applies their contexts in).
type typedKey struct {
	top   *ld.Context
	types string
}

// expandTyped expands the top-level node input (its @context already in
// active, which topContext cached) with the cached context of its types,
// when it can do so exactly as json-gold's Expand would: input has one
// member that expands to @type, with a string or a non-empty array of
// strings, at least one of which has a scoped context given as an
// object, and no other keyword member but @id. It expands input without
// that member in the typed context and adds the types as Expand adds
// them (expanded against active, the context before the type-scoped
// ones). ok false means the caller must run Expand itself; nothing is
// modified either way.
func expandTyped(active *ld.Context, input map[string]any, opts *ld.JsonLdOptions) (expanded any, ok bool) {
	typeMember := ""
	for k := range input {
		e, err := active.ExpandIri(k, false, true, nil, nil)
		if err != nil {
			return nil, false
		}
		switch {
		case e == "@type" && typeMember == "":
			typeMember = k
		case e == "@id":
		case strings.HasPrefix(e, "@"):
			return nil, false
		}
	}
	if typeMember == "" {
		return nil, false
	}
	var types []string
	switch v := input[typeMember].(type) {
	case string:
		types = []string{v}
	case []any:
		for _, t := range v {
			s, isStr := t.(string)
			if !isStr {
				return nil, false
			}
			types = append(types, s)
		}
	}
	if len(types) == 0 {
		return nil, false
	}
	typed := typedContext(active, types)
	if typed == nil {
		return nil, false
	}
	// Expand reads the members after the type member's in the typed
	// context: the type member must still name @type there, and no other
	// member may.
	for k := range input {
		e, err := typed.ExpandIri(k, false, true, nil, nil)
		if err != nil || (e == "@type") != (k == typeMember) {
			return nil, false
		}
	}
	expandedTypes := make([]any, len(types))
	for i, t := range types {
		e, err := active.ExpandIri(t, true, true, nil, nil)
		if err != nil {
			return nil, false
		}
		expandedTypes[i] = e
	}
	rest := make(map[string]any, len(input)-1)
	var scoped map[string]any // expanded property → its expanded value
	for k, v := range input {
		if k == typeMember {
			continue
		}
		if e, val, ok := scopedString(typed, k, v); ok {
			if scoped == nil {
				scoped = map[string]any{}
			}
			scoped[e] = val
			continue
		}
		rest[k] = v
	}
	// insideIndex true: Expand would otherwise revert a non-propagated
	// context on the very node it applies to; nested nodes revert to
	// active as they do after Expand applies the types' contexts.
	out, err := ld.NewJsonLdApi().Expand(typed, "", rest, opts, true, nil)
	m, isMap := out.(map[string]any)
	if err != nil || !isMap || len(m) == 0 {
		// Let Expand report the error, or decide what an object
		// without members but its types becomes.
		return nil, false
	}
	for e, val := range scoped {
		if _, dup := m[e]; dup {
			return nil, false // another member expands to it: Expand merges them in its order
		}
		m[e] = []any{val}
	}
	m["@type"] = expandedTypes
	return m, true
}

// scopedContexts caches the contexts of property-scoped contexts, by the
// context they apply to and the term.
var scopedContexts sync.Map // scopedKey → *ld.Context

var scopedContextsLen atomic.Int32

type scopedKey struct {
	ctx  *ld.Context
	term string
}

// scopedString expands member k of the typed node, a string v, when k's
// term has a property-scoped context (such as DataIntegrityProof's
// proofPurpose): the value expands in that context (JSON-LD 1.1 API
// §5.1.2 steps 13.7 and 13.11, what Expand does for a string member of a
// term with no container, no reverse mapping and no @json type), which
// Expand would parse again for every proof configuration. It returns the
// expanded property and value, or ok false for every other case.
func scopedString(typed *ld.Context, k string, v any) (string, any, bool) {
	s, isStr := v.(string)
	td := typed.GetTermDefinition(k)
	sc, has := td["@context"]
	if !isStr || !has {
		return "", nil, false
	}
	for _, name := range []string{"@container", "@index", "@nest"} {
		if _, set := td[name]; set {
			return "", nil, false
		}
	}
	if rev, _ := td["@reverse"].(bool); rev || td["@type"] == "@json" {
		return "", nil, false
	}
	e, err := typed.ExpandIri(k, false, true, nil, nil)
	if err != nil || !absoluteIRI(e) || strings.HasPrefix(e, "_:") {
		return "", nil, false
	}
	key := scopedKey{ctx: typed, term: k}
	var termCtx *ld.Context
	if c, ok := scopedContexts.Load(key); ok {
		termCtx = c.(*ld.Context)
	} else {
		// Expand parses it with protected terms overridable; Parse does
		// not, which can only make it fail (then Expand decides).
		if termCtx, err = typed.Parse(sc); err != nil {
			return "", nil, false
		}
		if scopedContextsLen.Load() < maxActiveContexts {
			if _, loaded := scopedContexts.LoadOrStore(key, termCtx); !loaded {
				scopedContextsLen.Add(1)
			}
		}
	}
	val, err := termCtx.ExpandValue(k, s)
	if err != nil || val == nil {
		return "", nil, false
	}
	return e, val, true
}

// typedContext returns the (cached) context of active after the scoped
// contexts of types, or nil when none of them has one or one is not an
// object.
func typedContext(active *ld.Context, types []string) *ld.Context {
	sorted := slices.Clone(types)
	slices.Sort(sorted)
	key := typedKey{top: active, types: strings.Join(sorted, "\x00")}
	if c, ok := typedContexts.Load(key); ok {
		return c.(*ld.Context)
	}
	c, scoped := active, false
	for _, t := range sorted {
		sc, has := active.GetTermDefinition(t)["@context"]
		if !has {
			continue
		}
		m, isMap := sc.(map[string]any)
		if !isMap {
			return nil
		}
		// A type-scoped context does not propagate (§4.1.2 step 11 of
		// the Context Processing algorithm's caller): Expand parses it
		// with propagate false, which "@propagate": false asks of Parse.
		if _, has := m["@propagate"]; !has {
			m = withPropagateFalse(m)
		}
		next, err := c.Parse(m)
		if err != nil {
			return nil
		}
		c, scoped = next, true
	}
	if !scoped {
		return nil
	}
	if typedContextsLen.Load() < maxActiveContexts {
		if _, loaded := typedContexts.LoadOrStore(key, c); !loaded {
			typedContextsLen.Add(1)
		}
	}
	return c
}

func withPropagateFalse(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	out["@propagate"] = false
	return out
}
