package cometbft

import (
	"sync"
	"time"

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
