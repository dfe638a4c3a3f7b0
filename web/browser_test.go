package web_test

// Real-browser tests of the web pages: headless Debian chromium driven by
// chromedp against a node and its HTTP API on 127.0.0.1. Without chromium
// (scripts/install-chromium.sh installs it) they skip, saying so.
//
// WEID_SCREENSHOTS=DIR makes them write PNGs of the pages there (make
// screenshots: docs/screenshots).

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/cli"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/server"
)

// chromiumPath is Debian's chromium; WEID_CHROMIUM names another.
func chromiumPath() string {
	if p := os.Getenv("WEID_CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

var (
	browserOnce   sync.Once
	browserCtx    context.Context
	browserStop   func()
	browserSkip   string
	browserErr    string
	browserTmp    string
	fixtureOnce   sync.Once
	fix           *fixture
	fixtureErr    error
	cleanupsMu    sync.Mutex
	cleanups      []func()
	pageTimeout   = 90 * time.Second
	screenshotDir = os.Getenv("WEID_SCREENSHOTS")
)

func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	code := m.Run()
	cleanupsMu.Lock()
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	cleanupsMu.Unlock()
	os.Exit(code)
}

func atExit(f func()) {
	cleanupsMu.Lock()
	cleanups = append(cleanups, f)
	cleanupsMu.Unlock()
}

// tab opens a new tab of the shared headless chromium (started on first
// use), or skips the test when there is no chromium.
func tab(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a headless chromium; skipped with -short (make test runs it)")
	}
	browserOnce.Do(startBrowser)
	if browserErr != "" {
		t.Fatal(browserErr)
	}
	if browserSkip != "" {
		t.Skip(browserSkip)
	}
	tabCtx, cancel := chromedp.NewContext(browserCtx)
	// The tab opens without a deadline (chromedp: the first call on a
	// context must not time out); its actions then share one.
	if err := chromedp.Do(tabCtx); err != nil {
		cancel()
		t.Fatalf("open a tab: %v", err)
	}
	ctx, cancelT := context.WithTimeout(tabCtx, pageTimeout)
	t.Cleanup(func() { cancelT(); cancel() })
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 1000, Height: 900, DeviceScaleFactor: 1}); err != nil {
		t.Fatalf("size the tab: %v", err)
	}
	return ctx
}

func startBrowser() {
	path := chromiumPath()
	if _, err := os.Stat(path); err != nil {
		browserSkip = fmt.Sprintf("no chromium at %s (install it with scripts/install-chromium.sh or make browser; WEID_CHROMIUM names another binary)", path)
		return
	}
	dir, err := os.MkdirTemp("", "weid-chromium-")
	if err != nil {
		browserSkip = "no temporary directory for chromium's profile: " + err.Error()
		return
	}
	browserTmp = dir
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true), // containers' /dev/shm is small
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		// Without these chromium keeps calling home, which this closed
		// network refuses again and again.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("lang", "en-US"),
		// A name that is not loopback for the test node, as a LAN
		// address would be (the institution page's public URL warning).
		chromedp.Flag("host-resolver-rules", "MAP "+lanHost+" 127.0.0.1"),
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(1000, 900),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	// An installed chromium that does not start is a failure, not a skip;
	// one that hangs is stopped after a minute.
	watchdog := time.AfterFunc(time.Minute, cancelAlloc)
	err = chromedp.Do(ctx)
	watchdog.Stop()
	if err != nil {
		cancel()
		cancelAlloc()
		_ = os.RemoveAll(dir)
		browserErr = fmt.Sprintf("chromium at %s does not start: %v", path, err)
		return
	}
	browserCtx = ctx
	browserStop = func() { cancel(); cancelAlloc() }
	atExit(func() {
		browserStop()
		_ = os.RemoveAll(browserTmp)
	})
}

// fixture is a node with an accredited university that issued diplomas.
type fixture struct {
	url         string
	admin       string
	uni         node.NewAccount
	desk        node.NewAccount
	rotated     string // a DID whose first key was rotated out as compromised
	valid       string // a vc+jwt diploma
	revoked     string // a vc+jwt diploma, revoked
	toRevoke    string // the id of a diploma the institution page revokes
	toRevokeJWT string
	validTx     string // a committed transaction (the university's did.create)
	sdJWT       string // an SD-JWT VC diploma, compact
	sdToRevoke  string // an SD-JWT VC diploma the institution page revokes by its status list entry
	diJSON      string // an eddsa-jcs-2022 Data Integrity diploma, JSON
}

func getFixture(t *testing.T) *fixture {
	t.Helper()
	fixtureOnce.Do(func() { fix, fixtureErr = newFixture() })
	if fixtureErr != nil {
		t.Fatalf("fixture: %v", fixtureErr)
	}
	return fix
}

func newFixture() (*fixture, error) {
	dir, err := os.MkdirTemp("", "weid-web-")
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	n, err := node.Open(node.Config{DataDir: dir, Registerer: reg})
	if err != nil {
		return nil, err
	}
	srv := httptest.NewServer(server.New(n, reg))
	atExit(func() { srv.Close(); n.Close(); _ = os.RemoveAll(dir) })
	tok, err := os.ReadFile(filepath.Join(dir, node.TokenFile))
	if err != nil {
		return nil, err
	}
	f := &fixture{url: srv.URL, admin: strings.TrimSpace(string(tok))}
	if err := f.call("POST", "/v1/accounts", f.admin, `{"name":"example-university"}`, 201, &f.uni); err != nil {
		return nil, err
	}
	steps := []struct{ path, token, body string }{
		{"/v1/issuers", f.admin, `{"did":"` + f.uni.DID + `","name":"Example University","types":["UniversityDegreeCredential"],"schemas":[2]}`},
		{"/v1/issuer-instances", f.uni.Token, `{"name":"diploma","issuer":"` + f.uni.DID + `","schema":2,"types":["UniversityDegreeCredential"],"status":["revocation"]}`},
		{"/v1/issuer-instances", f.uni.Token, `{"name":"diploma-wallet","issuer":"` + f.uni.DID + `","schema":2,"types":["UniversityDegreeCredential"],"format":"dc+sd-jwt","status":["revocation"],` +
			`"disclosable":["/credentialSubject/holderName","/credentialSubject/degree","/credentialSubject/fieldOfStudy","/credentialSubject/institution","/credentialSubject/awardedDate","/credentialSubject/diplomaNumber"]}`},
	}
	for _, s := range steps {
		if err := f.call("POST", s.path, s.token, s.body, 201, nil); err != nil {
			return nil, err
		}
	}
	// A front desk that asks citizens for their diplomas over OpenID4VP.
	if err := f.call("POST", "/v1/accounts", f.admin, `{"name":"front-desk"}`, 201, &f.desk); err != nil {
		return nil, err
	}
	if err := f.call("POST", "/v1/issuers", f.admin, `{"did":"`+f.desk.DID+`","name":"City Hall Front Desk"}`, 201, nil); err != nil {
		return nil, err
	}
	// A DID whose key was rotated out and declared compromised.
	var archive node.NewAccount
	if err := f.call("POST", "/v1/accounts", f.admin, `{"name":"archive"}`, 201, &archive); err != nil {
		return nil, err
	}
	if err := f.call("POST", "/v1/dids/"+archive.DID+"/rotate", archive.Token, `{"newId":"key-2","compromised":true}`, 200, nil); err != nil {
		return nil, err
	}
	f.rotated = archive.DID
	// A second version of the university's DID document, for the history.
	if err := f.call("POST", "/v1/dids/"+f.uni.DID+"/services", f.uni.Token,
		`{"service":{"id":"#website","type":"LinkedDomains","serviceEndpoint":"https://university.example"}}`, 200, nil); err != nil {
		return nil, err
	}
	var ids [3]string
	var tokens [3]string
	for i, name := range []string{"Alice Chen", "Bob Li", "Carol Wang"} {
		if tokens[i], ids[i], err = f.issue(name); err != nil {
			return nil, err
		}
	}
	f.valid, f.revoked, f.toRevoke, f.toRevokeJWT = tokens[0], tokens[1], ids[2], tokens[2]
	f.validTx = f.uni.TxHash
	// The same diploma as an SD-JWT VC and as a Data Integrity document.
	subject := `"credentialSubject":{"id":"did:key:z6Mki4GPi7yS8qWU6skFi5J5TMPjpqru87B7e8drRyNh4MYU","holderName":"Alice Chen","degree":"Bachelor of Engineering","degreeLevel":"bachelor",` +
		`"fieldOfStudy":"Computer Science","institution":"Example University","awardedDate":"2026-07-01","diplomaNumber":"EU-2026-0042"}`
	var sd struct {
		VerifiableCredential api.EnvelopedCredential `json:"verifiableCredential"`
	}
	if err := f.call("POST", "/issuers/diploma-wallet/credentials/issue", f.uni.Token, `{"credential":{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/undefined-terms/v2"],"type":["VerifiableCredential"],"issuer":"`+f.uni.DID+`",`+subject+`}}`, 201, &sd); err != nil {
		return nil, err
	}
	f.sdJWT = strings.TrimPrefix(sd.VerifiableCredential.ID, "data:application/dc+sd-jwt,")
	if err := f.call("POST", "/issuers/diploma-wallet/credentials/issue", f.uni.Token, `{"credential":{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/undefined-terms/v2"],"type":["VerifiableCredential"],"issuer":"`+f.uni.DID+`",`+subject+`}}`, 201, &sd); err != nil {
		return nil, err
	}
	f.sdToRevoke = strings.TrimPrefix(sd.VerifiableCredential.ID, "data:application/dc+sd-jwt,")
	var di struct {
		VerifiableCredential json.RawMessage `json:"verifiableCredential"`
	}
	if err := f.call("POST", "/issuers/diploma/credentials/issue", f.uni.Token, `{"credential":{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"],"type":["VerifiableCredential"],"issuer":"`+f.uni.DID+`",`+subject+`},"options":{"format":"eddsa-jcs-2022"}}`, 201, &di); err != nil {
		return nil, err
	}
	var pretty bytes.Buffer
	_ = json.Indent(&pretty, di.VerifiableCredential, "", "  ")
	f.diJSON = pretty.String()
	if err := f.call("POST", "/credentials/status", f.uni.Token, `{"credentialId":"`+ids[1]+`","credentialStatus":{"type":"BitstringStatusListEntry","statusPurpose":"revocation"},"status":true}`, 200, nil); err != nil {
		return nil, err
	}
	return f, nil
}

// issue issues a diploma through the "diploma" instance and returns its
// compact vc+jwt and its id.
func (f *fixture) issue(holder string) (string, string, error) {
	cred := `{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/undefined-terms/v2"],"type":["VerifiableCredential"],"issuer":"` + f.uni.DID + `","credentialSubject":{` +
		`"id":"did:key:z6Mki4GPi7yS8qWU6skFi5J5TMPjpqru87B7e8drRyNh4MYU","holderName":"` + holder + `","degree":"Bachelor of Engineering","degreeLevel":"bachelor",` +
		`"fieldOfStudy":"Computer Science","institution":"Example University","awardedDate":"2026-07-01","diplomaNumber":"EU-2026-0042"}}`
	var out struct {
		VerifiableCredential api.EnvelopedCredential `json:"verifiableCredential"`
	}
	if err := f.call("POST", "/issuers/diploma/credentials/issue", f.uni.Token, `{"credential":`+cred+`}`, 201, &out); err != nil {
		return "", "", err
	}
	jwt, ok := strings.CutPrefix(out.VerifiableCredential.ID, "data:application/vc+jwt,")
	if !ok {
		return "", "", fmt.Errorf("issued %q, not an enveloped vc+jwt", out.VerifiableCredential.ID)
	}
	var res struct {
		Credential struct {
			ID string `json:"id"`
		} `json:"credential"`
	}
	body, _ := json.Marshal(map[string]string{"verifiableCredential": jwt})
	if err := f.call("POST", "/credentials/verify", "", string(body), 200, &res); err != nil {
		return "", "", err
	}
	return jwt, res.Credential.ID, nil
}

// call sends a JSON request to the node and decodes the answer into out.
func (f *fixture) call(method, path, token, body string, want int, out any) error {
	req, err := http.NewRequest(method, f.url+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// shot writes a PNG of the whole page to WEID_SCREENSHOTS/name, if set.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if screenshotDir == "" {
		return
	}
	raw, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	// They are kept in the repository: reduced to a palette of the page's
	// 256 most used colors, a third of the size.
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	var b bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&b, paletted(img)); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(screenshotDir, name), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// paletted maps img to its 256 most frequent colors (each pixel to the
// nearest of them): enough for a page of flat colors and anti-aliased text.
func paletted(img image.Image) *image.Paletted {
	r := img.Bounds()
	count := map[color.RGBA]int{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			count[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)]++
		}
	}
	cs := make([]color.RGBA, 0, len(count))
	for c := range count {
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool {
		if count[cs[i]] != count[cs[j]] {
			return count[cs[i]] > count[cs[j]]
		}
		return fmt.Sprint(cs[i]) < fmt.Sprint(cs[j])
	})
	pal := make(color.Palette, 0, 256)
	for _, c := range cs[:min(len(cs), 256)] {
		pal = append(pal, c)
	}
	out := image.NewPaletted(r, pal)
	index := map[color.RGBA]uint8{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			i, ok := index[c]
			if !ok {
				i = uint8(pal.Index(c))
				index[c] = i
			}
			out.SetColorIndex(x, y, i)
		}
	}
	return out
}

// texts returns the text of each element sel matches.
func texts(t *testing.T, ctx context.Context, sel string) []string {
	t.Helper()
	js := `Array.from(document.querySelectorAll(` + jsString(sel) + `), e => e.textContent.trim())`
	out, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](js))
	if err != nil {
		t.Fatalf("%s: %v", sel, err)
	}
	return out
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// text is the text of the first element sel matches, trimmed.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := read(ctx, chromedp.TextContent(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// read runs a chromedp query that finds a node and then reads it, again
// if the page replaced the node in between ("No node with given id
// found"): the pages redraw what they show on a language switch, and a
// test that reads right after one could see the node it found go.
func read[T any](ctx context.Context, q chromedp.Action[T]) (T, error) {
	for tries := 1; ; tries++ {
		v, err := chromedp.Run(ctx, q)
		if err == nil || tries == 3 || !strings.Contains(err.Error(), "No node with given id found") {
			return v, err
		}
	}
}

// run runs chromedp actions and fails the test with what on an error.
func run(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, ctx context.Context, js string, opts ...chromedp.EvaluateOption) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, opts...))
	if err != nil {
		t.Fatalf("evaluate %.60q: %v", js, err)
	}
	return v
}

// attr is the value of an attribute of the first element sel matches.
func attr(t *testing.T, ctx context.Context, sel, name string) string {
	t.Helper()
	r, err := read(ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	if err != nil {
		t.Fatalf("%s[%s]: %v", sel, name, err)
	}
	return r.Value
}

// checkStatuses maps each listed check to its status.
func checkStatuses(t *testing.T, ctx context.Context) map[string]string {
	t.Helper()
	js := `Object.fromEntries(Array.from(document.querySelectorAll('#checks li'), li => [li.dataset.check, li.dataset.status]))`
	return eval[map[string]string](t, ctx, js)
}

// TestBrowser_VerifyPage: a valid diploma pasted into /verify gets the
// "Valid credential" verdict with every check passed, the issuer's name from
// the trust registry, the claims and the ledger facts; a revoked one gets
// "Not valid" with the status check failed.
func TestBrowser_VerifyPage(t *testing.T) {
	ctx := tab(t) // first: without chromium, skip before making the fixture
	f := getFixture(t)
	verify := func(cred, verdict string) {
		t.Helper()
		run(t, ctx, "verify",
			chromedp.Navigate(f.url+"/verify"),
			chromedp.WaitVisible(chromedp.CSS("#credential")),
			chromedp.SetValue(chromedp.CSS("#credential"), cred),
			chromedp.Click(chromedp.CSS("#verify-btn")),
			chromedp.WaitVisible(chromedp.CSS(`#verdict[data-verdict="`+verdict+`"]`)),
			chromedp.WaitVisible(chromedp.CSS("#fact-status-0")))
	}

	verify(f.valid, "valid")
	if v := text(t, ctx, "#verdict h2"); v != "Valid credential" {
		t.Errorf("verdict %q", v)
	}
	st := checkStatuses(t, ctx)
	for _, c := range []string{"structure", "proof", "issuerBinding", "accreditation", "validityPeriod", "schema", "status"} {
		if st[c] != "passed" {
			t.Errorf("check %s: %q, want passed (all: %v)", c, st[c], st)
		}
	}
	if n := text(t, ctx, "#issuer-name"); n != "Example University" {
		t.Errorf("issuer name %q", n)
	}
	var res struct {
		Meta struct {
			BlockHeight uint64 `json:"blockHeight"`
			VersionID   string `json:"versionId"`
		} `json:"didDocumentMetadata"`
	}
	if err := f.call("GET", "/v1/dids/"+f.uni.DID, "", "", 200, &res); err != nil {
		t.Fatal(err)
	}
	if h, want := text(t, ctx, "#fact-did-height"), fmt.Sprintf("block %d, version %s", res.Meta.BlockHeight, res.Meta.VersionID); h != want {
		t.Errorf("issuer DID fact %q, want %q", h, want)
	}
	if s := text(t, ctx, "#fact-status-0"); !strings.Contains(s, "revocation") || !strings.Contains(s, "index") {
		t.Errorf("status list fact %q", s)
	}
	claims := strings.Join(texts(t, ctx, "#claims tr"), "\n")
	if !strings.Contains(claims, "Alice Chen") || !strings.Contains(claims, "Bachelor of Engineering") {
		t.Errorf("claims %q", claims)
	}
	shot(t, ctx, "verify.png")

	verify(f.revoked, "invalid")
	if v := text(t, ctx, "#verdict"); !strings.Contains(v, "Not valid") || !strings.Contains(v, "Revocation status") {
		t.Errorf("revoked verdict %q", v)
	}
	st = checkStatuses(t, ctx)
	if st["status"] != "failed" || st["proof"] != "passed" {
		t.Errorf("revoked checks %v, want status failed and proof passed", st)
	}
	shot(t, ctx, "verify-revoked.png")

	// An SD-JWT VC with every disclosure (every claim present: checked
	// against the schema), the same with none (claims withheld cannot be
	// checked: a warning) and a Data Integrity document pasted as JSON.
	verify(f.sdJWT, "valid")
	if st := checkStatuses(t, ctx); st["proof"] != "passed" || st["schema"] != "passed" || st["status"] != "passed" {
		t.Errorf("SD-JWT checks %v", st)
	}
	if claims := strings.Join(texts(t, ctx, "#claims tr"), "|"); !strings.Contains(claims, "Alice Chen") {
		t.Errorf("SD-JWT claims %q", claims)
	}
	verify(f.sdJWT[:strings.IndexByte(f.sdJWT, '~')+1], "warning")
	if st := checkStatuses(t, ctx); st["proof"] != "passed" || st["schema"] != "warning" || st["status"] != "passed" {
		t.Errorf("SD-JWT without disclosures: checks %v", st)
	}
	verify(f.diJSON, "valid")
	if d := text(t, ctx, `#checks li[data-check="structure"]`); !strings.Contains(d, "eddsa-jcs-2022") && !strings.Contains(d, "Data Integrity") {
		t.Errorf("Data Integrity structure check %q", d)
	}
	verify("data:application/vc+jwt,"+f.valid, "valid") // an enveloped credential's id

	// Uploaded as a file: the page reads it into the text box.
	file := filepath.Join(t.TempDir(), "revoked-diploma.jwt")
	if err := os.WriteFile(file, []byte(f.revoked+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "upload",
		chromedp.Navigate(f.url+"/verify"),
		chromedp.WaitVisible(chromedp.CSS("#file-button")),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}),
		chromedp.Poll[chromedp.Void](`document.getElementById("credential").value.length > 100`),
		chromedp.Click(chromedp.CSS("#verify-btn")),
		chromedp.WaitVisible(chromedp.CSS(`#verdict[data-verdict="invalid"]`)))

	// Not a credential: the refusal in plain words, no verdict.
	run(t, ctx, "bad input",
		chromedp.SetValue(chromedp.CSS("#credential"), `{"not": "a credential"`),
		chromedp.Click(chromedp.CSS("#verify-btn")),
		chromedp.WaitVisible(chromedp.CSS("#result .msg.error")))
	if m := text(t, ctx, "#result .msg.error"); !strings.Contains(m, "not valid JSON") {
		t.Errorf("bad JSON message %q", m)
	}
	// The message follows a language switch.
	run(t, ctx, "switch", setSelect("#lang", "zh-CN"))
	if m := text(t, ctx, "#result .msg.error"); !strings.Contains(m, "不是有效的 JSON") {
		t.Errorf("bad JSON message in Chinese %q", m)
	}
	run(t, ctx, "switch back", setSelect("#lang", "en"))
}

// TestBrowser_Explorer: the latest blocks, the genesis block's
// transactions, one of them with its inclusion proof checked by the page
// (WebCrypto and the page's own SHA-256 agree), a forged proof refused, and
// a DID's two document versions.
func TestBrowser_Explorer(t *testing.T) {
	ctx := tab(t) // first: without chromium, skip before making the fixture
	f := getFixture(t)
	var height uint64
	if err := f.call("GET", "/v1/status", "", "", 200, &struct {
		Height *uint64 `json:"height"`
	}{&height}); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "latest blocks",
		chromedp.Navigate(f.url+"/explorer"),
		chromedp.WaitVisible(chromedp.CSS("#blocks tbody tr")))
	if h := text(t, ctx, "#chain-height"); h != fmt.Sprint(height) {
		t.Errorf("height %q, want %d", h, height)
	}
	if rows := texts(t, ctx, "#blocks tbody tr"); len(rows) != int(min(height+1, 20)) {
		t.Errorf("%d block rows, want %d", len(rows), min(height+1, 20))
	}

	// The genesis block's five transactions; the third has a two-step
	// audit path (a tree of 5).
	run(t, ctx, "block 0",
		chromedp.SetValue(chromedp.CSS("#q"), "0"),
		chromedp.Click(chromedp.CSS("#search button")),
		chromedp.WaitVisible(chromedp.CSS("#block-txs tbody tr a.mono[href^='/explorer#tx=']")))
	if rows := texts(t, ctx, "#block-txs tbody tr"); len(rows) != 5 || !strings.Contains(rows[2], "schema.register") {
		t.Fatalf("genesis rows %q", rows)
	}
	run(t, ctx, "tx 2 of block 0",
		chromedp.Click(chromedp.CSS("#block-txs tbody tr:nth-child(3) a[href^='/explorer#tx=']")),
		chromedp.WaitVisible(chromedp.CSS(`#proof[data-proof]`)))
	proof := attr(t, ctx, "#proof", "data-proof")
	if proof != "valid" {
		t.Fatalf("proof %q: %s", proof, text(t, ctx, "#proof"))
	}
	if m := text(t, ctx, "#proof"); !strings.Contains(m, "leaf 2 of 5 in block 0") {
		t.Errorf("proof message %q", m)
	}
	if n := len(texts(t, ctx, "#view ol.mono li")); n != 3 {
		t.Errorf("audit path of %d hashes, want 3 for leaf 2 of 5", n)
	}
	shot(t, ctx, "explorer-tx.png")

	// The page's own SHA-256 (for plain-http LAN pages without WebCrypto)
	// agrees with WebCrypto; a proof against another root is refused.
	agree := eval[bool](t, ctx, `(async () => {
		const w = window.weid;
		if (w.bytesToHex(w.sha256js(new TextEncoder().encode("abc"))) !== "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") return false;
		for (const n of [0, 1, 55, 56, 63, 64, 65, 1000]) {
			const m = new Uint8Array(n).map((_, i) => (i * 7 + n) & 255);
			const a = w.bytesToHex(new Uint8Array(await crypto.subtle.digest("SHA-256", m)));
			if (a !== w.bytesToHex(w.sha256js(m))) return false;
		}
		const leaf = new Uint8Array(32);
		const bad = await w.verifyInclusion(leaf, 0, 1, [], "00".repeat(32));
		const good = await w.verifyInclusion(leaf, 0, 1, [], w.bytesToHex(w.sha256js(new Uint8Array(33))));
		return !bad.ok && good.ok;
	})()`, chromedp.EvalAwaitPromise)
	if !agree {
		t.Error("sha256js disagrees with WebCrypto, or a forged inclusion proof was accepted")
	}

	// The page's inclusion check against RFC 6962's own definition of the
	// audit path, for every leaf of trees of 1 to 17 leaves: each proof
	// holds, and with a hash changed, another index or a shortened path, none.
	// (A path may also fit a larger tree with the same root: the header's
	// txCount is what fixes the size, and the page checks it.)
	type vector struct {
		Leaf  string   `json:"leaf"`
		Index int      `json:"index"`
		Size  int      `json:"size"`
		Path  []string `json:"path"`
		Root  string   `json:"root"`
	}
	var vectors []vector
	for size := 1; size <= 17; size++ {
		leaves := make([][]byte, size)
		for i := range leaves {
			leaves[i] = []byte(fmt.Sprintf("leaf %d of %d", i, size))
		}
		root := hex.EncodeToString(mth(leaves))
		for i := range leaves {
			path := []string{}
			for _, h := range auditPath(i, leaves) {
				path = append(path, hex.EncodeToString(h))
			}
			vectors = append(vectors, vector{hex.EncodeToString(leaves[i]), i, size, path, root})
		}
	}
	vj, _ := json.Marshal(vectors)
	bad := eval[[]string](t, ctx, `(async () => {
		const w = window.weid, bad = [];
		for (const v of `+string(vj)+`) {
			const leaf = w.hexToBytes(v.leaf), name = v.index + "/" + v.size;
			if (!(await w.verifyInclusion(leaf, v.index, v.size, v.path, v.root)).ok) bad.push(name + " refused");
			if (v.path.length) {
				const p = v.path.slice();
				p[p.length - 1] = (p[p.length - 1][0] === "0" ? "1" : "0") + p[p.length - 1].slice(1);
				if ((await w.verifyInclusion(leaf, v.index, v.size, p, v.root)).ok) bad.push(name + " accepted a flipped path");
			}
			if (v.size > 1 && (await w.verifyInclusion(leaf, (v.index + 1) % v.size, v.size, v.path, v.root)).ok) bad.push(name + " accepted another index");
			if (v.size > 1 && (await w.verifyInclusion(leaf, v.index, v.size, v.path.slice(1), v.root)).ok) bad.push(name + " accepted a shortened path");
		}
		return bad;
	})()`, chromedp.EvalAwaitPromise)
	if len(bad) > 0 {
		t.Errorf("the page's RFC 6962 check: %q", bad)
	}

	// The university's DID: created with its account, then a service added.
	run(t, ctx, "DID",
		chromedp.SetValue(chromedp.CSS("#q"), f.uni.DID),
		chromedp.Click(chromedp.CSS("#search button")),
		chromedp.WaitVisible(chromedp.CSS("#did-history li")))
	if v := text(t, ctx, "#did-versions"); v != "2" {
		t.Errorf("versions %q, want 2", v)
	}
	hist := texts(t, ctx, "#did-history > li")
	if len(hist) != 2 || !strings.Contains(hist[0], "Version 2") || !strings.Contains(hist[0], "#website") || strings.Contains(hist[1], "#website") {
		t.Errorf("history %q", hist)
	}
	shot(t, ctx, "explorer-did.png")
	run(t, ctx, "a DID with a compromised key",
		chromedp.Navigate(f.url+"/explorer#did="+f.rotated),
		chromedp.WaitVisible(chromedp.CSS("#did-compromised li")))
	if k := texts(t, ctx, "#did-compromised li"); len(k) != 1 || !strings.HasPrefix(k[0], "key-1 ") {
		t.Errorf("compromised keys %q", k)
	}

	run(t, ctx, "issuers", chromedp.Click(chromedp.CSS(`a[data-tab="issuers"]`)), chromedp.WaitVisible(chromedp.CSS("#issuers tbody tr")))
	if rows := texts(t, ctx, "#issuers tbody tr"); len(rows) != 2 || !strings.Contains(strings.Join(rows, "|"), "Example University") {
		t.Errorf("issuers %q", rows)
	}
	run(t, ctx, "schemas", chromedp.Click(chromedp.CSS(`a[data-tab="schemas"]`)), chromedp.WaitVisible(chromedp.CSS("#schemas details")))
	if rows := texts(t, ctx, "#schemas > details > summary"); len(rows) != 3 || !strings.Contains(rows[1], "University diploma") {
		t.Errorf("schemas %q", rows)
	}
}

// TestBrowser_Language: a browser that prefers Chinese gets the pages in
// Chinese; the switch changes the language at once and is remembered.
func TestBrowser_Language(t *testing.T) {
	ctx := tab(t) // first: without chromium, skip before making the fixture
	f := getFixture(t)
	if _, err := chromedp.Call(ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: "Mozilla/5.0 (X11; Linux x86_64) weid-test", AcceptLanguage: "zh-CN"}); err != nil {
		t.Fatal(err)
	}
	// No choice remembered from other tests: the browser's language decides.
	run(t, ctx, "prefer Chinese",
		chromedp.Navigate(f.url+"/verify"),
		chromedp.WaitVisible(chromedp.CSS("#verify-form")),
		chromedp.Evaluate[chromedp.Void](`localStorage.removeItem("weid.lang")`),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS("#verify-form")))
	lang := eval[string](t, ctx, `document.documentElement.lang`)
	if h := text(t, ctx, "h1"); h != "验证凭证" || lang != "zh-CN" {
		t.Errorf("with navigator.language zh-CN: h1 %q, lang %q", h, lang)
	}
	run(t, ctx, "switch to English", setSelect("#lang", "en"))
	if h := text(t, ctx, "h1"); h != "Verify a credential" {
		t.Errorf("after the switch: h1 %q", h)
	}
	run(t, ctx, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#verify-form")))
	if h := text(t, ctx, "h1"); h != "Verify a credential" {
		t.Errorf("after a reload: h1 %q, the choice was not remembered", h)
	}
	// A verdict shown in English is redrawn in Chinese.
	run(t, ctx, "verify",
		chromedp.SetValue(chromedp.CSS("#credential"), f.valid),
		chromedp.Click(chromedp.CSS("#verify-btn")),
		chromedp.WaitVisible(chromedp.CSS(`#verdict[data-verdict="valid"]`)),
		chromedp.WaitVisible(chromedp.CSS("#fact-status-0")),
		setSelect("#lang", "zh-CN"))
	if v := text(t, ctx, "#verdict h2"); v != "凭证有效" {
		t.Errorf("verdict after switching to Chinese: %q", v)
	}
	if nav := texts(t, ctx, "nav a"); strings.Join(nav, ",") != "验证,浏览器,机构" {
		t.Errorf("navigation %q", nav)
	}
	shot(t, ctx, "verify-zh.png")
	run(t, ctx, "back to English", setSelect("#lang", "en"))

	// A browser in Macau that prefers Portuguese, then Chinese: the first
	// language the pages have is Chinese of Macau, written Traditional; a
	// choice made on the page still wins.
	script, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `Object.defineProperty(navigator, "language", { get: () => "pt-MO" });
Object.defineProperty(navigator, "languages", { get: () => ["pt-MO", "zh-MO"] });`})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		_, _ = chromedp.Call(ctx, page.RemoveScriptToEvaluateOnNewDocument, page.RemoveScriptToEvaluateOnNewDocumentParams{Identifier: script.Identifier})
	}()
	run(t, ctx, "prefer pt-MO, then zh-MO",
		chromedp.Evaluate[chromedp.Void](`localStorage.removeItem("weid.lang")`), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#verify-form")))
	if h, lang := text(t, ctx, "h1"), eval[string](t, ctx, `document.documentElement.lang`); h != "驗證憑證" || lang != "zh-HK" {
		t.Errorf("with navigator.languages pt-MO, zh-MO: h1 %q, lang %q, want zh-HK", h, lang)
	}
	run(t, ctx, "choose English", setSelect("#lang", "en"), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#verify-form")))
	if h := text(t, ctx, "h1"); h != "Verify a credential" {
		t.Errorf("English chosen with navigator.languages pt-MO, zh-MO: h1 %q after a reload", h)
	}
}

// signIn opens the institution page at base and signs in with the account
// token, until the claims form shows. It forgets the token a sign-in
// before saved (forgetToken), so the form shown is the click's.
func signIn(base, token string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		forgetToken(),
		chromedp.Navigate(base + "/institution"),
		chromedp.WaitVisible(chromedp.CSS("#token")),
		chromedp.SetValue(chromedp.CSS("#token"), token),
		chromedp.Click(chromedp.CSS("#token-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#claim-holderName")),
	}
}

// forgetToken clears the session storage of the page the tab shows, where
// the institution page keeps the token it signed in with. Run before
// opening that page again at the same origin: with a saved token the page
// signs in by itself as it loads, and a form that sign-in draws before a
// test's click satisfies the test's wait, then is drawn anew when the
// click's sign-in is answered, wiping what the test typed meanwhile.
func forgetToken() chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`(() => { try { sessionStorage.clear(); } catch (e) {} return true; })()`)
}

// setSelect chooses value in a <select> as a user would (firing change).
func setSelect(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector(` + jsString(sel) + `); s.value = ` + jsString(value) +
		`; s.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`)
}

// TestBrowser_Institution: with the account token, the form built from the
// diploma schema makes an offer whose QR code and PIN the page shows; the
// revoke form revokes a diploma on the ledger.
func TestBrowser_Institution(t *testing.T) {
	ctx := tab(t) // first: without chromium, skip before making the fixture
	f := getFixture(t)
	run(t, ctx, "sign in", signIn(f.url, f.uni.Token)...)
	// The page is open at 127.0.0.1 and the node has no --public-url: it
	// warns that offers will point where no phone can reach.
	if m := text(t, ctx, "#reach-msg .msg.warning"); !strings.Contains(m, "This page is open at "+f.url+", a loopback address") || !strings.Contains(m, "--public-url http://") {
		t.Errorf("loopback warning before an offer: %q", m)
	}
	fill := map[string]string{"holderName": "Dana Zhou", "degree": "Master of Science", "fieldOfStudy": "Physics",
		"institution": "Example University", "diplomaNumber": "EU-2026-0077"}
	var actions []chromedp.Action[chromedp.Void]
	for k, v := range fill {
		actions = append(actions, chromedp.SetValue(chromedp.CSS("#claim-"+k), v))
	}
	actions = append(actions, chromedp.Click(chromedp.CSS("#offer-btn")), chromedp.WaitVisible(chromedp.CSS("#offer-msg .msg.error")))
	run(t, ctx, "missing field", actions...)
	if m := text(t, ctx, "#offer-msg"); !strings.Contains(m, "Date awarded") { // the schema's title, not the key
		t.Errorf("missing field message %q", m)
	}
	run(t, ctx, "offer",
		chromedp.SetValue(chromedp.CSS("#claim-awardedDate"), "2026-06-30"),
		chromedp.Click(chromedp.CSS("#offer-btn")),
		chromedp.WaitVisible(chromedp.CSS("#offer-qr img")))
	link := attr(t, ctx, "#offer-link", "data-offer-uri")
	if !strings.HasPrefix(link, "openid-credential-offer://") {
		t.Errorf("offer link %q", link)
	}
	if pin := text(t, ctx, "#offer-pin-value"); len(pin) != 6 {
		t.Errorf("PIN %q", pin)
	}
	if !eval[bool](t, ctx, `document.getElementById("reach-msg").hidden`) {
		t.Error("the warning before an offer is still shown beside the offer's")
	}
	if m := text(t, ctx, "#offer-reach .msg.warning"); !strings.Contains(m, "This QR code points at "+f.url+", a loopback address: no phone can reach it") || !strings.Contains(m, "WEID_PUBLIC_URL") {
		t.Errorf("loopback warning with the offer: %q", m)
	}
	run(t, ctx, "offer state", chromedp.Click(chromedp.CSS("#offer-refresh")), chromedp.WaitVisible(chromedp.CSS(`#offer-state[data-state="offered"]`)))
	shot(t, ctx, "institution.png")

	// The next citizen's offer, refused for a missing field, and a sign-out
	// and sign-in: the last citizen's QR code and PIN are gone each time.
	offerGone := func(when string) {
		t.Helper()
		if eval[bool](t, ctx, `!document.getElementById("offer").hidden || !!document.querySelector("#offer-qr img, #offer-pin-value")`) {
			t.Errorf("%s: the previous offer's QR code or PIN is still on the page", when)
		}
	}
	run(t, ctx, "next offer with a mistake",
		chromedp.Evaluate[chromedp.Void](`(() => { document.getElementById("claim-awardedDate").value = ""; return true; })()`),
		chromedp.Click(chromedp.CSS("#offer-btn")),
		chromedp.WaitVisible(chromedp.CSS("#offer-msg .msg.error")))
	offerGone("a refused form")
	run(t, ctx, "offer, sign out, sign in",
		chromedp.SetValue(chromedp.CSS("#claim-awardedDate"), "2026-06-30"),
		chromedp.Click(chromedp.CSS("#offer-btn")),
		chromedp.WaitVisible(chromedp.CSS("#offer-qr img")),
		chromedp.Click(chromedp.CSS("#sign-out")),
		chromedp.SetValue(chromedp.CSS("#token"), f.uni.Token),
		chromedp.Click(chromedp.CSS("#token-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#claim-holderName")))
	offerGone("a sign-out and sign-in")

	// Revoking is final: the page asks first, naming the credential, and
	// the ledger is left alone until the confirming click. The id is typed
	// as a Chinese input method types it, in full-width characters.
	run(t, ctx, "revoke",
		chromedp.SetValue(chromedp.CSS("#credential-id"), " "+fullWidth(f.toRevoke)+" "),
		chromedp.Click(chromedp.CSS("#revoke-btn")),
		chromedp.WaitVisible(chromedp.CSS("#revoke-confirm")))
	if m := text(t, ctx, "#revoke-msg"); !strings.Contains(m, f.toRevoke) {
		t.Errorf("the revocation's question %q does not name the credential", m)
	}
	body, _ := json.Marshal(map[string]string{"verifiableCredential": f.toRevokeJWT})
	if err := f.call("POST", "/credentials/verify", "", string(body), 200, nil); err != nil {
		t.Fatalf("revoked before the confirmation: %v", err)
	}
	run(t, ctx, "confirm", chromedp.Click(chromedp.CSS("#revoke-confirm")), chromedp.WaitVisible(chromedp.CSS("#revoke-msg .msg.ok")))
	if m := text(t, ctx, "#revoke-msg"); !strings.Contains(m, "Done") || !strings.Contains(m, f.toRevoke) {
		t.Fatalf("revoke: %q, want it done for %s", m, f.toRevoke)
	}
	var res struct {
		Errors []struct {
			Name string `json:"name"`
		} `json:"errors"`
	}
	// A credential that fails a check is a 400 problem carrying the verdict.
	if err := f.call("POST", "/credentials/verify", "", string(body), 400, &res); err != nil || len(res.Errors) == 0 || res.Errors[0].Name != "status" {
		t.Fatalf("the diploma revoked on the page verifies: %v %+v", err, res)
	}

	// An SD-JWT VC has no id: the verify page says which status list and
	// index to type, and the form revokes by them, after the same question
	// naming them.
	verifyIn(t, ctx, f.url, "en", f.sdToRevoke, "#fact-status-revoke-0")
	hint := text(t, ctx, "#fact-status-revoke-0")
	m := regexp.MustCompile(`enter status list (\S+) and index (\d+)\.$`).FindStringSubmatch(hint)
	if m == nil {
		t.Fatalf("the verify page's hint %q names no status list and index to revoke by", hint)
	}
	run(t, ctx, "revoke by the status list entry",
		chromedp.Navigate(f.url+"/institution"),
		chromedp.WaitVisible(chromedp.CSS("#claim-holderName")),
		chromedp.SetValue(chromedp.CSS("#status-list"), m[1]),
		chromedp.SetValue(chromedp.CSS("#status-index"), m[2]),
		chromedp.Click(chromedp.CSS("#revoke-btn")),
		chromedp.WaitVisible(chromedp.CSS("#revoke-confirm")))
	if q := text(t, ctx, "#revoke-msg"); !strings.Contains(q, "status list "+m[1]+", index "+m[2]) {
		t.Errorf("the revocation's question %q does not name the list and index", q)
	}
	sdBody, _ := json.Marshal(map[string]string{"verifiableCredential": f.sdToRevoke})
	if err := f.call("POST", "/credentials/verify", "", string(sdBody), 200, nil); err != nil {
		t.Fatalf("the SD-JWT VC is revoked before the confirmation: %v", err)
	}
	run(t, ctx, "confirm the entry's revocation", chromedp.Click(chromedp.CSS("#revoke-confirm")), chromedp.WaitVisible(chromedp.CSS("#revoke-msg .msg.ok")))
	if d := text(t, ctx, "#revoke-msg"); !strings.Contains(d, "Done") || !strings.Contains(d, "index "+m[2]) {
		t.Fatalf("revoke by entry: %q, want it done for index %s", d, m[2])
	}
	res.Errors = nil
	if err := f.call("POST", "/credentials/verify", "", string(sdBody), 400, &res); err != nil || len(res.Errors) == 0 || res.Errors[0].Name != "status" {
		t.Fatalf("the SD-JWT VC revoked on the page verifies: %v %+v", err, res)
	}
}

// lanHost is a host name chromium resolves to 127.0.0.1 (its
// --host-resolver-rules): to the page, a node on a network address.
const lanHost = "weid-node.test"

// TestBrowser_InstitutionReachableNoWarning: opened at an address that is
// not loopback, the institution page gives no public URL warning, before
// or after an offer (whose QR code points at that address).
func TestBrowser_InstitutionReachableNoWarning(t *testing.T) {
	ctx := tab(t)
	f := getFixture(t)
	u, err := url.Parse(f.url)
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + lanHost + ":" + u.Port()
	run(t, ctx, "sign in", signIn(base, f.uni.Token)...)
	actions := []chromedp.Action[chromedp.Void]{chromedp.SetValue(chromedp.CSS("#claim-awardedDate"), "2026-06-30")}
	for k, v := range map[string]string{"holderName": "Eve Lin", "degree": "Master of Science", "fieldOfStudy": "Physics",
		"institution": "Example University", "diplomaNumber": "EU-2026-0078"} {
		actions = append(actions, chromedp.SetValue(chromedp.CSS("#claim-"+k), v))
	}
	if !eval[bool](t, ctx, `document.getElementById("reach-msg").hidden`) {
		t.Errorf("a public URL warning at %s: %q", base, text(t, ctx, "#reach-msg"))
	}
	run(t, ctx, "offer", append(actions, chromedp.Click(chromedp.CSS("#offer-btn")), chromedp.WaitVisible(chromedp.CSS("#offer-qr img")))...)
	if link := attr(t, ctx, "#offer-link", "data-offer-uri"); !strings.Contains(link, url.QueryEscape(base)) {
		t.Errorf("offer link %q does not point at %s", link, base)
	}
	if !eval[bool](t, ctx, `document.getElementById("reach-msg").hidden && document.getElementById("offer-reach").hidden`) {
		t.Errorf("a public URL warning with an offer at %s: %q", base, text(t, ctx, "#issue-h ~ *"))
	}
}

// weid runs the weid CLI in this process.
func weid(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return cli.Run(ctx, args...)
}

// TestBrowser_PresentationRequest is the issue's "done when" in a browser:
// a university offers a diploma on its institution page and the CLI wallet
// collects it with the page's PIN (weid wallet receive); a front desk asks,
// on the verify page, for two of its claims; the page shows the QR code and
// deep link; the wallet answers it (weid wallet present), disclosing only
// those two; the page updates itself to the verdict with the two claims.
func TestBrowser_PresentationRequest(t *testing.T) {
	ctx := tab(t) // first: without chromium, skip before making the fixture
	f := getFixture(t)
	for _, v := range []string{"WEID_NODE", "WEID_TOKEN", "WEID_CHAIN_ID", "WEID_KEYSTORE_PASSPHRASE", "WEID_DATA", "WEID_LISTEN", "WEID_WALLET"} {
		t.Setenv(v, "")
	}
	t.Setenv("WEID_PASSPHRASE", "browser test wallet passphrase")
	wdir := filepath.Join(t.TempDir(), "wallet")
	if out, err := weid(t, "wallet", "init", "--wallet", wdir); err != nil {
		t.Fatalf("wallet init: %v %s", err, out)
	}
	// The university offers the diploma on its institution page; the
	// wallet collects it with the PIN the page shows, and the page sees it
	// collected.
	run(t, ctx, "the university's page", append(signIn(f.url, f.uni.Token),
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById("instance");
			s.value = Array.from(s.options).find(o => o.text.startsWith("diploma-wallet ")).value;
			s.dispatchEvent(new Event("change")); })()`),
		chromedp.WaitVisible(chromedp.CSS(`#claims-fields[data-instance="diploma-wallet"] #claim-holderName`)))...)
	var fill []chromedp.Action[chromedp.Void]
	for k, v := range map[string]string{"holderName": "Erin Sun", "degree": "Doctor of Philosophy", "fieldOfStudy": "Chemistry",
		"institution": "Example University", "awardedDate": "2026-05-20", "diplomaNumber": "EU-2026-0099"} {
		fill = append(fill, chromedp.SetValue(chromedp.CSS("#claim-"+k), v))
	}
	fill = append(fill, chromedp.Click(chromedp.CSS("#offer-btn")), chromedp.WaitVisible(chromedp.CSS("#offer-pin-value")),
		chromedp.WaitVisible(chromedp.CSS(`#offer-state[data-state="offered"]`)))
	run(t, ctx, "offer", fill...)
	offerURI, pin := attr(t, ctx, "#offer-link", "data-offer-uri"), text(t, ctx, "#offer-pin-value")
	out, err := weid(t, "wallet", "receive", offerURI, "--pin", pin, "--wallet", wdir, "--node", f.url, "-o", "json")
	if err != nil {
		t.Fatalf("wallet receive: %v %s", err, out)
	}
	var got struct {
		Credentials []struct {
			Subject string `json:"subject"`
		} `json:"credentials"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.Credentials) != 1 {
		t.Fatalf("wallet receive printed %s", out)
	}
	run(t, ctx, "the page sees the offer collected", chromedp.WaitVisible(chromedp.CSS(`#offer-state[data-state="issued"]`)))
	holder := got.Credentials[0].Subject

	run(t, ctx, "ask for a diploma",
		chromedp.Navigate(f.url+"/verify"),
		chromedp.WaitVisible(chromedp.CSS("#vp-token")),
		chromedp.SetValue(chromedp.CSS("#vp-token"), f.desk.Token),
		chromedp.Click(chromedp.CSS("#vp-load")),
		chromedp.WaitVisible(chromedp.CSS("#vp-claim-degree")))
	if v := eval[string](t, ctx, `document.getElementById("vp-schema").value`); v != "2" {
		t.Errorf("schema chosen for the type: %q, want 2 (the issuer's accreditation)", v)
	}
	if l := text(t, ctx, `#vp-claims label[data-claim="awardedDate"]`); l != "Date awarded" {
		t.Errorf("the claim to ask for is named %q, want the schema's title", l)
	}
	run(t, ctx, "choose the claims",
		chromedp.Click(chromedp.CSS("#vp-claim-degree")),
		chromedp.Click(chromedp.CSS("#vp-claim-holderName")),
		chromedp.SetValue(chromedp.CSS("#vp-purpose"), "check your degree"),
		chromedp.Click(chromedp.CSS("#vp-start")),
		chromedp.WaitVisible(chromedp.CSS(`#vp-link[data-request-uri^="openid4vp://"]`)),
		chromedp.WaitVisible(chromedp.CSS("#vp-qr img")),
		chromedp.WaitVisible(chromedp.CSS(`#vp-status[data-status="pending"]`)))
	link := attr(t, ctx, "#vp-link", "data-request-uri")
	// The node has no public URL and the page is open at 127.0.0.1: the
	// request the QR code points at is on a loopback address, and the page
	// says that no phone can reach it (as the institution page does).
	if m := text(t, ctx, "#vp-reach .msg.warning"); !strings.Contains(m, "This QR code points at "+f.url+", a loopback address: no phone can reach it") || !strings.Contains(m, "WEID_PUBLIC_URL") {
		t.Errorf("loopback warning beside the presentation request: %q", m)
	}
	shot(t, ctx, "verify-request.png")

	if out, err := weid(t, "wallet", "present", link, "--wallet", wdir, "--node", f.url, "--yes"); err != nil {
		t.Fatalf("wallet present: %v\n%s", err, out)
	}
	run(t, ctx, "the page shows the verdict",
		chromedp.WaitVisible(chromedp.CSS(`#vp-status[data-status="verified"]`)),
		chromedp.WaitVisible(chromedp.CSS("#result #verdict")),
		chromedp.WaitVisible(chromedp.CSS("#result #claims")))
	if v := attr(t, ctx, "#verdict", "data-verdict"); v == "invalid" {
		t.Fatalf("verdict %q: %s", v, text(t, ctx, "#result"))
	}
	rows := strings.Join(texts(t, ctx, "#claims tr"), "|")
	if n := len(texts(t, ctx, "#claims tr")); n != 2 || !strings.Contains(rows, "Doctor of Philosophy") || !strings.Contains(rows, "Erin Sun") {
		t.Errorf("disclosed claims %q, want degree and holderName only", rows)
	}
	if th := strings.Join(texts(t, ctx, "#claims th"), "|"); th != "Degree|Holder's name" && th != "Holder's name|Degree" {
		t.Errorf("disclosed claims named %q, want the schema's titles", th)
	}
	if h := text(t, ctx, "#holder"); h != holder {
		t.Errorf("holder %q, want the wallet's %s", h, holder)
	}
	if n := text(t, ctx, "#issuer-name"); n != "Example University" {
		t.Errorf("issuer %q", n)
	}
	shot(t, ctx, "verify-presentation.png")
}

// unlabeled lists the form controls of the page that have no label.
const unlabeled = `Array.from(document.querySelectorAll("input, select, textarea, button"))
	.filter(e => e.type !== "hidden" && e.offsetParent !== null)
	.filter(e => !(e.labels && e.labels.length) && !e.getAttribute("aria-label") && !(e.tagName === "BUTTON" && e.textContent.trim()))
	.map(e => e.outerHTML.slice(0, 80))`

// TestBrowser_PhoneAndKeyboard: on a phone-sized screen no page scrolls
// sideways; every control has a label; the pages work from the keyboard
// (skip link first, search and verify with Tab and Enter).
func TestBrowser_PhoneAndKeyboard(t *testing.T) {
	ctx := tab(t) // first: without chromium, skip before making the fixture
	f := getFixture(t)
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 390, Height: 844, DeviceScaleFactor: 1, Mobile: true}); err != nil {
		t.Fatal(err)
	}
	pages := []struct {
		path  string
		ready string
		setup []chromedp.Action[chromedp.Void]
	}{
		{"/verify", "#verdict", []chromedp.Action[chromedp.Void]{
			chromedp.SetValue(chromedp.CSS("#credential"), f.valid), chromedp.Click(chromedp.CSS("#verify-btn"))}},
		{"/explorer", "#blocks tbody tr", nil},
		{"/explorer#tx=" + f.validTx, "#proof[data-proof]", nil},
		{"/explorer#did=" + f.uni.DID, "#did-history li", nil},
		{"/institution", "#claim-holderName", []chromedp.Action[chromedp.Void]{
			chromedp.SetValue(chromedp.CSS("#token"), f.uni.Token), chromedp.Click(chromedp.CSS("#token-form button[type=submit]"))}},
	}
	for _, p := range pages {
		steps := append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(f.url + p.path), chromedp.WaitVisible(chromedp.CSS("main"))}, p.setup...)
		run(t, ctx, p.path, append(steps, chromedp.WaitVisible(chromedp.CSS(p.ready)))...)
		if w := eval[[]int](t, ctx, `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`); w[0] > w[1] {
			// Name the elements that stick out or overflow, for the fix.
			wide := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("main *")).filter(e => e.scrollWidth > e.clientWidth || e.getBoundingClientRect().right > document.documentElement.clientWidth).slice(0, 8).map(e => e.tagName + "#" + e.id + "." + e.className)`)
			t.Errorf("%s: %d px wide on a %d px screen: %q", p.path, w[0], w[1], wide)
		}
		if u := eval[[]string](t, ctx, unlabeled); len(u) > 0 {
			t.Errorf("%s: controls without a label: %q", p.path, u)
		}
		if strings.HasPrefix(p.path, "/explorer#tx") {
			shot(t, ctx, "phone-explorer-tx.png")
		}
	}

	// The keyboard: the skip link comes first; a search runs on Enter; the
	// verify button is reached with Tab and pressed with Enter.
	run(t, ctx, "skip link", chromedp.Navigate(f.url+"/explorer"), chromedp.WaitVisible(chromedp.CSS("#blocks tbody tr")), chromedp.KeyEvent("\t"))
	if a := eval[string](t, ctx, `document.activeElement.className`); a != "skip" {
		t.Errorf("first Tab stop: %q, want the skip link", a)
	}
	run(t, ctx, "search with Enter", chromedp.Focus(chromedp.CSS("#q")), chromedp.KeyEvent("0\r"), chromedp.WaitVisible(chromedp.CSS("#block-txs tbody tr")))
	run(t, ctx, "verify with the keyboard", chromedp.Navigate(f.url+"/verify"), chromedp.WaitVisible(chromedp.CSS("#credential")),
		chromedp.SetValue(chromedp.CSS("#credential"), f.revoked), chromedp.Focus(chromedp.CSS("#credential")))
	for i := 0; i < 4 && eval[string](t, ctx, `document.activeElement.id`) != "verify-btn"; i++ {
		run(t, ctx, "Tab", chromedp.KeyEvent("\t"))
	}
	run(t, ctx, "Enter", chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.CSS(`#verdict[data-verdict="invalid"]`)))
	if live := attr(t, ctx, "#result", "aria-live"); live != "polite" {
		t.Errorf("the verdict's region is aria-live=%q", live)
	}
}

// mth is RFC 6962's Merkle Tree Hash (§2.1) of the leaves, written from its
// definition, as the reference the page's inclusion check is tested with.
func mth(leaves [][]byte) []byte {
	switch n := len(leaves); n {
	case 0:
		h := sha256.Sum256(nil)
		return h[:]
	case 1:
		h := sha256.Sum256(append([]byte{0}, leaves[0]...))
		return h[:]
	default:
		k := 1
		for k*2 < n {
			k *= 2
		}
		h := sha256.Sum256(append(append([]byte{1}, mth(leaves[:k])...), mth(leaves[k:])...))
		return h[:]
	}
}

// auditPath is RFC 6962's PATH(m, D[n]) (§2.1.1), leaf to root.
func auditPath(m int, leaves [][]byte) [][]byte {
	n := len(leaves)
	if n <= 1 {
		return nil
	}
	k := 1
	for k*2 < n {
		k *= 2
	}
	if m < k {
		return append(auditPath(m, leaves[:k]), mth(leaves[k:]))
	}
	return append(auditPath(m-k, leaves[k:]), mth(leaves[:k]))
}
