package cometbft_test

import (
	"testing"
	"time"

	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/chain/cometbft"
)

// Where rules v2 take effect, a chain that dates its blocks by BFT time
// turns PBTS on from the next CometBFT height, with a new chain's synchrony
// parameters; a chain on PBTS already, a chain that stays at v1 and a chain
// made at v2 get no update. The block that turns it on is the weid block at
// the scheduled height, not a CometBFT block that made none.
func TestFinalizeBlock_RulesV2TurnsOnPBTS(t *testing.T) {
	bft, pbts := *cmttypes.DefaultConsensusParams(), *cometbft.GenesisParams()
	at := uint64(1 + chain.MinRulesLead)
	tests := []struct {
		name     string
		v1       bool // the chain's genesis names no rules
		schedule bool
		params   cmttypes.ConsensusParams
		want     int64 // the CometBFT height of the block that turns PBTS on, 0: none
	}{
		{"v1 chain on BFT time, v2 scheduled", true, true, bft, int64(at) + 1},
		{"v1 chain on PBTS already, v2 scheduled", true, true, pbts, 0},
		{"v1 chain, nothing scheduled", true, false, bft, 0},
		{"chain made at v2", false, false, bft, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			if tt.v1 {
				f = v1Fixture(t)
			}
			a, l := f.appKnowing(t, chain.RulesVersion)
			a.ReadParamsWith(func(int64) (cmttypes.ConsensusParams, error) { return tt.params, nil })
			sched := f.adminTx(t, authz.TxScheduleRules, &authz.ScheduleRulesPayload{Version: 2, Height: at})
			for h := int64(1); h <= int64(at)+3; h++ {
				tx, _ := didCreate(t)
				switch {
				case h == 1 && tt.schedule:
					tx = sched
				case h == int64(at):
					tx = []byte("not a transaction") // no weid block at this CometBFT height
				}
				res := finalize(t, a, h, genesisTime.Add(time.Duration(h)*time.Second), tx)
				upd := res.ConsensusParamUpdates
				if h != tt.want {
					if upd != nil {
						t.Fatalf("height %d (weid %d): update %+v", h, l.Head().Height, upd)
					}
					continue
				}
				if upd == nil {
					t.Fatalf("height %d (weid %d, rules v%d): no update", h, l.Head().Height, l.Rules().At(l.Head().Height).Version)
				}
				if err := tt.params.ValidateUpdate(upd, h); err != nil {
					t.Fatalf("CometBFT refuses the update: %v", err)
				}
				next := tt.params.Update(upd)
				if err := next.ValidateBasic(); err != nil {
					t.Fatalf("the updated parameters: %v", err)
				}
				if next.Feature.PbtsEnableHeight != h+1 || next.Synchrony != pbts.Synchrony || next.Feature.VoteExtensionsEnableHeight != tt.params.Feature.VoteExtensionsEnableHeight || next.Block != tt.params.Block {
					t.Errorf("updated parameters: feature %+v, synchrony %+v, block %+v", next.Feature, next.Synchrony, next.Block)
				}
				// CometBFT takes the app version of its state from the
				// updated parameters (state/execution.go): without it a
				// chain's headers said app 0 from the update on, and a node
				// joining by state sync, whose app says AppVersion, was
				// refused ("app version mismatch").
				if next.Version.App != cometbft.AppVersion {
					t.Errorf("updated parameters: app version %d, want %d", next.Version.App, cometbft.AppVersion)
				}
			}
		})
	}
}
