package credential

// The JSON-LD term check of the securing mechanisms that do not
// canonicalize RDF (vc+jwt, eddsa-jcs-2022): the RDF-canonicalized
// cryptosuites expand every document they sign, so a credential whose
// type maps to no URL (VC Data Model 2.0 §4.5) or whose inline context
// redefines a protected term (§4.3, §5.2 "JSON-LD-based processors MUST
// produce an error when a JSON-LD context redefines any term") cannot be
// signed with them; the others sign the JSON as it is, so this file
// applies the same rules to them.
//
// A full JSON-LD expansion per credential costs more than verifying its
// signature, so checkTerms first tries a proof that the expansion would
// succeed which needs no expansion (termsCertain): the document names only
// contexts weid embeds, the first the VC 2.0 base context, and every
// member name, type and identifier is one that expands to an absolute URL
// whichever term definition of those contexts applies to it. The table of
// those definitions (termProfile) is computed once per list of context
// URLs. Everything else — inline contexts, keywords, compact IRIs, scoped
// contexts this shortcut does not follow — goes to the expansion
// (termsExpand). TestTermCheckDifferential and FuzzTermCheck hold the
// shortcut to never accept what the expansion refuses.

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/piprate/json-gold/ld"

	"github.com/weidgo/weid/ldproof"
)

// ContextUndefinedTerms is the context a VC 2.0 credential whose
// contexts do not define all its terms names last (VC Data Model 2.0
// §5.2); see ldproof.ContextUndefinedTermsV2.
const ContextUndefinedTerms = ldproof.ContextUndefinedTermsV2

// issuerDependentVocab is the @vocab the VC 2.0 base context had in the
// drafts: a term no context defines maps to this namespace instead of
// being dropped. The Recommendation removed it (VC Data Model 2.0
// Appendix E: "Removed @vocab from the base context"); its base context
// (§B.1, SHA-256 59955ced…) has none, nor has the one weid embeds for the
// RDF suites (@digitalbazaar/credentials-context 3.2.0), and §5.2 asks a
// document whose contexts do not define all its terms to name
// https://www.w3.org/ns/credentials/undefined-terms/v2 last instead. So
// this check accepts a v2-only credential's undefined terms that the
// RDF-canonicalized suites refuse: a known inconsistency, kept until the
// term check drops this @vocab.
const issuerDependentVocab = "https://www.w3.org/ns/credentials/issuer-dependent#"

// checkTerms reports whether doc, a credential whose structure Parse has
// checked, is valid JSON-LD under its contexts: every type and member
// name maps to an absolute URL (VC Data Model 2.0 §4.5), no context
// redefines a protected term (§4.3, §5.2), identifiers are absolute URLs
// (§4.4). Contexts weid does not embed are never fetched: when strict is
// false (vc+jwt, which needs no context processing) a document naming one
// is not checked; when strict is true it is refused.
func checkTerms(doc map[string]any, strict bool) error {
	if !strict && !embeddedContextsOnly(doc["@context"]) {
		return nil
	}
	if termsCertain(doc, false) {
		return nil
	}
	return termsExpand(doc)
}

// checkUnsecuredTerms is checkTerms (strict) of a secured document
// without its proof: the unsecured document the proofs sign (VC Data
// Integrity §4.2).
func checkUnsecuredTerms(doc map[string]any) error {
	if termsCertain(doc, true) {
		return nil
	}
	return termsExpand(withoutProof(doc))
}

// embeddedContextsOnly reports whether every context URL in an @context
// value (at any depth of inline contexts) is one weid embeds.
func embeddedContextsOnly(v any) bool {
	switch v := v.(type) {
	case string:
		return embeddedContextURLs()[v]
	case []any:
		for _, e := range v {
			if !embeddedContextsOnly(e) {
				return false
			}
		}
	case map[string]any:
		for k, e := range v {
			if k == "@import" && !embeddedContextsOnly(e) {
				return false
			}
			if m, ok := e.(map[string]any); ok {
				if c, ok := m["@context"]; ok && !embeddedContextsOnly(c) {
					return false
				}
			}
		}
	}
	return true
}

// embeddedContextURLs is the set of ldproof.ContextURLs.
var embeddedContextURLs = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, u := range ldproof.ContextURLs() {
		m[u] = true
	}
	return m
})

// termsExpand expands doc (JSON-LD 1.1 API §5.1.2) in safe mode with the
// embedded contexts, the base context with the drafts' @vocab
// (recLoader), and then
// checks that every member name, type and identifier of the result is an
// absolute URL or, for identifiers, a blank node.
func termsExpand(doc map[string]any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: JSON-LD processing failed: %v", ErrInvalid, r)
		}
	}()
	expanded, err := expandREC(doc)
	if err != nil {
		var le *ld.JsonLdError
		if errors.As(err, &le) {
			switch le.Code {
			case ld.ProtectedTermRedefinition:
				return fmt.Errorf("%w: an @context redefines a protected term (VC Data Model 2.0 §4.3, §5.2; JSON-LD 1.1 §4.1.11)", ErrInvalid)
			case ld.InvalidProperty:
				if name := undefinedMember(doc); name != "" {
					return fmt.Errorf("%w: the term %q is not defined by the credential's @context (VC Data Model 2.0 §4.3)", ErrInvalid, truncate(name, 100))
				}
				return fmt.Errorf("%w: the credential uses a term its @context does not define (VC Data Model 2.0 §4.3)", ErrInvalid)
			case ld.InvalidIRIMapping:
				return fmt.Errorf("%w: an @context maps a term to something that is not a URL (VC Data Model 2.0 §4.3, §4.5): %s", ErrInvalid, truncate(fmt.Sprint(le.Details), 200))
			case ld.LoadingRemoteContextFailed, ld.LoadingDocumentFailed:
				return fmt.Errorf("%w: an @context names a context weid does not have (contexts are never fetched)", ErrInvalid)
			}
			return fmt.Errorf("%w: invalid JSON-LD (VC Data Model 2.0 §4.3): %s", ErrInvalid, truncate(fmt.Sprint(le.Code, ": ", le.Details), 200))
		}
		return fmt.Errorf("%w: invalid JSON-LD (VC Data Model 2.0 §4.3): %s", ErrInvalid, truncate(err.Error(), 200))
	}
	if err := expandedIRIs(expanded); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return nil
}

// expandREC runs json-gold's expansion of doc in safe mode with recLoader.
func expandREC(doc map[string]any) ([]any, error) {
	loader, err := recLoader()
	if err != nil {
		return nil, err
	}
	opts := ld.NewJsonLdOptions("")
	opts.ProcessingMode = ld.JsonLd_1_1
	opts.DocumentLoader = loader
	opts.SafeMode = true
	return ld.NewJsonLdProcessor().Expand(ldproof.ForJSONLD(doc), opts)
}

// expandedIRIs checks an expanded document: member names are absolute
// URLs (safe mode already refused the others, but not malformed ones),
// @type values absolute URLs (§4.5: "one or more terms and/or absolute
// URL strings"; a term must map to one), @id values absolute URLs or
// blank nodes (§4.4).
func expandedIRIs(v any) error {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			if err := expandedIRIs(e); err != nil {
				return err
			}
		}
	case map[string]any:
		_, isValue := v["@value"]
		for k, e := range v {
			switch k {
			case "@id":
				if s, ok := e.(string); ok && !absoluteIRI(s) && !blankNode(s) {
					return fmt.Errorf("the identifier %q is not a URL (VC Data Model 2.0 §4.4)", truncate(s, 100))
				}
			case "@type":
				for _, t := range anyList(e) {
					if s, ok := t.(string); ok && !absoluteIRI(s) && !(blankNode(s) && !isValue) && !(s == "@json" && isValue) {
						return fmt.Errorf("the type %q does not map to a URL (VC Data Model 2.0 §4.5)", truncate(s, 100))
					}
				}
			case "@value", "@language", "@direction", "@index":
			default:
				if !strings.HasPrefix(k, "@") && !absoluteIRI(k) {
					return fmt.Errorf("the property %q does not map to a URL", truncate(k, 100))
				}
				if err := expandedIRIs(e); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func anyList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

// undefinedMember names a member of doc whose removal (everywhere outside
// @context values) lets safe-mode expansion succeed, trying the deepest
// names first; "" if none does within a few tries.
func undefinedMember(doc map[string]any) string {
	depth := map[string]int{}
	memberDepths(doc, 0, depth)
	names := slices.Collect(maps.Keys(depth))
	slices.SortFunc(names, func(a, b string) int {
		if depth[a] != depth[b] {
			return depth[b] - depth[a]
		}
		return strings.Compare(a, b)
	})
	for i, name := range names {
		if i == 32 || name == "id" || name == "type" {
			break
		}
		if _, err := expandREC(ldproof.WithoutMembers(doc, name)); err == nil {
			return name
		}
	}
	return ""
}

func memberDepths(v any, level int, depth map[string]int) {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			memberDepths(e, level+1, depth)
		}
	case map[string]any:
		for k, e := range v {
			if k == "@context" || strings.HasPrefix(k, "@") {
				continue
			}
			if d, ok := depth[k]; !ok || level > d {
				depth[k] = level
			}
			memberDepths(e, level+1, depth)
		}
	}
}

// recLoader serves the embedded contexts, the VC 2.0 base context with
// the drafts' @vocab (issuerDependentVocab, which the Recommendation
// removed), and fails for any other URL without fetching it.
var recLoader = sync.OnceValues(func() (ld.DocumentLoader, error) {
	base, err := ldproof.DocumentLoader()
	if err != nil {
		return nil, err
	}
	d, err := base.LoadDocument(ContextV2)
	if err != nil {
		return nil, err
	}
	top, _ := d.Document.(map[string]any)
	ctx, _ := top["@context"].(map[string]any)
	if ctx == nil {
		return nil, errors.New("the embedded VC 2.0 context has no @context object")
	}
	withVocab := maps.Clone(ctx)
	withVocab["@vocab"] = issuerDependentVocab
	rec := &ld.RemoteDocument{DocumentURL: ContextV2, Document: map[string]any{"@context": withVocab}}
	return recDocuments{base: base, v2: rec}, nil
})

type recDocuments struct {
	base ld.DocumentLoader
	v2   *ld.RemoteDocument
}

// LoadDocument implements ld.DocumentLoader.
func (r recDocuments) LoadDocument(u string) (*ld.RemoteDocument, error) {
	if u == ContextV2 {
		return r.v2, nil
	}
	return r.base.LoadDocument(u)
}

// absoluteIRI reports whether s is an absolute IRI (RFC 3987 §2.2): a
// scheme (RFC 3986 §3.1: a letter, then letters, digits, '+', '-', '.'),
// ':', and no character an IRI never holds (controls, space,
// <>"{}|\^`).
func absoluteIRI(s string) bool {
	colon := strings.IndexByte(s, ':')
	if colon < 1 || len(s) > maxURLLength {
		return false
	}
	if !schemeByte[s[0]] || s[0] < 'A' {
		return false // a scheme begins with a letter
	}
	for i := 1; i < colon; i++ {
		if !schemeByte[s[i]] {
			return false
		}
	}
	for i := colon + 1; i < len(s); i++ {
		if notInIRI[s[i]] {
			return false
		}
	}
	return true
}

// notInIRI marks the bytes an IRI never holds (RFC 3987 §2.2).
var notInIRI = func() (t [256]bool) {
	for c := 0; c <= 0x20; c++ {
		t[c] = true
	}
	t[0x7f] = true
	for _, c := range []byte(`<>"{}|\^` + "`") {
		t[c] = true
	}
	return t
}()

// schemeByte marks the bytes of a URI scheme (RFC 3986 §3.1): letters,
// digits, '+', '-', '.'.
var schemeByte = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'
	}
	return t
}()

// termByte marks the ASCII bytes of a plainTerm.
var termByte = func() (t [256]bool) {
	for c := 0; c < utf8.RuneSelf; c++ {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == '~'
	}
	return t
}()

// blankNode reports whether s is a blank node identifier (_:name).
func blankNode(s string) bool {
	return len(s) > 2 && strings.HasPrefix(s, "_:") && absoluteIRI(s)
}

// plainTerm reports whether s is a term that expands, under a context
// with @vocab, to that vocabulary and s: letters, digits (Unicode ones
// too, which IRIs allow), '_', '-', '.' and '~', not beginning with '@'.
func plainTerm(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if !termByte[c] {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
		i += n
	}
	return true
}

// What the embedded contexts may define a member name to be, folded over
// every definition of it (top level or scoped) in the contexts of a list:
// the shortcut handles the name only if it handles every one of them.
const (
	termIDValue    = 1 << iota // "@type": "@id": a string value is an IRI
	termVocabValue             // "@type": "@vocab": a string value is a term or IRI
	termJSON                   // "@type": "@json": the value is a literal
	termScoped                 // has a scoped context
	termContainer              // "@container": "@set", "@graph" or "@list"
	termKeyword                // an alias of a keyword (id, type): never a type
	termUnsafe                 // anything else this shortcut does not follow
)

// termProfile is what the shortcut knows of one list of embedded context
// URLs.
type termProfile struct {
	urls   []string       // the list of context URLs
	ok     bool           // the list processes and keeps a @vocab everywhere
	active *ld.Context    // the active context of the list
	terms  map[string]int // flags per term, folded over every definition; only terms with flags
	names  map[string]bool
	scoped sync.Map // type term → bool: its scoped context applies
}

var termProfiles sync.Map // list of URLs joined by ' ' → *termProfile

// profileOf returns the profile of a top-level @context value, or nil
// when it is not a list of embedded URLs beginning with the base context.
func profileOf(ctx any) *termProfile {
	list, ok := ctx.([]any)
	if !ok || len(list) == 0 || len(list) > 8 || list[0] != ContextV2 {
		return nil
	}
	for _, p := range *recentProfiles.Load() {
		if p.lists(list) {
			return p
		}
	}
	var sb strings.Builder
	for i, e := range list {
		s, ok := e.(string)
		if !ok {
			return nil
		}
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(s)
	}
	key := sb.String()
	if p, ok := termProfiles.Load(key); ok {
		rememberProfile(p.(*termProfile))
		return p.(*termProfile)
	}
	urls := make([]string, len(list))
	for i, e := range list {
		urls[i] = e.(string)
		if !embeddedContextURLs()[urls[i]] {
			return nil
		}
	}
	p := newTermProfile(urls)
	p2, _ := termProfiles.LoadOrStore(key, p) // at most one per list of embedded URLs: bounded
	rememberProfile(p2.(*termProfile))
	return p2.(*termProfile)
}

// recentProfiles are the last profiles profileOf returned, which it
// finds by comparing lists, without building a key.
var recentProfiles = func() *atomic.Pointer[[]*termProfile] {
	var p atomic.Pointer[[]*termProfile]
	p.Store(&[]*termProfile{})
	return &p
}()

func rememberProfile(p *termProfile) {
	old := *recentProfiles.Load()
	if slices.Contains(old, p) {
		return
	}
	next := append([]*termProfile{p}, old[:min(len(old), 3)]...)
	recentProfiles.Store(&next)
}

// lists reports whether the @context list is p's list of URLs.
func (p *termProfile) lists(list []any) bool {
	if len(list) != len(p.urls) {
		return false
	}
	for i, e := range list {
		if s, ok := e.(string); !ok || s != p.urls[i] {
			return false
		}
	}
	return true
}

func newTermProfile(urls []string) *termProfile {
	p := &termProfile{urls: urls, terms: map[string]int{}, names: map[string]bool{}}
	loader, err := recLoader()
	if err != nil {
		return p
	}
	opts := ld.NewJsonLdOptions("")
	opts.ProcessingMode = ld.JsonLd_1_1
	opts.DocumentLoader = loader
	list := make([]any, len(urls))
	for i, u := range urls {
		list[i] = u
	}
	active, err := ld.NewContext(nil, opts).Parse(list)
	if err != nil {
		return p
	}
	// id and type must be the keyword aliases the shortcut reads them as.
	if alias(active, "id") != "@id" || alias(active, "type") != "@type" {
		return p
	}
	p.active = active
	p.ok = true
	seen := map[string]bool{}
	for _, u := range urls {
		p.fold(loader, u, seen)
	}
	return p
}

// alias returns the keyword a term is an alias of, or "".
func alias(c *ld.Context, term string) string {
	if td := c.GetTermDefinition(term); td != nil {
		if id, _ := td["@id"].(string); strings.HasPrefix(id, "@") {
			return id
		}
	}
	return ""
}

// fold folds the definitions of the context at u (and of the contexts it
// imports) into p.terms.
func (p *termProfile) fold(loader ld.DocumentLoader, u string, seen map[string]bool) {
	if seen[u] {
		return
	}
	seen[u] = true
	d, err := loader.LoadDocument(u)
	if err != nil {
		p.ok = false
		return
	}
	top, _ := d.Document.(map[string]any)
	p.foldContext(loader, top["@context"], seen)
}

func (p *termProfile) foldContext(loader ld.DocumentLoader, c any, seen map[string]bool) {
	switch c := c.(type) {
	case nil:
		p.ok = false // a null context drops the @vocab
	case string:
		p.fold(loader, c, seen)
	case []any:
		for _, e := range c {
			p.foldContext(loader, e, seen)
		}
	case map[string]any:
		for k, v := range c {
			switch k {
			case "@version", "@protected", "@language", "@direction":
				continue
			case "@vocab":
				if s, _ := v.(string); !absoluteIRI(s) {
					p.ok = false
				}
				continue
			case "@import":
				if s, ok := v.(string); ok {
					p.fold(loader, s, seen)
				} else {
					p.ok = false
				}
				continue
			}
			if strings.HasPrefix(k, "@") {
				p.ok = false // @base, @propagate: not followed
				continue
			}
			p.names[k] = true
			if f := p.definition(loader, k, v, seen); f != 0 {
				p.terms[k] |= f
			}
		}
	default:
		p.ok = false
	}
}

// definition folds one term definition (JSON-LD 1.1 §9.15.1 expanded term
// definition) into flags, and the scoped context it carries into p.
func (p *termProfile) definition(loader ld.DocumentLoader, term string, v any, seen map[string]bool) int {
	switch v := v.(type) {
	case string:
		if strings.HasPrefix(v, "@") {
			if term == "id" && v == "@id" || term == "type" && v == "@type" {
				return termKeyword
			}
			return termUnsafe
		}
		return 0
	case map[string]any:
		flags := 0
		for k, x := range v {
			switch k {
			case "@id":
				if s, _ := x.(string); strings.HasPrefix(s, "@") {
					flags |= termKeyword
					if !(term == "id" && s == "@id" || term == "type" && s == "@type") {
						flags |= termUnsafe
					}
				}
			case "@type":
				switch x {
				case "@id":
					flags |= termIDValue
				case "@vocab":
					flags |= termVocabValue
				case "@json":
					flags |= termJSON
				}
			case "@container":
				for _, c := range anyList(x) {
					if c != "@set" && c != "@graph" && c != "@list" {
						flags |= termUnsafe
					}
				}
				flags |= termContainer
			case "@context":
				flags |= termScoped
				if x == nil {
					flags |= termUnsafe
				} else {
					p.foldContext(loader, x, seen)
				}
			case "@protected", "@prefix", "@language", "@direction":
			default:
				flags |= termUnsafe // @reverse, @index, @nest
			}
		}
		return flags
	}
	return termUnsafe // null: explicitly undefined
}

// scopedTypeOK reports whether the type-scoped context of type term t
// applies to the list's active context (no protected term redefined).
func (p *termProfile) scopedTypeOK(t string) bool {
	if ok, found := p.scoped.Load(t); found {
		return ok.(bool)
	}
	td := p.active.GetTermDefinition(t)
	c, has := td["@context"]
	ok := has && c != nil
	if ok {
		_, err := p.active.Parse(c)
		ok = err == nil
	}
	p.scoped.Store(t, ok)
	return ok
}

// termsCertain reports whether doc certainly expands without error and
// with absolute URLs everywhere expandedIRIs looks; false means only
// that the expansion must decide.
func termsCertain(doc map[string]any, skipProof bool) bool {
	p := profileOf(doc["@context"])
	if p == nil || !p.ok {
		return false
	}
	return p.node(doc, true, skipProof)
}

// node checks the members of a node object. top is the credential, whose
// @context profileOf has read.
func (p *termProfile) node(m map[string]any, top, skipProof bool) bool {
	scopedTypes := 0
	for k, v := range m {
		switch k {
		case "@context":
			if !top {
				return false
			}
		case "proof":
			if !skipProof && !p.member(k, v) {
				return false
			}
		case "id":
			s, ok := v.(string)
			if !ok || !(absoluteIRI(s) || blankNode(s)) {
				return false
			}
		case "type":
			one := func(t any) bool {
				s, ok := t.(string)
				if !ok || !p.typeName(s) {
					return false
				}
				if p.terms[s]&termScoped != 0 {
					if scopedTypes++; scopedTypes > 1 || !p.scopedTypeOK(s) {
						return false
					}
				}
				return true
			}
			if list, isList := v.([]any); isList {
				for _, t := range list {
					if !one(t) {
						return false
					}
				}
			} else if !one(v) {
				return false
			}
		default:
			if !p.member(k, v) {
				return false
			}
		}
	}
	return true
}

// member checks a member other than @context, id and type.
func (p *termProfile) member(k string, v any) bool {
	if !plainTerm(k) {
		return false // keywords, compact IRIs, IRIs: the expansion decides
	}
	flags := p.terms[k]
	if flags&(termUnsafe|termScoped) != 0 {
		return false
	}
	return p.value(v, flags, false)
}

// typeName reports whether a type expands to an absolute URL: a plain
// term (its definition or the @vocab), or an absolute URL whose scheme is
// not a term (which would make it a compact IRI).
func (p *termProfile) typeName(s string) bool {
	if plainTerm(s) {
		return p.terms[s]&(termUnsafe|termKeyword) == 0
	}
	scheme, _, _ := strings.Cut(s, ":")
	return !p.names[scheme] && absoluteIRI(s) && !blankNode(s)
}

// value checks the value of a member with the given definition flags.
func (p *termProfile) value(v any, flags int, inArray bool) bool {
	switch v := v.(type) {
	case string:
		switch {
		case flags&termIDValue != 0:
			return absoluteIRI(v) || blankNode(v)
		case flags&termVocabValue != 0:
			return p.typeName(v)
		}
		return true
	case []any:
		if inArray {
			return false
		}
		for _, e := range v {
			if !p.value(e, flags, true) {
				return false
			}
		}
		return true
	case map[string]any:
		if flags&termJSON != 0 {
			return true
		}
		if _, ok := v["@value"]; ok {
			// A language value object (§11.1) of a term with no
			// coercion or container, such as name and description.
			return flags == 0 && isLanguageValue(v) && languageValue(v) == nil
		}
		return p.node(v, false, false)
	}
	return true // numbers, booleans, null
}

// canonicalizesRDF reports whether a cryptosuite signs the RDF
// canonicalization of the document, whose JSON-LD expansion already
// refuses what checkTerms does.
func canonicalizesRDF(cryptosuite string) bool {
	return cryptosuite != CryptosuiteEdDSAJCS2022
}

// jcsProof reports whether a proof value (one proof or a set) has a proof
// whose cryptosuite signs JSON as it is (eddsa-jcs-2022), which expands
// nothing.
func jcsProof(v any) bool {
	for _, p := range anyList(v) {
		if m, ok := p.(map[string]any); ok && m["cryptosuite"] == CryptosuiteEdDSAJCS2022 {
			return true
		}
	}
	return false
}

// withoutProof is doc without its proof: the unsecured document the
// proofs sign (VC Data Integrity §4.2), whose terms checkTerms checks.
func withoutProof(doc map[string]any) map[string]any {
	if _, ok := doc["proof"]; !ok {
		return doc
	}
	out := maps.Clone(doc)
	delete(out, "proof")
	return out
}
