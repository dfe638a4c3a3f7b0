package qr

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Known values of ISO/IEC 18004: format information (Annex C) and version
// information (Annex D).
func TestFormatAndVersionWords(t *testing.T) {
	for _, c := range []struct {
		l    Level
		m    int
		want int
	}{{M, 0, 0b101010000010010}, {L, 0, 0b111011111000100}, {H, 7, 0b000100000111011}, {Q, 4, 0b010010010110100}} {
		if got := formatWord(c.l, c.m); got != c.want {
			t.Errorf("format %d/%d: %015b, want %015b", c.l, c.m, got, c.want)
		}
	}
	if got := 7<<12 | bch(7, 0x1F25, 12); got != 0x07C94 {
		t.Errorf("version 7 information: %05x, want 07c94", got)
	}
	if got := 40<<12 | bch(40, 0x1F25, 12); got != 0x28C69 {
		t.Errorf("version 40 information: %05x, want 28c69", got)
	}
	for _, c := range []struct {
		v    int
		want []int
	}{{2, []int{6, 18}}, {7, []int{6, 22, 38}}, {32, []int{6, 34, 60, 86, 112, 138}}, {40, []int{6, 30, 58, 86, 114, 142, 170}}} {
		if got := alignmentPositions(c.v); !equal(got, c.want) {
			t.Errorf("alignment positions of version %d: %v, want %v", c.v, got, c.want)
		}
	}
	// Data capacity (ISO/IEC 18004 Table 7): data codewords.
	for _, c := range []struct {
		v    int
		l    Level
		want int
	}{{1, M, 16}, {1, L, 19}, {5, Q, 62}, {10, H, 122}, {40, L, 2956}, {40, H, 1276}, {27, M, 1128}} {
		if got := dataCodewords(c.v, c.l); got != c.want {
			t.Errorf("data codewords %d-%d: %d, want %d", c.v, c.l, got, c.want)
		}
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestEncodeSizes(t *testing.T) {
	c, err := Encode("hello", M)
	if err != nil || c.Version != 1 || c.Size != 21 {
		t.Fatalf("hello: %+v %v", c, err)
	}
	if _, err := Encode(strings.Repeat("x", 2332), M); err != ErrTooLong {
		t.Errorf("too long: %v", err)
	}
	if c, err := Encode(strings.Repeat("x", 2331), M); err != nil || c.Version != 40 {
		t.Errorf("version 40 M full: %v", err)
	}
}

// TestDecodesWithZbar decodes codes of many versions and levels with an
// independent decoder, zbarimg (Debian zbar-tools), when it is installed.
func TestDecodesWithZbar(t *testing.T) {
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Skip("zbarimg (zbar-tools) is not installed")
	}
	dir := t.TempDir()
	texts := []string{
		"openid-credential-offer://?credential_offer_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fissuers%2Fexample-university%2Fdiploma%2Foffers%2Fq3BJ0kkNa6ycgE3FtzgOQw",
		"A", strings.Repeat("0123456789abcdef", 10), strings.Repeat("weid ", 100), strings.Repeat("z", 1500),
	}
	for i, text := range texts {
		for _, l := range []Level{L, M, Q, H} {
			c, err := Encode(text, l)
			if err == ErrTooLong {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			b, err := c.PNG(3, 4)
			if err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(dir, "qr.png")
			if err := os.WriteFile(p, b, 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(zbar, "--raw", "-q", "-Sbinary", p).Output()
			if err != nil || string(out) != text {
				t.Errorf("text %d, version %d, level %d, mask %d: zbarimg read %q (%v)", i, c.Version, l, c.Mask, truncate(string(out)), err)
			}
		}
	}
}

func truncate(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
