package wallet

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxShown bounds, in characters, one piece of text a wallet shows that
// someone else wrote (a verifier's name or purpose, an issuer's claim or
// error): enough for any honest one, too little to push the rest of a
// consent screen out of sight.
const MaxShown = 200

// TerminalText renders s, text the wallet did not write, for a terminal:
// every control character (C0, DEL, C1 — which start escape sequences
// such as ESC[2J), line or paragraph separator and invisible format
// character (bidi overrides and isolates U+202A–U+202E, U+2066–U+2069,
// marks) is shown escaped (\n, \t, \r, \x1b, \u202e), bytes that are not
// UTF-8 as \xff, so the text can neither move the cursor, recolour the
// screen, start a line of its own nor reorder what follows. It is cut
// after max characters of s, with an ellipsis; max 0 means no bound.
func TerminalText(s string, max int) string {
	var b strings.Builder
	n := 0
	for i, r := range s {
		if max > 0 && n == max {
			b.WriteString("…")
			break
		}
		n++
		switch {
		case r == utf8.RuneError && len(s[i:]) > 0 && !strings.HasPrefix(s[i:], "\uFFFD"):
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case shownEscaped(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// shownEscaped reports whether r, not ASCII control, must not reach a
// terminal as itself: a C1 control, a line or paragraph separator, or a
// format character (Cf: bidi controls, zero-width marks) other than the
// zero-width joiner and non-joiner that scripts and emoji need.
func shownEscaped(r rune) bool {
	if r >= 0x80 && r <= 0x9f {
		return true
	}
	if r == 0x200c || r == 0x200d {
		return false
	}
	return unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}
