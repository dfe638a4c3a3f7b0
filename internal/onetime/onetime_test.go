package onetime

import (
	"strings"
	"testing"
	"time"
)

// TestTokens_SingleUseUntilExpiry: a token is fresh once, only if these
// Tokens issued it for the same scope, and only until it expires; used
// ones are forgotten once expired.
func TestTokens_SingleUseUntilExpiry(t *testing.T) {
	const ttl = 10 * time.Minute
	c := New(ttl)
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	c.SetClock(func() time.Time { return now })
	ch, exp := c.Issue("")
	if !exp.Equal(now.Add(ttl)) {
		t.Fatalf("issue: expires %v", exp)
	}
	if issued, fresh := c.Consume("", ch); !issued || !fresh {
		t.Fatal("a new token is not fresh")
	}
	if issued, fresh := c.Consume("", ch); !issued || fresh {
		t.Fatal("a used token is fresh again")
	}
	// Another server's, a tampered one, garbage, and one of another scope
	// were not issued here.
	och, _ := New(ttl).Issue("")
	tampered := strings.Map(func(r rune) rune {
		if r == 'A' {
			return 'B'
		}
		return r
	}, ch)
	for _, s := range []string{och, tampered + "A", "", "not base64!", strings.Repeat("A", 48)} {
		if issued, _ := c.Consume("", s); issued {
			t.Errorf("%q taken for an issued token", s)
		}
	}
	scoped, _ := c.Issue("https://example.org/issuers/a")
	if issued, _ := c.Consume("https://example.org/issuers/b", scoped); issued {
		t.Error("a token of another scope taken")
	}
	if _, fresh := c.Consume("https://example.org/issuers/a", scoped); !fresh {
		t.Error("a scoped token is not fresh in its scope")
	}
	// Expired.
	ch2, _ := c.Issue("")
	now = now.Add(ttl + time.Second)
	if issued, fresh := c.Consume("", ch2); !issued || fresh {
		t.Fatal("an expired token is fresh")
	}
	// Used ones are forgotten once expired.
	ch3, _ := c.Issue("")
	c.Consume("", ch3)
	now = now.Add(2 * ttl)
	c.Consume("", ch3)
	if n := c.remembered(); n > 1 {
		t.Fatalf("%d used tokens remembered after they expired", n)
	}
}
