package cometbft_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cometbft/cometbft/crypto/ed25519"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/chain/cometbft"
)

// TestReady_CountsOnlyValidatorPeersByPower: with four validators of power
// 10 and an observer, a validator connected to one other validator and the
// observer reaches 20 of 40 and cannot commit (two validators are down);
// the observer, a peer the ledger does not name and a validator reached
// twice count for nothing; power, not the number of peers, decides.
func TestReady_CountsOnlyValidatorPeersByPower(t *testing.T) {
	t.Parallel()
	var set []*cmttypes.Validator
	addr := map[string]string{} // validator name → address
	for _, name := range []string{"v0", "v1", "v2", "v3", "big"} {
		v := cmttypes.NewValidator(ed25519.GenPrivKey().PubKey(), 10)
		if name == "big" {
			v.VotingPower = 0 // added below where a test wants it
		} else {
			set = append(set, v)
		}
		addr[name] = v.Address.String()
	}
	nodes := map[string]string{"n0": addr["v0"], "n1": addr["v1"], "n2": addr["v2"], "n3": addr["v3"], "nb": addr["big"]}
	heavy := append([]*cmttypes.Validator{}, set...)
	heavy[3] = cmttypes.NewValidator(ed25519.GenPrivKey().PubKey(), 50)
	nodes["nh"] = heavy[3].Address.String()
	for _, c := range []struct {
		name  string
		set   []*cmttypes.Validator
		self  string
		live  []string
		ready bool
	}{
		{"two of four validators and an observer", set, addr["v0"], []string{"n1", "obs"}, false},
		{"three of four validators", set, addr["v0"], []string{"n1", "n2", "obs"}, true},
		{"observer with three validators", set, "", []string{"n0", "n1", "n2"}, true},
		{"observer with two validators", set, "", []string{"n0", "n1"}, false},
		{"peers the ledger does not name", set, addr["v0"], []string{"x1", "x2", "x3"}, false},
		{"one validator reached twice", set, addr["v0"], []string{"n1", "n1", "n0"}, false},
		{"a recorded key without power in the set", set, addr["v0"], []string{"n1", "nb"}, false},
		{"power, not numbers: one heavy peer", heavy, addr["v0"], []string{"nh"}, true},
		{"power, not numbers: three light peers", heavy, addr["v3"], []string{"n0", "n1", "n2"}, false},
		{"a lone validator holding all the power", set[:1], addr["v0"], nil, true},
	} {
		ok, why := cometbft.Quorum(c.set, c.self, c.live, nodes)
		if ok != c.ready {
			t.Errorf("%s: ready = %v (%s), want %v", c.name, ok, why, c.ready)
		}
		if !ok && !strings.Contains(why, "more than 2/3") {
			t.Errorf("%s: why = %q, want the share it needs", c.name, why)
		}
	}
}

// TestQuorumAfter_AChangeThatWouldStopTheChain: removing a live validator
// while another is down leaves the reachable ones without 2/3 of the new
// set's power; removing the one that is down, or admitting a validator
// whose node is up, does not; admitting a heavy one whose node is not up
// does. A chain that cannot commit now is not judged.
func TestQuorumAfter_AChangeThatWouldStopTheChain(t *testing.T) {
	t.Parallel()
	var set []*cmttypes.Validator
	var keys [][]byte
	nodes := map[string]string{}
	for i := range 4 {
		pk := ed25519.GenPrivKey().PubKey()
		v := cmttypes.NewValidator(pk, 10)
		set = append(set, v)
		keys = append(keys, pk.Bytes())
		nodes[fmt.Sprintf("n%d", i)] = v.Address.String()
	}
	self := set[0].Address.String()
	live := []string{"n1", "n3", "n5"} // n2 is down; n5 is a follower the ledger does not name yet
	newKey := ed25519.GenPrivKey().PubKey().Bytes()
	for _, c := range []struct {
		name   string
		change chain.ValidatorChange
		ok     bool
	}{
		{"remove a live validator while another is down", chain.ValidatorChange{PubKey: keys[3]}, false},
		{"remove the validator that is down", chain.ValidatorChange{PubKey: keys[2]}, true},
		{"admit a validator whose node is up", chain.ValidatorChange{PubKey: newKey, Power: 10, NodeID: "n5"}, true},
		{"admit a heavy validator whose node is not up", chain.ValidatorChange{PubKey: newKey, Power: 40, NodeID: "n9"}, false},
		{"remove one while the chain already cannot commit", chain.ValidatorChange{PubKey: keys[3]}, true},
	} {
		live := live
		if strings.HasSuffix(c.name, "cannot commit") {
			live = []string{"n1"} // two of four: no quorum now
		}
		ok, why := cometbft.QuorumAfterChange(set, c.change, self, live, nodes)
		if ok != c.ok {
			t.Errorf("%s: %v (%s), want %v", c.name, ok, why, c.ok)
		}
	}
	if ok, _ := cometbft.Quorum(set, self, live, nodes); !ok {
		t.Fatal("the set as it is should commit: three of four validators reachable")
	}
}
