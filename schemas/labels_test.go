package schemas_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/hant"
	"github.com/weidgo/weid/internal/ledgertest"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/schemas"
)

const labelledSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Diploma",
  "description": "A degree.",
  "x-weid-i18n": {"zh-CN": {"title": "学位证书"}, "zh-HK": {"title": "學位證書", "description": "大學頒授的學位。"}},
  "type": "object",
  "properties": {
    "degree": {"type": "string", "title": "Degree", "x-weid-i18n": {"zh-CN": {"title": "学位"}, "zh-hk": {"title": "學位"}}},
    "gpa": {"type": "number", "title": "Grade point average"},
    "notes": {"type": "string"},
    "address": {"type": "object", "title": "Address", "properties": {"city": {"title": "City", "x-weid-i18n": {"zh": {"title": "城市"}}}}},
    "flag": true
  }
}`

func TestLabels_TitlesInTheLanguageThenTitleThenKey(t *testing.T) {
	t.Parallel()
	l, err := schemas.ParseLabels([]byte(labelledSchema))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ lang, name, want string }{
		{"zh-CN", "degree", "学位"},
		{"zh-HK", "degree", "學位"}, // the tag matched without regard to case
		{"en", "degree", "Degree"},
		{"zh-HK", "gpa", "Grade point average"}, // no translation: the title
		{"zh-CN", "notes", "notes"},             // no title: the key
		{"zh-CN", "unknown", "unknown"},
		{"zh-CN", "flag", "flag"},
	} {
		if got := l.Claim(c.lang, c.name); got != c.want {
			t.Errorf("Claim(%s, %s) = %q, want %q", c.lang, c.name, got, c.want)
		}
	}
	if got := l.Properties["address"].Claim("zh-HK", "city"); got != "城市" { // the primary language's entry
		t.Errorf("nested city in zh-HK: %q", got)
	}
	if got := l.In("zh-HK"); got != (schemas.Text{Title: "學位證書", Description: "大學頒授的學位。"}) {
		t.Errorf("root in zh-HK: %+v", got)
	}
	if got := l.In("zh-CN"); got != (schemas.Text{Title: "学位证书", Description: "A degree."}) { // description falls back alone
		t.Errorf("root in zh-CN: %+v", got)
	}
	if got := (*schemas.Labels)(nil).Claim("en", "x"); got != "x" {
		t.Errorf("nil labels: %q", got)
	}
}

// TestLabels_EnumValuesInTheLanguageThenValue: an enum value is labelled
// by the annotation's entry for the language, else for its primary
// language, else it is its own label.
func TestLabels_EnumValuesInTheLanguageThenValue(t *testing.T) {
	t.Parallel()
	l, err := schemas.ParseLabels([]byte(`{"type":"object","properties":{"level":{"enum":["bachelor","master","other"],"title":"Level",
		"x-weid-i18n":{"en":{"enum":{"master":"Master's degree"}},"zh":{"enum":{"bachelor":"学士","master":"硕士"}},"zh-HK":{"title":"級別","enum":{"master":"碩士"}}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ lang, value, want string }{
		{"en", "master", "Master's degree"},
		{"en", "bachelor", "bachelor"},
		{"zh-CN", "master", "硕士"},
		{"zh-HK", "master", "碩士"},
		{"zh-HK", "bachelor", "学士"}, // the primary language's entry
		{"zh-CN", "other", "other"},
		{"zh-CN", "unknown", "unknown"},
	} {
		if got := l.ClaimValue(c.lang, "level", c.value); got != c.want {
			t.Errorf("ClaimValue(%s, level, %s) = %q, want %q", c.lang, c.value, got, c.want)
		}
	}
	if got := l.ClaimValue("zh-CN", "nothing", "master"); got != "master" {
		t.Errorf("a property without labels: %q", got)
	}
	if got := (*schemas.Labels)(nil).ClaimValue("zh-CN", "level", "master"); got != "master" {
		t.Errorf("nil labels: %q", got)
	}
	if got := l.Claim("zh-HK", "level"); got != "級別" {
		t.Errorf("the title beside enum labels: %q", got)
	}
}

// TestCheckSchema_MalformedI18nNamesThePath: a malformed annotation is a 400
// schema.invalid naming the JSON pointer of what is wrong.
func TestCheckSchema_MalformedI18nNamesThePath(t *testing.T) {
	t.Parallel()
	prop := func(ann string) string {
		return `{"type":"object","properties":{"degree":{"type":"string","title":"Degree","x-weid-i18n":` + ann + `}}}`
	}
	level := func(ann string) string {
		return `{"type":"object","properties":{"level":{"enum":["bachelor","master",3],"x-weid-i18n":` + ann + `}}}`
	}
	long := strings.Repeat("学", schemas.MaxTitleLength+1)
	for _, c := range []struct{ schema, want string }{
		{prop(`"学位"`), "/properties/degree/x-weid-i18n must be an object"},
		{prop(`[]`), "/properties/degree/x-weid-i18n must be an object"},
		{prop(`{"chinese":{"title":"学位"}}`), `/properties/degree/x-weid-i18n/chinese: "chinese" is not a BCP 47`},
		{prop(`{"zh_CN":{"title":"学位"}}`), `/properties/degree/x-weid-i18n/zh_CN`},
		{prop(`{"zh-CN":"学位"}`), "/properties/degree/x-weid-i18n/zh-CN must be an object"},
		{prop(`{"zh-CN":{}}`), "/properties/degree/x-weid-i18n/zh-CN is empty"},
		{prop(`{"zh-CN":{"tilte":"学位"}}`), "/properties/degree/x-weid-i18n/zh-CN/tilte is not allowed"},
		{prop(`{"zh-CN":{"title":5}}`), "/properties/degree/x-weid-i18n/zh-CN/title must be a string"},
		{prop(`{"zh-CN":{"title":" "}}`), "/properties/degree/x-weid-i18n/zh-CN/title is empty"},
		{prop(`{"zh-CN":{"title":"学\n位"}}`), "/properties/degree/x-weid-i18n/zh-CN/title contains the control character U+000A"},
		{prop(`{"zh-CN":{"title":"` + long + `"}}`), "/properties/degree/x-weid-i18n/zh-CN/title is 257 characters long"},
		// Unicode Technical Report #36: a label must display as itself.
		{prop(`{"zh-CN":{"title":"\u202e位学"}}`), "/properties/degree/x-weid-i18n/zh-CN/title contains the bidirectional control character U+202E"},
		{prop(`{"zh-HK":{"description":"\u2066第一行"}}`), "/properties/degree/x-weid-i18n/zh-HK/description contains the bidirectional control character U+2066"},
		{`{"type":"object","properties":{"degree":{"type":"string","title":"eerg\u202eDe"}}}`, "schema member /properties/degree/title contains the bidirectional control character U+202E"},
		{`{"type":"object","title":"Dip\u0000loma"}`, "schema member /title contains the control character U+0000"},
		{`{"type":"object","properties":{"a":{"title":"A\nB"}}}`, "schema member /properties/a/title contains the control character U+000A"},
		{prop(`{"zh-CN":{"title":"学位"},"zh-cn":{"title":"学位"}}`), "/properties/degree/x-weid-i18n/zh-cn names the language of /properties/degree/x-weid-i18n/zh-CN again"},
		{`{"x-weid-i18n":{"zh-HK":{"description":null}}}`, "/x-weid-i18n/zh-HK/description must be a string"},
		{`{"$defs":{"a/b":{"x-weid-i18n":1}}}`, "/$defs/a~1b/x-weid-i18n must be an object"},
		{level(`{"zh-CN":{"enum":["硕士"]}}`), "/properties/level/x-weid-i18n/zh-CN/enum must be an object of the enum's values"},
		{level(`{"zh-CN":{"enum":{"masters":"硕士"}}}`), `/properties/level/x-weid-i18n/zh-CN/enum/masters names no value of the schema's "enum"`},
		{level(`{"zh-CN":{"enum":{}}}`), "/properties/level/x-weid-i18n/zh-CN/enum is empty"},
		{level(`{"zh-CN":{"enum":{"master":1}}}`), "/properties/level/x-weid-i18n/zh-CN/enum/master must be a string"},
		{level(`{"zh-CN":{"enum":{"master":""}}}`), "/properties/level/x-weid-i18n/zh-CN/enum/master is empty"},
		{level(`{"zh-CN":{"enum":{"master":"硕\n士"}}}`), "/properties/level/x-weid-i18n/zh-CN/enum/master contains the control character U+000A"},
		{prop(`{"zh-CN":{"enum":{"master":"硕士"}}}`), `/properties/degree/x-weid-i18n/zh-CN/enum labels enum values, but the schema beside it has no "enum" of strings`},
	} {
		err := schemas.CheckSchema([]byte(c.schema))
		pe := ledgertest.WantErr(t, err, http.StatusBadRequest, "schema.invalid")
		if !strings.Contains(pe.Detail, c.want) {
			t.Errorf("CheckSchema(%.80s…): %q does not contain %q", c.schema, pe.Detail, c.want)
		}
		if c.schema[0] == '{' && strings.Contains(c.schema, `"properties"`) {
			if _, err := schemas.ParseLabels([]byte(c.schema)); err == nil {
				t.Errorf("ParseLabels(%.80s…) accepted it", c.schema)
			}
		}
	}
	// Well-formed ones pass, a description on several lines too.
	for _, ok := range []string{
		labelledSchema,
		prop(`{}`),
		prop(`{"zh-Hant-HK":{"description":"第一行\n第二行"},"en-GB":{"title":"Degree"}}`),
		level(`{"en":{"enum":{"master":"Master's degree"}},"zh":{"title":"层次","enum":{"bachelor":"学士","master":"硕士"}}}`),
	} {
		if err := schemas.CheckSchema([]byte(ok)); err != nil {
			t.Errorf("CheckSchema(%.80s…): %v", ok, err)
		}
	}
}

// TestRegister_MalformedI18nRefused: the registry refuses a schema whose
// annotation is malformed before anything is written.
func TestRegister_MalformedI18nRefused(t *testing.T) {
	t.Parallel()
	e := newLedger(t)
	alice := e.User(t, keys.Ed25519)
	bad := `{"type":"object","properties":{"gpa":{"type":"number","x-weid-i18n":{"zh-HK":{"title":""}}}}}`
	_, err := e.submit(t, alice.Tx(t, schemas.TxRegister, schemas.RegisterPayload{Schema: []byte(bad)}))
	pe := ledgertest.WantErr(t, err, http.StatusBadRequest, "schema.invalid")
	if !strings.Contains(pe.Detail, "/properties/gpa/x-weid-i18n/zh-HK/title is empty") {
		t.Errorf("detail %q", pe.Detail)
	}
}

// TestSystemSchemas_LabelledInThreeLanguages: the genesis schemas and each
// of their properties have a title and a description in English,
// Simplified Chinese and Hong Kong / Macau Traditional Chinese.
func TestSystemSchemas_LabelledInThreeLanguages(t *testing.T) {
	t.Parallel()
	for _, s := range schemas.SystemSchemas() {
		l, err := schemas.ParseLabels(s.Schema)
		if err != nil {
			t.Fatalf("schema %d: %v", s.ID, err)
		}
		check := func(where string, l *schemas.Labels) {
			if l.Title == "" || l.Description == "" {
				t.Errorf("schema %d %s: no English title or description", s.ID, where)
			}
			for _, lang := range []string{"zh-CN", "zh-HK"} {
				tx, ok := l.I18n[lang]
				if !ok || tx.Title == "" || tx.Description == "" {
					t.Errorf("schema %d %s: no %s title or description: %+v", s.ID, where, lang, tx)
				}
				for _, txt := range []string{tx.Title, tx.Description} {
					if lang == "zh-HK" {
						if c := hant.SimplifiedOnly(txt); c != "" {
							t.Errorf("schema %d %s: zh-HK %q has the Simplified %s", s.ID, where, txt, c)
						}
					}
				}
			}
		}
		check("", l)
		if len(l.Properties) == 0 {
			t.Fatalf("schema %d has no properties", s.ID)
		}
		for name, p := range l.Properties {
			check("/properties/"+name, p)
			enumLabelled(t, s, name, p)
		}
	}
}

// enumLabelled fails unless each value of the enum of the property name
// of the system schema s has a label in English, Simplified and Hong Kong
// / Macau Traditional Chinese.
func enumLabelled(t *testing.T, s schemas.System, name string, p *schemas.Labels) {
	t.Helper()
	var doc struct {
		Properties map[string]struct {
			Enum []any `json:"enum"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(s.Schema, &doc); err != nil {
		t.Fatal(err)
	}
	for _, v := range doc.Properties[name].Enum {
		value, _ := v.(string)
		for _, lang := range []string{"en", "zh-CN", "zh-HK"} {
			label := p.EnumI18n[lang][value]
			if label == "" {
				t.Errorf("schema %d /properties/%s: the value %v has no %s label", s.ID, name, v, lang)
			}
			if c := hant.SimplifiedOnly(label); lang == "zh-HK" && c != "" {
				t.Errorf("schema %d /properties/%s: zh-HK %q has the Simplified %s", s.ID, name, label, c)
			}
		}
	}
}

// FuzzParseLabels: reading the labels of any document never panics; a
// refusal is a 400 *errs.Error; a document CheckSchema accepts has labels,
// and a claim's label is never empty.
func FuzzParseLabels(f *testing.F) {
	f.Add([]byte(labelledSchema))
	f.Add([]byte(`{"properties":{"a":{"x-weid-i18n":{"zh-CN":{"title":"甲"}}}}}`))
	f.Add([]byte(`{"x-weid-i18n":{"zh-CN":{"title":"a","x":1}}}`))
	f.Add([]byte(`{"properties":{"a":{"properties":{"b":{"x-weid-i18n":{"en-Latn-GB-oxendict":{"description":"b"}}}}}}}`))
	f.Add([]byte(`{"properties":{"a":{"enum":["x",1],"x-weid-i18n":{"zh":{"enum":{"x":"甲"}}}}}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := schemas.ParseLabels(b)
		if err != nil {
			if e, ok := errs.As(err); !ok || e.Status != 400 {
				t.Fatalf("ParseLabels(%q): %v", b, err)
			}
			if schemas.CheckSchema(b) == nil {
				t.Fatalf("CheckSchema accepts %q, ParseLabels refuses it: %v", b, err)
			}
			return
		}
		for _, lang := range []string{"en", "zh-CN", "zh-HK", ""} {
			_ = l.In(lang)
			for name := range l.Properties {
				if name != "" && l.Claim(lang, name) == "" {
					t.Fatalf("empty label for %q in %q", name, lang)
				}
				for _, values := range l.Properties[name].EnumI18n {
					for v := range values {
						if strings.TrimSpace(v) != "" && strings.TrimSpace(l.ClaimValue(lang, name, v)) == "" {
							t.Fatalf("empty label for the value %q of %q in %q", v, name, lang)
						}
					}
				}
			}
		}
	})
}
