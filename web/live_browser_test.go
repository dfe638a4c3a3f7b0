package web_test

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/server"
)

// TestBrowser_ExplorerLive: the explorer's latest blocks and a DID's page
// follow the node's event stream (GET /v1/events as server-sent events):
// a block committed while the list is open appears at its top, and a
// DID's page shows a new document version, both without a reload; the
// line saying so is translated.
func TestBrowser_ExplorerLive(t *testing.T) {
	ctx := tab(t)
	dir := t.TempDir()
	n, err := node.Open(node.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(n, nil))
	t.Cleanup(func() { srv.Close(); n.Close() })
	tok, err := os.ReadFile(filepath.Join(dir, node.TokenFile))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{url: srv.URL, admin: strings.TrimSpace(string(tok))}

	run(t, ctx, "latest blocks, live",
		chromedp.Navigate(srv.URL+"/explorer"),
		chromedp.WaitVisible(chromedp.CSS(`#blocks tbody tr`)),
		chromedp.WaitVisible(chromedp.CSS(`#live[data-live="on"]`)))
	top, err := strconv.ParseUint(attr(t, ctx, "#blocks tbody tr", "data-height"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	eval[bool](t, ctx, `window.notReloaded = true`)
	var acct node.NewAccount
	if err := f.call("POST", "/v1/accounts", f.admin, `{"name":"live-test"}`, 201, &acct); err != nil {
		t.Fatal(err) // its DID's creation commits a block
	}
	run(t, ctx, "the new block appears",
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#blocks tbody tr[data-height="%d"]`, top+1))))
	if !eval[bool](t, ctx, `window.notReloaded === true`) {
		t.Fatal("the page was reloaded")
	}
	if h, _ := strconv.ParseUint(attr(t, ctx, "#blocks tbody tr", "data-height"), 10, 64); h <= top {
		t.Errorf("the top row is block %d, want the new one above %d", h, top)
	}
	if h := text(t, ctx, "#chain-height"); h == fmt.Sprint(top) {
		t.Errorf("the height stayed %s", h)
	}

	run(t, ctx, "the account's DID, live",
		chromedp.Evaluate[chromedp.Void](`location.hash = "did=" + `+jsString(acct.DID)),
		chromedp.WaitVisible(chromedp.CSS(`#did-history > li[data-version="1"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#live[data-live="on"]`)))
	if err := f.call("POST", "/v1/dids/"+acct.DID+"/services", acct.Token,
		`{"service":{"id":"#website","type":"LinkedDomains","serviceEndpoint":"https://live.example"}}`, 200, nil); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "the new version appears",
		chromedp.WaitVisible(chromedp.CSS(`#did-history > li[data-version="2"]`)))
	if v := text(t, ctx, "#did-versions"); v != "2" || !eval[bool](t, ctx, `window.notReloaded === true`) {
		t.Errorf("versions %q after the update, or the page was reloaded", v)
	}
	if h := texts(t, ctx, "#did-history > li"); len(h) != 2 || !strings.Contains(h[0], "#website") {
		t.Errorf("history %q", h)
	}

	run(t, ctx, "in Chinese", setSelect("#lang", "zh-CN"), chromedp.WaitVisible(chromedp.CSS(`#live[data-live="on"]`)))
	if s := text(t, ctx, "#live"); !strings.Contains(s, "实时") {
		t.Errorf("live line in zh-CN %q", s)
	}
	run(t, ctx, "back to English", setSelect("#lang", "en"))
}
