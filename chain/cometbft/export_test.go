package cometbft

import (
	"sync"
	"time"

	abcicli "github.com/cometbft/cometbft/abci/client"
	abci "github.com/cometbft/cometbft/abci/types"
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

// Quorum is quorum, Ready's count of the voting power this node reaches.
var Quorum = quorum

// QuorumAfterChange is quorumAfter, QuorumAfter's count over a set.
var QuorumAfterChange = quorumAfter
