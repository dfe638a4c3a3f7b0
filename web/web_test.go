package web

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestPages_RenderedWithLayoutAndHeaders: every page is served with the
// shared layout (navigation, language switch, its own script) and headers
// that keep the browser from loading anything from elsewhere.
func TestPages_RenderedWithLayoutAndHeaders(t *testing.T) {
	for _, p := range Pages {
		rec := httptest.NewRecorder()
		PageHandler(p.Name)(rec, httptest.NewRequest("GET", p.Path(), nil))
		body := rec.Body.String()
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			t.Fatalf("%s: %d %s", p.Name, rec.Code, rec.Header().Get("Content-Type"))
		}
		for _, want := range []string{`<script src="/assets/` + p.Name + `.js" defer>`, `id="lang"`, `href="/explorer"`, `aria-current="page"`, `<main id="main"`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: page lacks %q", p.Name, want)
			}
		}
		if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("%s: CSP %q", p.Name, csp)
		}
		if regexp.MustCompile(`(?i)(src|href)="(https?:)?//`).MatchString(body) {
			t.Errorf("%s: the page refers to another origin", p.Name)
		}
		// The CSP refuses inline styles, scripts and handlers: none is written.
		if m := regexp.MustCompile(`(?i)\sstyle=|<script>|<script [^>]*>[^<]|\son[a-z]+=|<style`).FindString(body); m != "" {
			t.Errorf("%s: inline %q, which the CSP refuses", p.Name, m)
		}
		// A second request with the ETag is answered 304.
		req := httptest.NewRequest("GET", p.Path(), nil)
		req.Header.Set("If-None-Match", rec.Header().Get("ETag"))
		rec2 := httptest.NewRecorder()
		PageHandler(p.Name)(rec2, req)
		if rec2.Code != http.StatusNotModified {
			t.Errorf("%s: revalidation answered %d, want 304", p.Name, rec2.Code)
		}
	}
	for name := range assets {
		if strings.HasSuffix(name, ".js") {
			b, _ := static.ReadFile("static/" + name)
			if m := regexp.MustCompile(`\bstyle: |setAttribute\("style"|innerHTML|eval\(`).Find(b); m != nil {
				t.Errorf("%s: %q (inline styles are refused by the CSP; DOM is built from text)", name, m)
			}
		}
	}
	rec := httptest.NewRecorder()
	if !Asset(rec, httptest.NewRequest("GET", "/assets/app.css", nil), "app.css") || rec.Header().Get("Content-Type") != "text/css; charset=utf-8" {
		t.Fatalf("app.css: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	for _, name := range []string{"layout.html", "verify.html", "../web.go", ""} {
		if Asset(httptest.NewRecorder(), httptest.NewRequest("GET", "/assets/x", nil), name) {
			t.Errorf("asset %q is served", name)
		}
	}
}

// TestI18n_EveryKeyInBothLanguages: every text key the pages and scripts
// use is in i18n.js in English and Chinese, and the two have the same keys.
func TestI18n_EveryKeyInBothLanguages(t *testing.T) {
	src, err := static.ReadFile("static/i18n.js")
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	zhAt := strings.Index(text, `"zh-CN": {`)
	if zhAt < 0 {
		t.Fatal("i18n.js has no zh-CN table")
	}
	keyRE := regexp.MustCompile(`(?m)^\s+"([\w.+-]+)": "`)
	table := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, k := range keyRE.FindAllStringSubmatch(s, -1) {
			m[k[1]] = true
		}
		return m
	}
	en, zh := table(text[:zhAt]), table(text[zhAt:])
	if len(en) < 100 {
		t.Fatalf("only %d English keys found", len(en))
	}
	for k := range en {
		if !zh[k] {
			t.Errorf("%s: no Chinese text", k)
		}
	}
	for k := range zh {
		if !en[k] {
			t.Errorf("%s: Chinese text without an English one", k)
		}
	}

	// Keys used literally: data-i18n*="key", i18n: "key", w.t("key"),
	// and table/card helpers' "section.key" string arguments.
	used := map[string]bool{}
	uses := []*regexp.Regexp{
		regexp.MustCompile(`data-i18n(?:-[a-z-]+)?="([\w.-]+)"`),
		regexp.MustCompile(`i18n: "([\w.-]+)"`),
		regexp.MustCompile(`\bw\.t\("([\w.-]+)"`),
		regexp.MustCompile(`\bw\.say\([^;]*?, "\w+", "([\w.-]+)"`),
		regexp.MustCompile(`\bw\.setText\([^;]*?, "([\w.-]+)"`),
		regexp.MustCompile(`"((?:explorer|facts|issuer|inst|vp|claims|checks|verify)\.[\w.]+)"`),
	}
	err = fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, "i18n.js") {
			return err
		}
		b, err := static.ReadFile(p)
		if err != nil {
			return err
		}
		for _, re := range uses {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				if !strings.Contains(m[1], "{{") && !strings.HasSuffix(m[1], ".") { // "x." + name: prefixes
					used[m[1]] = true
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range Pages {
		used["title."+p.Name], used["nav."+p.Name] = true, true
	}
	var missing []string
	for k := range used {
		if !en[k] {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("keys used but not in i18n.js: %v", missing)
	}
}
