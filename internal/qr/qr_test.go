package qr

import (
	"bytes"
	"fmt"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// links are deep links as the node makes them: an offer by reference and
// by value (OID4VCI §4.1.3, §4.1.2), a presentation request (OpenID4VP §5).
var links = []struct {
	name, text string
	version    int
}{
	{"offer by reference", "openid-credential-offer://?credential_offer_uri=" + url.QueryEscape("https://weid.example.edu/issuers/example-university/diploma/offers/q3BJ0kkNa6ycgE3FtzgOQw"), 9},
	{"presentation request", "openid4vp://?client_id=" + url.QueryEscape("decentralized_identifier:did:weid:1:0x5a0b54d5dc17e0aadc383d2db43b0a0d3e029c4c") +
		"&request_uri=" + url.QueryEscape("https://weid.example.edu/oid4vp/requests/q3BJ0kkNa6ycgE3FtzgOQwq3BJ0kkNa6ycgE3") + "&request_uri_method=get", 11},
	{"offer by value", "openid-credential-offer://?credential_offer=" + url.QueryEscape(`{"credential_issuer":"https://weid.example.edu/issuers/example-university/diploma",`+
		`"credential_configuration_ids":["diploma"],"grants":{"urn:ietf:params:oauth:grant-type:pre-authorized_code":{"pre-authorized_code":"q3BJ0kkNa6ycgE3FtzgOQwq3BJ0kkNa6ycgE3FtzgOQw123",`+
		`"tx_code":{"input_mode":"numeric","length":6,"description":"the PIN in your e-mail"}}}}`), 18},
}

// TestEncode_OurLinksTakeTheSmallestVersion: the versions are those of
// ISO/IEC 18004 Table 7 for these lengths in byte mode at level M.
func TestEncode_OurLinksTakeTheSmallestVersion(t *testing.T) {
	for _, l := range links {
		c, err := Encode(l.text)
		if err != nil || c.Version() != l.version || c.Size != 17+4*l.version {
			t.Errorf("%s (%d bytes): %+v %v, want version %d", l.name, len(l.text), c, err, l.version)
		}
	}
}

func TestEncode_TooLongIsAnError(t *testing.T) {
	for _, text := range []string{strings.Repeat("x", 2332), strings.Repeat("\xff", 5000)} {
		if c, err := Encode(text); err == nil {
			t.Errorf("%d bytes: version %d, want an error", len(text), c.Version())
		}
	}
}

// TestPNG_DecodesWithZbar decodes the PNGs with an independent decoder,
// zbarimg (Debian zbar-tools; scripts/install-zbar.sh), when installed.
func TestPNG_DecodesWithZbar(t *testing.T) {
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Skip("zbarimg is not installed (scripts/install-zbar.sh installs Debian's zbar-tools)")
	}
	for _, l := range append(links[:len(links):len(links)], struct {
		name, text string
		version    int
	}{"long", strings.Repeat("weid ", 300), 0}) {
		b, err := PNG(l.text)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		c, _ := Encode(l.text)
		if side := (c.Size + 2*Border) * Scale; img.Bounds().Dx() != side || img.Bounds().Dy() != side {
			t.Errorf("%s: %v, want %d pixels square", l.name, img.Bounds(), side)
		}
		p := filepath.Join(t.TempDir(), "qr.png")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(zbar, "--raw", "-q", "-Sbinary", p).Output()
		if err != nil || string(out) != l.text {
			t.Errorf("%s: zbarimg read %.60q (%v)", l.name, out, err)
		}
	}
}

// TestSVG_DrawsEveryDarkModule reads the SVG's path back into modules.
func TestSVG_DrawsEveryDarkModule(t *testing.T) {
	c, err := Encode(links[0].text)
	if err != nil {
		t.Fatal(err)
	}
	svg := string(c.SVG())
	side := c.Size + 2*Border
	if !strings.Contains(svg, fmt.Sprintf(`viewBox="0 0 %d %d"`, side, side)) {
		t.Fatalf("viewBox: %.200s", svg)
	}
	_, d, _ := strings.Cut(svg, `<path fill="#000" d="`)
	d, _, _ = strings.Cut(d, `"`)
	drawn := map[[2]int]bool{}
	for _, m := range strings.Split(strings.TrimSuffix(d, "h1v1h-1z"), "h1v1h-1z") {
		var x, y int
		if _, err := fmt.Sscanf(m, "M%d,%d", &x, &y); err != nil {
			t.Fatalf("path %q: %v", m, err)
		}
		drawn[[2]int{x - Border, y - Border}] = true
	}
	for y := -Border; y < c.Size+Border; y++ {
		for x := -Border; x < c.Size+Border; x++ {
			if drawn[[2]int{x, y}] != c.Dark(x, y) {
				t.Fatalf("module %d,%d: drawn %v, dark %v", x, y, drawn[[2]int{x, y}], c.Dark(x, y))
			}
		}
	}
}

// BenchmarkEncode encodes each link and draws its PNG, as an offer's
// answer does, reporting the PNG's size and the version chosen.
func BenchmarkEncode(b *testing.B) {
	for _, l := range links {
		b.Run(strings.ReplaceAll(l.name, " ", "-"), func(b *testing.B) {
			var n int
			for b.Loop() {
				p, err := PNG(l.text)
				if err != nil {
					b.Fatal(err)
				}
				n = len(p)
			}
			b.ReportMetric(float64(n), "png-bytes")
			if c, err := Encode(l.text); err == nil {
				b.ReportMetric(float64(c.Version()), "version")
			}
		})
	}
}
