package cometbft

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	mempl "github.com/cometbft/cometbft/mempool"
	cmtnode "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/proxy"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
)

// Config configures a CometBFT engine.
type Config struct {
	// Home is the node's directory: CometBFT's config/ (genesis.json,
	// node_key.json, priv_validator_key.json) and data/, and weid-node.json
	// (Settings).
	Home string
	// Ledger is the weid ledger the application applies blocks to.
	Ledger *chain.Ledger
	// BlockKey signs weid blocks; it is the key chain.init names.
	BlockKey *keys.PrivateKey
	// LogLevel is CometBFT's log level: "debug", "info", "error" (default)
	// or "none"; its log goes to LogOutput (default stderr).
	LogLevel  string
	LogOutput io.Writer
	// SkipStateCheck skips the replay that checks, before the node joins
	// consensus, that the state on disk matches the chain's app hashes.
	SkipStateCheck bool
}

// Engine is a chain.Engine that orders transactions with CometBFT running
// in-process. Submit hands a transaction to the local mempool (CheckTx) and
// waits for the block that contains it to be committed by this node.
type Engine struct {
	app  *App
	node *cmtnode.Node

	mu       sync.Mutex
	waiters  map[string]chan chain.Result // Submit callers by tx hash
	pending  map[string]bool              // async or abandoned submissions not yet committed
	rejected map[string]error             // recent rejections of async submissions, bounded
	rejOrder []string
	closed   bool
}

const maxRemembered = 100_000

// Start verifies the ledger's state against its blocks (unless
// cfg.SkipStateCheck), then starts the CometBFT node of cfg.Home on top of
// it. CometBFT's handshake replays any blocks the ledger lacks (or runs
// InitChain on an empty ledger) before Start returns.
func Start(cfg Config) (*Engine, error) {
	s, err := LoadSettings(cfg.Home)
	if err != nil {
		return nil, err
	}
	if !cfg.SkipStateCheck && !cfg.Ledger.Head().Empty {
		if _, err := cfg.Ledger.AuditStore(); err != nil {
			return nil, fmt.Errorf("the state on disk does not match the chain's app hashes, refusing to serve it: %w", err)
		}
	}
	c := s.cometConfig(cfg.Home)
	if err := c.ValidateBasic(); err != nil {
		return nil, fmt.Errorf("cometbft config: %w", err)
	}
	nodeKey, err := p2p.LoadNodeKey(c.NodeKeyFile())
	if err != nil {
		return nil, fmt.Errorf("cometbft node key: %w", err)
	}
	if _, err := os.Stat(c.PrivValidatorKeyFile()); err != nil {
		return nil, fmt.Errorf("cometbft validator key: %w", err)
	}
	pv := privval.LoadFilePV(c.PrivValidatorKeyFile(), c.PrivValidatorStateFile())
	logger, err := newLogger(cfg.LogLevel, cfg.LogOutput)
	if err != nil {
		return nil, err
	}
	e := &Engine{app: NewApp(cfg.Ledger, cfg.BlockKey), waiters: map[string]chan chain.Result{}, pending: map[string]bool{}, rejected: map[string]error{}}
	e.app.OnCommit(e.committed)
	n, err := cmtnode.NewNode(context.Background(), c, pv, nodeKey,
		proxy.NewUnsyncLocalClientCreator(e.app),
		cmtnode.DefaultGenesisDocProviderFunc(c),
		cmtcfg.DefaultDBProvider,
		cmtnode.DefaultMetricsProvider(c.Instrumentation),
		logger)
	if err != nil {
		return nil, fmt.Errorf("cometbft: %w", err)
	}
	if err := n.Start(); err != nil {
		return nil, fmt.Errorf("cometbft start: %w", err)
	}
	e.node = n
	return e, nil
}

func newLogger(level string, w io.Writer) (cmtlog.Logger, error) {
	if w == nil {
		w = os.Stderr
	}
	if level == "" {
		level = "error"
	}
	opt, err := cmtlog.AllowLevel(level)
	if err != nil {
		return nil, err
	}
	return cmtlog.NewFilter(cmtlog.NewTMLogger(cmtlog.NewSyncWriter(w)), opt), nil
}

// App returns the ABCI application.
func (e *Engine) App() *App { return e.app }

// Node returns the CometBFT node.
func (e *Engine) Node() *cmtnode.Node { return e.node }

// Name implements chain.Engine.
func (e *Engine) Name() string { return "cometbft" }

// broadcast runs CheckTx on c through the local mempool, which gossips it
// to the other nodes when it passes.
func (e *Engine) broadcast(c *chain.Checked) error {
	rr, err := e.node.Mempool().CheckTx(c.Tx.Canonical(), "")
	if err != nil {
		var full mempl.ErrMempoolIsFull
		switch {
		case errors.Is(err, mempl.ErrTxInCache):
			return errs.New(http.StatusConflict, "tx.replay", "transaction %s is already pending", c.Hash)
		case errors.As(err, &full):
			return errs.New(http.StatusServiceUnavailable, "ledger.busy", "the mempool is full; retry later")
		}
		return errs.Wrap(http.StatusServiceUnavailable, "ledger.unavailable", err)
	}
	rr.Wait()
	res := rr.Response.GetCheckTx()
	if res == nil {
		return errs.New(http.StatusServiceUnavailable, "ledger.unavailable", "no CheckTx response for %s", c.Hash)
	}
	return respError(res.Code, res.Codespace, res.Log)
}

func (e *Engine) admit(c *chain.Checked) error {
	if _, _, ok, err := e.app.l.TxLocation(c.Hash); err != nil {
		return err
	} else if ok {
		return errs.New(http.StatusConflict, "tx.replay", "transaction %s is already committed", c.Hash)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return errs.New(http.StatusServiceUnavailable, "ledger.closed", "the node is shutting down")
	}
	if e.waiters[c.Hash] != nil || e.pending[c.Hash] {
		return errs.New(http.StatusConflict, "tx.replay", "transaction %s is already pending", c.Hash)
	}
	return nil
}

// Submit implements chain.Engine: it returns once this node has committed
// the block holding c, or with the reason c was rejected.
func (e *Engine) Submit(ctx context.Context, c *chain.Checked) (chain.Receipt, error) {
	if err := e.admit(c); err != nil {
		return chain.Receipt{}, err
	}
	ch := make(chan chain.Result, 1)
	e.mu.Lock()
	e.waiters[c.Hash] = ch
	e.mu.Unlock()
	if err := e.broadcast(c); err != nil {
		e.mu.Lock()
		delete(e.waiters, c.Hash)
		e.mu.Unlock()
		return chain.Receipt{}, err
	}
	select {
	case r := <-ch:
		if r.Err != nil {
			return chain.Receipt{}, r.Err
		}
		return chain.Receipt{TxHash: c.Hash, Height: r.Height, Index: r.Index}, nil
	case <-ctx.Done():
		e.mu.Lock()
		if e.waiters[c.Hash] == ch {
			delete(e.waiters, c.Hash)
			e.pending[c.Hash] = true
		}
		e.mu.Unlock()
		return chain.Receipt{}, errs.New(http.StatusAccepted, "tx.pending", "gave up waiting for transaction %s; it may still commit: poll /v1/txs/%s", c.Hash, c.Hash)
	}
}

// SubmitAsync implements chain.Engine: it returns once c passed CheckTx and
// is in the mempool.
func (e *Engine) SubmitAsync(c *chain.Checked) error {
	if err := e.admit(c); err != nil {
		return err
	}
	e.mu.Lock()
	e.pending[c.Hash] = true
	e.mu.Unlock()
	if err := e.broadcast(c); err != nil {
		e.mu.Lock()
		delete(e.pending, c.Hash)
		e.mu.Unlock()
		return err
	}
	return nil
}

// Status implements chain.Engine for the transactions submitted to this node.
func (e *Engine) Status(hash string) (string, error, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.waiters[hash] != nil || e.pending[hash] {
		return "pending", nil, true
	}
	if err, ok := e.rejected[hash]; ok {
		return "rejected", err, true
	}
	return "", nil, false
}

// committed answers the submitters of a committed block's transactions.
func (e *Engine) committed(_ int64, outcomes []Outcome) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, o := range outcomes {
		if ch := e.waiters[o.Hash]; ch != nil {
			ch <- o.Result
			delete(e.waiters, o.Hash)
			continue
		}
		if e.pending[o.Hash] {
			delete(e.pending, o.Hash)
			if o.Result.Err != nil {
				e.remember(o.Hash, o.Result.Err)
			}
		}
	}
}

func (e *Engine) remember(hash string, err error) {
	if len(e.rejOrder) >= maxRemembered {
		delete(e.rejected, e.rejOrder[0])
		e.rejOrder = e.rejOrder[1:]
	}
	e.rejected[hash] = err
	e.rejOrder = append(e.rejOrder, hash)
}

// Close implements chain.Engine: it stops the CometBFT node. Submitters
// still waiting are told their transaction may yet commit (the other nodes
// have it).
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	e.mu.Unlock()
	var err error
	if e.node.IsRunning() {
		err = e.node.Stop()
	}
	e.node.Wait()
	e.mu.Lock()
	for h, ch := range e.waiters {
		ch <- chain.Result{Err: errs.New(http.StatusServiceUnavailable, "ledger.closed", "the node stopped before transaction %s committed here; it may still commit on the other nodes", h)}
		delete(e.waiters, h)
	}
	e.mu.Unlock()
	return err
}
