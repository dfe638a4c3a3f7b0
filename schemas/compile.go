package schemas

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
)

// Limits on a schema document.
const (
	// MaxSchemaBytes is the largest schema document accepted, as the
	// transaction carries it (canonical JSON). It leaves room for the rest
	// of the transaction under chain.MaxTxBytes.
	MaxSchemaBytes = 60 << 10
	// MaxSchemaDepth bounds the nesting of objects and arrays in a schema
	// document (the document itself is depth 1).
	MaxSchemaDepth = 32
	// MaxDetailLength caps the length of an error's detail.
	MaxDetailLength = 480
)

// MetaSchema is the only "$schema" a document may declare: JSON Schema
// draft 2020-12. A document without "$schema" is read as 2020-12 too.
const MetaSchema = "https://json-schema.org/draft/2020-12/schema"

// Compile-time check that a schema fits in a transaction.
var _ = [chain.MaxTxBytes - MaxSchemaBytes - 1024]struct{}{}

// baseURL is the retrieval URI every document is compiled under. Relative
// references resolve against it (or against the document's own "$id") and,
// unless they name a part of the document, fail: nothing is loaded.
const (
	baseDir = "https://schemas.weid.invalid/"
	baseURL = baseDir + "document.json"
)

var printer = message.NewPrinter(language.English)

// noLoader refuses every URL: a schema is compiled from its own document
// only (the library would otherwise read file: URLs from the disk).
type noLoader struct{}

func (noLoader) Load(string) (any, error) {
	return nil, errors.New("schemas may only refer to their own document")
}

// CheckSchema reports whether raw is a schema document the registry
// accepts: a JSON object of at most MaxSchemaBytes, nested at most
// MaxSchemaDepth deep, that compiles as JSON Schema 2020-12 on its own. The
// error is a 400 *errs.Error (schema.tooLarge, schema.tooDeep or
// schema.invalid), and a document in which a subschema applies itself to
// the same claim in a loop is refused too (checkCycles).
func CheckSchema(raw []byte) error {
	sch, err := compile(raw)
	if err != nil {
		return err
	}
	if err := checkCycles(sch); err != nil {
		return errs.BadRequest("schema.invalid", "%s", oneLine(err.Error()))
	}
	return nil
}

// compile checks and compiles a schema document. Every compile uses the same
// options, so a schema accepted at registration compiles the same way when a
// credential is validated against it: draft 2020-12, "format" asserted (a
// claim of format "date" must be a date; unknown formats are ignored),
// content keywords only annotations, no loading, Go's regexp (RE2 syntax,
// linear-time matching) bounded by MaxPatternInsts.
func compile(raw []byte) (*jsonschema.Schema, error) {
	if len(raw) == 0 {
		return nil, errs.BadRequest("schema.invalid", "schema is required")
	}
	if len(raw) > MaxSchemaBytes {
		return nil, errs.BadRequest("schema.tooLarge", "schema is %d bytes, the limit is %d", len(raw), MaxSchemaBytes)
	}
	if t := bytes.TrimLeft(raw, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return nil, errs.BadRequest("schema.invalid", "schema must be a JSON object")
	}
	if !utf8.Valid(raw) {
		return nil, errs.BadRequest("schema.invalid", "schema is not valid UTF-8")
	}
	if d := depth(raw); d > MaxSchemaDepth {
		return nil, errs.BadRequest("schema.tooDeep", "schema nests %d levels deep, the limit is %d", d, MaxSchemaDepth)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, errs.BadRequest("schema.invalid", "schema is not JSON: %s", oneLine(err.Error()))
	}
	budget := MaxTotalPatternInsts
	if err := checkDocument(doc, "", &budget); err != nil {
		return nil, errs.BadRequest("schema.invalid", "%s", oneLine(err.Error()))
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.UseLoader(noLoader{})
	c.UseRegexpEngine(boundedRegexp)
	if err := c.AddResource(baseURL, doc); err != nil {
		return nil, errs.BadRequest("schema.invalid", "schema: %s", oneLine(err.Error()))
	}
	sch, err := c.Compile(baseURL)
	if err != nil {
		return nil, errs.BadRequest("schema.invalid", "%s", describeCompileError(err))
	}
	return sch, nil
}

// depth returns how deeply objects and arrays nest in the JSON text b. It
// scans bytes without recursion, so it is safe on any input.
func depth(b []byte) int {
	d, most := 0, 0
	inStr, esc := false, false
	for _, c := range b {
		if inStr {
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '{', '[':
			d++
			most = max(most, d)
		case '}', ']':
			d--
		}
	}
	return most
}

// Limits on the regular expressions of a schema ("pattern",
// "patternProperties", and strings of format "regex" in claims), measured
// in instructions of the compiled RE2 program: Go's regexp matches in linear
// time, but a large program is slow to compile (a{1000} is a thousand
// instructions), and a document may hold many.
const (
	// MaxPatternInsts bounds one regular expression.
	MaxPatternInsts = 10_000
	// MaxTotalPatternInsts bounds all the regular expressions of a schema.
	MaxTotalPatternInsts = 100_000
)

// patternCost returns the size of the program regexp.Compile would make of
// s, or 0 if s does not parse (compiling the schema then fails).
func patternCost(s string) int {
	re, err := syntax.Parse(s, syntax.Perl)
	if err != nil {
		return 0
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return 0
	}
	return len(prog.Inst)
}

// boundedRegexp is the schemas' regexp engine: Go's regexp, refusing
// programs larger than MaxPatternInsts.
func boundedRegexp(s string) (jsonschema.Regexp, error) {
	if n := patternCost(s); n > MaxPatternInsts {
		return nil, fmt.Errorf("regular expression %q is too complex (%d instructions, the limit is %d)", truncateTo(s, 40), n, MaxPatternInsts)
	}
	return regexp.Compile(s)
}

// checkDocument walks the decoded document before it is compiled:
//   - every "$schema" must be MetaSchema;
//   - no "$id", "$ref" or "$dynamicRef" may point at json-schema.org, whose
//     meta-schemas the library has built in and would resolve without
//     loading (other external references fail at compile time, in noLoader);
//   - the regular expressions ("pattern" values, "patternProperties" keys)
//     must cost at most MaxTotalPatternInsts together;
//   - every x-weid-i18n annotation must be well-formed (checkI18n), and
//     every "title" and "description" printable (checkLabelChars).
//
// The walk does not know which objects are schemas, so such members inside
// "const", "enum" or "default" values are checked too.
func checkDocument(v any, path string, budget *int) error {
	switch v := v.(type) {
	case map[string]any:
		// In key order, so the same document always gets the same error.
		for _, k := range slices.Sorted(maps.Keys(v)) {
			e := v[k]
			if k == I18nKeyword {
				enum, _ := v["enum"].([]any)
				if _, _, err := checkI18n(e, path+"/"+k, enum); err != nil {
					return err
				}
				continue
			}
			switch s := e.(type) {
			case string:
				switch k {
				case "$schema":
					if s != MetaSchema {
						return fmt.Errorf("schema member %s/$schema is %q: schemas must be JSON Schema 2020-12 (%s)", path, s, MetaSchema)
					}
				case "$id", "$ref", "$dynamicRef":
					u := strings.ToLower(s)
					if un, err := url.PathUnescape(u); err == nil {
						u = strings.ToLower(un)
					}
					if strings.Contains(u, "json-schema.org") {
						return fmt.Errorf("schema member %s/%s is %q: schemas may only refer to their own document", path, k, s)
					}
				case "pattern":
					if err := spend(budget, s, path+"/pattern"); err != nil {
						return err
					}
				case "title", "description":
					if err := checkLabelChars(s, k == "description"); err != nil {
						return fmt.Errorf("schema member %s/%s %v", path, k, err)
					}
				}
			case map[string]any:
				if k == "patternProperties" {
					for _, p := range slices.Sorted(maps.Keys(s)) {
						if err := spend(budget, p, path+"/patternProperties"); err != nil {
							return err
						}
					}
				}
			}
			if err := checkDocument(e, path+"/"+pointerToken(k), budget); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range v {
			if err := checkDocument(e, fmt.Sprintf("%s/%d", path, i), budget); err != nil {
				return err
			}
		}
	}
	return nil
}

func spend(budget *int, pattern, where string) error {
	n := patternCost(pattern)
	if n > MaxPatternInsts {
		return fmt.Errorf("the regular expression at %s is too complex (%d instructions, the limit is %d)", where, n, MaxPatternInsts)
	}
	if *budget -= n; *budget < 0 {
		return fmt.Errorf("the schema's regular expressions are too complex together (the limit is %d instructions; %s goes over)", MaxTotalPatternInsts, where)
	}
	return nil
}

func pointerToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func pointer(tokens []string) string {
	if len(tokens) == 0 {
		return "/"
	}
	var sb strings.Builder
	for _, t := range tokens {
		sb.WriteByte('/')
		sb.WriteString(pointerToken(t))
	}
	return sb.String()
}

// describeCompileError makes one line of a compile error: where the
// document breaks the meta-schema, or why it does not compile.
func describeCompileError(err error) string {
	var sve *jsonschema.SchemaValidationError
	if errors.As(err, &sve) {
		var ve *jsonschema.ValidationError
		if errors.As(sve.Err, &ve) {
			const prefix = "schema is not valid JSON Schema 2020-12: "
			return prefix + describe(ve, MaxDetailLength-len(prefix))
		}
	}
	// The library names the document by its retrieval URL, which means
	// nothing to the caller.
	s := strings.ReplaceAll(err.Error(), baseURL, "")
	s = strings.ReplaceAll(s, baseDir, "")
	return oneLine("schema does not compile: " + s)
}

// describe lists the failing locations of a validation error on one line
// of at most budget bytes: "at /a/b: message; at /c: message".
func describe(ve *jsonschema.ValidationError, budget int) string {
	var parts []string
	seen := map[string]bool{}
	n := 0
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			if _, ok := e.ErrorKind.(*kind.Schema); ok {
				return
			}
			s := "at " + pointer(e.InstanceLocation) + ": " + e.ErrorKind.LocalizedString(printer)
			if !seen[s] {
				seen[s] = true
				n++
				parts = append(parts, s)
			}
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	if len(parts) == 0 {
		return oneLine(ve.Error())
	}
	return capJoin(parts, budget)
}

// capJoin joins parts with "; " while the result stays under budget bytes,
// then says how many were left out.
func capJoin(parts []string, budget int) string {
	var sb strings.Builder
	for i, p := range parts {
		p = oneLine(p)
		more := fmt.Sprintf(" (and %d more)", len(parts)-i)
		if i > 0 && sb.Len()+2+len(p)+len(more) > budget {
			sb.WriteString(more)
			break
		}
		if i > 0 {
			sb.WriteString("; ")
		}
		sb.WriteString(p)
	}
	return truncateTo(sb.String(), budget)
}

// oneLine flattens s to a single line of at most MaxDetailLength bytes.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return truncate(s)
}

func truncate(s string) string { return truncateTo(s, MaxDetailLength) }

func truncateTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := max(n-len("…"), 0)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// notFound is the error for a schema id or version that does not exist.
func notFound(id, version uint64) *errs.Error {
	if version == 0 {
		return errs.New(http.StatusNotFound, "schema.notFound", "schema %d does not exist", id)
	}
	return errs.New(http.StatusNotFound, "schema.notFound", "schema %d has no version %d", id, version)
}
