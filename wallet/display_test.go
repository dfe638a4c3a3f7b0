package wallet

import (
	"strings"
	"testing"
)

// Text a verifier or issuer wrote reaches the terminal with every control
// character, escape sequence and bidi override shown, not obeyed: a
// verifier cannot clear the screen, colour a line, start a new one or
// reorder what follows.
func TestTerminalText_ShowsControlsEscaped(t *testing.T) {
	for in, want := range map[string]string{
		"Example Bank":                   "Example Bank",
		"大学 Université":                  "大学 Université",
		"a\nVerifier: HK Immigration\tb": `a\nVerifier: HK Immigration\tb`,
		"\x1b[2J\x1b[32mgreen\x1b[0m":    `\x1b[2J\x1b[32mgreen\x1b[0m`,
		"cr\rover":                       `cr\rover`,
		"del\x7f nul\x00":                `del\x7f nul\x00`,
		"c1 \u009b31m":                   `c1 \u009b31m`,
		"rlo \u202egnp.exe":              `rlo \u202egnp.exe`,
		"iso \u2066x\u2069 \u200fy":      `iso \u2066x\u2069 \u200fy`,
		"line\u2028sep":                  `line\u2028sep`,
		"bad \xff utf8":                  `bad \xff utf8`,
	} {
		if got := TerminalText(in, 200); got != want {
			t.Errorf("TerminalText(%q) = %q, want %q", in, got, want)
		}
	}
}

// A long text is cut, and says so, so a verifier cannot push the rest of
// the consent screen off it.
func TestTerminalText_BoundsTheLength(t *testing.T) {
	got := TerminalText(strings.Repeat("x", 500), 20)
	if got != strings.Repeat("x", 20)+"…" {
		t.Errorf("got %q", got)
	}
	if got := TerminalText(strings.Repeat("\x1b", 50), 3); got != `\x1b\x1b\x1b…` {
		t.Errorf("got %q", got)
	}
	if got := TerminalText("short", 0); got != "short" {
		t.Errorf("max 0 (unbounded): got %q", got)
	}
}

func FuzzTerminalText(f *testing.F) {
	f.Add("\x1b[2J\u202e\n\tx", 10)
	f.Fuzz(func(t *testing.T, s string, max int) {
		max = max % 1000
		if max < 0 {
			max = -max
		}
		out := TerminalText(s, max)
		for _, r := range out {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
				t.Fatalf("TerminalText(%q) = %q keeps %U", s, out, r)
			}
		}
	})
}
