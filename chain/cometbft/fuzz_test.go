package cometbft_test

import (
	"strings"
	"testing"

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
