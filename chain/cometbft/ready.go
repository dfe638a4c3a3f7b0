package cometbft

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	cmted25519 "github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cometbft/cometbft/p2p"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/weidgo/weid/chain"
)

// peerHeight is what the consensus reactor keeps about each peer
// (*consensus.PeerState): the peer's consensus height, 0 until the peer,
// once out of block sync, announced its round state. The reactor applies
// a peer's round steps while this node is still in block sync too.
type peerHeight interface{ GetHeight() int64 }

// Register is what the ledger records of the consortium's nodes
// (Config.Register): how Ready tells a validator's peer from an observer's,
// and the set QuorumAfter judges a change against.
type Register struct {
	// Validators are the recorded validators (gov.addValidator): key,
	// power and node id when one was recorded; every committed change is
	// in it, whether CometBFT applies it yet or not.
	Validators []chain.ValidatorChange
	// Observers are the node ids recorded for observers (gov.addObserver).
	Observers []string
	// LastChanged are the keys the latest block that changed the set
	// changed: a change committed at CometBFT height h applies from h+2,
	// so CometBFT's current set may still hold a key removed there.
	LastChanged [][]byte
}

// nodes maps each recorded validator node id to the validator's address.
func (r Register) nodes() map[string]string {
	m := make(map[string]string, len(r.Validators))
	for _, v := range r.Validators {
		if v.NodeID != "" {
			m[v.NodeID] = cmted25519.PubKey(v.PubKey).Address().String()
		}
	}
	return m
}

// Ready reports whether a transaction handed to this node's mempool now
// would commit: this node runs consensus (its block sync is over) and,
// with the peers that run consensus too and are validators of the current
// set, holds more than 2/3 of the set's voting power (quorum: which peers
// count, and for what). A node still in block sync, like its peers still
// in block sync, drops the transactions gossiped to it, and CometBFT
// gossips each transaction to each peer once; a transaction accepted
// before that would wait for a block that may never come. If not ready,
// why says what is missing.
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
	set, self, reg, why := e.quorumInputs()
	if why != "" {
		return false, why
	}
	live := e.consensusPeers()
	// A node whose consensus failed (CONSENSUS FAILURE!!!) has live
	// peers, yet stays at its height while the validators move on;
	// CometBFT does not call that catching up.
	if b := behind(set, self, e.node.BlockStore().Height(), live, reg, e.attest); b > chain.MaxBehind {
		return false, fmt.Sprintf("the node is %d blocks behind the chain (the height validators holding more than 1/3 of the voting power report; more than %d) and not catching up: its consensus may have stopped (see its log for CONSENSUS FAILURE)", b, chain.MaxBehind)
	}
	if ok, why = quorum(set, self, live, reg, e.attest); !ok {
		return false, why
	}
	e.readyUntil.Store(time.Now().Add(time.Second).UnixNano())
	return true, ""
}

// QuorumAfter implements chain.QuorumChecker: Ready's count over the set
// the ledger records and over it with change applied (quorumAfter).
func (e *Engine) QuorumAfter(change chain.ValidatorChange) (bool, string) {
	set, self, reg, why := e.quorumInputs()
	if why != "" {
		return false, why
	}
	return quorumAfter(set, change, self, e.consensusPeers(), reg, e.attest)
}

// quorumInputs returns CometBFT's current validator set, this node's
// validator address and the ledger's register, or why one is unknown.
func (e *Engine) quorumInputs() (set []*cmttypes.Validator, self string, reg Register, why string) {
	set, err := e.validators()
	if err != nil {
		return nil, "", reg, "the validator set is unknown: " + err.Error()
	}
	pub, err := e.node.PrivValidator().GetPubKey()
	if err != nil {
		return nil, "", reg, "the node's validator key is unreadable: " + err.Error()
	}
	if e.register != nil {
		if reg, err = e.register(); err != nil {
			return nil, "", reg, "the ledger's validator register is unreadable: " + err.Error()
		}
	}
	return set, pub.Address().String(), reg, ""
}

// validators returns CometBFT's current validator set, every page of it.
func (e *Engine) validators() ([]*cmttypes.Validator, error) {
	var set []*cmttypes.Validator
	perPage := 100
	for page := 1; ; page++ {
		vr, err := e.rpc.Validators(nil, nil, &page, &perPage)
		if err != nil {
			return nil, err
		}
		set = append(set, vr.Validators...)
		if len(vr.Validators) == 0 || len(set) >= vr.Total {
			return set, nil
		}
	}
}

// ledgerSet is the validator set the ledger's committed changes make:
// reg's validators, and the validators of CometBFT's set the register
// does not record (a chain older than the register records none of its
// genesis validators) unless the latest change removed them.
func ledgerSet(set []*cmttypes.Validator, reg Register) []*cmttypes.Validator {
	if len(reg.Validators) == 0 && len(reg.LastChanged) == 0 {
		return set
	}
	known := map[string]bool{}
	var out []*cmttypes.Validator
	for _, v := range reg.Validators {
		w := cmttypes.NewValidator(cmted25519.PubKey(v.PubKey), v.Power)
		known[w.Address.String()] = true
		if v.Power > 0 {
			out = append(out, w)
		}
	}
	for _, k := range reg.LastChanged {
		known[cmted25519.PubKey(k).Address().String()] = true
	}
	for _, v := range set {
		if !known[v.Address.String()] {
			out = append(out, v)
		}
	}
	return out
}

// quorumAfter reports whether change keeps the quorum of quorum's count
// over the set the ledger records (ledgerSet: changes committed and not
// yet applied by CometBFT count, so two sent back to back are judged
// together): false (and why) when the validators this node reaches hold
// more than 2/3 of that set's power now and would not with change applied
// — its key's power replaced (0 leaves it out, a new key joins), the node
// id it names recorded for it. A set without that quorum now is not
// judged: a write waits for it (Ready) and the change may restore it.
func quorumAfter(set []*cmttypes.Validator, change chain.ValidatorChange, self string, live []peer, reg Register, as *attestations) (bool, string) {
	set = ledgerSet(set, reg)
	if ok, _ := quorum(set, self, live, reg, as); !ok {
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
		reg.Validators = append(slices.Clone(reg.Validators), change)
	}
	return quorum(next, self, live, reg, as)
}

// consensusPeers returns the connected peers that run consensus (out of
// block sync, their round state announced).
func (e *Engine) consensusPeers() []peer {
	var live []peer
	for _, p := range e.node.Switch().Peers().Copy() {
		if ps, ok := p.Get(cmttypes.PeerStateKey).(peerHeight); ok && ps.GetHeight() > 0 {
			ni, _ := p.NodeInfo().(p2p.DefaultNodeInfo)
			// A peer's consensus height is the height it works on: the
			// one after its last committed block.
			live = append(live, peer{id: string(p.ID()), moniker: ni.Moniker, height: ps.GetHeight() - 1})
		}
	}
	return live
}

// peer is a connected peer that runs consensus: its node id, which
// CometBFT's secret connection authenticates, its NodeInfo's moniker,
// which may carry an attestation (attest.go), and the last height it
// committed as its round state says. That height is the peer's word:
// CometBFT's consensus reactor sets no upper bound on a NewRoundStep's
// height and keeps the highest a peer sent, so one peer can claim any
// height (behind counts it only for the validator it proves it runs).
type peer struct {
	id, moniker string
	height      int64
}

// quorum reports whether the validator self (its address; not in set for
// an observer) and the peers live hold more than 2/3 of set's voting
// power, the share CometBFT needs to commit. No validator counts twice:
//   - a peer whose moniker carries an attestation counts for the
//     validator whose key signed it (as checks it), whatever reg records of
//     its node id; one whose attestation names a key outside set or does
//     not verify counts for nothing (a removed validator, a follower, a
//     forger);
//   - a peer without one runs an older weid: it counts for the validator
//     whose node id reg records for it, else for nothing if reg records it
//     as an observer; a peer reg does not name at all may be a validator
//     admitted without its node id (by key alone, or on a chain older than
//     the register), so such peers count, one each, as the most powerful
//     validators of set whose node id reg does not record — a rule kept
//     only for consortia whose nodes do not all attest yet.
func quorum(set []*cmttypes.Validator, self string, live []peer, reg Register, as *attestations) (ok bool, why string) {
	byAddr, total := byAddress(set)
	self = strings.ToUpper(self)
	var own int64
	if v := byAddr[self]; v != nil {
		own = v.VotingPower
	}
	have := own
	counted := map[string]bool{self: true}
	validators, unnamed := 0, 0
	for _, a := range peerValidators(live, reg, byAddr, as, &unnamed) {
		if v := byAddr[a]; v != nil && v.VotingPower > 0 && !counted[a] {
			counted[a] = true
			have += v.VotingPower
			validators++
		}
	}
	named := map[string]bool{}
	for _, a := range reg.nodes() {
		named[strings.ToUpper(a)] = true
	}
	var rest []int64 // the powers of the validators without a recorded node id
	for _, v := range set {
		if a := v.Address.String(); !named[a] && !counted[a] && v.VotingPower > 0 {
			rest = append(rest, v.VotingPower)
		}
	}
	slices.SortFunc(rest, func(a, b int64) int { return cmp.Compare(b, a) })
	for _, p := range rest[:min(unnamed, len(rest))] {
		have += p
		validators++
	}
	if have*3 > total*2 {
		return true, ""
	}
	return false, fmt.Sprintf("the validators this node reaches hold %d of the %d voting power (its own %d and %d validators among its %d peers running consensus; a peer counts for the validator whose key signs its attestation; one of an older weid, without an attestation, counts through the ledger's node ids); more than 2/3 (%d) is needed to commit",
		have, total, own, validators, len(live), total*2/3+1)
}

// peerValidators returns the address (upper-case hex) of the validator
// each peer of live counts for (peerValidator) and counts in unnamed the
// peers without an attestation that reg does not name at all. A peer
// listed twice is taken once.
func peerValidators(live []peer, reg Register, set map[string]*cmttypes.Validator, as *attestations, unnamed *int) []string {
	nodes := reg.nodes()
	seen := map[string]bool{}
	var out []string
	for _, p := range live {
		if seen[p.id] {
			continue
		}
		seen[p.id] = true
		a, isUnnamed := peerValidator(p, reg, nodes, set, as)
		if a != "" {
			out = append(out, a)
		} else if isUnnamed {
			*unnamed++
		}
	}
	return out
}

// peerValidator returns the address (upper-case hex) of the validator of
// set that p proves it runs (its attestation) or, without an attestation,
// that reg records p's node id for (nodes is reg.nodes()) — validators
// before observers, so a promoted observer's record does not hide its
// validator's —, or "" for none. unnamed is true for a peer without an
// attestation that reg does not name at all, neither as a validator's
// node nor as an observer.
func peerValidator(p peer, reg Register, nodes map[string]string, set map[string]*cmttypes.Validator, as *attestations) (addr string, unnamed bool) {
	if a, attested := as.validator(p, set); attested {
		return a, false
	}
	if a, ok := nodes[p.id]; ok {
		return strings.ToUpper(a), false
	}
	return "", !slices.Contains(reg.Observers, p.id)
}

// behind returns how many blocks the chain is ahead of height, this
// node's last committed one (0: not ahead, or not known). The chain's
// height is vouchedHeight over the validators of set: this node's own
// height and power if self is one, and each peer of live that counts for
// one by its attestation or the node id the ledger records for it
// (peerValidator), once per validator. Observers, removed validators,
// followers and peers the ledger does not name count for nothing here —
// unlike in quorum, which takes an unnamed peer for a validator admitted
// without its node id: any node can connect and claim any height, so
// only validators, and together more than 1/3 of the power, can say how
// far the chain is.
func behind(set []*cmttypes.Validator, self string, height int64, live []peer, reg Register, as *attestations) int64 {
	byAddr, total := byAddress(set)
	self = strings.ToUpper(self)
	heights := map[string]int64{} // validator address → the height its node reports
	if byAddr[self] != nil {
		heights[self] = height
	}
	nodes := reg.nodes()
	for _, p := range live {
		a, _ := peerValidator(p, reg, nodes, byAddr, as)
		if byAddr[a] == nil || a == self {
			continue // this node's own height is its own, not a peer's word
		}
		if h, ok := heights[a]; !ok || p.height > h {
			heights[a] = p.height
		}
	}
	reports := make([]report, 0, len(heights))
	for a, h := range heights {
		reports = append(reports, report{height: h, power: byAddr[a].VotingPower})
	}
	return max(vouchedHeight(reports, total)-height, 0)
}

// byAddress indexes set by address (upper-case hex) and sums its voting
// power.
func byAddress(set []*cmttypes.Validator) (map[string]*cmttypes.Validator, int64) {
	byAddr := make(map[string]*cmttypes.Validator, len(set))
	var total int64
	for _, v := range set {
		byAddr[v.Address.String()] = v
		total += v.VotingPower
	}
	return byAddr, total
}

// report is the last height a validator's node committed, as it says, and
// the validator's voting power.
type report struct{ height, power int64 }

// vouchedHeight returns the highest height h such that validators holding
// more than 1/3 of total, the set's voting power, report h or more (0 if
// those reporting hold 1/3 or less). BFT tolerates validators holding
// less than 1/3 being faulty, so among those holding more is one that
// follows the protocol and has committed h: no faulty coalition the chain
// survives can make a node look behind, and a node whose consensus
// stopped is behind by every block the others commit as long as it
// reaches validators holding more than 1/3.
func vouchedHeight(reports []report, total int64) int64 {
	reports = slices.Clone(reports)
	slices.SortFunc(reports, func(a, b report) int { return cmp.Compare(b.height, a.height) })
	var power int64
	for _, r := range reports {
		if power += r.power; power*3 > total {
			return r.height
		}
	}
	return 0
}

// behindChain is behind over CometBFT's current validator set and the
// peers running consensus now (0 if the set is unknown).
func (e *Engine) behindChain(height int64) int64 {
	set, self, reg, why := e.quorumInputs()
	if why != "" {
		return 0
	}
	return behind(set, self, height, e.consensusPeers(), reg, e.attest)
}

// Consensus implements chain.ConsensusReporter.
func (e *Engine) Consensus() chain.ConsensusStatus {
	st := chain.ConsensusStatus{Height: e.node.BlockStore().Height(), NodeID: string(e.node.NodeInfo().ID()), Peers: []string{}}
	st.Ready, st.NotReady = e.Ready()
	st.BlockTime, st.PBTSHeight = e.blockTime()
	st.CatchingUp = e.node.ConsensusReactor().WaitSync()
	for _, p := range e.node.Switch().Peers().Copy() {
		st.Peers = append(st.Peers, string(p.ID()))
	}
	st.Behind = e.behindChain(st.Height)
	sort.Strings(st.Peers)
	st.PeerCount = len(st.Peers)
	if self, err := e.node.PrivValidator().GetPubKey(); err == nil {
		st.ValidatorAddress = self.Address().String()
	}
	if set, err := e.validators(); err == nil {
		st.Validators = len(set)
		for _, v := range set {
			st.TotalPower += v.VotingPower
			if v.Address.String() == st.ValidatorAddress {
				st.VotingPower = v.VotingPower
			}
		}
	}
	return st
}
