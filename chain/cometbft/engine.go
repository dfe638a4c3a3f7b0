package cometbft

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	abcicli "github.com/cometbft/cometbft/abci/client"
	mempl "github.com/cometbft/cometbft/mempool"
	cmtnode "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/proxy"
	rpccore "github.com/cometbft/cometbft/rpc/core"
	cmttypes "github.com/cometbft/cometbft/types"

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
	// ReadyWait bounds how long a write waits for this node to be able to
	// commit (see Engine.Ready) before it is refused with 503
	// ledger.unavailable (default DefaultReadyWait).
	ReadyWait time.Duration
	// CommitWait bounds how long Submit waits, once its transaction is in
	// the mempool, for it to be committed or rejected; after it Submit
	// returns a *chain.PendingError (the API's 202 with a Location to poll).
	// Default: a round's propose timeout plus the commit timeout plus
	// DefaultCommitSlack, so that a round lost to a crashed proposer still
	// commits within the wait.
	CommitWait time.Duration
	// Snapshots configures the state snapshots this node takes and serves
	// to nodes that join by state sync (snapshot.go); a zero Interval
	// takes none (the snapshots kept are still served).
	Snapshots SnapshotConfig
	// SyncWait bounds how long Start waits for a state sync to restore an
	// empty ledger (default DefaultSyncWait).
	SyncWait time.Duration
	// Register returns what the ledger records of the validators and
	// observers: Ready counts a peer's voting power through it, and
	// QuorumAfter judges a change against it. Nil: an empty register
	// (every peer may be a validator without a recorded node id).
	Register func() (Register, error)
	// PeerFilter admits as P2P peers, inbound and outbound, only the nodes
	// the ledger names: validators by their recorded node id, and
	// registered observers (CometBFT's filter_peers; peerfilter.go). Off,
	// any node that reaches the P2P port may connect.
	PeerFilter bool
}

// repairHint tells the operator of a node refused by the startup checks
// what to do.
const repairHint = "restore this node's home from a backup taken while it was stopped, or rebuild it (a new home with the same keys, synced from the network); weid ledger verify --data HOME says more"

// DefaultCommitSlack is what the default CommitWait allows beyond one
// block time (CometBFT's timeout_propose + timeout_commit).
const DefaultCommitSlack = 5 * time.Second

// sweepPeriod is how often, besides after each block, the engine looks for
// the transactions it waits for that left the mempool without a block
// (with create_empty_blocks = false no block may come to trigger it).
const sweepPeriod = time.Second

// DefaultReadyWait is how long a write waits, by default, for the node to
// run consensus with enough validators to commit.
const DefaultReadyWait = 15 * time.Second

// redialPeriod is how often the engine dials the persistent peers it is
// not connected to (CometBFT itself redials only peers it lost, not those
// it failed to reach at start).
const redialPeriod = 3 * time.Second

// Engine is a chain.Engine that orders transactions with CometBFT running
// in-process. Submit hands a transaction to the local mempool (CheckTx) and
// waits for the block that contains it to be committed by this node.
type Engine struct {
	app        *App
	node       *cmtnode.Node
	mempool    mempoolChecker // the node's mempool (a test's fake)
	rpc        *rpccore.Environment
	readyWait  time.Duration
	commitWait time.Duration
	peers      []*p2p.NetAddress        // persistent peers
	register   func() (Register, error) // Config.Register
	attest     *attestations            // verifies the peers' attestations (Ready)
	stop       chan struct{}
	bg         sync.WaitGroup

	readyUntil atomic.Int64 // unix nanos until which the last positive Ready check stands
	readyMu    sync.Mutex   // one Ready check at a time: the others then reuse its answer

	kick     chan struct{} // a block was committed: sweep
	peerKick chan struct{} // a block was committed: drop the peers no longer named (peerfilter.go)

	mu       sync.Mutex
	txs      map[string]*waiting // this node's submissions not yet committed or rejected, by tx hash
	rejected chain.Rejections    // recent rejections of submissions nobody waits for any more
	closed   bool
}

// waiting is a submission of this node that is neither committed nor
// rejected yet.
type waiting struct {
	ch     chan chain.Result // the Submit caller's; nil once nobody waits (SubmitAsync, or the wait bound passed)
	key    cmttypes.TxKey    // the mempool's key of the transaction
	inPool bool              // CheckTx added it to the mempool: from now on, absent from it means dropped
}

// Start verifies the ledger's state against its blocks (unless
// cfg.SkipStateCheck), then starts the CometBFT node of cfg.Home on top of
// it. CometBFT's handshake replays any blocks the ledger lacks (or runs
// InitChain on an empty ledger) before Start returns. The home being
// complete, it first removes the temporary files a crash while it was
// written left (removeHomeTemps).
func Start(cfg Config) (*Engine, error) {
	s, err := LoadSettings(cfg.Home)
	if err != nil {
		return nil, err
	}
	c := s.cometConfig(cfg.Home)
	c.FilterPeers = cfg.PeerFilter
	if err := c.ValidateBasic(); err != nil {
		return nil, fmt.Errorf("cometbft config: %w", err)
	}
	if err := removeHomeTemps(c); err != nil {
		return nil, err
	}
	// The cheap check first (the head and the last blocks against
	// CometBFT's stores), then the replay of the whole chain that finds an
	// altered state value.
	if err := checkHome(c, cfg.Ledger); err != nil {
		return nil, fmt.Errorf("refusing to serve this node's data (%s): %w; %s", cfg.Home, err, repairHint)
	}
	if head := cfg.Ledger.Head(); !cfg.SkipStateCheck && !head.Empty {
		if _, err := cfg.Ledger.AuditStore(); err != nil {
			return nil, auditFailure(cfg.Home, head.Height, err)
		}
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
	e := newEngine(NewApp(cfg.Ledger, cfg.BlockKey), cfg.ReadyWait, cfg.CommitWait)
	e.register = cfg.Register
	// The moniker tells the peers which validator this node runs (attest.go).
	if e.attest, err = attest(c, nodeKey, pv.Key.PrivKey); err != nil {
		return nil, err
	}
	syncing, err := e.app.setupStateSync(cfg, s, c)
	if err != nil {
		return nil, err
	}
	if cfg.CommitWait <= 0 {
		e.commitWait = c.Consensus.TimeoutPropose + c.Consensus.TimeoutCommit + DefaultCommitSlack
	}
	if c.P2P.PersistentPeers != "" {
		addrs, errl := p2p.NewNetAddressStrings(strings.Split(c.P2P.PersistentPeers, ","))
		if err := errors.Join(errl...); err != nil {
			return nil, fmt.Errorf("persistent peers: %w", err)
		}
		e.peers = addrs
	}
	n, err := cmtnode.NewNode(context.Background(), c, pv, nodeKey,
		proxy.NewUnsyncLocalClientCreator(e.app),
		cmtnode.DefaultGenesisDocProviderFunc(c),
		e.app.readParamsFrom(c),
		cmtnode.DefaultMetricsProvider(c.Instrumentation),
		logger)
	if err != nil {
		return nil, fmt.Errorf("cometbft: %w", err)
	}
	if err := n.Start(); err != nil {
		return nil, fmt.Errorf("cometbft start: %w", err)
	}
	e.node, e.mempool = n, n.Mempool()
	if e.rpc, err = n.ConfigureRPC(); err != nil {
		_ = n.Stop()
		n.Wait()
		return nil, fmt.Errorf("cometbft: %w", err)
	}
	if cfg.PeerFilter {
		if err := e.startPeerFilter(notice(logger).With("module", "weid").Info); err != nil {
			_ = e.Close()
			return nil, err
		}
	}
	if len(e.peers) > 0 {
		e.bg.Add(1)
		go e.redial()
	}
	if syncing {
		if err := e.waitRestored(cfg.SyncWait); err != nil {
			_ = e.Close()
			return nil, err
		}
	}
	if mp, ok := n.Mempool().(mempoolIndex); ok {
		e.bg.Add(1)
		go e.sweeper(mp)
	}
	return e, nil
}

// newEngine returns an engine over app without a CometBFT node: Start
// gives it one.
func newEngine(app *App, readyWait, commitWait time.Duration) *Engine {
	e := &Engine{app: app, readyWait: readyWait, commitWait: commitWait, stop: make(chan struct{}), kick: make(chan struct{}, 1), peerKick: make(chan struct{}, 1),
		txs: map[string]*waiting{}}
	if e.readyWait <= 0 {
		e.readyWait = DefaultReadyWait
	}
	if e.commitWait <= 0 {
		e.commitWait = DefaultCommitSlack
	}
	app.OnCommit(e.committed)
	app.OnDrop(e.dropped)
	return e
}

// redial dials, every redialPeriod, the persistent peers this node is
// neither connected to nor dialing. CometBFT dials them once at start and
// retries only peers it was connected to; without it, a peer that was not
// listening yet when this node started (or whose handshake failed on a
// loaded machine) would stay unconnected until it dials this node itself.
func (e *Engine) redial() {
	defer e.bg.Done()
	t := time.NewTicker(redialPeriod)
	defer t.Stop()
	sw := e.node.Switch()
	for {
		select {
		case <-e.stop:
			return
		case <-t.C:
		}
		for _, a := range e.peers {
			if sw.IsDialingOrExistingAddress(a) {
				continue
			}
			// A dial may take up to CometBFT's handshake timeout; the
			// switch refuses a second dial of the same address meanwhile.
			go func() {
				if err := sw.DialPeerWithAddress(a); err != nil {
					e.node.Logger.Debug("redial persistent peer", "addr", a, "err", err)
				}
			}()
		}
	}
}

// waitReady waits, at most e.readyWait, until Ready.
func (e *Engine) waitReady(ctx context.Context) error {
	ok, why := e.Ready()
	if ok {
		return nil
	}
	deadline := time.NewTimer(e.readyWait)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return errs.New(http.StatusServiceUnavailable, "ledger.unavailable", "this node cannot commit now: %s; nothing was written, retry later", why)
		case <-deadline.C:
			return errs.New(http.StatusServiceUnavailable, "ledger.unavailable", "this node cannot commit now (waited %v): %s; nothing was written, retry later", e.readyWait, why)
		case <-e.stop:
			return errs.New(http.StatusServiceUnavailable, "ledger.closed", "the node is shutting down")
		case <-tick.C:
			if ok, why = e.Ready(); ok {
				return nil
			}
		}
	}
}

// App returns the ABCI application.
func (e *Engine) App() *App { return e.app }

// Node returns the CometBFT node.
func (e *Engine) Node() *cmtnode.Node { return e.node }

// Name implements chain.Engine.
func (e *Engine) Name() string { return "cometbft" }

// mempoolChecker is what broadcast needs of CometBFT's mempool.
type mempoolChecker interface {
	CheckTx(tx cmttypes.Tx, sender p2p.ID) (*abcicli.ReqRes, error)
}

// mempoolIndex is what the sweep needs of CometBFT's mempool (the
// CListMempool has it; the Mempool interface does not).
type mempoolIndex interface {
	Lock()
	Unlock()
	InMempool(cmttypes.TxKey) bool
}

// broadcast runs CheckTx on c (whose canonical bytes are raw) through the
// local mempool, which gossips it to the other nodes when it is added. It
// returns nil only if the transaction is now in the mempool: CheckTx can
// pass and the mempool still refuse it (full by then, or the same bytes
// already there), which its callback's error says.
func (e *Engine) broadcast(c *chain.Checked, raw []byte) error {
	e.app.Prechecked(raw, c)
	rr, err := e.mempool.CheckTx(raw, "")
	if err != nil {
		return mempoolError(c.Hash, err)
	}
	rr.Wait()
	res := rr.Response.GetCheckTx()
	if res == nil {
		return errs.New(http.StatusServiceUnavailable, "ledger.unavailable", "no CheckTx response for %s", c.Hash)
	}
	if err := respError(res.Code, res.Codespace, res.Log); err != nil {
		return err
	}
	if err := rr.Error(); err != nil {
		return mempoolError(c.Hash, err)
	}
	return nil
}

// mempoolError is the error of a transaction the mempool refused.
func mempoolError(hash string, err error) error {
	var full mempl.ErrMempoolIsFull
	switch {
	case errors.Is(err, mempl.ErrTxInCache), errors.Is(err, mempl.ErrTxInMempool):
		return errs.New(http.StatusConflict, "tx.replay", "transaction %s is already pending", hash)
	case errors.As(err, &full), errors.Is(err, mempl.ErrRecheckFull):
		return errs.New(http.StatusServiceUnavailable, "ledger.busy", "the mempool is full; nothing was written, retry later")
	}
	return errs.Wrap(http.StatusServiceUnavailable, "ledger.unavailable", err)
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
	if e.txs[c.Hash] != nil {
		return errs.New(http.StatusConflict, "tx.replay", "transaction %s is already pending", c.Hash)
	}
	return nil
}

// enter hands c to the mempool as the submission w: it is known to Status
// (pending) from before CheckTx, and once in the mempool its absence from
// there means it was dropped.
func (e *Engine) enter(c *chain.Checked, w *waiting) error {
	if err := e.admit(c); err != nil {
		return err
	}
	raw := c.Tx.Canonical()
	w.key = cmttypes.Tx(raw).Key()
	e.mu.Lock()
	e.txs[c.Hash] = w
	e.mu.Unlock()
	err := e.broadcast(c, raw)
	e.mu.Lock()
	if e.txs[c.Hash] == w {
		if err != nil {
			delete(e.txs, c.Hash)
		} else {
			w.inPool = true
		}
	}
	e.mu.Unlock()
	return err
}

// Submit implements chain.Engine: it returns once this node has committed
// the block holding c, or with the reason c was rejected (by CheckTx, by
// the block, or dropped from the mempool), or, when the CommitWait (or ctx)
// ends first, with a *chain.PendingError: c may still commit.
func (e *Engine) Submit(ctx context.Context, c *chain.Checked) (chain.Receipt, error) {
	if err := e.waitReady(ctx); err != nil {
		return chain.Receipt{}, err
	}
	w := &waiting{ch: make(chan chain.Result, 1)}
	if err := e.enter(c, w); err != nil {
		return chain.Receipt{}, err
	}
	bound := time.NewTimer(e.commitWait)
	defer bound.Stop()
	var r chain.Result
	select {
	case r = <-w.ch:
	case <-ctx.Done():
		if !e.abandon(c.Hash, w) {
			return chain.Receipt{}, chain.Pending(c.Hash)
		}
		r = <-w.ch
	case <-bound.C:
		if !e.abandon(c.Hash, w) {
			return chain.Receipt{}, chain.Pending(c.Hash)
		}
		r = <-w.ch
	}
	if r.Err != nil {
		return chain.Receipt{}, r.Err
	}
	return chain.Receipt{TxHash: c.Hash, Height: r.Height, Index: r.Index}, nil
}

// abandon stops waiting for w: its outcome will go to Status. It reports
// false if w was settled meanwhile (its result is in w.ch).
func (e *Engine) abandon(hash string, w *waiting) (settled bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.txs[hash] != w {
		return true
	}
	w.ch = nil
	return false
}

// SubmitAsync implements chain.Engine: it returns once c passed CheckTx and
// is in the mempool. Like Submit, it first waits (at most the ReadyWait)
// until the node can commit.
func (e *Engine) SubmitAsync(c *chain.Checked) error {
	if err := e.waitReady(context.Background()); err != nil {
		return err
	}
	return e.enter(c, &waiting{})
}

// Status implements chain.Engine for the transactions submitted to this
// node: pending until committed, rejected or dropped; rejected (with the
// reason) for the last chain.MaxRejections rejections nobody waited for.
func (e *Engine) Status(hash string) (string, error, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.txs[hash] != nil {
		return "pending", nil, true
	}
	if err := e.rejected.Reason(hash); err != nil {
		return "rejected", err, true
	}
	return "", nil, false
}

// committed answers the submitters of a committed block's transactions.
// CometBFT calls it from Commit, with the mempool locked until the block's
// transactions are removed from it.
func (e *Engine) committed(_ int64, outcomes []Outcome) {
	e.mu.Lock()
	for _, o := range outcomes {
		if w := e.txs[o.Hash]; w != nil {
			delete(e.txs, o.Hash)
			e.settle(o.Hash, w, o.Result)
		}
	}
	e.mu.Unlock()
	for _, k := range []chan struct{}{e.kick, e.peerKick} {
		select {
		case k <- struct{}{}:
		default:
		}
	}
}

// dropped releases the submitter of a transaction the mempool evicts
// because it failed its recheck after a block, with the reason.
func (e *Engine) dropped(hash string, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if w := e.txs[hash]; w != nil {
		delete(e.txs, hash)
		status, code, detail := errResponse(err)
		e.settle(hash, w, chain.Result{Err: errs.New(int(status), code, "transaction %s was dropped from the mempool when rechecked after a block: %s", hash, detail)})
	}
}

// settle gives w's outcome r to its waiter, or, if nobody waits any more,
// remembers a rejection for Status. e.mu is held.
func (e *Engine) settle(hash string, w *waiting, r chain.Result) {
	if w.ch != nil {
		w.ch <- r
		return
	}
	if r.Err != nil {
		e.rejected.Add(hash, r.Err)
	}
}

// sweeper runs sweep after each committed block and every sweepPeriod.
func (e *Engine) sweeper(mp mempoolIndex) {
	defer e.bg.Done()
	t := time.NewTicker(sweepPeriod)
	defer t.Stop()
	for {
		select {
		case <-e.stop:
			return
		case <-e.kick:
		case <-t.C:
		}
		e.sweep(mp)
	}
}

// sweep releases, with a rejection, the submissions that were added to the
// mempool and are no longer in it: not committed (Commit settles those
// before the mempool removes them, both under the mempool's lock, which
// sweep holds too) but evicted — on recheck, by a flush, or otherwise. The
// other nodes may still hold such a transaction; sending it again is safe,
// its nonce lets it in once.
func (e *Engine) sweep(mp mempoolIndex) {
	e.mu.Lock()
	n := len(e.txs)
	e.mu.Unlock()
	if n == 0 {
		return
	}
	mp.Lock()
	defer mp.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	for h, w := range e.txs {
		if w.inPool && !mp.InMempool(w.key) {
			delete(e.txs, h)
			e.settle(h, w, chain.Result{Err: errs.New(http.StatusServiceUnavailable, "tx.dropped",
				"transaction %s left this node's mempool without being committed; nothing was written here, and sending it again is safe (its nonce admits it once)", h)})
		}
	}
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
	close(e.stop)
	e.bg.Wait()
	var err error
	if e.node != nil {
		if e.node.IsRunning() {
			err = e.node.Stop()
		}
		e.node.Wait()
	}
	e.app.WaitSnapshots()
	e.mu.Lock()
	for h, w := range e.txs {
		if w.ch != nil {
			w.ch <- chain.Result{Err: errs.New(http.StatusServiceUnavailable, "ledger.closed", "the node stopped before transaction %s committed here; it may still commit on the other nodes", h)}
			delete(e.txs, h)
		}
	}
	e.mu.Unlock()
	return err
}

// auditFailure is why a node refuses to start when the replay of its
// chain at start-up failed with err: its data does not match the app
// hashes — or, a halt (503 ledger.halted, chain.HaltError), the chain went on under rules
// this weid does not know, and the data is sound: upgrade weid, not repair.
func auditFailure(home string, head uint64, err error) error {
	if errs.Code(err) == "ledger.halted" {
		return fmt.Errorf("refusing to start on this node's data (%s): %w (the data is sound; a weid that knows those rules replays it)", home, err)
	}
	return fmt.Errorf("refusing to serve this node's data (%s): the state on disk does not match the chain's app hashes at height %d (the head) or before: %w; %s", home, head, err, repairHint)
}
