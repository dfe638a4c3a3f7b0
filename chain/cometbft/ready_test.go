package cometbft_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cometbft/cometbft/crypto/ed25519"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/chain/cometbft"
)

// tenEach returns n validators of power 10, their keys, and a register
// that records validator i with node id "n<i>".
func tenEach(n int) ([]*cmttypes.Validator, [][]byte, cometbft.Register) {
	var set []*cmttypes.Validator
	var keys [][]byte
	var reg cometbft.Register
	for i := range n {
		pk := ed25519.GenPrivKey().PubKey()
		set = append(set, cmttypes.NewValidator(pk, 10))
		keys = append(keys, pk.Bytes())
		reg.Validators = append(reg.Validators, chain.ValidatorChange{PubKey: pk.Bytes(), Power: 10, NodeID: fmt.Sprintf("n%d", i)})
	}
	return set, keys, reg
}

// TestReady_CountsOnlyValidatorPeersByPower: with four validators of power
// 10 and an observer, a validator connected to one other validator and the
// observer reaches 20 of 40 and cannot commit (two validators are down);
// the observer, a peer the ledger does not name while every validator has
// its node id, and a validator reached twice count for nothing; power, not
// the number of peers, decides.
func TestReady_CountsOnlyValidatorPeersByPower(t *testing.T) {
	t.Parallel()
	var set []*cmttypes.Validator
	pub := map[string][]byte{} // validator name → key
	for _, name := range []string{"v0", "v1", "v2", "v3", "big"} {
		pk := ed25519.GenPrivKey().PubKey()
		pub[name] = pk.Bytes()
		if name != "big" { // big: a recorded key without power in the set
			set = append(set, cmttypes.NewValidator(pk, 10))
		}
	}
	addr := func(name string) string { return ed25519.PubKey(pub[name]).Address().String() }
	reg := cometbft.Register{Observers: []string{"obs"}}
	for id, name := range map[string]string{"n0": "v0", "n1": "v1", "n2": "v2", "n3": "v3", "nb": "big"} {
		reg.Validators = append(reg.Validators, chain.ValidatorChange{PubKey: pub[name], Power: 10, NodeID: id})
	}
	heavyKey := ed25519.GenPrivKey().PubKey()
	heavy := append([]*cmttypes.Validator{}, set...)
	heavy[3] = cmttypes.NewValidator(heavyKey, 50)
	heavyReg := reg
	heavyReg.Validators = append(slices.Clone(reg.Validators), chain.ValidatorChange{PubKey: heavyKey.Bytes(), Power: 50, NodeID: "nh"})
	for _, c := range []struct {
		name  string
		set   []*cmttypes.Validator
		reg   cometbft.Register
		self  string
		live  []string
		ready bool
	}{
		{"two of four validators and an observer", set, reg, addr("v0"), []string{"n1", "obs"}, false},
		{"three of four validators", set, reg, addr("v0"), []string{"n1", "n2", "obs"}, true},
		{"observer with three validators", set, reg, "", []string{"n0", "n1", "n2"}, true},
		{"observer with two validators", set, reg, "", []string{"n0", "n1"}, false},
		{"peers the ledger does not name", set, reg, addr("v0"), []string{"x1", "x2", "x3"}, false},
		{"one validator reached twice", set, reg, addr("v0"), []string{"n1", "n1", "n0"}, false},
		{"a recorded key without power in the set", set, reg, addr("v0"), []string{"n1", "nb"}, false},
		{"power, not numbers: one heavy peer", heavy, heavyReg, addr("v0"), []string{"nh"}, true},
		{"power, not numbers: three light peers", heavy, heavyReg, addr("v3"), []string{"n0", "n1", "n2"}, false},
		{"a lone validator holding all the power", set[:1], reg, addr("v0"), nil, true},
	} {
		ok, why := cometbft.Quorum(c.set, c.self, c.live, c.reg)
		if ok != c.ready {
			t.Errorf("%s: ready = %v (%s), want %v", c.name, ok, why, c.ready)
		}
		if !ok && !strings.Contains(why, "more than 2/3") {
			t.Errorf("%s: why = %q, want the share it needs", c.name, why)
		}
	}
}

// TestReady_UnnamedValidatorsStillCount: validators admitted without their
// node id (by key alone, or on a chain older than the register) must not
// make the chain unusable. Three named validators and two admitted by key,
// all power 10, all up: ready — the peers the ledger does not name count as
// the validators without a node id. An observer and the unnamed validators
// down: not ready, and an observer is never taken for one of them. With no
// register at all every peer may be a validator, the most powerful first.
func TestReady_UnnamedValidatorsStillCount(t *testing.T) {
	t.Parallel()
	set, _, reg := tenEach(5)
	reg.Observers = []string{"obs"}
	reg.Validators[3].NodeID, reg.Validators[4].NodeID = "", "" // admitted by key alone
	self := set[0].Address.String()
	heavy := append([]*cmttypes.Validator{}, set...)
	heavy[4] = cmttypes.NewValidator(ed25519.GenPrivKey().PubKey(), 40)
	for _, c := range []struct {
		name  string
		set   []*cmttypes.Validator
		reg   cometbft.Register
		live  []string
		ready bool
	}{
		{"all up, two of them unnamed", set, reg, []string{"n1", "n2", "x3", "x4"}, true},
		{"the named up, the unnamed down, an observer up", set, reg, []string{"n1", "n2", "obs"}, false},
		{"one unnamed peer counts once", set, reg, []string{"n1", "x3"}, false},
		{"more unnamed peers than unnamed validators", set, reg, []string{"x1", "x2", "x3", "x4"}, false},
		{"no register: one peer, counted as the heaviest (50 of 80)", heavy, cometbft.Register{}, []string{"x1"}, false},
		{"no register: two light peers", heavy, cometbft.Register{}, []string{"x1", "x2"}, true},
		{"a recorded observer in no register's stead", heavy, cometbft.Register{Observers: []string{"obs"}}, []string{"obs"}, false},
	} {
		if ok, why := cometbft.Quorum(c.set, self, c.live, c.reg); ok != c.ready {
			t.Errorf("%s: ready = %v (%s), want %v", c.name, ok, why, c.ready)
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
	set, keys, reg := tenEach(4)
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
		ok, why := cometbft.QuorumAfterChange(set, c.change, self, live, reg)
		if ok != c.ok {
			t.Errorf("%s: %v (%s), want %v", c.name, ok, why, c.ok)
		}
	}
	if ok, _ := cometbft.Quorum(set, self, live, reg); !ok {
		t.Fatal("the set as it is should commit: three of four validators reachable")
	}
}

// TestQuorumAfter_BackToBackChangesAreJudgedTogether: CometBFT applies a
// change committed at height h from h+2, so right after one removal its
// set still holds the removed validator. Five validators, v4 down: v3's
// removal is committed (the register no longer has it; the latest change
// named it) but CometBFT's set is still v0..v4; removing v2 at once would
// leave v0, v1 and v4, 20 of 30, and is refused. Judged on CometBFT's set
// (30 of 40) it passed and the chain halted. On a chain older than the
// register, the validators it does not record still count.
func TestQuorumAfter_BackToBackChangesAreJudgedTogether(t *testing.T) {
	t.Parallel()
	set, keys, reg := tenEach(5)
	reg.Validators = slices.Delete(reg.Validators, 3, 4) // v3's removal is committed
	reg.LastChanged = [][]byte{keys[3]}
	self := set[0].Address.String()
	live := []string{"n1", "n2", "n3"} // v4 is down; n3 runs until its removal applies
	if ok, why := cometbft.QuorumAfterChange(set, chain.ValidatorChange{PubKey: keys[2]}, self, live, reg); ok {
		t.Errorf("removing v2 right after v3 with v4 down: allowed, want refused (%s)", why)
	}
	if ok, why := cometbft.QuorumAfterChange(set, chain.ValidatorChange{PubKey: keys[4]}, self, live, reg); !ok {
		t.Errorf("removing v4, the one that is down, right after v3: refused (%s)", why)
	}
	// A chain older than the register: v0..v4 are CometBFT's genesis
	// validators, none recorded; governance has since admitted v5. They
	// count, though the register does not hold them.
	v5 := ed25519.GenPrivKey().PubKey()
	old := cometbft.Register{Validators: []chain.ValidatorChange{{PubKey: v5.Bytes(), Power: 10, NodeID: "n5"}}, LastChanged: [][]byte{v5.Bytes()}}
	oldSet := append(slices.Clone(set), cmttypes.NewValidator(v5, 10))
	v6 := chain.ValidatorChange{PubKey: ed25519.GenPrivKey().PubKey().Bytes(), Power: 20, NodeID: "n6"}
	if ok, why := cometbft.QuorumAfterChange(oldSet, v6, self, []string{"x1", "x2", "x3", "x4", "n5"}, old); !ok {
		t.Errorf("admitting v6 (20, not up) with all six up on a chain older than the register, 60 of 80 after: refused (%s)", why)
	}
	if ok, why := cometbft.QuorumAfterChange(oldSet, v6, self, []string{"x1", "x2", "x3", "n5"}, old); ok {
		t.Errorf("admitting v6 (20, not up) with five of six up on a chain older than the register, 50 of 80 after: allowed, want refused (%s)", why)
	}
}

// TestVouchedHeight_MoreThanAThirdOfThePowerDecides: the chain's height is
// the highest that validators holding more than 1/3 of the power report
// reaching; one below that share reporting any height moves nothing.
func TestVouchedHeight_MoreThanAThirdOfThePowerDecides(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name            string
		heights, powers []int64
		total, want     int64
	}{
		{"nobody reports", nil, nil, 40, 0},
		{"all at one height", []int64{7, 7, 7, 7}, []int64{10, 10, 10, 10}, 40, 7},
		{"one of four claims a huge height", []int64{1e12, 7, 7, 7}, []int64{10, 10, 10, 10}, 40, 7},
		{"two of four ahead (20 of 40, more than 1/3)", []int64{20, 9, 7, 7}, []int64{10, 10, 10, 10}, 40, 9},
		{"two of four ahead together", []int64{20, 20, 7, 7}, []int64{10, 10, 10, 10}, 40, 20},
		{"exactly 1/3 is not more than 1/3", []int64{1e12, 5}, []int64{10, 20}, 30, 5},
		{"power, not numbers: one heavy validator", []int64{50, 7, 7, 7}, []int64{50, 10, 10, 10}, 80, 50},
		{"power, not numbers: two light ones (20 of 80)", []int64{50, 50, 7, 7}, []int64{10, 10, 10, 50}, 80, 7},
		{"those reporting hold 1/3 or less", []int64{1e12, 9}, []int64{10, 10}, 60, 0},
	} {
		if got := cometbft.VouchedHeight(c.heights, c.powers, c.total); got != c.want {
			t.Errorf("%s: VouchedHeight = %d, want %d", c.name, got, c.want)
		}
	}
}

// TestBehind_OnlyValidatorsWithMoreThanAThirdMakeANodeStale: CometBFT
// keeps the highest height a peer's NewRoundStep names, unchecked, so a
// node's lag is measured against validators only. Four validators of
// power 10, this node v0 at height 100: a peer that is no validator of
// the set (one the ledger does not name, an observer, a follower, a
// forger) or validators holding no more than 1/3 of the power claiming
// height 1e12 leave it following the chain; validators holding more than
// 1/3 a few blocks ahead, or the three others moving on while its
// consensus has stopped, make it stale. Before, a single peer's word
// made every node it reached refuse writes and answer /readyz 503.
func TestBehind_OnlyValidatorsWithMoreThanAThirdMakeANodeStale(t *testing.T) {
	t.Parallel()
	const h, huge = 100, int64(1e12)
	c := newPeerSet(t, 4)
	c.reg.Observers = []string{"obs"}
	c.node("f")   // a follower: its own key, outside the set
	c.node("obs") // an observer, recorded as one
	at := func(p cometbft.Peer, height int64) cometbft.Peer { p.Height = height; return p }
	asValidator := func(id, of string) cometbft.Peer { // node id with validator of's attestation
		m, err := cometbft.AttestedMoniker(id, testChain, id, c.key[of])
		if err != nil {
			t.Fatal(err)
		}
		return cometbft.Peer{ID: id, Moniker: m}
	}
	forged := c.attested("n1")
	forged.ID = "x" // n1's moniker on another node: its attestation does not verify
	heavy := newPeerSet(t, 4)
	heavy.set[3] = cmttypes.NewValidator(heavy.key["n3"].PubKey(), 50) // 50 of 80
	for _, k := range []struct {
		name  string
		c     *peerSet
		self  string
		live  []cometbft.Peer
		want  int64
		stale bool
	}{
		{"following: the validators a block ahead", c, c.self, []cometbft.Peer{at(c.attested("n1"), h+1), at(c.attested("n2"), h+1), at(c.attested("n3"), h+1)}, 1, false},
		{"one validator claims 1e12", c, c.self, []cometbft.Peer{at(c.attested("n1"), huge), at(c.attested("n2"), h), at(c.attested("n3"), h)}, 0, false},
		{"one validator claims 1e12, the others a block ahead", c, c.self, []cometbft.Peer{at(c.attested("n1"), huge), at(c.attested("n2"), h+1), at(c.attested("n3"), h+1)}, 1, false},
		{"a peer the ledger does not name claims 1e12", c, c.self, []cometbft.Peer{at(old("x9"), huge), at(c.attested("n1"), h)}, 0, false},
		{"a recorded observer claims 1e12", c, c.self, []cometbft.Peer{at(old("obs"), huge), at(c.attested("obs"), huge), at(c.attested("n1"), h)}, 0, false},
		{"a follower outside the set claims 1e12", c, c.self, []cometbft.Peer{at(c.attested("f"), huge)}, 0, false},
		{"a forged attestation claims 1e12", c, c.self, []cometbft.Peer{at(forged, huge)}, 0, false},
		{"one validator through two nodes counts once", c, c.self, []cometbft.Peer{at(c.attested("n1"), huge), at(asValidator("n1b", "n1"), huge)}, 0, false},
		{"a node with this node's own validator key", c, c.self, []cometbft.Peer{at(asValidator("n0b", "n0"), huge), at(c.attested("n1"), huge)}, 0, false},
		{"two of four (20 of 40) ahead by 10", c, c.self, []cometbft.Peer{at(c.attested("n1"), h+10), at(c.attested("n2"), h+10), at(c.attested("n3"), h)}, 10, true},
		{"consensus stopped: the three others moved on", c, c.self, []cometbft.Peer{at(c.attested("n1"), h+50), at(c.attested("n2"), h+52), at(c.attested("n3"), h+51)}, 51, true},
		{"validators of an older weid, known by node id", c, c.self, []cometbft.Peer{at(old("n1"), h+10), at(old("n2"), h+10)}, 10, true},
		{"an observer node: two validators ahead", c, "", []cometbft.Peer{at(c.attested("n1"), h+10), at(c.attested("n2"), h+10)}, 10, true},
		{"an observer node: one validator claims 1e12", c, "", []cometbft.Peer{at(c.attested("n1"), huge), at(c.attested("n2"), h)}, 0, false},
		{"power, not numbers: one heavy validator ahead", heavy, heavy.self, []cometbft.Peer{at(heavy.attested("n3"), h+10)}, 10, true},
		{"power, not numbers: two light ones claim 1e12", heavy, heavy.self, []cometbft.Peer{at(heavy.attested("n1"), huge), at(heavy.attested("n2"), huge), at(heavy.attested("n3"), h)}, 0, false},
	} {
		got := cometbft.Behind(k.c.set, k.self, h, k.live, k.c.reg, cometbft.NewAttestations(testChain))
		if got != k.want {
			t.Errorf("%s: Behind = %d, want %d", k.name, got, k.want)
		}
		st := chain.ConsensusStatus{PeerCount: len(k.live), TotalPower: 40, VotingPower: 10, Behind: got}
		if why := st.Stale(); (why != "") != k.stale {
			t.Errorf("%s: Stale() = %q, want stale %v", k.name, why, k.stale)
		}
	}
}
