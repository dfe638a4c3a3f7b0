package cometbft

import (
	"testing"

	cmttypes "github.com/cometbft/cometbft/types"
)

// TestBlockTime_SaysPBTSOrBFT: a chain is reported on PBTS from the height
// its consensus parameters enable it at, on BFT time before it and when
// they enable it at no height (a chain made before weid turned it on).
func TestBlockTime_SaysPBTSOrBFT(t *testing.T) {
	t.Parallel()
	old := *cmttypes.DefaultConsensusParams()
	scheduled := old
	scheduled.Feature.PbtsEnableHeight = 100
	for _, tc := range []struct {
		name   string
		params cmttypes.ConsensusParams
		height int64
		mode   string
		from   int64
	}{
		{"new chain", *GenesisParams(), 1, BlockTimePBTS, 1},
		{"new chain later", *GenesisParams(), 5000, BlockTimePBTS, 1},
		{"old chain", old, 5000, BlockTimeBFT, 0},
		{"scheduled, before", scheduled, 99, BlockTimeBFT, 100},
		{"scheduled, at", scheduled, 100, BlockTimePBTS, 100},
		{"no height", *GenesisParams(), 0, BlockTimeBFT, 1},
	} {
		if mode, from := blockTime(tc.params, tc.height); mode != tc.mode || from != tc.from {
			t.Errorf("%s: %s from %d, want %s from %d", tc.name, mode, from, tc.mode, tc.from)
		}
	}
}
