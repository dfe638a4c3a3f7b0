package cometbft

import (
	"time"

	cmttypes "github.com/cometbft/cometbft/types"
)

// How a chain dates its blocks (txn.ConsensusStatus.BlockTime).
const (
	// BlockTimePBTS: Proposer-Based Timestamps, a block's time is the
	// proposer's clock when it proposed, checked by every validator
	// against its own clock (GenesisParams).
	BlockTimePBTS = "pbts"
	// BlockTimeBFT: CometBFT's BFT time, the median of the precommit times
	// of the previous block's commit; as weid makes blocks only for
	// transactions, a block after a quiet spell is dated when the block
	// before it was committed. A chain made before weid turned PBTS on at
	// genesis dates its blocks so until its consensus parameters schedule
	// PBTS, which rules v2 do (pbts.go).
	BlockTimeBFT = "bft"
)

// blockTime says how the block at height is dated under params, and from
// which height PBTS is (or is to be) on, 0 if it is not scheduled.
func blockTime(params cmttypes.ConsensusParams, height int64) (mode string, pbtsFrom int64) {
	from := max(params.Feature.PbtsEnableHeight, 0)
	if height > 0 && params.Feature.PbtsEnabled(height) {
		return BlockTimePBTS, from
	}
	return BlockTimeBFT, from
}

// blockTime says how the node's next block is dated, from the consensus
// parameters CometBFT holds for it ("" if they cannot be read). Right
// after a block, CometBFT has stored it but not yet the state that holds
// the next height's parameters (the application commits in between, and
// a submitter is answered then), so a failed read is tried again a few
// times, 20 ms apart.
func (e *Engine) blockTime() (mode string, pbtsFrom int64) {
	for try := 0; ; try++ {
		r, err := e.rpc.ConsensusParams(nil, nil)
		if err == nil {
			return blockTime(r.ConsensusParams, r.BlockHeight)
		}
		if try == 5 {
			return "", 0
		}
		time.Sleep(20 * time.Millisecond)
	}
}
