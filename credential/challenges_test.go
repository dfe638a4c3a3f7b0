package credential

import (
	"strings"
	"testing"
	"time"
)

// TestChallenges_SingleUseUntilExpiry: a challenge is fresh once, only
// if this store issued it, and only until it expires; used ones are
// forgotten once expired.
func TestChallenges_SingleUseUntilExpiry(t *testing.T) {
	c := NewChallenges()
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	ch, exp := c.Issue()
	if !exp.Equal(now.Add(ChallengeTTL)) {
		t.Fatalf("issue: expires %v", exp)
	}
	if issued, fresh := c.Consume(ch); !issued || !fresh {
		t.Fatal("a new challenge is not fresh")
	}
	if issued, fresh := c.Consume(ch); !issued || fresh {
		t.Fatal("a used challenge is fresh again")
	}
	// Another server's, a tampered one, and garbage were not issued here.
	other := NewChallenges()
	och, _ := other.Issue()
	tampered := strings.Map(func(r rune) rune {
		if r == 'A' {
			return 'B'
		}
		return r
	}, ch)
	for _, s := range []string{och, tampered + "A", "", "not base64!", strings.Repeat("A", 48)} {
		if issued, _ := c.Consume(s); issued {
			t.Errorf("%q taken for an issued challenge", s)
		}
	}
	// Expired.
	ch2, _ := c.Issue()
	now = now.Add(ChallengeTTL + time.Second)
	if issued, fresh := c.Consume(ch2); !issued || fresh {
		t.Fatal("an expired challenge is fresh")
	}
	// Used ones are forgotten once expired.
	ch3, _ := c.Issue()
	c.Consume(ch3)
	now = now.Add(2 * ChallengeTTL)
	c.Consume(ch3)
	if len(c.used) > 1 {
		t.Fatalf("%d used challenges remembered after they expired", len(c.used))
	}
}
