// Package web is the node's web pages: a verifier page (/verify), a ledger
// explorer (/explorer) and the institution pages (/institution). They are
// plain HTML, CSS and JavaScript embedded in the binary, call the node's
// own HTTP API from the browser, and load nothing from anywhere else (the
// Content-Security-Policy header says so to the browser too).
//
// Each page is static/layout.html (head, navigation, language switch) with
// the page's own static/<name>.html as its "main" template, rendered once
// at start; static/i18n.js holds the English and Chinese texts.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed static
var static embed.FS

// Page is one of the web pages.
type Page struct {
	// Name is the page's path without the slash and the name of its
	// template (static/<name>.html) and script (static/<name>.js).
	Name string
}

// Pages are the pages, in the order of the navigation.
var Pages = []Page{{Name: "verify"}, {Name: "explorer"}, {Name: "institution"}}

// Path is the URL path of the page.
func (p Page) Path() string { return "/" + p.Name }

// csp allows the pages their own scripts, styles and API, and QR images
// given as data: URLs; nothing from elsewhere, no inline script.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"form-action 'none'; frame-ancestors 'none'; base-uri 'none'"

type asset struct {
	body  []byte
	ctype string
	etag  string
}

var (
	pages  = map[string]*asset{}
	assets = map[string]*asset{}
)

func newAsset(body []byte, ctype string) *asset {
	sum := sha256.Sum256(body)
	return &asset{body: body, ctype: ctype, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
}

func init() {
	for _, p := range Pages {
		t := template.Must(template.ParseFS(static, "static/layout.html", "static/"+p.Name+".html"))
		var b bytes.Buffer
		if err := t.ExecuteTemplate(&b, "layout", map[string]any{"Name": p.Name, "Pages": Pages}); err != nil {
			panic("web: page " + p.Name + ": " + err.Error())
		}
		pages[p.Name] = newAsset(b.Bytes(), "text/html; charset=utf-8")
	}
	types := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
	err := fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ct, ok := types[path.Ext(p)]
		if !ok {
			return nil // templates are served as pages only
		}
		b, err := static.ReadFile(p)
		if err != nil {
			return err
		}
		assets[strings.TrimPrefix(p, "static/")] = newAsset(b, ct)
		return nil
	})
	if err != nil {
		panic("web: " + err.Error())
	}
}

// PageHandler serves the page named name.
func PageHandler(name string) http.HandlerFunc {
	a := pages[name]
	if a == nil {
		panic("web: no page " + name)
	}
	return func(w http.ResponseWriter, r *http.Request) { serve(w, r, a) }
}

// Asset serves the script, style sheet or image named file and reports
// whether there is one.
func Asset(w http.ResponseWriter, r *http.Request, file string) bool {
	a := assets[file]
	if a == nil {
		return false
	}
	serve(w, r, a)
	return true
}

func serve(w http.ResponseWriter, r *http.Request, a *asset) {
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	// Revalidated on every load (cheap: an ETag), so a new binary's pages
	// are seen at once.
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", a.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
}
