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
// The contexts are read as published: the VC 2.0 base context has no
// @vocab (VC Data Model 2.0 Appendix E: the Recommendation removed the
// drafts' one), so a term no context defines is an error, and a credential
// whose claims are its issuer's own names
// https://www.w3.org/ns/credentials/undefined-terms/v2 last (§5.2). At
// issuance that is a 400 naming the terms. At verification a credential
// that passes when read as the drafts read the base context — with their
// issuer-dependent @vocab, as weid issued vc+jwt and eddsa-jcs-2022
// credentials until 2026-12-05 — verifies with the named warning
// structure.undefinedTerms (verifiedTerms): those mechanisms sign the JSON
// as it is, so the signature and every claim the checks read are the same
// whichever way its terms are read.
//
// A full JSON-LD expansion per credential costs more than verifying its
// signature, so checkTerms first tries a proof that the expansion would
// succeed which needs no expansion (termsCertain): the document names only
// contexts weid embeds, the first the VC 2.0 base context, and every
// member name, type and identifier is one that expands to an absolute URL
// whichever term definition of those contexts applies to it — by the
// @vocab of a context of the list (examples/v2, undefined-terms/v2) or,
// without one, by a definition in effect where it is used (the list's
// top-level definitions or a node's one type-scoped context). At
// verification the same walk also reads a document as the drafts did
// (draftsCertain), naming the terms the published contexts leave
// undefined without expanding anything. The table of those definitions
// (termProfile) is computed once per list of context URLs. Everything
// else — inline contexts, keywords, compact IRIs, scoped contexts this
// shortcut does not follow — goes to the expansion (termsExpand).
// TestTermCheckDifferential and FuzzTermCheck hold the shortcut to never
// accept what the expansion refuses, and to name the undefined terms it
// names.

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
// (§B.1, SHA-256 59955ced…) has none, nor has the one weid embeds
// (@digitalbazaar/credentials-context 3.2.0), and §5.2 asks: "If a
// conforming document does not use JSON-LD Contexts that define all terms
// used, it MUST include the
// https://www.w3.org/ns/credentials/undefined-terms/v2 as the last value
// in the @context property". The term check reads the base context as
// published; only the reading of credentials issued before
// (undefinedTerms, at verification) uses this @vocab.
const issuerDependentVocab = "https://www.w3.org/ns/credentials/issuer-dependent#"

// checkTerms reports whether doc, a credential whose structure Parse has
// checked, is valid JSON-LD under its contexts: every type and member
// name maps to an absolute URL (VC Data Model 2.0 §4.5), no context
// redefines a protected term (§4.3, §5.2), identifiers are absolute URLs
// (§4.4). Contexts weid does not embed are never fetched: when strict is
// false (vc+jwt, which needs no context processing) a document naming one
// is not checked; when strict is true it is refused.
//
// checkTerms is the check at issuance: a term no context defines is an
// error naming it (*undefinedTermsError).
func checkTerms(doc map[string]any, strict bool) error {
	if !strict && !embeddedContextsOnly(doc["@context"]) {
		return nil
	}
	if termsCertain(doc, false) {
		return nil
	}
	return termsExpand(doc)
}

// verifiedTerms is checkTerms at verification, of the whole document
// (vc+jwt) or, when unsecured, of the document without its proof (the
// unsecured document eddsa-jcs-2022 proofs sign, VC Data Integrity §4.2;
// strict). It returns the terms no context defines of a credential that
// the drafts' base context would have given its issuer-dependent @vocab:
// not a conforming document of the Recommendation (§5.2), but one whose
// signature, which covers its JSON and not its JSON-LD reading, verifies
// all the same. VC Data Model 2.0 §2.1 has a verifier report a
// non-conforming document; it is reported, as the warning
// structure.undefinedTerms, rather than failing credentials weid itself
// issued under the drafts' reading. Anything else the expansion refuses
// — an explicit "@vocab": null, a type that maps to no URL under either
// reading, a protected term redefined — is an error, as at issuance.
func verifiedTerms(doc map[string]any, strict, unsecured bool) (undefined []string, err error) {
	if !strict && !embeddedContextsOnly(doc["@context"]) {
		return nil, nil
	}
	seen := map[string]bool{}
	if draftsCertain(doc, unsecured, seen) {
		if len(seen) == 0 {
			return nil, nil
		}
		return slices.Sorted(maps.Keys(seen)), nil
	}
	if unsecured {
		doc = withoutProof(doc)
	}
	err = termsExpand(doc)
	var ut *undefinedTermsError
	if errors.As(err, &ut) && ut.draftsValid {
		return ut.names, nil
	}
	return nil, err
}

// undefinedTermsError is a credential using terms its contexts do not
// define (VC Data Model 2.0 §5.2), naming them.
type undefinedTermsError struct {
	names []string
	// draftsValid: the credential expands, every term mapping to a URL,
	// when the base context has the drafts' @vocab.
	draftsValid bool
}

// maxNamedTerms bounds the undefined terms an error names.
const maxNamedTerms = 5

func (e *undefinedTermsError) Error() string {
	quoted := make([]string, 0, min(len(e.names), maxNamedTerms))
	for _, n := range e.names[:min(len(e.names), maxNamedTerms)] {
		quoted = append(quoted, fmt.Sprintf("%q", truncate(n, 100)))
	}
	what := "a term its @context does not define"
	switch {
	case len(e.names) == 1:
		what = "the term " + quoted[0] + ", which its @context does not define"
	case len(e.names) > maxNamedTerms:
		what = fmt.Sprintf("%d terms its @context does not define, among them %s", len(e.names), strings.Join(quoted, ", "))
	case len(e.names) > 1:
		what = "the terms " + strings.Join(quoted, ", ") + ", which its @context does not define"
	}
	return fmt.Sprintf("%v: the credential uses %s; define them in a context it names, or name %q as the last value of @context (VC Data Model 2.0 §5.2)", ErrInvalid, what, ContextUndefinedTerms)
}

// Unwrap makes the error an ErrInvalid.
func (e *undefinedTermsError) Unwrap() error { return ErrInvalid }

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
// embedded contexts as published (recLoader), and then checks that every
// member name, type and identifier of the result is an absolute URL or,
// for identifiers, a blank node. A term no context defines is an
// *undefinedTermsError.
func termsExpand(doc map[string]any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: JSON-LD processing failed: %v", ErrInvalid, r)
		}
	}()
	expanded, err := expandWith(recLoader, doc)
	if err != nil {
		var le *ld.JsonLdError
		if errors.As(err, &le) {
			switch le.Code {
			case ld.ProtectedTermRedefinition:
				return fmt.Errorf("%w: an @context redefines a protected term (VC Data Model 2.0 §4.3, §5.2; JSON-LD 1.1 §4.1.11)", ErrInvalid)
			case ld.InvalidProperty:
				return undefinedTerms(doc, true)
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
		// A type no context defines expands to no URL (§4.5).
		if ut := undefinedTerms(doc, false); ut.draftsValid {
			return ut
		}
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return nil
}

// undefinedTerms names the terms of doc that the contexts as published do
// not define: those the drafts' base context maps to its issuer-dependent
// @vocab (draftsLoader), which one expansion finds all of. When that
// expansion fails too and search is set, the deepest member whose removal
// lets the expansion succeed is named, if any (undefinedMember).
func undefinedTerms(doc map[string]any, search bool) *undefinedTermsError {
	ut := &undefinedTermsError{}
	if expanded, err := expandWith(draftsLoader, doc); err == nil {
		seen := map[string]bool{}
		draftsTerms(expanded, seen)
		ut.names = slices.Sorted(maps.Keys(seen))
		ut.draftsValid = len(ut.names) > 0 && expandedIRIs(expanded) == nil
	}
	if len(ut.names) == 0 && search {
		if name := undefinedMember(doc); name != "" {
			ut.names = []string{name}
		}
	}
	return ut
}

// draftsTerms collects the terms an expansion with draftsLoader mapped to
// the issuer-dependent @vocab: member names and types.
func draftsTerms(v any, seen map[string]bool) {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			draftsTerms(e, seen)
		}
	case map[string]any:
		_, isValue := v["@value"]
		for k, e := range v {
			if t, ok := strings.CutPrefix(k, issuerDependentVocab); ok {
				seen[t] = true
			}
			switch k {
			case "@type":
				for _, x := range anyList(e) {
					if s, ok := x.(string); ok && !isValue {
						if t, ok := strings.CutPrefix(s, issuerDependentVocab); ok {
							seen[t] = true
						}
					}
				}
			case "@value", "@id", "@language", "@direction", "@index":
			default:
				draftsTerms(e, seen)
			}
		}
	}
}

// expandWith runs json-gold's expansion of doc in safe mode with the
// document loader loader returns.
func expandWith(loader func() (ld.DocumentLoader, error), doc map[string]any) ([]any, error) {
	l, err := loader()
	if err != nil {
		return nil, err
	}
	opts := ld.NewJsonLdOptions("")
	opts.ProcessingMode = ld.JsonLd_1_1
	opts.DocumentLoader = l
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
		if _, err := expandWith(recLoader, ldproof.WithoutMembers(doc, name)); err == nil {
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

// recLoader serves the embedded contexts as published (the VC 2.0 base
// context without a @vocab, as the Recommendation has it) and fails for
// any other URL without fetching it.
var recLoader = sync.OnceValues(ldproof.DocumentLoader)

// draftsLoader is recLoader with the VC 2.0 base context as the drafts
// had it, with the @vocab issuerDependentVocab: the reading under which
// weid issued credentials until 2026-12-05 (verifiedTerms).
var draftsLoader = sync.OnceValues(func() (ld.DocumentLoader, error) {
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
	ok     bool           // the list processes and no context drops a @vocab
	vocab  bool           // the list's top-level active context has a @vocab
	active *ld.Context    // the active context of the list
	terms  map[string]int // flags per term, folded over every definition; only terms with flags
	names  map[string]bool
	scoped sync.Map // type term → *ld.Context: the active context within a node of that type, nil if it does not apply
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
	values, _ := active.AsMap()["values"].(map[string]any)
	vocab, _ := values["@vocab"].(string)
	p.vocab = absoluteIRI(vocab)
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

// scopedContext returns the active context within a node of type term t:
// the list's with t's type-scoped context applied, or nil when that
// context does not apply to it (a protected term redefined).
func (p *termProfile) scopedContext(t string) *ld.Context {
	if c, found := p.scoped.Load(t); found {
		return c.(*ld.Context)
	}
	var scoped *ld.Context
	td := p.active.GetTermDefinition(t)
	if c, has := td["@context"]; has && c != nil {
		if a, err := p.active.Parse(c); err == nil {
			scoped = a
		}
	}
	p.scoped.Store(t, scoped)
	return scoped
}

// termsCertain reports whether doc certainly expands without error and
// with absolute URLs everywhere expandedIRIs looks; false means only
// that the expansion must decide.
//
// With a top-level @vocab in the list's contexts (examples/v2,
// undefined-terms/v2) every plain term not defined otherwise expands to
// it wherever it appears (no context of the list drops it, or p.ok is
// false). Without one — the VC 2.0 base context as published has none —
// a member name must be defined by the context in effect where it is
// used: the shortcut follows no property-scoped context (member), so that
// is the list's active context or, in a node with one type that has a
// type-scoped context, that context applied to it (JSON-LD 1.1 API
// §5.1.2 steps 7, 11: type-scoped contexts do not propagate to nested
// nodes); types are expanded with the context before type-scoped ones
// apply (step 13.4.4.4), the list's.
func termsCertain(doc map[string]any, skipProof bool) bool {
	p := profileOf(doc["@context"])
	if p == nil || !p.ok {
		return false
	}
	return p.node(doc, true, skipProof, nil)
}

// draftsCertain is termsCertain of a credential being verified that the
// shortcut reads as the drafts did (verifiedTerms): a member name or type
// the contexts as published do not define at its place is added to
// undefined instead of failing, since the drafts' base context gave it
// its @vocab. It reports whether doc certainly expands under that
// reading; undefined then holds exactly the terms the expansion with the
// published contexts finds undefined (TestTermCheckDifferential).
func draftsCertain(doc map[string]any, skipProof bool, undefined map[string]bool) bool {
	p := profileOf(doc["@context"])
	if p == nil || !p.ok {
		return false
	}
	return p.node(doc, true, skipProof, undefined)
}

// node checks the members of a node object. top is the credential, whose
// @context profileOf has read.
//
// undefined, when not nil, collects the plain member names and types no
// context defines at their place instead of failing (draftsCertain).
func (p *termProfile) node(m map[string]any, top, skipProof bool, undefined map[string]bool) bool {
	ctx, ok := p.nodeContext(m["type"])
	if !ok {
		return false
	}
	for k, v := range m {
		switch k {
		case "@context":
			if !top {
				return false
			}
		case "proof":
			if !skipProof && !p.member(ctx, k, v, undefined) {
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
				return ok && p.typeName(p.active, s, undefined)
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
			if !p.member(ctx, k, v, undefined) {
				return false
			}
		}
	}
	return true
}

// nodeContext returns the active context within a node of the given type
// value: the list's, or with the type-scoped context of its one type that
// has one; ok is false for more than one such type, or one whose context
// does not apply.
func (p *termProfile) nodeContext(types any) (ctx *ld.Context, ok bool) {
	ctx, scopedTypes := p.active, 0
	for _, t := range anyList(types) {
		s, isStr := t.(string)
		if !isStr || p.terms[s]&termScoped == 0 {
			continue
		}
		if scopedTypes++; scopedTypes > 1 {
			return nil, false
		}
		if ctx = p.scopedContext(s); ctx == nil {
			return nil, false
		}
	}
	return ctx, true
}

// defined reports whether a plain term expands to an absolute URL in the
// active context ctx: by the @vocab of the list, or by its definition;
// or, when undefined is not nil, by the drafts' @vocab, adding it there.
func (p *termProfile) defined(ctx *ld.Context, term string, undefined map[string]bool) bool {
	if p.vocab {
		return true
	}
	if id, _ := ctx.GetTermDefinition(term)["@id"].(string); absoluteIRI(id) {
		return true
	}
	if undefined != nil {
		undefined[term] = true
		return true
	}
	return false
}

// member checks a member other than @context, id and type in a node whose
// active context is ctx.
func (p *termProfile) member(ctx *ld.Context, k string, v any, undefined map[string]bool) bool {
	if !plainTerm(k) {
		return false // keywords, compact IRIs, IRIs: the expansion decides
	}
	flags := p.terms[k]
	if flags&(termUnsafe|termScoped) != 0 {
		return false
	}
	if v == nil {
		// json-gold drops some undefined members with a null value and
		// refuses others: the expansion decides those.
		undefined = nil
	}
	if !p.defined(ctx, k, undefined) {
		return false
	}
	return p.value(ctx, v, flags, false, undefined)
}

// typeName reports whether a type (or a value coerced to @vocab) expands
// to an absolute URL in the active context ctx: a plain term (its
// definition or the @vocab), or an absolute URL whose scheme is not a
// term (which would make it a compact IRI).
func (p *termProfile) typeName(ctx *ld.Context, s string, undefined map[string]bool) bool {
	if plainTerm(s) {
		return p.terms[s]&(termUnsafe|termKeyword) == 0 && p.defined(ctx, s, undefined)
	}
	scheme, _, _ := strings.Cut(s, ":")
	return !p.names[scheme] && absoluteIRI(s) && !blankNode(s)
}

// value checks the value of a member with the given definition flags, in
// a node whose active context is ctx.
func (p *termProfile) value(ctx *ld.Context, v any, flags int, inArray bool, undefined map[string]bool) bool {
	switch v := v.(type) {
	case string:
		switch {
		case flags&termIDValue != 0:
			return absoluteIRI(v) || blankNode(v)
		case flags&termVocabValue != 0:
			// Not collected: the drafts' @vocab makes such a value an
			// identifier, which undefinedTerms does not name.
			return p.typeName(ctx, v, nil)
		}
		return true
	case []any:
		if inArray {
			return false
		}
		for _, e := range v {
			if !p.value(ctx, e, flags, true, undefined) {
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
		return p.node(v, false, false, undefined)
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

// structurePassed records the structure check of a credential whose
// structure and terms passed: a warning, structure.undefinedTerms, when
// verifiedTerms read undefined terms as the drafts did (VC Data Model 2.0
// §5.2).
func (r *Result) structurePassed(format, detail string, undefined []string) {
	if len(undefined) == 0 {
		r.addCode(CheckStructure, StatusPassed, ReasonStructureOK, params("format", format), detail)
		return
	}
	terms := strings.Join(undefined[:min(len(undefined), maxNamedTerms)], ", ")
	if len(undefined) > maxNamedTerms {
		terms += ", …"
	}
	r.addCode(CheckStructure, StatusWarning, ReasonStructureUndefinedTerms, params("format", format, "terms", terms),
		fmt.Sprintf("%s, using terms its @context does not define (%s) without naming %s last (VC Data Model 2.0 §5.2); its signature does not depend on how they are read, and it was read as the drafts of VC Data Model 2.0 read them, with the base context's former issuer-dependent @vocab", detail, terms, ContextUndefinedTerms))
}
