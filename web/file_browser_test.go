package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// fileWords are the verify page's file picker in each language: the
// button, the text before a file is chosen, and before a chosen file's name.
var fileWords = []struct{ lang, choose, none, chosen string }{
	{"en", "Choose a file…", "No file chosen", "Chosen: "},
	{"zh-CN", "选择文件…", "未选择文件", "已选择："},
	{"zh-HK", "選擇檔案…", "未選擇檔案", "已選擇："},
}

// TestBrowser_FilePickerInPageLanguage: the verify page's file picker
// speaks the page's language, not the browser's ("Choose File", "No file
// chosen"): its button and the chosen file's name are the page's own, the
// input out of sight but reached with Tab and opened with Enter or Space;
// a chosen or dropped file still verifies, a pasted one is read alike; on
// a phone it fits the screen.
func TestBrowser_FilePickerInPageLanguage(t *testing.T) {
	ctx := tab(t) // first: without chromium, skip before making the fixture
	f := getFixture(t)
	defer run(t, ctx, "back to English", setSelect("#lang", "en"))
	dir := t.TempDir()
	file := filepath.Join(dir, "撤销的学位证书-revoked-diploma-of-a-long-name.jwt")
	if err := os.WriteFile(file, []byte(f.revoked+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The picker is intercepted: the test sees it open, no dialog shows.
	if _, err := chromedp.Call(ctx, page.SetInterceptFileChooserDialog, page.SetInterceptFileChooserDialogParams{Enabled: true}); err != nil {
		t.Fatal(err)
	}
	for _, w := range fileWords {
		t.Run(w.lang, func(t *testing.T) {
			run(t, ctx, "open",
				chromedp.Navigate(f.url+"/verify"),
				chromedp.WaitVisible(chromedp.CSS("#file-button")),
				setSelect("#lang", w.lang))
			if b, n := text(t, ctx, "#file-button"), text(t, ctx, "#file-name"); b != w.choose || n != w.none {
				t.Errorf("picker %q / %q, want %q / %q", b, n, w.choose, w.none)
			}
			// Out of sight (the browser's own words would show) yet
			// labelled in the page's language for a screen reader.
			if r := eval[[]float64](t, ctx, `(() => { const r = document.getElementById("file").getBoundingClientRect(); return [r.width, r.height, +getComputedStyle(document.getElementById("file")).opacity]; })()`); r[0] > 1 || r[1] > 1 || r[2] != 0 {
				t.Errorf("the native file input shows: %v", r)
			}
			if l := eval[string](t, ctx, `document.getElementById(document.getElementById("file").getAttribute("aria-labelledby")).textContent`); l != text(t, ctx, `label[for="file"] > span`) {
				t.Errorf("the input's accessible label %q", l)
			}
			// The keyboard: Tab from the text box reaches the input; Enter
			// and Space open the picker.
			run(t, ctx, "Tab", chromedp.Focus(chromedp.CSS("#credential")), chromedp.KeyEvent("\t"))
			if a := eval[string](t, ctx, `document.activeElement.id`); a != "file" {
				t.Fatalf("Tab from the text box reached %q, want the file input", a)
			}
			for key, name := range map[string]string{"\r": "Enter", " ": "Space"} {
				if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.FileChooserOpened, nil, chromedp.KeyEvent(key))); err != nil {
					t.Fatalf("%s on the file input opened no picker: %v", name, err)
				}
			}

			run(t, ctx, "choose a file",
				chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}),
				chromedp.Poll[chromedp.Void](`document.getElementById("credential").value.length > 100`))
			if n := text(t, ctx, "#file-name"); n != w.chosen+filepath.Base(file) {
				t.Errorf("after choosing: %q", n)
			}
			if w.lang != "en" {
				shot(t, ctx, "verify-file-"+w.lang+".png")
			}
			run(t, ctx, "verify",
				chromedp.Click(chromedp.CSS("#verify-btn")),
				chromedp.WaitVisible(chromedp.CSS(`#verdict[data-verdict="invalid"]`)))
			if w.lang != "en" {
				around := text(t, ctx, "#paste-h") + " " + text(t, ctx, `label[for="file"]`) + " " + text(t, ctx, "#file-pick")
				if e := englishWords(strings.ReplaceAll(around, filepath.Base(file), "")); len(e) > 0 {
					t.Errorf("English words %q around the %s file picker", e, w.lang)
				}
			}

			// A file dropped on the picker is read as if chosen.
			run(t, ctx, "drop",
				chromedp.Evaluate[chromedp.Void](`(() => { document.getElementById("credential").value = ""; const dt = new DataTransfer(); dt.items.add(new File([`+jsString(f.valid)+`], "valid.jwt"));
  document.getElementById("file-pick").dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true })); return true; })()`),
				chromedp.Poll[chromedp.Void](`document.getElementById("credential").value.length > 100`),
				chromedp.Click(chromedp.CSS("#verify-btn")),
				chromedp.WaitVisible(chromedp.CSS(`#verdict[data-verdict="valid"]`)))
			if n := text(t, ctx, "#file-name"); n != w.chosen+"valid.jwt" {
				t.Errorf("after a drop: %q", n)
			}
			// A file pasted into the text box (copied in a file manager) too.
			run(t, ctx, "paste",
				chromedp.Evaluate[chromedp.Void](`(() => { const dt = new DataTransfer(); dt.items.add(new File([`+jsString(f.revoked)+`], "pasted.jwt"));
  return document.getElementById("credential").dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true })); })()`),
				chromedp.Poll[chromedp.Void](`document.getElementById("credential").value.trim() === `+jsString(f.revoked)))
			if n := text(t, ctx, "#file-name"); n != w.chosen+"pasted.jwt" {
				t.Errorf("after a paste: %q", n)
			}
			// An image pasted with copied text (a word processor's) is not read.
			if !eval[bool](t, ctx, `(() => { const dt = new DataTransfer(); dt.items.add(new File(["\x89PNG"], "image.png", { type: "image/png" }));
  return document.getElementById("credential").dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true })); })()`) {
				t.Error("a pasted image was taken for a credential file")
			}
		})
	}
	// The chosen name follows a language switch.
	run(t, ctx, "switch", setSelect("#lang", "zh-HK"))
	if n := text(t, ctx, "#file-name"); n != "已選擇：pasted.jwt" {
		t.Errorf("after a switch to zh-HK: %q", n)
	}

	// On a phone the picker and a long file name fit the screen.
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 390, Height: 844, DeviceScaleFactor: 1, Mobile: true}); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "phone",
		chromedp.Navigate(f.url+"/verify"),
		chromedp.WaitVisible(chromedp.CSS("#file-button")),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}),
		chromedp.Poll[chromedp.Void](`document.getElementById("file-name").classList.contains("chosen")`))
	if wd := eval[[]int](t, ctx, `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`); wd[0] > wd[1] {
		t.Errorf("the verify page with a chosen file is %d px wide on a %d px screen", wd[0], wd[1])
	}
	shot(t, ctx, "phone-verify-file-zh-HK.png")
}
