package web

import (
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/internal/hant"
	"github.com/weidgo/weid/oid4vp"
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

// languages are the pages' languages, as i18n.js names its tables.
var languages = Languages

// i18nTables reads i18n.js as the CLI does (Messages): language → key →
// text.
func i18nTables(t *testing.T) map[string]map[string]string {
	t.Helper()
	tables, err := Messages()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range languages {
		if len(tables[l]) < 100 {
			t.Fatalf("i18n.js: %d keys in the %s table", len(tables[l]), l)
		}
	}
	if len(tables) != len(languages) {
		t.Errorf("i18n.js has the tables %v, want %v", slices.Sorted(maps.Keys(tables)), languages)
	}
	return tables
}

// TestI18n_EveryKeyInBothLanguages: every text key the pages and scripts
// use is in i18n.js in English, Simplified and Traditional Chinese, and
// the three have the same keys and the same {placeholders}.
func TestI18n_EveryKeyInBothLanguages(t *testing.T) {
	tables := i18nTables(t)
	en := tables["en"]
	placeholders := func(s string) string {
		p := regexp.MustCompile(`\{\w+\}`).FindAllString(s, -1)
		sort.Strings(p)
		return strings.Join(p, "")
	}
	for _, l := range languages[1:] {
		for k, s := range en {
			tr, ok := tables[l][k]
			if !ok {
				t.Errorf("%s: no %s text", k, l)
				continue
			}
			if placeholders(tr) != placeholders(s) {
				t.Errorf("%s: the %s text %q has other placeholders than %q", k, l, tr, s)
			}
		}
		for k := range tables[l] {
			if _, ok := en[k]; !ok {
				t.Errorf("%s: %s text without an English one", k, l)
			}
		}
	}
	// zh-HK is Traditional Chinese: none of these Simplified-only
	// characters (of words the pages use) is left over.
	for k, s := range tables["zh-HK"] {
		if i := strings.IndexAny(s, "证书签发验账时这个们无录区块数据类与为删发请确认错误状态"); i >= 0 {
			t.Errorf("zh-HK %s: %q has the Simplified character %q", k, s, []rune(s[i:])[0])
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
		regexp.MustCompile(`"((?:explorer|facts|issuer|inst|vp|claims|checks|verify|untrusted|detail|problem|reason)\.[\w.]+)"`),
	}
	err := fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
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
		if _, ok := en[k]; !ok {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("keys used but not in i18n.js: %v", missing)
	}
}

// TestI18n_VerdictsInThreeLanguages: every check the verify page shows
// (credential.CheckNames, credential.PresentationCheckNames and the
// OpenID4VP verdict's), every code a check reports (credential.CheckCodes,
// and each status's sentence for the "<check>.<status>" codes) and every
// problem code the verify page can be answered with has its text in all
// three languages; the problem codes are the node's (openapi.json).
func TestI18n_VerdictsInThreeLanguages(t *testing.T) {
	tables := i18nTables(t)
	var keys []string
	names := slices.Concat(credential.CheckNames, credential.PresentationCheckNames,
		[]string{oid4vp.CheckPresentations, oid4vp.CheckNonce, oid4vp.CheckAudience, oid4vp.CheckHolderBinding, oid4vp.CheckQuery, oid4vp.CheckDisclosure, "wallet"})
	for _, n := range names {
		keys = append(keys, "check."+n)
	}
	for _, st := range credential.CheckStatuses {
		keys = append(keys, "status."+st, "reason.generic."+st)
	}
	for _, c := range slices.Concat(credential.CheckCodes, oid4vp.VerdictCodes) {
		keys = append(keys, "reason."+c)
	}
	pageProblems := slices.Concat(verifyPageProblems, explorerPageProblems, institutionPageProblems)
	for _, c := range pageProblems {
		keys = append(keys, "problem."+c)
	}
	keys = append(keys, "problem.generic", "err.network", "err.timeout", "detail.english", "verify.notCredential",
		"untrusted.title", "untrusted.text", "untrusted.show", "untrusted.mark")
	for _, k := range keys {
		for _, l := range languages {
			if strings.TrimSpace(tables[l][k]) == "" {
				t.Errorf("%s: no %s text", k, l)
			}
		}
	}

	// A check's name is translated, not left in English ("State").
	for k, s := range tables["en"] {
		if strings.HasPrefix(k, "check.") {
			for _, l := range languages[1:] {
				if tables[l][k] == s {
					t.Errorf("%s: the %s name is the English %q", k, l, s)
				}
			}
		}
	}

	// The problem codes are the node's, and every problem text is of one.
	known := map[string]bool{}
	for _, c := range openAPIProblemCodes(t) {
		known[c] = true
	}
	if len(known) < 100 {
		t.Fatalf("openapi.json lists %d problem codes", len(known))
	}
	for _, c := range pageProblems {
		if !known[c] {
			t.Errorf("%s is not a problem code of the node", c)
		}
	}
	for k := range tables["en"] {
		if c, ok := strings.CutPrefix(k, "problem."); ok && c != "generic" && !known[c] {
			t.Errorf("%s: not a problem code of the node", k)
		}
		if c, ok := strings.CutPrefix(k, "reason."); ok && !strings.HasPrefix(c, "generic.") && !slices.Contains(credential.CheckCodes, c) && !slices.Contains(oid4vp.VerdictCodes, c) {
			t.Errorf("%s: not a code of credential.CheckCodes or oid4vp.VerdictCodes", k)
		}
	}
}

// verifyPageProblems are the problem codes the APIs the verify page calls
// answer with: POST /credentials/verify, the trust registry and DID
// lookups, the account's issuer instances and schemas, and the
// presentation requests.
var verifyPageProblems = []string{
	"auth.adminOnly", "auth.invalidToken", "auth.notCustodian", "auth.notOwner", "auth.required",
	"credential.invalid", "credential.unsupportedFormat", "credential.tooLarge",
	"request.malformed", "request.unreadable", "request.badQuery", "request.tooLarge",
	"internal", "ledger.busy", "ledger.closed", "ledger.unavailable",
	"did.notFound", "did.deactivated", "did.invalidDid",
	"presentationRequest.invalid", "presentationRequest.notFound", "presentationRequest.tooMany", "presentationRequest.tooManyStreams",
}

// explorerPageProblems are the problem codes of the explorer's lookups
// (GET /v1/blocks/{height}, /v1/txs/{hash}), and institutionPageProblems
// those of the institution page's offer and revocation (POST /v1/offers,
// /credentials/status): a clerk who searches a height the ledger has not
// reached, or revokes an id the node never issued, is told so in the
// page's language, not "the node refused the request (status 404)".
var (
	explorerPageProblems    = []string{"block.notFound", "block.badHeight", "block.belowBase", "tx.notFound", "tx.badHash"}
	institutionPageProblems = []string{"credential.notFound", "status.irreversible", "status.purposeMismatch", "status.unchanged", "schema.violation", "schema.notFound", "offer.invalid",
		"issuer.notFound", "offer.notFound", "node.notReady", "keys.unavailable", "status.listFull", "status.pending", "tx.pending", "tx.dropped"}
)

// TestI18n_ZhHKIsTraditional: the zh-HK texts (Hong Kong and Macau) hold
// no character that exists only in the Simplified script (撤销 for 撤銷,
// 签发 for 簽發, 凭证 for 憑證, 验证 for 驗證…).
func TestI18n_ZhHKIsTraditional(t *testing.T) {
	if hant.SimplifiedOnly("撤销签发凭证验证") != "销" {
		t.Fatal("the check finds nothing")
	}
	tables := i18nTables(t)
	for _, k := range slices.Sorted(maps.Keys(tables["zh-HK"])) {
		if c := hant.SimplifiedOnly(tables["zh-HK"][k]); c != "" {
			t.Errorf("zh-HK %s has the Simplified %s: %q", k, c, tables["zh-HK"][k])
		}
	}
}

// TestI18n_ZhHKWordsOfHongKongAndMacau: the zh-HK texts use the words of
// Hong Kong and Macau, not mainland ones written in Traditional
// characters: 資料 for data (as the system schemas' zh-HK texts write
// it), 範本 for a template (a schema is a 資料範本).
func TestI18n_ZhHKWordsOfHongKongAndMacau(t *testing.T) {
	mainland := map[string]string{"數據": "資料", "模板": "範本"}
	tables := i18nTables(t)
	for _, k := range slices.Sorted(maps.Keys(tables["zh-HK"])) {
		for word, local := range mainland {
			if strings.Contains(tables["zh-HK"][k], word) {
				t.Errorf("zh-HK %s has the mainland %s, not %s: %q", k, word, local, tables["zh-HK"][k])
			}
		}
	}
}
