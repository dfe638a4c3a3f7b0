package txn

import (
	"strings"
	"testing"
)

// TestStale_BehindPeersWithoutCatchingUp: a node more than MaxBehind
// blocks behind the chain (Behind: the height validators holding more
// than 1/3 of the voting power report) lacks the chain's latest blocks
// whatever CometBFT's catching-up flag says (a node whose consensus failed,
// "wrong Block.Header.AppHash", stays at its height while the validators
// move on and CometBFT does not call that catching up); a block or two
// behind is a node following the chain, the others' commits arriving
// first.
func TestStale_BehindPeersWithoutCatchingUp(t *testing.T) {
	t.Parallel()
	peers := []string{"a", "b", "c"}
	for _, c := range []struct {
		name string
		cs   ConsensusStatus
		why  string // "" : follows the chain
	}{
		{"following", ConsensusStatus{PeerCount: 3, Peers: peers, TotalPower: 40, VotingPower: 10}, ""},
		{"one behind", ConsensusStatus{PeerCount: 3, Peers: peers, TotalPower: 40, VotingPower: 10, Behind: 1}, ""},
		{"at the allowed lag", ConsensusStatus{PeerCount: 3, Peers: peers, TotalPower: 40, VotingPower: 10, Behind: MaxBehind}, ""},
		{"stuck, not catching up", ConsensusStatus{PeerCount: 3, Peers: peers, TotalPower: 40, VotingPower: 10, Behind: 7}, "7 blocks behind the chain"},
		{"catching up", ConsensusStatus{CatchingUp: true, PeerCount: 3, Peers: peers, TotalPower: 40, Behind: 42}, "catching up with the chain (block sync), 42 blocks behind"},
		{"cut off", ConsensusStatus{TotalPower: 40, VotingPower: 10}, "connected to no peers"},
		{"lone validator", ConsensusStatus{TotalPower: 10, VotingPower: 10}, ""},
	} {
		got := c.cs.Stale()
		if c.why == "" && got != "" || c.why != "" && !strings.Contains(got, c.why) {
			t.Errorf("%s: Stale() = %q, want %q", c.name, got, c.why)
		}
	}
}

// TestStaleBy_TheCallersLag: StaleBy allows the lag it is given in
// MaxBehind's stead (verify-batch's --max-behind), and nothing else
// changes: catching up is stale whatever the lag.
func TestStaleBy_TheCallersLag(t *testing.T) {
	t.Parallel()
	peers := []string{"a", "b", "c"}
	stuck := ConsensusStatus{PeerCount: 3, Peers: peers, TotalPower: 40, VotingPower: 10, Behind: 7}
	if why := stuck.StaleBy(10); why != "" {
		t.Errorf("7 behind, 10 allowed: StaleBy = %q, want \"\"", why)
	}
	if why := stuck.StaleBy(6); !strings.Contains(why, "7 blocks behind the chain") || !strings.Contains(why, "more than 6") {
		t.Errorf("7 behind, 6 allowed: StaleBy = %q", why)
	}
	syncing := ConsensusStatus{CatchingUp: true, PeerCount: 3, Peers: peers, TotalPower: 40, Behind: 7}
	if why := syncing.StaleBy(100); !strings.Contains(why, "catching up") {
		t.Errorf("catching up, 100 allowed: StaleBy = %q", why)
	}
}
