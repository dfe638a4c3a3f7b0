package cometbft

import (
	"fmt"

	dbm "github.com/cometbft/cometbft-db"
	cmtproto "github.com/cometbft/cometbft/api/cometbft/types/v1"
	cmtcfg "github.com/cometbft/cometbft/config"
	sm "github.com/cometbft/cometbft/state"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/weidgo/weid/chain"
)

// rulesPBTS is the version of the ledger's rules that turns Proposer-Based
// Timestamps on for a chain made before they were on at genesis (see
// chain.RulesVersion).
const rulesPBTS = 2

// pbtsUpdate is the consensus-parameter update of the CometBFT block at
// height h, whose weid block (if it made one) is p, prepared under the
// rules record before, the committed one.
//
// Where rules v2 take effect — the weid block at the height they were
// scheduled for, the first applied under them — a chain whose consensus
// parameters at h neither enable nor schedule PBTS (one made before weid
// turned PBTS on at genesis: BFT time) turns it on from h+1, the earliest
// CometBFT accepts (types.ConsensusParams.ValidateUpdate refuses an enable
// height at or below the block's), with the synchrony parameters of a new
// chain's genesis (GenesisParams). Nothing else changes. It is consensus:
// the rules record, the weid height and the consensus parameters at h are
// the chain's, so every validator returns the same update in the same
// block; a chain at rules v1 never gets it, and replays as it did. The
// update also sets the app version (AppVersion), or CometBFT would set
// it to the parameters' 0.
func (a *App) pbtsUpdate(before chain.Rules, p *chain.Prepared, h int64) (*cmtproto.ConsensusParams, error) {
	if p.Block == nil || a.params == nil {
		return nil, nil
	}
	wh := p.Block.Header.Height
	if wh == 0 || before.At(wh).Version < rulesPBTS || before.At(wh-1).Version >= rulesPBTS {
		return nil, nil
	}
	cur, err := a.params(h)
	if err != nil {
		return nil, fmt.Errorf("rules v%d take effect at weid height %d: read the consensus parameters of CometBFT height %d: %w", rulesPBTS, wh, h, err)
	}
	if cur.Feature.PbtsEnableHeight > 0 {
		return nil, nil // on since genesis, or already scheduled
	}
	cur.Feature.PbtsEnableHeight = h + 1
	cur.Synchrony = GenesisParams().Synchrony
	all := cur.ToProto()
	// The version too: CometBFT sets its state's app version, which every
	// header carries and a node restoring a snapshot checks against its
	// app's (Info), from the updated parameters, whose version is
	// genesis's 0 while the handshake had set AppVersion. Any later update
	// must carry it as well.
	return &cmtproto.ConsensusParams{Feature: all.Feature, Synchrony: all.Synchrony, Version: &cmtproto.VersionParams{App: AppVersion}}, nil
}

// readParamsFrom is the node's database provider (stopSafeDBProvider) that
// also makes a read the consensus parameters from CometBFT's state store,
// which holds those of every height from the next one down (the handshake
// replays blocks under the parameters recorded for them).
func (a *App) readParamsFrom(c *cmtcfg.Config) cmtcfg.DBProvider {
	return func(ctx *cmtcfg.DBContext) (dbm.DB, error) {
		db, err := stopSafeDBProvider(ctx)
		if err != nil || ctx.ID != "state" {
			return db, err
		}
		// The node makes its own store over db next, with the same
		// options: both read (or, on an empty store, write) the same key
		// layout.
		st := sm.NewStore(db, sm.StoreOptions{DBKeyLayout: c.Storage.ExperimentalKeyLayout})
		a.params = func(h int64) (cmttypes.ConsensusParams, error) { return st.LoadConsensusParams(h) }
		return db, nil
	}
}
