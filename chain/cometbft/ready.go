package cometbft

import (
	"bytes"
	"fmt"
	"maps"
	"sort"
	"strings"
	"time"

	cmted25519 "github.com/cometbft/cometbft/crypto/ed25519"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/weidgo/weid/chain"
)

// peerHeight is what the consensus reactor keeps about each peer
// (*consensus.PeerState): the peer's consensus height, 0 until the peer,
// once out of block sync, announced its round state. The reactor applies
// a peer's round steps while this node is still in block sync too.
type peerHeight interface{ GetHeight() int64 }

// Ready reports whether a transaction handed to this node's mempool now
// would commit: this node runs consensus (its block sync is over) and,
// with the peers that run consensus too and are validators of the current
// set, holds more than 2/3 of the set's voting power. A peer is a
// validator when the ledger records its node id for a validator key
// (Config.ValidatorNodes) that the current set gives power; an observer,
// or a peer whose node id the ledger does not name, counts for nothing. A
// node still in block sync, like its peers still in block sync, drops the
// transactions gossiped to it, and CometBFT gossips each transaction to
// each peer once; a transaction accepted before that would wait for a
// block that may never come. If not ready, why says what is missing.
func (e *Engine) Ready() (ok bool, why string) {
	if time.Now().UnixNano() < e.readyUntil.Load() {
		return true, ""
	}
	e.readyMu.Lock()
	defer e.readyMu.Unlock()
	if time.Now().UnixNano() < e.readyUntil.Load() {
		return true, ""
	}
	if !e.node.IsRunning() {
		return false, "the CometBFT node is not running"
	}
	if e.node.ConsensusReactor().WaitSync() {
		return false, "the node is still catching up with the chain (block sync)"
	}
	perPage := 100
	vr, err := e.rpc.Validators(nil, nil, nil, &perPage)
	if err != nil {
		return false, "the validator set is unknown: " + err.Error()
	}
	self, err := e.node.PrivValidator().GetPubKey()
	if err != nil {
		return false, "the node's validator key is unreadable: " + err.Error()
	}
	nodes := map[string]string{}
	if e.validatorNodes != nil {
		if nodes, err = e.validatorNodes(); err != nil {
			return false, "the ledger's validator register is unreadable: " + err.Error()
		}
	}
	if ok, why = quorum(vr.Validators, self.Address().String(), e.consensusPeers(), nodes); !ok {
		return false, why
	}
	e.readyUntil.Store(time.Now().Add(time.Second).UnixNano())
	return true, ""
}

// QuorumAfter implements chain.QuorumChecker: Ready's count over the
// current set and over it with change applied (quorumAfter).
func (e *Engine) QuorumAfter(change chain.ValidatorChange) (bool, string) {
	perPage := 100
	vr, err := e.rpc.Validators(nil, nil, nil, &perPage)
	if err != nil {
		return false, "the validator set is unknown: " + err.Error()
	}
	self, err := e.node.PrivValidator().GetPubKey()
	if err != nil {
		return false, "the node's validator key is unreadable: " + err.Error()
	}
	nodes := map[string]string{}
	if e.validatorNodes != nil {
		if nodes, err = e.validatorNodes(); err != nil {
			return false, "the ledger's validator register is unreadable: " + err.Error()
		}
	}
	return quorumAfter(vr.Validators, change, self.Address().String(), e.consensusPeers(), nodes)
}

// quorumAfter reports whether change keeps the quorum of quorum's count:
// false (and why) when the validators this node reaches hold more than 2/3
// of set's power now and would not over set with change applied — its
// key's power replaced (0 leaves it out, a new key joins), the node id it
// names mapped to its address. A set without that quorum now is not
// judged: a write waits for it (Ready) and the change may restore it.
func quorumAfter(set []*cmttypes.Validator, change chain.ValidatorChange, self string, live []string, nodes map[string]string) (bool, string) {
	if ok, _ := quorum(set, self, live, nodes); !ok {
		return true, ""
	}
	v := cmttypes.NewValidator(cmted25519.PubKey(change.PubKey), change.Power)
	next := make([]*cmttypes.Validator, 0, len(set)+1)
	for _, w := range set {
		if !bytes.Equal(w.Address, v.Address) {
			next = append(next, w)
		}
	}
	if change.Power > 0 {
		next = append(next, v)
	}
	if change.NodeID != "" {
		nodes = maps.Clone(nodes)
		nodes[change.NodeID] = v.Address.String()
	}
	return quorum(next, self, live, nodes)
}

// consensusPeers returns the node ids of the connected peers that run
// consensus (out of block sync, their round state announced).
func (e *Engine) consensusPeers() []string {
	var live []string
	for _, p := range e.node.Switch().Peers().Copy() {
		if ps, ok := p.Get(cmttypes.PeerStateKey).(peerHeight); ok && ps.GetHeight() > 0 {
			live = append(live, string(p.ID()))
		}
	}
	return live
}

// quorum reports whether the validator self (its address; not in set for
// an observer) and the peers live (node ids) that nodes (node id →
// validator address, as the ledger records them) maps to validators of set
// hold more than 2/3 of set's voting power, the share CometBFT needs to
// commit. A peer nodes does not map, or maps to a key without power in
// set, is not counted; nor is a validator twice.
func quorum(set []*cmttypes.Validator, self string, live []string, nodes map[string]string) (ok bool, why string) {
	power := make(map[string]int64, len(set))
	var total int64
	for _, v := range set {
		power[v.Address.String()] = v.VotingPower
		total += v.VotingPower
	}
	self = strings.ToUpper(self)
	have := power[self]
	counted := map[string]bool{self: true}
	validators := 0
	for _, id := range live {
		a := strings.ToUpper(nodes[id])
		if p := power[a]; p > 0 && !counted[a] {
			counted[a] = true
			have += p
			validators++
		}
	}
	if have*3 > total*2 {
		return true, ""
	}
	return false, fmt.Sprintf("the validators this node reaches hold %d of the %d voting power (its own %d and %d validators among its %d peers running consensus; observers and peers the ledger does not record as validators count for nothing); more than 2/3 (%d) is needed to commit",
		have, total, power[self], validators, len(live), total*2/3+1)
}

// Consensus implements chain.ConsensusReporter.
func (e *Engine) Consensus() chain.ConsensusStatus {
	st := chain.ConsensusStatus{Height: e.node.BlockStore().Height(), NodeID: string(e.node.NodeInfo().ID()), Peers: []string{}}
	st.Ready, st.NotReady = e.Ready()
	st.CatchingUp = e.node.ConsensusReactor().WaitSync()
	for _, p := range e.node.Switch().Peers().Copy() {
		st.Peers = append(st.Peers, string(p.ID()))
		// A peer's consensus height is the height it works on: the one
		// after its last committed block.
		if ps, ok := p.Get(cmttypes.PeerStateKey).(peerHeight); ok && ps.GetHeight()-1-st.Height > st.Behind {
			st.Behind = ps.GetHeight() - 1 - st.Height
		}
	}
	sort.Strings(st.Peers)
	st.PeerCount = len(st.Peers)
	if self, err := e.node.PrivValidator().GetPubKey(); err == nil {
		st.ValidatorAddress = self.Address().String()
	}
	perPage := 100
	if vr, err := e.rpc.Validators(nil, nil, nil, &perPage); err == nil {
		st.Validators = vr.Total
		for _, v := range vr.Validators {
			st.TotalPower += v.VotingPower
			if v.Address.String() == st.ValidatorAddress {
				st.VotingPower = v.VotingPower
			}
		}
	}
	return st
}
