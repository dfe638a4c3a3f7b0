package cometbft_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cometbft/cometbft/crypto"
	"github.com/cometbft/cometbft/crypto/ed25519"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/chain/cometbft"
)

const testChain = "weid-attest-test"

// peerSet is a test consortium as Ready sees it: validators v0..vN-1 of power 10 whose
// nodes n0..nN-1 the register records, and the keys of every node.
type peerSet struct {
	t    *testing.T
	key  map[string]crypto.PrivKey // node name (n0, f, …) → its validator key
	set  []*cmttypes.Validator
	reg  cometbft.Register
	self string
}

func newPeerSet(t *testing.T, n int) *peerSet {
	c := &peerSet{t: t, key: map[string]crypto.PrivKey{}}
	for i := range n {
		id := fmt.Sprintf("n%d", i)
		c.key[id] = ed25519.GenPrivKey()
		c.set = append(c.set, cmttypes.NewValidator(c.key[id].PubKey(), 10))
		c.reg.Validators = append(c.reg.Validators, chain.ValidatorChange{PubKey: c.key[id].PubKey().Bytes(), Power: 10, NodeID: id})
	}
	c.self = c.set[0].Address.String()
	return c
}

// node gives the node id a validator key of its own (a follower's, an
// observer's, a key-only validator's) and returns it.
func (c *peerSet) node(id string) crypto.PrivKey {
	c.key[id] = ed25519.GenPrivKey()
	return c.key[id]
}

// attested is the peer id as a weid node that attests its key.
func (c *peerSet) attested(id string) cometbft.Peer {
	m, err := cometbft.AttestedMoniker(id, testChain, id, c.key[id])
	if err != nil {
		c.t.Fatal(err)
	}
	return cometbft.Peer{ID: id, Moniker: m}
}

func (c *peerSet) ready(live ...cometbft.Peer) (bool, string) {
	return cometbft.QuorumAttested(c.set, c.self, live, c.reg, cometbft.NewAttestations(testChain))
}

func (c *peerSet) after(change chain.ValidatorChange, live ...cometbft.Peer) (bool, string) {
	return cometbft.QuorumAfterAttested(c.set, change, c.self, live, c.reg, cometbft.NewAttestations(testChain))
}

func old(id string) cometbft.Peer { return cometbft.Peer{ID: id} }

// TestAttest_MonikerVerifiesForItsNodeAndChainOnly: the moniker a node
// builds keeps its human part, is ASCII text without tabs (CometBFT's
// NodeInfo rule), and makes the node count for its validator — on its own
// node id and chain only.
func TestAttest_MonikerVerifiesForItsNodeAndChainOnly(t *testing.T) {
	t.Parallel()
	c := newPeerSet(t, 2) // v0 alone holds 10 of 20: v1's node decides
	m := c.attested("n1").Moniker
	if h := cometbft.HumanMoniker(m); h != "n1" {
		t.Errorf("HumanMoniker(%q) = %q, want n1", m, h)
	}
	for _, b := range []byte(m) {
		if b < 32 || b > 126 {
			t.Fatalf("moniker %q: byte %#x is not ASCII text", m, b)
		}
	}
	if bare, _ := cometbft.AttestedMoniker("", testChain, "n1", c.key["n1"]); cometbft.HumanMoniker(bare) != "" || !strings.HasPrefix(bare, "weid:") {
		t.Errorf("an unnamed node's moniker %q: want the attestation alone", bare)
	}
	if h := cometbft.HumanMoniker("node 7"); h != "node 7" {
		t.Errorf("HumanMoniker of a moniker without attestation = %q", h)
	}
	if ok, why := c.ready(cometbft.Peer{ID: "n1", Moniker: m}); !ok {
		t.Errorf("v1's node with its attestation: not ready (%s)", why)
	}
	if ok, _ := c.ready(cometbft.Peer{ID: "x", Moniker: m}); ok {
		t.Error("v1's moniker on another node id counted")
	}
	other, _ := cometbft.AttestedMoniker("n1", "another-chain", "n1", c.key["n1"])
	if ok, _ := c.ready(cometbft.Peer{ID: "n1", Moniker: other}); ok {
		t.Error("an attestation for another chain counted")
	}
}

// TestQuorum_PromotedObserverCounts: node n3 was an observer and its key
// was then admitted (weid validator add --home): the register records n3
// as an observer and as v3's node. It counts for v3, attested or not.
func TestQuorum_PromotedObserverCounts(t *testing.T) {
	t.Parallel()
	c := newPeerSet(t, 4)
	c.reg.Observers = []string{"n3"}
	for _, n3 := range []cometbft.Peer{c.attested("n3"), old("n3")} {
		attested := n3.Moniker != ""
		if ok, why := c.ready(c.attested("n1"), n3); !ok {
			t.Errorf("v0, v1 and the promoted n3 (attested %v): not ready (%s)", attested, why)
		}
		// v0, v1, v2, v3 up: removing v2 leaves 30 of 30, no halt.
		if ok, why := c.after(chain.ValidatorChange{PubKey: c.set[2].PubKey.Bytes()}, c.attested("n1"), c.attested("n2"), n3); !ok {
			t.Errorf("removing v2 with the promoted n3 up (attested %v): refused (%s)", attested, why)
		}
	}
}

// TestQuorum_UnknownPeersDoNotCount: peers that attest a key outside the
// set — a follower the register does not name, a removed validator still
// running — count for nothing, even while a validator admitted by key
// alone is down; as does a key-only validator's stand-in when a heavier
// key-only validator is admitted. Only a peer without an attestation (an
// older weid) still counts as a validator without a recorded node id.
func TestQuorum_UnknownPeersDoNotCount(t *testing.T) {
	t.Parallel()
	c := newPeerSet(t, 3)
	k := c.node("k") // v3: admitted by key alone (no node id), down
	c.set = append(c.set, cmttypes.NewValidator(k.PubKey(), 10))
	c.reg.Validators = append(c.reg.Validators, chain.ValidatorChange{PubKey: k.PubKey().Bytes(), Power: 10})
	c.node("f")  // a follower the register does not name
	c.node("r")  // a removed validator still running: the register forgot it
	c.node("x9") // an older weid's follower, no attestation
	for _, c2 := range []struct {
		name  string
		live  []cometbft.Peer
		ready bool
	}{
		{"v1 and an unregistered follower", []cometbft.Peer{c.attested("n1"), c.attested("f")}, false},
		{"v1 and a removed validator still connected", []cometbft.Peer{c.attested("n1"), c.attested("r")}, false},
		{"v1 and the key-only validator's own node", []cometbft.Peer{c.attested("n1"), c.attested("k")}, true},
		{"v1 and an older weid's unnamed peer (mixed versions)", []cometbft.Peer{c.attested("n1"), old("x9")}, true},
	} {
		if ok, why := c.ready(c2.live...); ok != c2.ready {
			t.Errorf("%s: ready = %v (%s), want %v", c2.name, ok, why, c2.ready)
		}
	}
	// v0..v2 up with the removed validator's node: removing v2 leaves v0
	// and v1, 20 of 30; the removed node does not stand in for k.
	if ok, why := c.after(chain.ValidatorChange{PubKey: c.set[2].PubKey.Bytes()}, c.attested("n1"), c.attested("n2"), c.attested("r")); ok {
		t.Errorf("removing v2 with a removed validator's node up: allowed, want refused (%s)", why)
	}
	// v0..v2 of four up and a follower: admitting a key-only validator of
	// power 13 whose node is down leaves 30 of 53; the follower does not
	// stand in for it.
	d := newPeerSet(t, 4)
	d.node("f")
	heavy := chain.ValidatorChange{PubKey: ed25519.GenPrivKey().PubKey().Bytes(), Power: 13}
	if ok, why := d.after(heavy, d.attested("n1"), d.attested("n2"), d.attested("f")); ok {
		t.Errorf("admitting a heavier key-only validator that is down, a follower up: allowed, want refused (%s)", why)
	}
	if ok, why := d.after(heavy, d.attested("n1"), d.attested("n2"), old("f")); !ok {
		t.Errorf("the same with the follower on an older weid (mixed versions): refused (%s)", why)
	}
}

// TestQuorum_ForgedOrCopiedAttestationCountsForNothing: an attestation
// copied from another node, signed by another key, or malformed makes a
// peer count for nothing — never for the validator it names, nor as an
// unnamed one; the node the copy came from still counts once.
func TestQuorum_ForgedOrCopiedAttestationCountsForNothing(t *testing.T) {
	t.Parallel()
	c := newPeerSet(t, 4)
	k := c.node("k") // a key-only validator, down: a stand-in would fill it
	c.set = append(c.set, cmttypes.NewValidator(k.PubKey(), 10))
	c.reg.Validators = append(c.reg.Validators, chain.ValidatorChange{PubKey: k.PubKey().Bytes(), Power: 10})
	copied := cometbft.Peer{ID: "x", Moniker: c.attested("n2").Moniker}
	forgedSig, _ := cometbft.AttestedMoniker("x", testChain, "x", ed25519.GenPrivKey())
	addr := c.set[2].Address.String()
	forged := cometbft.Peer{ID: "y", Moniker: "y weid:" + addr + forgedSig[strings.LastIndexByte(forgedSig, ':'):]}
	for _, p := range []cometbft.Peer{copied, forged, {ID: "z", Moniker: "z weid:nonsense"}, {ID: "w", Moniker: "weid:" + addr + ":"}} {
		if ok, why := c.ready(c.attested("n1"), c.attested("n2"), p); ok {
			t.Errorf("v0, v1, v2 and %q: ready (%s), want 30 of 50", p.Moniker, why)
		}
	}
	if ok, why := c.ready(c.attested("n1"), c.attested("n2"), c.attested("n3"), copied); !ok {
		t.Errorf("v0..v3 and a copy of v2's moniker: not ready (%s)", why)
	}
}

// TestAttest_VerifiedOncePerPeerAndMoniker: Ready's checks every second
// do not verify a peer's signature again while it keeps its moniker.
func TestAttest_VerifiedOncePerPeerAndMoniker(t *testing.T) {
	t.Parallel()
	c := newPeerSet(t, 3)
	as := cometbft.NewAttestations(testChain)
	live := []cometbft.Peer{c.attested("n1"), c.attested("n2"), old("n9")}
	for range 3 {
		if ok, why := cometbft.QuorumAttested(c.set, c.self, live, c.reg, as); !ok {
			t.Fatalf("not ready: %s", why)
		}
	}
	if n := as.Verdicts(); n != 2 {
		t.Errorf("%d verdicts kept, want 2 (one per attested peer)", n)
	}
}
