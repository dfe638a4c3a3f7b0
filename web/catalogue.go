package web

// The message catalogue: the pages' texts (static/i18n.js) read in Go, so
// that the CLI says a verdict, a check's outcome or a problem in the same
// words as the pages, from the same codes (one catalogue, one mechanism).

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Languages are the languages of the catalogue: English, Simplified
// Chinese and Traditional Chinese as written in Hong Kong and Macau.
var Languages = []string{"en", "zh-CN", "zh-HK"}

// Catalogue is the pages' texts: language → key → text, where a text may
// hold {name} placeholders.
type Catalogue map[string]map[string]string

// Messages returns the catalogue of static/i18n.js, read once.
func Messages() (Catalogue, error) { return messages() }

var messages = sync.OnceValues(func() (Catalogue, error) {
	src, err := static.ReadFile("static/i18n.js")
	if err != nil {
		return nil, err
	}
	return parseCatalogue(src)
})

var (
	catalogueStart = regexp.MustCompile(`^window\.weid\.i18n = \{$`)
	catalogueTable = regexp.MustCompile(`^  "?([A-Za-z]{2}(?:-[A-Za-z]{2})?)"?: \{$`)
	catalogueEntry = regexp.MustCompile(`^\s+"([\w.+-]+)": ("(?:[^"\\]|\\.)*"),$`)
	catalogueEnd   = regexp.MustCompile(`^  \},$`)
)

// parseCatalogue reads i18n.js, which is written in a strict form: after
// "window.weid.i18n = {", one table per language ("  en: {", "  \"zh-CN\":
// {") of "key": "text", lines, each table closed by "  },", and "};"; blank
// lines and // comments anywhere. Any other line is an error naming it.
func parseCatalogue(src []byte) (Catalogue, error) {
	c := Catalogue{}
	var table map[string]string
	inside := false
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "//") {
			continue
		}
		if !inside {
			inside = catalogueStart.MatchString(line)
			continue
		}
		switch m := catalogueEntry.FindStringSubmatch(line); {
		case table != nil && m != nil:
			s, err := strconv.Unquote(m[2])
			if err != nil {
				return nil, fmt.Errorf("i18n.js:%d: the text of %s: %v", n, m[1], err)
			}
			if _, dup := table[m[1]]; dup {
				return nil, fmt.Errorf("i18n.js:%d: %s again", n, m[1])
			}
			table[m[1]] = s
		case table != nil && catalogueEnd.MatchString(line):
			table = nil
		case table == nil && catalogueTable.MatchString(line):
			lang := catalogueTable.FindStringSubmatch(line)[1]
			table = map[string]string{}
			c[lang] = table
		case table == nil && line == "};":
			return c, c.complete()
		default:
			return nil, fmt.Errorf("i18n.js:%d: not a line of the catalogue: %q", n, line)
		}
	}
	return nil, fmt.Errorf("i18n.js: the catalogue is not closed")
}

// complete checks the catalogue has a table for each of Languages.
func (c Catalogue) complete() error {
	for _, l := range Languages {
		if len(c[l]) == 0 {
			return fmt.Errorf("i18n.js: no %s table", l)
		}
	}
	return nil
}

// Has reports whether key has a text (in English, hence in every
// language: a test keeps the tables in step).
func (c Catalogue) Has(key string) bool {
	_, ok := c["en"][key]
	return ok
}

var placeholder = regexp.MustCompile(`\{(\w+)\}`)

// T is the text of key in lang (English when lang has none) with its
// {name} placeholders filled from vars, as the pages' weid.t does; an
// unknown key is returned as it is, a placeholder without a value kept.
// A key with a singular form ("key.one") takes it when a value of vars is
// "1".
func (c Catalogue) T(lang, key string, vars map[string]string) string {
	if c.Has(key + ".one") {
		for _, v := range vars {
			if v == "1" {
				key += ".one"
				break
			}
		}
	}
	s, ok := c[lang][key]
	if !ok {
		if s, ok = c["en"][key]; !ok {
			return key
		}
	}
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := vars[m[1:len(m)-1]]; ok {
			return v
		}
		return m
	})
}
