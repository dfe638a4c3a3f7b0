package cometbft

import (
	"sync"
	"time"

	abcicli "github.com/cometbft/cometbft/abci/client"
	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto"
	"github.com/cometbft/cometbft/p2p"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/weidgo/weid/chain"
)

// NewTestEngine returns an engine over a without a CometBFT node, for tests
// that drive the application by hand.
func NewTestEngine(a *App, commitWait time.Duration) *Engine { return newEngine(a, 0, commitWait) }

// Track records the transaction raw (hash) as this node's submission,
// already in the mempool, as Submit (wait) or SubmitAsync (!wait) do; a
// Submit caller's outcome arrives on the returned channel.
func (e *Engine) Track(hash string, raw []byte, wait bool) <-chan chain.Result {
	w := &waiting{key: cmttypes.Tx(raw).Key(), inPool: true}
	if wait {
		w.ch = make(chan chain.Result, 1)
	}
	e.mu.Lock()
	e.txs[hash] = w
	e.mu.Unlock()
	return w.ch
}

// fakeMempool holds the keys of the transactions a test says are in it.
type fakeMempool struct {
	sync.Mutex
	in map[cmttypes.TxKey]bool
}

func (m *fakeMempool) InMempool(k cmttypes.TxKey) bool { return m.in[k] }

// SweepWith runs the engine's sweep over a mempool holding exactly the
// transactions raws.
func (e *Engine) SweepWith(raws ...[]byte) {
	m := &fakeMempool{in: map[cmttypes.TxKey]bool{}}
	for _, r := range raws {
		m.in[cmttypes.Tx(r).Key()] = true
	}
	e.sweep(m)
}

// refusingMempool passes every CheckTx (the application's answer is OK)
// and then refuses to add the transaction with err, as CometBFT's mempool
// does when it filled up while the application was checking.
type refusingMempool struct{ err error }

func (m refusingMempool) CheckTx(tx cmttypes.Tx, _ p2p.ID) (*abcicli.ReqRes, error) {
	rr := abcicli.NewReqRes(abci.ToCheckTxRequest(&abci.CheckTxRequest{Tx: tx}))
	rr.Response = abci.ToCheckTxResponse(&abci.CheckTxResponse{Code: abci.CodeTypeOK})
	rr.SetCallback(func(*abci.Response) error { return m.err })
	rr.InvokeCallback()
	rr.Done()
	return rr, nil
}

// EnterRefused hands c to a mempool whose CheckTx passes and which then
// refuses it with err, as Submit does, and returns what Submit would.
func (e *Engine) EnterRefused(c *chain.Checked, err error) error {
	e.mempool = refusingMempool{err}
	return e.enter(c, &waiting{ch: make(chan chain.Result, 1)})
}

// Peer is a connected peer running consensus: its node id, moniker and
// the last height it committed, as its round state says.
type Peer struct {
	ID, Moniker string
	Height      int64
}

// Attestations verifies peers' attestations (attestations).
type Attestations = attestations

// NewAttestations returns the verifier of the attestations of the chain
// chainID.
func NewAttestations(chainID string) *Attestations { return newAttestations(chainID) }

// HumanMoniker is humanMoniker: a moniker without its attestation.
var HumanMoniker = humanMoniker

// Verdicts is how many (peer id, moniker) verdicts as keeps.
func (as *attestations) Verdicts() int {
	as.mu.Lock()
	defer as.mu.Unlock()
	return len(as.verdict)
}

// AttestedMoniker is attestedMoniker: moniker with the attestation that
// the node nodeID runs the validator of key on the chain chainID.
func AttestedMoniker(moniker, chainID, nodeID string, key crypto.PrivKey) (string, error) {
	return attestedMoniker(moniker, chainID, p2p.ID(nodeID), key)
}

func toPeers(live []Peer) []peer {
	out := make([]peer, len(live))
	for i, p := range live {
		out[i] = peer{id: p.ID, moniker: p.Moniker, height: p.Height}
	}
	return out
}

func oldPeers(ids []string) []Peer {
	out := make([]Peer, len(ids))
	for i, id := range ids {
		out[i] = Peer{ID: id}
	}
	return out
}

// Quorum is quorum, Ready's count of the voting power this node reaches,
// over peers live (node ids) without attestations: nodes of an older weid.
func Quorum(set []*cmttypes.Validator, self string, live []string, reg Register) (bool, string) {
	return quorum(set, self, toPeers(oldPeers(live)), reg, newAttestations("test-chain"))
}

// QuorumAttested is quorum over peers with their monikers.
func QuorumAttested(set []*cmttypes.Validator, self string, live []Peer, reg Register, as *Attestations) (bool, string) {
	return quorum(set, self, toPeers(live), reg, as)
}

// QuorumAfterChange is quorumAfter, QuorumAfter's count over a set, with
// peers live (node ids) without attestations.
func QuorumAfterChange(set []*cmttypes.Validator, change chain.ValidatorChange, self string, live []string, reg Register) (bool, string) {
	return quorumAfter(set, change, self, toPeers(oldPeers(live)), reg, newAttestations("test-chain"))
}

// QuorumAfterAttested is quorumAfter over peers with their monikers.
func QuorumAfterAttested(set []*cmttypes.Validator, change chain.ValidatorChange, self string, live []Peer, reg Register, as *Attestations) (bool, string) {
	return quorumAfter(set, change, self, toPeers(live), reg, as)
}

// Behind is behind: how many blocks the chain, as the validators of set
// holding more than 1/3 of its power report it, is ahead of height, this
// node's (the validator self, "" for an observer).
func Behind(set []*cmttypes.Validator, self string, height int64, live []Peer, reg Register, as *Attestations) int64 {
	return behind(set, self, height, toPeers(live), reg, as)
}

// VouchedHeight is vouchedHeight over validators reporting heights[i]
// with power powers[i], of total.
func VouchedHeight(heights, powers []int64, total int64) int64 {
	r := make([]report, len(heights))
	for i := range heights {
		r[i] = report{height: heights[i], power: powers[i]}
	}
	return vouchedHeight(r, total)
}

// ReadParamsWith makes a read the consensus parameters CometBFT holds for a
// height with f, as the engine makes it read its state store.
func (a *App) ReadParamsWith(f func(height int64) (cmttypes.ConsensusParams, error)) {
	a.params = f
}

// SetSnapshotClock makes the snapshots' served marks and pruning read now
// instead of time.Now (after EnableSnapshots with an interval).
func (a *App) SetSnapshotClock(now func() time.Time) {
	a.snap.mu.Lock()
	defer a.snap.mu.Unlock()
	a.snap.now = now
}

// SetPeerGate gives a what the peer filter reads, as the engine does once
// its node runs: the ledger's register, CometBFT's validator set, whether
// the node catches up, and where notes about peers are logged.
func (a *App) SetPeerGate(register func() (Register, error), set func() ([]*cmttypes.Validator, error), syncing func() bool, log func(string, ...any)) {
	a.gate.Store(&peerGate{register: register, set: set, syncing: syncing, log: log, logged: map[string]time.Time{}})
}
