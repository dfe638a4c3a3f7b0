package schemas

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/weidgo/weid/errs"
)

// I18nKeyword is the annotation that gives a schema, or one of its
// properties, its title and description in other languages than its own
// "title" and "description" (JSON Schema 2020-12 Validation §9.1):
//
//	"x-weid-i18n": {
//	  "zh-CN": {"title": "学位", "description": "…", "enum": {"master": "硕士"}},
//	  "zh-HK": {"title": "學位", "description": "…", "enum": {"master": "碩士"}}
//	}
//
// Members are BCP 47 language tags (RFC 5646 §2.1), each with a title, a
// description, labels of the values of the schema's "enum" (strings), or
// any of them. JSON Schema 2020-12 (Core §6.5) lets a schema carry
// keywords it does not define and validators ignore them, so the
// annotation changes nothing a schema accepts; CheckSchema refuses a
// malformed one, naming where it is.
const I18nKeyword = "x-weid-i18n"

// Limits on the texts of a schema's labels, in characters.
const (
	// MaxTitleLength bounds a title in x-weid-i18n.
	MaxTitleLength = 256
	// MaxDescriptionLength bounds a description in x-weid-i18n.
	MaxDescriptionLength = 2048
	// maxLangTag bounds a language tag (RFC 5646 §4.4.1 recommends
	// supporting 35 characters at least; longer tags are exotic).
	maxLangTag = 35
)

// Text is a title and a description in one language.
type Text struct {
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
}

// Labels are the words a schema gives a credential or one claim: its own
// "title" and "description", their translations (x-weid-i18n) and, for an
// object, its properties' labels.
type Labels struct {
	Text
	// I18n is the annotation's texts by language tag as written.
	I18n map[string]Text `json:"i18n,omitempty"`
	// EnumI18n are the annotation's labels of the values of the schema's
	// "enum": language tag as written → value → label.
	EnumI18n map[string]map[string]string `json:"enumI18n,omitempty"`
	// Properties are the labels of the members of "properties".
	Properties map[string]*Labels `json:"properties,omitempty"`
}

// In returns the title and description in the language tag lang: each
// from the annotation's entry for lang (matched without regard to case),
// else for its primary language subtag alone ("zh" for "zh-HK"), else the
// schema's own.
func (l *Labels) In(lang string) Text {
	if l == nil {
		return Text{}
	}
	out := l.Text
	var exact, base *Text
	primary, _, _ := strings.Cut(lang, "-")
	for tag, t := range l.I18n {
		if strings.EqualFold(tag, lang) {
			exact = &t
		} else if strings.EqualFold(tag, primary) {
			base = &t
		}
	}
	for _, t := range []*Text{base, exact} { // the closer one last, so it wins
		if t == nil {
			continue
		}
		if t.Title != "" {
			out.Title = t.Title
		}
		if t.Description != "" {
			out.Description = t.Description
		}
	}
	return out
}

// Claim returns the label of the property name in the language lang: its
// title there (see In), else its name.
func (l *Labels) Claim(lang, name string) string {
	if l != nil {
		if t := l.Properties[name].In(lang).Title; t != "" {
			return t
		}
	}
	return name
}

// Value returns the label of the enum value v in the language lang: the
// annotation's for lang (matched without regard to case), else for its
// primary language subtag alone, else v itself.
func (l *Labels) Value(lang, v string) string {
	if l == nil {
		return v
	}
	out := v
	primary, _, _ := strings.Cut(lang, "-")
	for tag, m := range l.EnumI18n {
		if s, ok := m[v]; ok && strings.EqualFold(tag, lang) {
			return s
		} else if ok && strings.EqualFold(tag, primary) {
			out = s
		}
	}
	return out
}

// ClaimValue returns the label of the value v of the property name in the
// language lang (see Value): v unless the property's enum labels it.
func (l *Labels) ClaimValue(lang, name, v string) string {
	if l == nil {
		return v
	}
	return l.Properties[name].Value(lang, v)
}

// ParseLabels reads the labels of a schema document: the root's and those
// of its properties, nested objects' properties included. The document
// must be a JSON object; its x-weid-i18n annotations must be well-formed
// (400 schema.invalid naming the first malformed one otherwise), and its
// titles and descriptions printable (checkLabelChars). It does
// not otherwise check that the document is a schema (CheckSchema does).
func ParseLabels(raw []byte) (*Labels, error) {
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil || doc == nil {
		return nil, errs.BadRequest("schema.invalid", "schema must be a JSON object")
	}
	l, err := labelsOf(doc, "", MaxSchemaDepth)
	if err != nil {
		return nil, errs.BadRequest("schema.invalid", "%s", oneLine(err.Error()))
	}
	return l, nil
}

// labelsOf reads the labels of the schema object s at path, and of its
// properties down to depth levels.
func labelsOf(s map[string]any, path string, depth int) (*Labels, error) {
	l := &Labels{}
	l.Title, _ = s["title"].(string)
	l.Description, _ = s["description"].(string)
	if err := checkLabelChars(l.Title, false); err != nil {
		return nil, fmt.Errorf("schema member %s/title %v", path, err)
	}
	if err := checkLabelChars(l.Description, true); err != nil {
		return nil, fmt.Errorf("schema member %s/description %v", path, err)
	}
	if a, ok := s[I18nKeyword]; ok {
		enum, _ := s["enum"].([]any)
		m, values, err := checkI18n(a, path+"/"+I18nKeyword, enum)
		if err != nil {
			return nil, err
		}
		l.I18n, l.EnumI18n = m, values
	}
	props, _ := s["properties"].(map[string]any)
	if depth <= 1 || len(props) == 0 {
		return l, nil
	}
	l.Properties = make(map[string]*Labels, len(props))
	for _, name := range slices.Sorted(maps.Keys(props)) {
		p, ok := props[name].(map[string]any)
		if !ok {
			continue // a boolean schema has no words
		}
		pl, err := labelsOf(p, path+"/properties/"+pointerToken(name), depth-1)
		if err != nil {
			return nil, err
		}
		l.Properties[name] = pl
	}
	return l, nil
}

// langTag is the form of a language tag x-weid-i18n accepts: a primary
// language subtag and up to four more (script, region, variants), each
// alphanumeric; language.Parse then checks it is well-formed BCP 47.
var langTag = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,4}$`)

// checkI18n checks the value v of an x-weid-i18n member at path, beside
// the schema's "enum" (nil if none), and returns its texts and its enum
// labels: an object whose members are distinct language tags (RFC 5646
// §2.1; not differing in case alone, as tags are compared without regard
// to case, §2.1.1), each an object with a "title", a "description", an
// "enum" (see checkEnumLabels) or several and no other member; a title and
// a description non-empty strings without control characters (a
// description may break lines) within MaxTitleLength and
// MaxDescriptionLength characters.
func checkI18n(v any, path string, enum []any) (map[string]Text, map[string]map[string]string, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, nil, fmt.Errorf("schema member %s must be an object of language tags, e.g. {\"zh-CN\": {\"title\": \"…\"}}", path)
	}
	out := make(map[string]Text, len(m))
	var values map[string]map[string]string
	seen := map[string]string{}
	for _, tag := range slices.Sorted(maps.Keys(m)) {
		where := path + "/" + pointerToken(tag)
		if len(tag) > maxLangTag || !langTag.MatchString(tag) {
			return nil, nil, fmt.Errorf("schema member %s: %q is not a BCP 47 language tag such as zh-CN or zh-HK", where, truncateTo(tag, 40))
		}
		if _, err := language.Parse(tag); err != nil {
			return nil, nil, fmt.Errorf("schema member %s: %q is not a well-formed BCP 47 language tag", where, tag)
		}
		if prev, dup := seen[strings.ToLower(tag)]; dup {
			return nil, nil, fmt.Errorf("schema member %s names the language of %s/%s again (tags differing in case are one language)", where, path, pointerToken(prev))
		}
		seen[strings.ToLower(tag)] = tag
		entry, ok := m[tag].(map[string]any)
		if !ok {
			return nil, nil, fmt.Errorf("schema member %s must be an object with a \"title\", a \"description\", an \"enum\" or several", where)
		}
		if len(entry) == 0 {
			return nil, nil, fmt.Errorf("schema member %s is empty: give a \"title\", a \"description\", an \"enum\" or several", where)
		}
		var t Text
		for _, k := range slices.Sorted(maps.Keys(entry)) {
			at := where + "/" + pointerToken(k)
			var limit int
			var dst *string
			switch k {
			case "title":
				limit, dst = MaxTitleLength, &t.Title
			case "description":
				limit, dst = MaxDescriptionLength, &t.Description
			case "enum":
				labels, err := checkEnumLabels(entry[k], at, enum)
				if err != nil {
					return nil, nil, err
				}
				if values == nil {
					values = map[string]map[string]string{}
				}
				values[tag] = labels
				continue
			default:
				return nil, nil, fmt.Errorf("schema member %s is not allowed: an %s entry has only \"title\", \"description\" and \"enum\"", at, I18nKeyword)
			}
			s, ok := entry[k].(string)
			if !ok {
				return nil, nil, fmt.Errorf("schema member %s must be a string", at)
			}
			if err := checkLabelText(s, k == "description", limit); err != nil {
				return nil, nil, fmt.Errorf("schema member %s %s", at, err)
			}
			*dst = s
		}
		if t != (Text{}) {
			out[tag] = t
		}
	}
	return out, values, nil
}

// checkEnumLabels checks the "enum" member v of an x-weid-i18n entry at
// path and returns it: a non-empty object that labels string values of
// the schema's "enum" (each key one of them), each label a title (non-empty,
// without control characters, within MaxTitleLength characters).
func checkEnumLabels(v any, path string, enum []any) (map[string]string, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("schema member %s must be an object of the enum's values and their labels, e.g. {\"master\": \"…\"}", path)
	}
	values := map[string]bool{}
	for _, e := range enum {
		if s, ok := e.(string); ok {
			values[s] = true
		}
	}
	if len(values) == 0 {
		return nil, fmt.Errorf("schema member %s labels enum values, but the schema beside it has no \"enum\" of strings", path)
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("schema member %s is empty: label at least one value of the enum", path)
	}
	out := make(map[string]string, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		at := path + "/" + pointerToken(k)
		if !values[k] {
			return nil, fmt.Errorf("schema member %s names no value of the schema's \"enum\"", at)
		}
		s, ok := m[k].(string)
		if !ok {
			return nil, fmt.Errorf("schema member %s must be a string", at)
		}
		if err := checkLabelText(s, false, MaxTitleLength); err != nil {
			return nil, fmt.Errorf("schema member %s %s", at, err)
		}
		out[k] = s
	}
	return out, nil
}

// checkLabelText checks one title or description.
func checkLabelText(s string, multiline bool, limit int) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("is empty")
	}
	if n := utf8.RuneCountInString(s); n > limit {
		return fmt.Errorf("is %d characters long, the limit is %d", n, limit)
	}
	return checkLabelChars(s, multiline)
}

// checkLabelChars refuses in a title or description (x-weid-i18n's, or the
// schema's own "title" and "description", which label the same fields) a
// control character, a line break but in a description, and the Unicode
// Bidi_Control characters (U+202E RIGHT-TO-LEFT OVERRIDE and the like), with
// which a label displays as another ("Bidirectional Text Spoofing", Unicode
// Technical Report #36): the verify page names a credential's claims by
// them.
func checkLabelChars(s string, multiline bool) error {
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && r == '\n') {
			return fmt.Errorf("contains the control character %U", r)
		}
		if unicode.Is(unicode.Bidi_Control, r) {
			return fmt.Errorf("contains the bidirectional control character %U", r)
		}
	}
	return nil
}
