package cli

import (
	"strings"
	"testing"
)

// TestBlockTimeLine_SaysHowBlocksAreDated: `weid status` says whether a
// CometBFT chain dates its blocks when proposed (PBTS) or with the previous
// commit (BFT time), and from which height PBTS is scheduled; a node too
// old to report it gets no line.
func TestBlockTimeLine_SaysHowBlocksAreDated(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mode string
		from int64
		want string
	}{
		{"pbts", 1, "when proposed (PBTS, from CometBFT height 1)"},
		{"bft", 0, "the previous block's commit (BFT time;"},
		{"bft", 500, "until CometBFT height 500, then when proposed (PBTS)"},
		{"", 0, ""},
	} {
		got := blockTimeLine(tc.mode, tc.from)
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("%q from %d: %q, want %q", tc.mode, tc.from, got, tc.want)
		}
	}
}
