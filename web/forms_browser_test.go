package web_test

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// schemaWords are the diploma schema's (system schema 2) words the pages
// must show in each language: the schema's title, some properties' and
// the labels of degreeLevel's values "bachelor" and "master".
var schemaWords = []struct {
	lang, schema, degree, awarded, holderName, idHint, bachelor, master string
}{
	{"en", "University diploma", "Degree", "Date awarded", "Holder's name", "national identity or passport number", "Bachelor's degree", "Master's degree"},
	{"zh-CN", "学位证书", "学位", "授予日期", "持有人姓名", "居民身份证或护照号码", "学士", "硕士"},
	{"zh-HK", "學位證書", "學位", "頒授日期", "持有人姓名", "身份證或護照號碼", "學士", "碩士"},
}

// TestBrowser_InstitutionFormInSchemaWords: the institution's offer form
// is labelled by the diploma schema's titles and described by its
// descriptions in the page's language, never by the raw claim keys; a
// missing field is named the same way; a language switch relabels the
// form and keeps what was typed.
func TestBrowser_InstitutionFormInSchemaWords(t *testing.T) {
	ctx := tab(t) // first: without chromium, skip before making the fixture
	f := getFixture(t)
	defer run(t, ctx, "back to English", setSelect("#lang", "en"))
	for _, w := range schemaWords {
		t.Run(w.lang, func(t *testing.T) {
			// The language chosen before signing in: the form is drawn in
			// it. Without the token of the round before (forgetToken) the
			// click's sign-in is the page's only one, and the form it draws
			// stays while the test reads it and types into it.
			run(t, ctx, "sign in",
				forgetToken(),
				chromedp.Navigate(f.url+"/institution"),
				chromedp.WaitVisible(chromedp.CSS("#token")),
				setSelect("#lang", w.lang),
				chromedp.SetValue(chromedp.CSS("#token"), f.uni.Token),
				chromedp.Click(chromedp.CSS("#token-form button[type=submit]")),
				chromedp.WaitVisible(chromedp.CSS("#claim-holderName")))
			if got := text(t, ctx, "#claims-legend"); got != w.schema {
				t.Errorf("legend %q, want %q", got, w.schema)
			}
			for key, want := range map[string]string{"degree": w.degree, "awardedDate": w.awarded, "holderName": w.holderName} {
				if got := text(t, ctx, `label[for="claim-`+key+`"] .label-text`); got != want {
					t.Errorf("field %s labelled %q, want %q", key, got, want)
				}
			}
			if got := text(t, ctx, `label[for="claim-holderIdNumber"] .hint`); !strings.Contains(got, w.idHint) {
				t.Errorf("holderIdNumber described as %q, want it to contain %q", got, w.idHint)
			}
			// The enum's choices in the schema's words, their values kept.
			if got := text(t, ctx, `#claim-degreeLevel option[value='"master"']`); got != w.master {
				t.Errorf("degreeLevel's master offered as %q, want %q", got, w.master)
			}
			form := eval[string](t, ctx, `document.getElementById("claims-fields").innerText`)
			for _, key := range []string{"holderName", "awardedDate", "fieldOfStudy", "diplomaNumber", "degreeLevel"} {
				if strings.Contains(form, key) {
					t.Errorf("the form shows the raw key %s:\n%s", key, form)
				}
			}
			run(t, ctx, "a missing field",
				chromedp.SetValue(chromedp.CSS("#claim-holderName"), "周丹"),
				chromedp.Click(chromedp.CSS("#offer-btn")),
				chromedp.WaitVisible(chromedp.CSS("#offer-msg .msg.error")))
			if m := text(t, ctx, "#offer-msg"); !strings.Contains(m, w.awarded) || !strings.Contains(m, w.degree) || strings.Contains(m, "awardedDate") {
				t.Errorf("missing fields named %q, want %q and %q", m, w.awarded, w.degree)
			}
			if w.lang != "en" {
				noTofu(t, ctx)
				shot(t, ctx, "institution-"+w.lang+".png")
			}
		})
	}
	// A switch relabels the form in place; what was typed stays.
	run(t, ctx, "switch to zh-HK", setSelect("#lang", "zh-HK"))
	if got := text(t, ctx, `label[for="claim-awardedDate"] .label-text`); got != "頒授日期" {
		t.Errorf("after the switch awardedDate is labelled %q", got)
	}
	if v := eval[string](t, ctx, `document.getElementById("claim-holderName").value`); v != "周丹" {
		t.Errorf("the switch lost what was typed: %q", v)
	}
	if got := text(t, ctx, `#claim-degreeLevel option[value='"master"']`); got != "碩士" {
		t.Errorf("after the switch master is offered as %q", got)
	}
}

// TestBrowser_VerifyClaimsInSchemaWords: the verify page names a valid
// diploma's claims (a vc+jwt and an SD-JWT VC) and its schema as the
// schema on the ledger names them, in the page's language.
func TestBrowser_VerifyClaimsInSchemaWords(t *testing.T) {
	ctx := tab(t)
	f := getFixture(t)
	defer run(t, ctx, "back to English", setSelect("#lang", "en"))
	for _, w := range schemaWords {
		t.Run(w.lang, func(t *testing.T) {
			for _, cred := range []struct{ name, token string }{{"vc+jwt", f.valid}, {"SD-JWT VC", f.sdJWT}} {
				verifyIn(t, ctx, f.url, w.lang, cred.token, `#verdict:not([data-verdict="invalid"])`) // an SD-JWT VC with every disclosure: valid, its schema checked
				for key, want := range map[string]string{"degree": w.degree, "awardedDate": w.awarded, "holderName": w.holderName} {
					if got := text(t, ctx, `#claims tr[data-claim="`+key+`"] th`); got != want {
						t.Errorf("%s: claim %s labelled %q, want %q", cred.name, key, got, want)
					}
				}
				if got := text(t, ctx, `#claims tr[data-claim="degreeLevel"] td`); got != w.bachelor {
					t.Errorf("%s: degreeLevel bachelor shown as %q, want %q", cred.name, got, w.bachelor)
				}
				if got := text(t, ctx, "#fact-schema-0"); !strings.HasPrefix(got, w.schema+" ") || !strings.HasSuffix(got, "/v1/schemas/2") {
					t.Errorf("%s: schema fact %q", cred.name, got)
				}
			}
			if w.lang != "en" {
				noTofu(t, ctx)
				shot(t, ctx, "verify-claims-"+w.lang+".png")
			}
		})
	}
	// A switch relabels the claims of the verdict shown.
	run(t, ctx, "switch to zh-CN", setSelect("#lang", "zh-CN"))
	if got := text(t, ctx, `#claims tr[data-claim="degree"] th`); got != "学位" {
		t.Errorf("after the switch degree is labelled %q", got)
	}
	if got := text(t, ctx, `#claims tr[data-claim="degreeLevel"] td`); got != "学士" {
		t.Errorf("after the switch degreeLevel is shown as %q", got)
	}
}

// TestBrowser_InstitutionNumbersAndTimesAsTyped: a number field refuses
// "3,7" (which the browser's number field read as 37) and a date-time
// field reads a time as a clerk types it, as RFC 3339 with the browser's
// offset, refusing what it cannot read; both named by the field's label,
// in the page's language, in one answer with every other kind of mistake
// (a field missing, a number over its maximum), not one kind a submit.
// The schema is the page's fetch answered with one of a number and a
// date-time, which no system schema has.
func TestBrowser_InstitutionNumbersAndTimesAsTyped(t *testing.T) {
	ctx := tab(t)
	f := getFixture(t)
	defer run(t, ctx, "back to English", setSelect("#lang", "en"))
	schema := `{"title":"Permit","type":"object","required":["years","starts","holder"],"properties":{"years":{"type":"number","title":"Years"},"starts":{"type":"string","format":"date-time","title":"Starts"},` +
		`"holder":{"type":"string","title":"Holder"},"grade":{"type":"number","title":"Grade","maximum":4}}}`
	run(t, ctx, "a permit form", append(signIn(f.url, f.uni.Token),
		chromedp.Evaluate[chromedp.Void](`(() => { const real = window.fetch; window.fetch = (u, o) => String(u).startsWith("/v1/schemas/") ?
			Promise.resolve(new Response(JSON.stringify({schema: `+schema+`}), {status: 200, headers: {"Content-Type": "application/json"}})) : real(u, o); return true; })()`),
		setSelect("#instance", "1"), chromedp.WaitVisible(chromedp.CSS("#claim-years")),
		chromedp.SetValue(chromedp.CSS("#claim-years"), "3,7"),
		chromedp.SetValue(chromedp.CSS("#claim-grade"), "9"),
		chromedp.Evaluate[chromedp.Void](`(() => { const e = document.getElementById("claim-starts"); e.value = "２０２６－０１－３１ ０９：００"; return e.dispatchEvent(new Event("change")); })()`),
		chromedp.Click(chromedp.CSS("#offer-btn")), chromedp.WaitVisible(chromedp.CSS("#offer-msg .msg.error")))...)
	if v := eval[string](t, ctx, `document.getElementById("claim-starts").value`); !regexp.MustCompile(`^2026-01-31T09:00:00[+-]\d\d:\d\d$`).MatchString(v) {
		t.Errorf("2026-01-31 09:00 typed full-width reads as %q, want RFC 3339 with the local offset", v)
	}
	for _, c := range []struct{ lang, badNumber, badTime, zone, missing, maximum string }{
		{"en", "Not a number", "Not a date and time", "this computer's", "Fill in the required fields: Holder", "Grade must be at most 4"},
		{"zh-CN", "不是数字", "不是有效的日期时间", "本机时区", "请填写必填项：Holder", "Grade不能大于 4"},
		{"zh-HK", "不是數字", "不是有效的日期時間", "本機時區", "請填寫必填項：Holder", "Grade不能大於 4"},
	} {
		run(t, ctx, c.lang, setSelect("#lang", c.lang))
		got := text(t, ctx, "#offer-msg")
		if !strings.Contains(got, c.badNumber) || !strings.Contains(got, "Years") {
			t.Errorf("%s: 3,7 answered %q, want %q naming Years", c.lang, got, c.badNumber)
		}
		if !strings.Contains(got, c.missing) || !strings.Contains(got, c.maximum) {
			t.Errorf("%s: the same answer %q does not also say %q and %q", c.lang, got, c.missing, c.maximum)
		}
		if got := text(t, ctx, "#claim-starts-zone"); !strings.Contains(got, c.zone) {
			t.Errorf("%s: the date-time field's hint %q does not say whose time a time without a zone is", c.lang, got)
		}
	}
	run(t, ctx, "a time that is none",
		chromedp.SetValue(chromedp.CSS("#claim-years"), "3.7"),
		chromedp.SetValue(chromedp.CSS("#claim-holder"), "周丹"),
		chromedp.SetValue(chromedp.CSS("#claim-grade"), "3"),
		chromedp.SetValue(chromedp.CSS("#claim-starts"), "31/01/2026 09:00"),
		chromedp.Click(chromedp.CSS("#offer-btn")), chromedp.WaitVisible(chromedp.CSS("#offer-msg .msg.error")))
	if got := text(t, ctx, "#offer-msg"); !strings.Contains(got, "不是有效的日期時間") || !strings.Contains(got, "Starts") {
		t.Errorf("31/01/2026 09:00 answered %q, want it named as no date and time", got)
	}
}

// TestBrowser_InstitutionListsOneALine: a list claim (the professional
// licence's Conditions, a list of strings; a list of days) is typed one
// item a line, said so in the page's language, and sent as a JSON array;
// its bounds (maxItems, each item's maxLength) and an unreadable day are
// named with the field, the line and the bound. A list of objects, which
// no line holds, turns the form into the JSON editor, with a sentence
// naming it. The schemas are the page's fetch answered (the licence is
// system schema 3, which no instance of the fixture names) and the offer
// is the page's POST, caught: what the node does with an array is its
// schema check's, tested with the node.
func TestBrowser_InstitutionListsOneALine(t *testing.T) {
	ctx := tab(t)
	f := getFixture(t)
	defer run(t, ctx, "back to English", setSelect("#lang", "en"))
	b, err := os.ReadFile("../schemas/system/professional-licence.json")
	if err != nil {
		t.Fatal(err)
	}
	var licence map[string]any
	if err := json.Unmarshal(b, &licence); err != nil {
		t.Fatal(err)
	}
	licence["properties"].(map[string]any)["inspections"] = map[string]any{"type": "array", "title": "Inspection days", "items": map[string]any{"type": "string", "format": "date"}}
	b, _ = json.Marshal(licence)
	run(t, ctx, "a licence form", append(signIn(f.url, f.uni.Token),
		chromedp.Evaluate[chromedp.Void](`(() => { window.stubSchema = `+string(b)+`; const real = window.fetch; window.fetch = (u, o) => {
			if (String(u).startsWith("/v1/schemas/")) return Promise.resolve(new Response(JSON.stringify({schema: window.stubSchema}), {status: 200, headers: {"Content-Type": "application/json"}}));
			if (String(u) === "/v1/offers") { window.sentOffer = JSON.parse(o.body); return Promise.resolve(new Response(JSON.stringify({type: "about:blank", status: 503, code: "caught"}),
				{status: 503, headers: {"Content-Type": "application/problem+json"}})); }
			return real(u, o); }; return true; })()`),
		setSelect("#instance", "1"), chromedp.WaitVisible(chromedp.CSS("#claim-conditions")))...)
	if tag := eval[string](t, ctx, `document.getElementById("claim-conditions").tagName`); tag != "TEXTAREA" {
		t.Fatalf("Conditions, a list, is typed in a %s, want a TEXTAREA, one a line", tag)
	}
	fill := []chromedp.Action[chromedp.Void]{}
	for k, v := range map[string]string{"holderName": "周丹", "licenceType": "Pharmacist", "licenceNumber": "PH-2026-0078", "issuingAuthority": "Health Bureau", "validFrom": "2026/6/30"} {
		fill = append(fill, paste("#claim-"+k, v))
	}
	long := strings.Repeat("x", 1025)
	run(t, ctx, "65 conditions, the last too long", append(fill,
		paste("#claim-conditions", strings.Repeat("Supervised practice\n", 64)+long),
		paste("#claim-inspections", "2026/7/1\n31/12/2026"),
		chromedp.Click(chromedp.CSS("#offer-btn")), chromedp.WaitVisible(chromedp.CSS("#offer-msg .msg.error")))...)
	for _, c := range []struct{ lang, hint, maxItems, maxLength, badDate string }{
		{"en", "One per line.", "Conditions must have at most 64 lines", "Conditions, line 65 must be at most 1024 characters long", "Not a date (year-month-day, e.g. 2026-06-30): Inspection days, line 2"},
		{"zh-CN", "每行填写一项。", "附加条件最多填 64 行", "附加条件第 65 行最多 1024 个字符", "不是有效日期（年-月-日，如 2026-06-30）：Inspection days第 2 行"},
		{"zh-HK", "每行填寫一項。", "附加條件最多填 64 行", "附加條件第 65 行最多 1024 個字元", "不是有效日期（年-月-日，如 2026-06-30）：Inspection days第 2 行"},
	} {
		run(t, ctx, c.lang, setSelect("#lang", c.lang))
		if got := text(t, ctx, "#claim-conditions-lines"); got != c.hint {
			t.Errorf("%s: Conditions' hint %q, want %q", c.lang, got, c.hint)
		}
		got := text(t, ctx, "#offer-msg")
		for _, want := range []string{c.maxItems, c.maxLength, c.badDate} {
			if !strings.Contains(got, want) {
				t.Errorf("%s: the form answered %q, want %q", c.lang, got, want)
			}
		}
		if c.lang != "en" {
			noTofu(t, ctx)
		}
		shot(t, ctx, "institution-list-"+c.lang+".png")
	}
	run(t, ctx, "two conditions, two days", setSelect("#lang", "en"),
		paste("#claim-conditions", "  Supervised practice\n\nNot valid for surgery\n"),
		paste("#claim-inspections", "2026/7/1\n２０２６年８月１日"),
		chromedp.Click(chromedp.CSS("#offer-btn")), chromedp.WaitVisible(chromedp.CSS("#offer-msg [data-problem]")))
	sent := eval[map[string]any](t, ctx, `window.sentOffer.claims`)
	if got, _ := json.Marshal([]any{sent["conditions"], sent["inspections"], sent["validFrom"]}); string(got) != `[["Supervised practice","Not valid for surgery"],["2026-07-01","2026-08-01"],"2026-06-30"]` {
		t.Errorf("the offer's claims %s, want the lines as JSON arrays", got)
	}
	// Left, a list is tidied as a date field is: one item a line, as read.
	tidied := eval[[]string](t, ctx, `["conditions", "inspections"].map((n) => { const e = document.getElementById("claim-" + n); e.dispatchEvent(new Event("change")); return e.value; })`)
	if want := []string{"Supervised practice\nNot valid for surgery", "2026-07-01\n2026-08-01"}; !slices.Equal(tidied, want) {
		t.Errorf("the lists left read %q, want %q", tidied, want)
	}
	// A list of objects: the JSON editor, saying why.
	run(t, ctx, "a list of objects",
		chromedp.Evaluate[chromedp.Void](`(() => { window.stubSchema = {title: "Transcript", type: "object", properties: {name: {type: "string", title: "Name"},
			courses: {type: "array", title: "Courses", items: {type: "object", properties: {code: {type: "string"}}}}}}; return true; })()`),
		setSelect("#instance", "0"), chromedp.WaitVisible(chromedp.CSS("#claims-json-why")))
	if got := text(t, ctx, "#claims-json-why"); !strings.Contains(got, "Courses (courses)") || !strings.Contains(got, "JSON") {
		t.Errorf("a list of objects explained as %q, want Courses (courses) named and JSON asked for", got)
	}
	run(t, ctx, "zh-HK", setSelect("#lang", "zh-HK"))
	if got := text(t, ctx, "#claims-json-why"); !strings.Contains(got, "Courses (courses)") || !strings.Contains(got, "JSON 物件") {
		t.Errorf("zh-HK: a list of objects explained as %q", got)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("#claims-fields input").length`); n != 0 {
		t.Errorf("%d text boxes beside the JSON editor", n)
	}
}
