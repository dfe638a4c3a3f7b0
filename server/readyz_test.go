package server

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
)

// replicating is the node's engine reporting a consensus status, as the
// CometBFT engine does.
type replicating struct {
	chain.Engine
	st chain.ConsensusStatus
}

func (r replicating) Consensus() chain.ConsensusStatus { return r.st }

// TestReadyz_NodeBehindTheChainIsNotReady: under a replicating engine, a
// node catching up with the chain, cut off from its peers or more than
// txn.MaxBehind blocks behind its validators (its consensus failed)
// answers /readyz with 503 node.notReady saying why, so a load balancer
// sends it no verifications (it may not know of a revocation); a node
// following the chain, or a lone validator holding the whole power, is
// ready.
func TestReadyz_NodeBehindTheChainIsNotReady(t *testing.T) {
	tn := startNode(t)
	solo := tn.n.Engine
	peers := []string{"a", "b", "c"}
	for _, c := range []struct {
		name  string
		st    chain.ConsensusStatus
		ready bool
		why   string
	}{
		{"following", chain.ConsensusStatus{PeerCount: 3, Peers: peers, TotalPower: 40, VotingPower: 10}, true, ""},
		{"catching up", chain.ConsensusStatus{CatchingUp: true, PeerCount: 3, Peers: peers, Behind: 42, TotalPower: 40}, false, "catching up with the chain (block sync), 42 blocks behind"},
		{"a block behind", chain.ConsensusStatus{PeerCount: 3, Peers: peers, TotalPower: 40, VotingPower: 10, Behind: 1}, true, ""},
		{"stuck behind, not catching up", chain.ConsensusStatus{PeerCount: 3, Peers: peers, Behind: 7, TotalPower: 40, VotingPower: 10}, false, "7 blocks behind the chain"},
		{"catching up alone", chain.ConsensusStatus{CatchingUp: true, TotalPower: 40}, false, "connected to no peers"},
		{"observer without peers", chain.ConsensusStatus{TotalPower: 40}, false, "connected to no peers"},
		{"validator without peers", chain.ConsensusStatus{TotalPower: 40, VotingPower: 10}, false, "connected to no peers"},
		{"lone validator", chain.ConsensusStatus{TotalPower: 10, VotingPower: 10}, true, ""},
	} {
		tn.n.Engine = replicating{Engine: solo, st: c.st}
		r := tn.do(t, "GET", "/readyz", "", nil)
		if c.ready {
			if r.status != 200 {
				t.Errorf("%s: %d %s, want 200", c.name, r.status, r.body)
			}
			continue
		}
		var p api.Problem
		_ = json.Unmarshal(r.body, &p)
		if r.status != 503 || p.Code != "node.notReady" || !strings.Contains(p.Detail, c.why) || !strings.Contains(p.Detail, "behind the chain") {
			t.Errorf("%s: %d %s, want 503 node.notReady saying %q", c.name, r.status, r.body, c.why)
		}
	}
	tn.n.Engine = solo
	if r := tn.do(t, "GET", "/readyz", "", nil); r.status != 200 {
		t.Errorf("solo: %d %s", r.status, r.body)
	}
}
