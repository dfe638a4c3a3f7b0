package cometbft_test

import (
	"strings"
	"testing"

	"github.com/cometbft/cometbft/crypto/ed25519"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/chain/cometbft"
)

// FuzzVerifyCommitProof: whatever a node sends as a signed header, the
// check fails cleanly (no panic) — nothing here is signed by the set.
func FuzzVerifyCommitProof(f *testing.F) {
	f.Add([]byte(`{"header":{"chain_id":"weid-1","height":"2"},"commit":{"height":"2","signatures":[]}}`), int64(2))
	f.Add([]byte(`{}`), int64(1))
	f.Add([]byte(`null`), int64(0))
	f.Add([]byte(`{"header":null,"commit":{"signatures":[{"block_id_flag":2,"validator_address":"00","signature":"AA=="}]}}`), int64(3))
	set := cometbft.ValidatorSet{strings.Repeat("k", 32): 10}
	f.Fuzz(func(t *testing.T, raw []byte, height int64) {
		p := &chain.CommitProof{CometHeight: height, AppHash: strings.Repeat("00", 32), SignedHeader: raw}
		if _, err := cometbft.VerifyCommitProof(p, p.AppHash, set); err == nil {
			t.Fatalf("an unsigned header verified: %s", raw)
		}
	})
}

// FuzzPeerAttestation: whatever moniker a peer sends, quorum reads it
// without panicking, and it never makes the peer count for a validator —
// no moniker here is signed by a validator's key, and the register names
// both validators' nodes, so no unnamed peer stands in for one.
func FuzzPeerAttestation(f *testing.F) {
	key := ed25519.GenPrivKey()
	set := []*cmttypes.Validator{cmttypes.NewValidator(ed25519.GenPrivKey().PubKey(), 10), cmttypes.NewValidator(key.PubKey(), 10)}
	addr := key.PubKey().Address().String()
	f.Add("node1 weid:" + addr + ":AAAA")
	f.Add("weid:" + addr + ":")
	f.Add("weid:")
	f.Add(" weid::")
	f.Add("node 7")
	f.Fuzz(func(t *testing.T, moniker string) {
		cometbft.HumanMoniker(moniker)
		reg := cometbft.Register{Validators: []chain.ValidatorChange{{PubKey: set[0].PubKey.Bytes(), Power: 10, NodeID: "n0"}, {PubKey: key.PubKey().Bytes(), Power: 10, NodeID: "n1"}}}
		if ok, _ := cometbft.QuorumAttested(set, set[0].Address.String(), []cometbft.Peer{{ID: "p", Moniker: moniker}}, reg, cometbft.NewAttestations("c")); ok {
			t.Fatalf("the moniker %q made its peer count without the validator's signature", moniker)
		}
	})
}
