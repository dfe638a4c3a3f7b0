package web_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// pageWords is the text a reader meets on the page: what is shown, and
// the placeholders, titles, labels and alternative texts of what is shown.
const pageWords = `(() => {
  const out = [document.title, document.body.innerText];
  document.querySelectorAll("body *").forEach((e) => {
    if (!e.checkVisibility()) return;
    for (const a of ["placeholder", "title", "aria-label", "alt"]) if (e.getAttribute(a)) out.push(e.getAttribute(a));
  });
  return out.join("\n");
})()`

// namesNotWords are the English words a Chinese page may show: names (of
// the product, the language switch's English, formats, the node's engine,
// the fixture's instances and types) and the command line's flags.
var namesNotWords = regexp.MustCompile(`\b(weid|English|JSON|Data Integrity|solo|diploma|wallet|UniversityDegreeCredential)\b|--[a-z-]+`)

// TestBrowser_NoBrowserWordsOnChinesePages: the Chinese pages say
// nothing in English, the browser's words included: no English word is
// shown on /verify, /explorer or /institution; text that is no JSON is
// refused in the page's language (the browser's English reason on
// demand); the institution's date fields are the page's own, not the
// browser's "mm/dd/yyyy", and read a date as a clerk may type it; a wrong
// date and an empty credential id are answered by the page, not by the
// browser's bubble.
func TestBrowser_NoBrowserWordsOnChinesePages(t *testing.T) {
	ctx := tab(t) // first: without chromium, skip before making the fixture
	f := getFixture(t)
	defer run(t, ctx, "back to English", setSelect("#lang", "en"))
	for _, tc := range []struct{ lang, badJSON, example, badDate, born, needID string }{
		{"zh-CN", "不是有效的 JSON。", "如 2026-06-30", "不是有效日期", "出生日期", "请输入凭证标识，或其状态列表和索引。"},
		{"zh-HK", "不是有效的 JSON。", "如 2026-06-30", "不是有效日期", "出生日期", "請輸入憑證識別碼，或其狀態列表和索引。"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			english := func(where string) {
				t.Helper()
				if e := englishWords(namesNotWords.ReplaceAllString(eval[string](t, ctx, pageWords), "")); len(e) > 0 {
					t.Errorf("%s in %s: English words %q", where, tc.lang, e)
				}
			}
			verifyIn(t, ctx, f.url, tc.lang, `{"not": "JSON"`, "#result .msg.error")
			if m := text(t, ctx, "#result .msg.error"); m != tc.badJSON {
				t.Errorf("text that is no JSON: %q, want %q", m, tc.badJSON)
			}
			if !eval[bool](t, ctx, `(() => { const d = document.querySelector("#result details.english"); return !!d && !d.open && d.textContent.includes("JSON"); })()`) {
				t.Error("no closed English detail of the JSON error")
			}
			english("/verify")
			run(t, ctx, "explorer", chromedp.Navigate(f.url+"/explorer"), chromedp.WaitVisible(chromedp.CSS("#blocks tbody tr")))
			english("/explorer")

			run(t, ctx, "sign in", append(signIn(f.url, f.uni.Token), setSelect("#lang", tc.lang))...)
			english("/institution")
			if typ, ph := attr(t, ctx, "#claim-awardedDate", "type"), attr(t, ctx, "#claim-awardedDate", "placeholder"); typ != "text" || ph != tc.example {
				t.Errorf("the date field is type=%q with placeholder %q, want the page's own with %q", typ, ph, tc.example)
			}
			run(t, ctx, "a date typed the Chinese way",
				chromedp.Evaluate[chromedp.Void](`(() => { const e = document.getElementById("claim-awardedDate"); e.value = "2026年6月30日";
  return e.dispatchEvent(new Event("change")); })()`))
			if v := eval[string](t, ctx, `document.getElementById("claim-awardedDate").value`); v != "2026-06-30" {
				t.Errorf("2026年6月30日 reads as %q", v)
			}
			fill := []chromedp.Action[chromedp.Void]{chromedp.SetValue(chromedp.CSS("#claim-dateOfBirth"), "2001-02-30")}
			for _, k := range []string{"holderName", "degree", "fieldOfStudy", "institution", "diplomaNumber"} {
				fill = append(fill, chromedp.SetValue(chromedp.CSS("#claim-"+k), "x"))
			}
			run(t, ctx, "a day that is none", append(fill, chromedp.Click(chromedp.CSS("#offer-btn")), chromedp.WaitVisible(chromedp.CSS("#offer-msg .msg.error")))...)
			if m := text(t, ctx, "#offer-msg"); !strings.Contains(m, tc.badDate) || !strings.Contains(m, tc.born) {
				t.Errorf("2001-02-30: %q, want %q naming %q", m, tc.badDate, tc.born)
			}
			run(t, ctx, "revoke without an id", chromedp.Click(chromedp.CSS("#revoke-btn")), chromedp.WaitVisible(chromedp.CSS("#revoke-msg .msg.error")))
			if m := text(t, ctx, "#revoke-msg"); m != tc.needID {
				t.Errorf("revoke without an id: %q, want %q", m, tc.needID)
			}
		})
	}
}

// TestBrowser_DatesAsClerksTypeThem: weid.isoDate, which reads the
// institution form's date fields, takes a day written the ways a clerk in
// Macau or mainland China may write it, as RFC 3339's full-date, and no
// day that is not in the calendar.
func TestBrowser_DatesAsClerksTypeThem(t *testing.T) {
	ctx := tab(t)
	f := getFixture(t)
	run(t, ctx, "open", chromedp.Navigate(f.url+"/institution"), chromedp.WaitVisible(chromedp.CSS("#token")))
	for in, want := range map[string]string{
		"2026-06-30": "2026-06-30", " 2026/6/3 ": "2026-06-03", "2026.06.30": "2026-06-30", "2026年6月30日": "2026-06-30",
		"2026 年 6 月 30 日": "2026-06-30", "20260630": "2026-06-30", "２０２６－０６－３０": "2026-06-30", "2024-02-29": "2024-02-29",
		"2026-02-29": "", "2026-13-01": "", "2026-06-31": "", "2026-6": "", "30/06/2026": "", "06/30/2026": "", "0050-01-01": "",
		"2026-06-30T00:00:00Z": "", "": "", "２０２６年６月３０日": "2026-06-30", "2026-06-30x": "",
	} {
		if got := eval[string](t, ctx, `weid.isoDate(`+jsString(in)+`)`); got != want {
			t.Errorf("isoDate(%q) = %q, want %q", in, got, want)
		}
	}
	// Date-time fields: a local time without a zone is the browser's
	// (here Macau's, UTC+8).
	if _, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Asia/Macau"}); err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"2026-01-31 09:00": "2026-01-31T09:00:00+08:00", "2026-01-31T09:00:05Z": "2026-01-31T09:00:05Z", "2026/1/31 9:00": "2026-01-31T09:00:00+08:00",
		"２０２６－０１－３１　０９：００": "2026-01-31T09:00:00+08:00", "2026年1月31日 09:00:30": "2026-01-31T09:00:30+08:00", "2026-01-31t09:00+0100": "2026-01-31T09:00:00+01:00",
		"2026-01-31T09:00:00.5-05:00": "2026-01-31T09:00:00.5-05:00", "2026-01-31": "", "2026-01-31 24:00": "", "2026-01-31 09:60": "", "31/01/2026 09:00": "",
		"2026-02-30 09:00": "", "09:00": "", "2026-01-31 09:00 +25:00": "", "2026-01-31 09": "",
	} {
		if got := eval[string](t, ctx, `weid.isoDateTime(`+jsString(in)+`)`); got != want {
			t.Errorf("isoDateTime(%q) = %q, want %q", in, got, want)
		}
	}
	// Number fields: a number plainly written, nothing Number() would
	// read as another ("3,7" is no 37).
	for in, want := range map[string]string{"3": "3", " -2.5 ": "-2.5", "+4": "4", "３．７": "3.7", ".5": "0.5", "3,7": "NaN", "1e3": "NaN", "0x10": "NaN", "3 7": "NaN", "": "NaN", "-": "NaN"} {
		if got := eval[string](t, ctx, `String(weid.plainNumber(`+jsString(in)+`))`); got != want {
			t.Errorf("plainNumber(%q) = %s, want %s", in, got, want)
		}
	}
}
