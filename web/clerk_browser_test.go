package web_test

import (
	"encoding/base64"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/weidgo/weid/node"
)

// The pages as a clerk uses them: on a phone, with a long grant, a
// refused form, the wrong token, a node that is down or hangs.

var (
	grantOnce sync.Once
	grantJWT  string // a data authorization grant with long DIDs and a long URL
	plainJWT  string // a credential without a schema: a boolean, a list, a date
	grantErr  error
)

// grants issues, once, a data authorization grant (system schema 1) and a
// credential of an instance without a schema, from an account of their
// own (the university's instances stay as the other tests count them).
func grants(t *testing.T, f *fixture) (string, string) {
	t.Helper()
	grantOnce.Do(func() {
		var acct node.NewAccount
		if grantErr = f.call("POST", "/v1/accounts", f.admin, `{"name":"records-office"}`, 201, &acct); grantErr != nil {
			return
		}
		for _, body := range []string{
			`{"name":"grant","issuer":"` + acct.DID + `","schema":1,"types":["DataAuthorizationCredential"]}`,
			`{"name":"plain","issuer":"` + acct.DID + `","types":["MembershipCredential"]}`,
		} {
			if grantErr = f.call("POST", "/v1/issuer-instances", acct.Token, body, 201, nil); grantErr != nil {
				return
			}
		}
		issue := func(instance, subject string) (string, error) {
			var out struct {
				VerifiableCredential struct {
					ID string `json:"id"`
				} `json:"verifiableCredential"`
			}
			cred := `{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/undefined-terms/v2"],"type":["VerifiableCredential"],"issuer":"` + acct.DID + `","credentialSubject":` + subject + `}`
			err := f.call("POST", "/issuers/"+instance+"/credentials/issue", acct.Token, `{"credential":`+cred+`}`, 201, &out)
			return strings.TrimPrefix(out.VerifiableCredential.ID, "data:application/vc+jwt,"), err
		}
		long := "https://records.example.edu/v1/students/2026/archive/transcripts/" + strings.Repeat("a1b2c3d4e5", 6) + "/full-record.json"
		if grantJWT, grantErr = issue("grant", `{"id":"`+f.uni.DID+`","grantor":"`+acct.DID+`","grantee":"`+f.uni.DID+`","resource":"`+long+`",`+
			`"scope":["degree","awardedDate"],"purpose":"admission","expires":"2027-01-06T01:02:54Z"}`); grantErr != nil {
			return
		}
		plainJWT, grantErr = issue("plain", `{"id":"`+f.desk.DID+`","member":true,"roles":["clerk","auditor"],"joined":"2026-07-01","page":"`+long+`"}`)
	})
	if grantErr != nil {
		t.Fatalf("grants: %v", grantErr)
	}
	return grantJWT, plainJWT
}

// TestBrowser_VerifyGrantFitsAPhone: a grant whose claims are long DIDs
// and a URL, verified on a 390 px screen in each language, stays within
// the screen: its cards do not run off the right edge.
func TestBrowser_VerifyGrantFitsAPhone(t *testing.T) {
	ctx := tab(t)
	f := getFixture(t)
	grant, plain := grants(t, f)
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 390, Height: 844, DeviceScaleFactor: 1, Mobile: true}); err != nil {
		t.Fatal(err)
	}
	defer run(t, ctx, "back to English", setSelect("#lang", "en"))
	for _, lang := range []string{"zh-HK", "zh-CN", "en"} {
		for name, cred := range map[string]string{"grant": grant, "plain": plain} {
			verifyIn(t, ctx, f.url, lang, cred, "#claims")
			if w := eval[[]int](t, ctx, `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`); w[0] > w[1] {
				wide := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("main *")).filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth).slice(0, 8).map(e => e.tagName + "#" + e.id + "." + e.className)`)
				t.Errorf("%s %s: %d px wide on a %d px screen: %q", lang, name, w[0], w[1], wide)
			}
			if name == "grant" {
				shot(t, ctx, "phone-verify-grant-"+lang+".png")
			}
		}
	}
}

// TestBrowser_VerifyClaimValuesInPageLanguage: a boolean claim is yes or
// no in the page's words, a list is a list, and dates and times are
// written as the page writes the ledger's, not as raw JSON or ISO text.
func TestBrowser_VerifyClaimValuesInPageLanguage(t *testing.T) {
	ctx := tab(t)
	f := getFixture(t)
	grant, plain := grants(t, f)
	defer run(t, ctx, "back to English", setSelect("#lang", "en"))
	verifyIn(t, ctx, f.url, "zh-CN", plain, "#claims")
	if got := text(t, ctx, `#claims tr[data-claim="member"] td`); got != "是" {
		t.Errorf("boolean claim shown as %q, want 是", got)
	}
	if got := texts(t, ctx, `#claims tr[data-claim="roles"] td li`); strings.Join(got, "|") != "clerk|auditor" {
		t.Errorf("list claim shown as items %q, want clerk and auditor", got)
	}
	if got := text(t, ctx, `#claims tr[data-claim="joined"] td`); got != "2026年7月1日" {
		t.Errorf("date claim shown as %q, want 2026年7月1日", got)
	}
	verifyIn(t, ctx, f.url, "zh-CN", grant, "#claims")
	if got := text(t, ctx, `#claims tr[data-claim="expires"] td`); strings.Contains(got, "2027-01-06") || !strings.Contains(got, "2027年1月6日") {
		t.Errorf("date-time claim shown as %q, want it as the page writes times", got)
	}
	if got := text(t, ctx, `#claims tr[data-claim="scope"] td`); strings.ContainsAny(got, `[]"`) {
		t.Errorf("array claim shown as raw JSON: %q", got)
	}
}

// TestBrowser_PresentationRequestTypesInSchemaWords: the presentation
// request form names the schemas in the page's language, as the explorer
// does.
func TestBrowser_PresentationRequestTypesInSchemaWords(t *testing.T) {
	ctx := tab(t)
	f := getFixture(t)
	defer run(t, ctx, "back to English", setSelect("#lang", "en"))
	run(t, ctx, "load the request form",
		chromedp.Navigate(f.url+"/verify"), chromedp.WaitVisible(chromedp.CSS("#vp-token")),
		setSelect("#lang", "zh-CN"),
		chromedp.SetValue(chromedp.CSS("#vp-token"), f.desk.Token),
		chromedp.Click(chromedp.CSS("#vp-load")),
		chromedp.WaitReady(chromedp.CSS(`#vp-schema option[value="2"]`)))
	if got := text(t, ctx, `#vp-schema option[value="2"]`); !strings.Contains(got, "学位证书") || strings.Contains(got, "University diploma") {
		t.Errorf("schema 2 offered as %q, want its zh-CN title", got)
	}
	run(t, ctx, "switch", setSelect("#lang", "zh-HK"))
	if got := text(t, ctx, `#vp-schema option[value="2"]`); !strings.Contains(got, "學位證書") {
		t.Errorf("after a switch schema 2 is offered as %q", got)
	}
}

// TestBrowser_VerifyRefusedFileNotChosen: a file over 1 MiB is refused and
// the picker does not name it as chosen; the verdict of the credential
// before goes as soon as another file is dropped, or the text edited.
func TestBrowser_VerifyRefusedFileNotChosen(t *testing.T) {
	ctx := tab(t)
	f := getFixture(t)
	drop := func(content, name string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](`(() => { const dt = new DataTransfer(); dt.items.add(new File([` + content + `], "` + name + `", {type: "text/plain"}));
			const ev = new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}); document.getElementById("credential").dispatchEvent(ev); return true; })()`)
	}
	verdictGone := func(when string) {
		t.Helper()
		if eval[bool](t, ctx, `!!document.getElementById("verdict")`) {
			t.Errorf("%s: the verdict of the credential before is still shown", when)
		}
	}
	verified := []chromedp.Action[chromedp.Void]{chromedp.Click(chromedp.CSS("#verify-btn")), chromedp.WaitVisible(chromedp.CSS(`#verdict[data-verdict="valid"]`))}
	run(t, ctx, "a verdict, then another file", append(append([]chromedp.Action[chromedp.Void]{
		chromedp.Navigate(f.url + "/verify"), chromedp.WaitVisible(chromedp.CSS("#credential")),
		chromedp.SetValue(chromedp.CSS("#credential"), f.valid)}, verified...),
		drop(jsString(f.revoked), "revoked.jwt"),
		chromedp.Poll[chromedp.Void](`document.getElementById("credential").value.startsWith(`+jsString(f.revoked[:20])+`)`))...)
	verdictGone("another file dropped")
	run(t, ctx, "a verdict, then the text edited", append(verified[:0:0], chromedp.SetValue(chromedp.CSS("#credential"), f.valid), verified[0], verified[1],
		chromedp.SendKeys(chromedp.CSS("#credential"), " "))...)
	verdictGone("the text edited")
	run(t, ctx, "a verdict, then a large file", append(verified[:0:0], verified[0], verified[1],
		drop(`"x".repeat(2700000)`, "big2m.txt"),
		chromedp.WaitVisible(chromedp.CSS("#result .msg.error")))...)
	verdictGone("a file over 1 MiB")
	if got := text(t, ctx, "#file-name"); strings.Contains(got, "big2m.txt") {
		t.Errorf("the refused file is named as chosen: %q", got)
	}
	if eval[bool](t, ctx, `document.getElementById("file-name").classList.contains("chosen")`) {
		t.Error("the picker is marked as holding a file")
	}
}

// stubFetch replaces the page's fetch: "down" fails as a stopped node
// does, "hang" never answers (but honours an abort).
func stubFetch(kind string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`(() => { window.weid.apiTimeoutMs = 300; window.fetch = (u, o) => ` + map[string]string{
		"down": `Promise.reject(new TypeError("Failed to fetch"))`,
		"hang": `new Promise((res, rej) => { if (o && o.signal) o.signal.addEventListener("abort", () => rej(new DOMException("The operation was aborted.", "AbortError"))); })`,
	}[kind] + `; return true; })()`)
}

// TestBrowser_NodeDownOrHung: a node that is down is said in one sentence
// that says what to do, not twice; one that does not answer is given up
// on after a bound, said so, and the button is usable again.
func TestBrowser_NodeDownOrHung(t *testing.T) {
	ctx := tab(t)
	f := getFixture(t)
	defer run(t, ctx, "back to English", setSelect("#lang", "en"))
	for _, c := range []struct{ lang, kind, want string }{
		{"zh-CN", "down", "节点是否在运行"},
		{"en", "down", "running"},
		{"zh-HK", "hang", "沒有回應"},
		{"en", "hang", "did not answer"},
	} {
		run(t, ctx, c.lang+" "+c.kind,
			chromedp.Navigate(f.url+"/verify"), chromedp.WaitVisible(chromedp.CSS("#credential")),
			setSelect("#lang", c.lang), stubFetch(c.kind),
			chromedp.SetValue(chromedp.CSS("#credential"), f.valid),
			chromedp.Click(chromedp.CSS("#verify-btn")),
			chromedp.WaitVisible(chromedp.CSS("#result .msg.error")))
		got := eval[string](t, ctx, `document.getElementById("result").innerText`)
		if !strings.Contains(got, c.want) {
			t.Errorf("%s %s: %q, want it to say %q", c.lang, c.kind, got, c.want)
		}
		if first := strings.SplitN(got, "\n", 2)[0]; strings.Count(got, first) > 1 || strings.Contains(got, "null") || eval[int](t, ctx, `document.querySelectorAll("#result details").length`) > 0 {
			t.Errorf("%s %s: said twice, with a detail or with a \"null\": %q", c.lang, c.kind, got)
		}
		if eval[bool](t, ctx, `document.getElementById("verify-btn").disabled`) {
			t.Errorf("%s %s: the button stays disabled", c.lang, c.kind)
		}
	}
}

// TestBrowser_InstitutionAdminToken: the node administrator's token lists
// every account's instances but issues for none; the page says so, in its
// language, instead of letting the clerk fill a form the node refuses.
func TestBrowser_InstitutionAdminToken(t *testing.T) {
	ctx := tab(t)
	f := getFixture(t)
	defer run(t, ctx, "back to English", setSelect("#lang", "en"))
	for _, c := range []struct{ lang, want string }{{"en", "institution's account token"}, {"zh-CN", "机构的账户令牌"}, {"zh-HK", "機構的帳戶令牌"}} {
		run(t, ctx, c.lang,
			chromedp.Navigate(f.url+"/institution"), chromedp.WaitVisible(chromedp.CSS("#token")),
			setSelect("#lang", c.lang),
			chromedp.SetValue(chromedp.CSS("#token"), f.admin),
			chromedp.Click(chromedp.CSS("#token-form button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS("#token-msg .msg.error")))
		if got := text(t, ctx, "#token-msg"); !strings.Contains(got, c.want) {
			t.Errorf("%s: the admin token is answered %q, want it to ask for the %q", c.lang, got, c.want)
		}
		if !eval[bool](t, ctx, `document.getElementById("work").hidden`) {
			t.Errorf("%s: the issue form is shown for the admin token", c.lang)
		}
		// A token pasted with the words around it: no token, not a node
		// that cannot be reached (fetch refuses the header).
		run(t, ctx, c.lang+" a token with words around it",
			chromedp.Evaluate[chromedp.Void](`(() => { document.getElementById("token-msg").textContent = ""; return true; })()`),
			chromedp.SetValue(chromedp.CSS("#token"), "令牌："+f.uni.Token),
			chromedp.Click(chromedp.CSS("#token-form button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS("#token-msg .msg.error")))
		if got := text(t, ctx, "#token-msg"); !strings.Contains(got, "weid_") {
			t.Errorf("%s: a token with Chinese words around it is answered %q, want what a token is made of", c.lang, got)
		}
	}
	// Typed in full-width characters, it is the token.
	run(t, ctx, "a full-width token", chromedp.SetValue(chromedp.CSS("#token"), " "+fullWidth(f.uni.Token)+" "),
		chromedp.Click(chromedp.CSS("#token-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#claim-holderName")))
}

// fullWidth is s as a Chinese input method types it: printable ASCII as
// its full-width form (U+FF01–FF5E).
func fullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r > ' ' && r <= '~' {
			return r + 0xfee0
		}
		return r
	}, s)
}

// TestBrowser_InstitutionSchemaBounds: what the schema bounds (a length
// here) is checked before sending and named by the field's label in the
// page's language, with the bound; where the node still refuses the
// claims, the field its JSON pointer names is given by its label too.
func TestBrowser_InstitutionSchemaBounds(t *testing.T) {
	ctx := tab(t)
	f := getFixture(t)
	defer run(t, ctx, "back to English", setSelect("#lang", "en"))
	fill := map[string]string{"degree": "Master of Science", "fieldOfStudy": "Physics", "institution": "Example University",
		"diplomaNumber": "EU-2026-0078", "awardedDate": "2026-06-30"}
	for _, c := range []struct{ lang, label string }{{"en", "Holder's name"}, {"zh-CN", "持有人姓名"}, {"zh-HK", "持有人姓名"}} {
		actions := signIn(f.url, f.uni.Token) // forgets the token of the round before
		actions = append(actions, setSelect("#lang", c.lang))
		for k, v := range fill {
			actions = append(actions, chromedp.SetValue(chromedp.CSS("#claim-"+k), v))
		}
		// Pasted as a clerk pastes: not cut short by the browser, whose
		// maxlength counts UTF-16 units (𠮷 as two), but named with its bound.
		actions = append(actions, paste("#claim-holderName", strings.Repeat("𠮷", 200)))
		run(t, ctx, c.lang+" a long name outside the BMP", actions...)
		if n := eval[int](t, ctx, `Array.from(document.getElementById("claim-holderName").value).length`); n != 200 {
			t.Errorf("%s: 200 pasted characters outside the BMP kept as %d", c.lang, n)
		}
		run(t, ctx, c.lang+" too long", paste("#claim-holderName", strings.Repeat("x", 300)),
			chromedp.Click(chromedp.CSS("#offer-btn")), chromedp.WaitVisible(chromedp.CSS("#offer-msg .msg.error")))
		if got := text(t, ctx, "#offer-msg"); !strings.Contains(got, c.label) || !strings.Contains(got, "256") {
			t.Errorf("%s: a 300-character name answered %q, want %q and its bound 256", c.lang, got, c.label)
		}
		// The node's refusal, with the field as its pointer names it.
		run(t, ctx, c.lang+" refused by the node",
			chromedp.SetValue(chromedp.CSS("#claim-holderName"), "Dana Zhou"),
			chromedp.Evaluate[chromedp.Void](`(() => { const real = window.fetch; window.fetch = (u, o) => String(u).startsWith("/v1/offers") ?
				Promise.resolve(new Response(JSON.stringify({type: "about:blank", status: 422, code: "schema.violation",
				detail: "the claims do not conform to schema 2 version 1: at /diplomaNumber: maxLength: got 80, want 64"}), {status: 422, headers: {"Content-Type": "application/problem+json"}})) : real(u, o);
				document.getElementById("offer-msg").textContent = ""; return true; })()`),
			chromedp.Click(chromedp.CSS("#offer-btn")), chromedp.WaitVisible(chromedp.CSS("#offer-msg .msg.error")))
		want := map[string]string{"en": "Certificate number", "zh-CN": "证书编号", "zh-HK": "證書編號"}[c.lang]
		if got := text(t, ctx, "#offer-msg .msg"); !strings.Contains(got, want) {
			t.Errorf("%s: the node's schema.violation answered %q, want the field %q", c.lang, got, want)
		}
	}
}

// paste replaces what the input sel holds with s as a paste does, through
// the browser's editing (which its maxlength would cut), unlike SetValue.
func paste(sel, s string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`(() => { const i = document.querySelector(` + jsString(sel) + `); i.focus(); i.select();
		document.execCommand("insertText", false, ` + jsString(s) + `); return true; })()`)
}

// TestBrowser_ExplorerSearchAsTyped: a height typed with a Chinese input
// method (full-width digits) is searched as the number it is; one beyond
// any block's is answered as no such block, not as "not a number".
func TestBrowser_ExplorerSearchAsTyped(t *testing.T) {
	ctx := tab(t)
	f := getFixture(t)
	defer run(t, ctx, "back to English", setSelect("#lang", "en"))
	run(t, ctx, "full-width zero",
		chromedp.Navigate(f.url+"/explorer"), chromedp.WaitVisible(chromedp.CSS("#blocks tbody tr")),
		setSelect("#lang", "zh-CN"),
		chromedp.SetValue(chromedp.CSS("#q"), "０"),
		chromedp.Click(chromedp.CSS("#search button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#block-txs tbody tr")))
	run(t, ctx, "too high",
		chromedp.SetValue(chromedp.CSS("#q"), "99999999999999999999999"),
		chromedp.Click(chromedp.CSS("#search button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#view .msg.error")))
	if got := text(t, ctx, "#view .msg.error"); got != "本账本上没有该高度的区块。" {
		t.Errorf("a height beyond every block answered %q", got)
	}
}

// TestBrowser_VerifyPresentationPasted: a presentation pasted where a
// credential is expected is named as one, with where presentations are
// checked; a presentation request with every claim unticked is refused
// with why, rather than asking the wallet for the whole credential.
func TestBrowser_VerifyPresentationPasted(t *testing.T) {
	ctx := tab(t)
	f := getFixture(t)
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	vp := b64(`{"alg":"EdDSA","typ":"vp+jwt"}`) + "." + b64(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiablePresentation"],"holder":"did:example:1"}`) + "." + b64("sig")
	run(t, ctx, "a vp+jwt",
		chromedp.Navigate(f.url+"/verify"), chromedp.WaitVisible(chromedp.CSS("#credential")),
		setSelect("#lang", "en"),
		chromedp.SetValue(chromedp.CSS("#credential"), vp),
		chromedp.Click(chromedp.CSS("#verify-btn")),
		chromedp.WaitVisible(chromedp.CSS("#result .msg.error")))
	if got := text(t, ctx, "#result .msg.error"); !strings.Contains(got, "presentation") || !strings.Contains(got, "weid vp verify") {
		t.Errorf("a pasted presentation answered %q", got)
	}
	run(t, ctx, "no claim ticked",
		chromedp.SetValue(chromedp.CSS("#vp-token"), f.desk.Token),
		chromedp.Click(chromedp.CSS("#vp-load")),
		chromedp.WaitVisible(chromedp.CSS("#vp-claim-degree")),
		chromedp.Click(chromedp.CSS("#vp-start")),
		chromedp.WaitVisible(chromedp.CSS("#vp-msg .msg.error")))
	if got := text(t, ctx, "#vp-msg"); !strings.Contains(got, "whole credential") {
		t.Errorf("a request with no claim ticked answered %q", got)
	}
	if !eval[bool](t, ctx, `document.getElementById("vp-session").hidden`) {
		t.Error("a request with no claim ticked was made")
	}
}

// TestBrowser_SchemaRulesAndDatesAsTheNodeReadsThem: a pattern with \s or
// \S is left to the node (Go's RE2 takes ASCII white space only, the
// browser Unicode spaces too: a name typed with a full-width space is not
// refused before the node judges it), and an impossible date is shown as
// written, not rolled over to another day.
func TestBrowser_SchemaRulesAndDatesAsTheNodeReadsThem(t *testing.T) {
	ctx := tab(t)
	f := getFixture(t)
	run(t, ctx, "open the verify page", chromedp.Navigate(f.url+"/verify"), chromedp.WaitVisible(chromedp.CSS("#credential")))
	for pattern, want := range map[string]int{`^\\S+$`: 0, `[^\\s]+`: 0, `^[a-z]+$`: 1} {
		got := eval[int](t, ctx, "weid.schemaRules({pattern: \""+pattern+"\"}, \"张\\u3000三\").length")
		if got != want {
			t.Errorf("schemaRules(pattern %s) on a name with U+3000: %d rules broken, want %d", pattern, got, want)
		}
	}
	if got := eval[string](t, ctx, `weid.date("2026-02-30")`); got != "2026-02-30" {
		t.Errorf("weid.date(2026-02-30) = %q, want it as written", got)
	}
	if got := eval[string](t, ctx, `weid.date("2024-02-29")`); got == "2024-02-29" {
		t.Errorf("weid.date(2024-02-29) = %q, want the page's date", got)
	}
}

// TestBrowser_InstitutionSignInTwice: "Use token" clicked while a sign-in
// is still waiting for the node (the page signs in by itself with a saved
// token) draws the form once, not twice.
func TestBrowser_InstitutionSignInTwice(t *testing.T) {
	ctx := tab(t)
	f := getFixture(t)
	run(t, ctx, "twice", append(signIn(f.url, f.uni.Token),
		// Hold every answer until both sign-ins have asked.
		chromedp.Evaluate[chromedp.Void](`(() => { const real = window.fetch; const gate = new Promise((open) => { window.openGate = open; });
			window.fetch = (u, o) => gate.then(() => real(u, o));
			const form = document.getElementById("token-form"); form.requestSubmit(); form.requestSubmit(); return true; })()`),
		chromedp.Evaluate[chromedp.Void](`(() => { window.openGate(); return true; })()`),
		chromedp.Sleep(time.Second), chromedp.WaitVisible(chromedp.CSS("#claim-holderName")))...)
	if n := eval[int](t, ctx, `document.querySelectorAll("#claims-fields fieldset").length`); n != 1 {
		t.Errorf("two sign-ins at once drew %d forms, want 1", n)
	}
}

// TestBrowser_InstitutionErrorRetranslated: a refused form's message names
// its fields by their labels in the page's language, after a switch too —
// the check's and the node's.
func TestBrowser_InstitutionErrorRetranslated(t *testing.T) {
	ctx := tab(t)
	f := getFixture(t)
	defer run(t, ctx, "back to English", setSelect("#lang", "en"))
	actions := signIn(f.url, f.uni.Token)
	for k, v := range map[string]string{"degree": "Master of Science", "fieldOfStudy": "Physics", "institution": "Example University",
		"diplomaNumber": "EU-2026-0078", "awardedDate": "2026-06-30"} {
		actions = append(actions, chromedp.SetValue(chromedp.CSS("#claim-"+k), v))
	}
	run(t, ctx, "too long", append(actions,
		paste("#claim-holderName", strings.Repeat("x", 300)),
		chromedp.Click(chromedp.CSS("#offer-btn")), chromedp.WaitVisible(chromedp.CSS("#offer-msg .msg.error")),
		setSelect("#lang", "zh-HK"))...)
	if got := text(t, ctx, "#offer-msg"); !strings.Contains(got, "持有人姓名") || strings.Contains(got, "Holder's name") {
		t.Errorf("after a switch to zh-HK the check's message reads %q, want the label 持有人姓名", got)
	}
	run(t, ctx, "refused by the node", setSelect("#lang", "en"),
		chromedp.SetValue(chromedp.CSS("#claim-holderName"), "Dana Zhou"),
		chromedp.Evaluate[chromedp.Void](`(() => { const real = window.fetch; window.fetch = (u, o) => String(u).startsWith("/v1/offers") ?
			Promise.resolve(new Response(JSON.stringify({type: "about:blank", status: 422, code: "schema.violation",
			detail: "the claims do not conform to schema 2 version 1: at /diplomaNumber: maxLength: got 80, want 64"}), {status: 422, headers: {"Content-Type": "application/problem+json"}})) : real(u, o);
			document.getElementById("offer-msg").textContent = ""; return true; })()`),
		chromedp.Click(chromedp.CSS("#offer-btn")), chromedp.WaitVisible(chromedp.CSS("#offer-msg .msg.error")),
		setSelect("#lang", "zh-CN"))
	if got := text(t, ctx, "#offer-msg .msg"); !strings.Contains(got, "证书编号") || strings.Contains(got, "Certificate number") {
		t.Errorf("after a switch to zh-CN the node's refusal reads %q, want the label 证书编号", got)
	}
}
