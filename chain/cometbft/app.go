// Package cometbft runs the weid ledger under CometBFT: an ABCI 2.0
// application over the same chain.Registry and chain.Ledger as the solo
// engine, and an engine (chain.Engine) that runs a CometBFT node in-process
// and hands transactions to its mempool.
//
// Each CometBFT block whose transactions change the state becomes one weid
// block, built by Ledger.Prepare at the CometBFT block's time and persisted
// by Ledger.Persist in Commit, with the CometBFT height in the same atomic
// batch. The app hash CometBFT agrees on is the weid app hash, so every
// validator's state is the same at every height or the chain halts.
//
// Optionally (Config.PeerFilter) the node admits as P2P peers only the
// nodes the committed state names, through CometBFT's filter_peers queries
// to App.Query (peerfilter.go).
package cometbft

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
)

// metaHeight is the ledger metadata key of the last CometBFT height applied.
const metaHeight = "cometbft/height"

// AppVersion is the application protocol version reported to CometBFT.
const AppVersion = 1

// GenesisState is the app_state of a weid CometBFT genesis: the weid chain
// id and the transactions of the weid genesis block (the admin's DID,
// chain.init and the system schemas), signed by the admin.
type GenesisState struct {
	ChainID string      `json:"chainId"`
	Txs     []*chain.Tx `json:"txs"`
}

// ValidatorChange is implemented by the payloads of the transactions that
// change the validator set (authz's gov.addValidator and
// gov.removeValidator): each one committed becomes a validator update of
// its block, the Ed25519 key pub at the given power (0 removes it). The
// handlers keep the set CometBFT can apply: a known key for a removal, at
// most one change of a key per block, never an empty set.
type ValidatorChange interface {
	ValidatorChange() (pub []byte, power int64)
}

// validatorUpdates returns the validator updates of the committed
// transactions cs whose results rs succeeded, one per key, in order.
func validatorUpdates(cs []*chain.Checked, rs []chain.Result) []abci.ValidatorUpdate {
	var ups []abci.ValidatorUpdate
	at := map[string]int{}
	for j, c := range cs {
		vc, ok := c.Payload.(ValidatorChange)
		if !ok || rs[j].Err != nil {
			continue
		}
		pub, power := vc.ValidatorChange()
		if len(pub) != ed25519.PubKeySize {
			continue
		}
		u := abci.NewValidatorUpdate(ed25519.PubKey(pub), power)
		if i, seen := at[string(pub)]; seen {
			ups[i] = u
			continue
		}
		at[string(pub)] = len(ups)
		ups = append(ups, u)
	}
	return ups
}

// Outcome is what became of one transaction in a committed CometBFT block.
type Outcome struct {
	Hash   string
	Result chain.Result
}

// App is the ABCI application. CometBFT calls the consensus methods
// (InitChain, PrepareProposal, ProcessProposal, FinalizeBlock, Commit) from
// one goroutine; CheckTx and Query may run at the same time and read only
// committed state.
type App struct {
	abci.BaseApplication

	l   *chain.Ledger
	reg *chain.Registry
	key *keys.PrivateKey // the block-signing key named by chain.init

	chainID atomic.Value // string: the weid chain id, set once by genesis

	// checked keeps the transactions CheckTx accepted, decoded and with
	// their signature verified, for FinalizeBlock (and the engine's own
	// submissions for CheckTx), so that a transaction is decoded and its
	// signature verified once per node rather than at each step.
	checked checkedCache

	mu        sync.Mutex      // guards the fields below
	prepared  *chain.Prepared // FinalizeBlock's result, persisted by Commit
	height    int64           // the height FinalizeBlock applied
	outcomes  []Outcome
	committed func(height int64, outcomes []Outcome)
	drop      func(hash string, err error)

	// params reads the consensus parameters CometBFT holds for a height
	// (its state store; set by the engine), which FinalizeBlock reads where
	// rules v2 take effect (pbts.go). nil: none are read and no update is
	// made (an App driven without CometBFT).
	params func(height int64) (cmttypes.ConsensusParams, error)

	// gate is what the peer filter's queries read (peerfilter.go); nil:
	// every peer is admitted (no engine, or its node not running yet).
	gate atomic.Pointer[peerGate]

	// State sync (snapshot.go).
	snap           *snapshotter   // nil: no snapshots taken
	snapDir        string         // where snapshots are kept ("": none served)
	genesisChainID string         // the weid chain id a snapshot must have
	restore        *chain.Restore // the snapshot being restored
	trusted        []byte         // the app hash the light client trusts for it
	restoreErr     error          // why the last restore was refused
	restored       chan struct{}  // closed once a restore succeeded
}

// checkedCache maps a raw transaction's SHA-256 to its chain.Checked. It
// holds at most two generations of maxChecked entries: transactions that
// never reach a block (evicted from the mempool) are forgotten eventually.
type checkedCache struct {
	mu        sync.Mutex
	cur, prev map[[32]byte]*chain.Checked
}

const maxChecked = 50_000

func (cc *checkedCache) put(k [32]byte, c *chain.Checked) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.cur == nil || len(cc.cur) >= maxChecked {
		cc.prev, cc.cur = cc.cur, make(map[[32]byte]*chain.Checked, 1024)
	}
	cc.cur[k] = c
}

// peek returns the entry of k, leaving it.
func (cc *checkedCache) peek(k [32]byte) *chain.Checked {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if c, ok := cc.cur[k]; ok {
		return c
	}
	return cc.prev[k]
}

// take removes and returns the entry of k.
func (cc *checkedCache) take(k [32]byte) *chain.Checked {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if c, ok := cc.cur[k]; ok {
		delete(cc.cur, k)
		return c
	}
	if c, ok := cc.prev[k]; ok {
		delete(cc.prev, k)
		return c
	}
	return nil
}

// Prechecked hands the application a transaction this node already checked
// (Registry.CheckTx, and PreVerify if its signer resolves), whose canonical
// bytes are raw, so that CheckTx does not decode it again.
func (a *App) Prechecked(raw []byte, c *chain.Checked) {
	a.checked.put(sha256.Sum256(raw), c)
}

// NewApp returns the application over l. key signs weid blocks: every
// validator holds the same block key, so the weid blocks, and not only
// their app hashes, are identical on every node.
func NewApp(l *chain.Ledger, key *keys.PrivateKey) *App {
	a := &App{l: l, reg: l.Registry(), key: key, restored: make(chan struct{})}
	a.chainID.Store(l.ChainID())
	return a
}

// OnCommit sets f to be called after each Commit with what became of the
// block's transactions (the engine answers its submitters with it).
func (a *App) OnCommit(f func(height int64, outcomes []Outcome)) {
	a.mu.Lock()
	a.committed = f
	a.mu.Unlock()
}

// OnDrop sets f to be called when a transaction fails its recheck after a
// block, with its hash and why: the mempool evicts it, so it will not be
// committed by this node's proposals (the engine releases its submitter).
func (a *App) OnDrop(f func(hash string, err error)) {
	a.mu.Lock()
	a.drop = f
	a.mu.Unlock()
}

// LastHeight returns the last CometBFT height the ledger has applied (0
// before the first block).
func (a *App) LastHeight() (int64, error) {
	v, ok, err := a.l.Meta(metaHeight)
	if err != nil || !ok {
		return 0, err
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("ledger metadata %s is corrupt", metaHeight)
	}
	return int64(binary.BigEndian.Uint64(v)), nil
}

func (a *App) appHash() []byte {
	h := a.l.Head()
	if h.Empty {
		return nil
	}
	b, _ := hex.DecodeString(h.AppHash)
	return b
}

// Info implements abci.Application: CometBFT replays the blocks after
// LastBlockHeight on start.
func (a *App) Info(context.Context, *abci.InfoRequest) (*abci.InfoResponse, error) {
	h, err := a.LastHeight()
	if err != nil {
		return nil, err
	}
	return &abci.InfoResponse{Data: "weid", Version: "weid", AppVersion: AppVersion, LastBlockHeight: h, LastBlockAppHash: a.appHash()}, nil
}

// InitChain implements abci.Application: it commits the weid genesis block
// from the genesis app_state, at the genesis time. On a ledger that already
// has its genesis (a restart before the first CometBFT block) it checks that
// the genesis block holds the same transactions.
func (a *App) InitChain(_ context.Context, req *abci.InitChainRequest) (*abci.InitChainResponse, error) {
	// Each tx is decoded as received (DecodeTx canonicalizes its payload):
	// genesis.json's indentation reformats the payloads.
	var raw struct {
		ChainID string            `json:"chainId"`
		Txs     []json.RawMessage `json:"txs"`
	}
	if err := json.Unmarshal(req.AppStateBytes, &raw); err != nil {
		return nil, fmt.Errorf("genesis app_state: %w", err)
	}
	gs := GenesisState{ChainID: raw.ChainID}
	for i, r := range raw.Txs {
		tx, err := chain.DecodeTx(r)
		if err != nil {
			return nil, fmt.Errorf("genesis tx %d: %w", i, err)
		}
		gs.Txs = append(gs.Txs, tx)
	}
	if gs.ChainID == "" || len(gs.Txs) == 0 {
		return nil, errors.New("genesis app_state names no chain id or transactions")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.l.Head().Empty {
		b, err := a.l.Block(0)
		if err != nil {
			return nil, err
		}
		if len(b.Txs) != len(gs.Txs) || b.Header.ChainID != gs.ChainID {
			return nil, errors.New("the ledger's genesis block is not this genesis")
		}
		for i, tx := range gs.Txs {
			if b.Txs[i].Hash() != tx.Hash() {
				return nil, errors.New("the ledger's genesis block is not this genesis")
			}
		}
		return &abci.InitChainResponse{AppHash: a.appHash()}, nil
	}
	// The genesis chooses the chain's crypto suite: the ledger's registry
	// hashes with it from the genesis transactions on.
	suite, allowed, err := chain.GenesisCrypto(gs.Txs)
	if err != nil {
		return nil, err
	}
	a.reg.SetCrypto(suite, allowed)
	cs := make([]*chain.Checked, len(gs.Txs))
	for i, tx := range gs.Txs {
		c, err := a.reg.CheckTx(gs.ChainID, tx)
		if err != nil {
			return nil, fmt.Errorf("genesis tx %d: %w", i, err)
		}
		cs[i] = c
	}
	p, err := a.l.Prepare(cs, a.key, req.Time, nil)
	if err != nil {
		return nil, fmt.Errorf("genesis: %w", err)
	}
	for i, r := range p.Results {
		if r.Err != nil {
			return nil, fmt.Errorf("genesis tx %d: %w", i, r.Err)
		}
	}
	if err := sameValidators(validatorUpdates(cs, p.Results), req.Validators); err != nil {
		return nil, err
	}
	if err := a.l.Persist(p); err != nil {
		return nil, fmt.Errorf("genesis: %w", err)
	}
	if err := a.l.WriteMeta(metaBlockKey(0), binary.BigEndian.AppendUint64(nil, uint64(max(req.InitialHeight-1, 0)))); err != nil {
		return nil, fmt.Errorf("genesis: %w", err)
	}
	a.chainID.Store(gs.ChainID)
	return &abci.InitChainResponse{AppHash: a.appHash()}, nil
}

// sameValidators checks that the validators the genesis transactions
// record are those of CometBFT's genesis (a genesis that records none, as
// before weid recorded them, is accepted as is).
func sameValidators(recorded, genesis []abci.ValidatorUpdate) error {
	if len(recorded) == 0 {
		return nil
	}
	key := func(u abci.ValidatorUpdate) string {
		return fmt.Sprintf("%s/%x/%d", u.PubKeyType, u.PubKeyBytes, u.Power)
	}
	want := map[string]bool{}
	for _, u := range genesis {
		want[key(u)] = true
	}
	for _, u := range recorded {
		if !want[key(u)] {
			return fmt.Errorf("genesis: the weid genesis records validator %x with power %d, which CometBFT's genesis does not have", u.PubKeyBytes, u.Power)
		}
	}
	if len(recorded) != len(genesis) {
		return fmt.Errorf("genesis: the weid genesis records %d validators, CometBFT's genesis has %d", len(recorded), len(genesis))
	}
	return nil
}

// errResponse maps an error to an ABCI code (the HTTP status), codespace
// (the stable weid code) and log (the detail), and back with respError.
func errResponse(err error) (code uint32, codespace, log string) {
	if e, ok := errs.As(err); ok {
		return uint32(e.Status), e.Code, e.Detail
	}
	return http.StatusInternalServerError, "internal", err.Error()
}

func respError(code uint32, codespace, log string) error {
	if code == abci.CodeTypeOK {
		return nil
	}
	return errs.New(int(code), codespace, "%s", log)
}

func (a *App) currentChainID() string { return a.chainID.Load().(string) }

// CheckTx implements abci.Application. A new transaction gets the stateless
// checks (Registry.CheckTx), its nonce is looked up in the committed state,
// and its signature is verified against the committed state when its signer
// key resolves there (a signer created by a still-pending transaction is
// left to the block). A recheck, after each block, only looks the nonce up
// again: the rest cannot have changed.
//
// A transaction that fails its recheck is evicted from the mempool: the
// OnDrop function is told.
func (a *App) CheckTx(_ context.Context, req *abci.CheckTxRequest) (*abci.CheckTxResponse, error) {
	recheck := req.Type == abci.CHECK_TX_TYPE_RECHECK
	if c, err := a.checkTx(req.Tx, recheck); err != nil {
		if recheck && c != nil {
			a.mu.Lock()
			drop := a.drop
			a.mu.Unlock()
			if drop != nil {
				drop(c.Hash, err)
			}
		}
		code, space, log := errResponse(err)
		return &abci.CheckTxResponse{Code: code, Codespace: space, Log: log}, nil
	}
	return &abci.CheckTxResponse{Code: abci.CodeTypeOK}, nil
}

// checkTx checks raw and returns it decoded, if it could be, with what is
// wrong with it.
func (a *App) checkTx(raw []byte, recheck bool) (*chain.Checked, error) {
	key := sha256.Sum256(raw)
	var c *chain.Checked
	if recheck {
		c = a.checked.peek(key)
	} else {
		c = a.checked.take(key)
	}
	if c == nil || c.Tx.ChainID != a.currentChainID() {
		var err error
		if c, err = a.reg.Check(a.currentChainID(), raw); err != nil {
			return nil, err
		}
	}
	if err := a.l.CheckRules(c); err != nil {
		return c, err // halted, or a type of rules not in force yet
	}
	if err := a.checkExpiry(c, recheck); err != nil {
		return c, err
	}
	if used, err := a.reg.NonceUsed(a.l, c); err != nil {
		return c, err
	} else if used {
		return c, errs.New(http.StatusConflict, "tx.replay", "nonce %d was already used by %s", c.Tx.Nonce, c.Tx.SignerDID())
	}
	if recheck {
		return c, nil
	}
	if !c.Verified() {
		if err := a.reg.PreVerify(a.l, c); err != nil && errs.Code(err) == "tx.badSignature" {
			return c, err
		}
	}
	a.checked.put(key, c)
	return c, nil
}

// checkExpiry refuses a transaction whose validUntil the next block cannot
// meet: its height is the head's + 1 and its time is at least the head's
// (CometBFT's block times increase). A new transaction is also refused if
// its validUntil is further ahead of this node's clock than
// txn.MaxValidity: CheckTx admits to the mempool and need not be
// deterministic, the block decides with its own time.
func (a *App) checkExpiry(c *chain.Checked, recheck bool) error {
	e := c.Expiry()
	if e.None() {
		return nil
	}
	head := a.l.Head()
	last, _ := time.Parse(chain.TimeFormat, head.Time)
	if err := e.Passed(head.Height+1, last); err != nil {
		return err
	}
	if recheck {
		return nil
	}
	return e.TooFar(head.Height+1, time.Now())
}

// PrepareProposal implements abci.Application: the mempool's transactions,
// in order, up to the block's byte limit.
func (a *App) PrepareProposal(_ context.Context, req *abci.PrepareProposalRequest) (*abci.PrepareProposalResponse, error) {
	txs := make([][]byte, 0, len(req.Txs))
	var n int64
	for _, tx := range req.Txs {
		if req.MaxTxBytes > 0 && n+int64(len(tx)) > req.MaxTxBytes {
			break
		}
		n += int64(len(tx))
		txs = append(txs, tx)
	}
	return &abci.PrepareProposalResponse{Txs: txs}, nil
}

// ProcessProposal implements abci.Application: any proposal is accepted;
// transactions that fail are recorded as failed by FinalizeBlock, the same
// way on every node.
func (a *App) ProcessProposal(context.Context, *abci.ProcessProposalRequest) (*abci.ProcessProposalResponse, error) {
	return &abci.ProcessProposalResponse{Status: abci.PROCESS_PROPOSAL_STATUS_ACCEPT}, nil
}

// FinalizeBlock implements abci.Application: it applies the block's
// transactions with Ledger.Prepare at the block's time (deterministic: the
// handlers read only the state, the height and that time) and returns each
// transaction's result and the new app hash. A block in which no
// transaction succeeds changes nothing, and the app hash stays the same.
func (a *App) FinalizeBlock(_ context.Context, req *abci.FinalizeBlockRequest) (*abci.FinalizeBlockResponse, error) {
	chainID := a.currentChainID()
	a.mu.Lock()
	defer a.mu.Unlock()
	results := make([]*abci.ExecTxResult, len(req.Txs))
	cs := make([]*chain.Checked, 0, len(req.Txs))
	pos := make([]int, 0, len(req.Txs))
	for i, raw := range req.Txs {
		c := a.checked.take(sha256.Sum256(raw))
		var err error
		if c == nil || c.Tx.ChainID != chainID {
			c, err = a.reg.Check(chainID, raw)
		}
		if err != nil {
			code, space, log := errResponse(err)
			results[i] = &abci.ExecTxResult{Code: code, Codespace: space, Log: log}
			continue
		}
		cs = append(cs, c)
		pos = append(pos, i)
	}
	rules := a.l.Rules() // the committed record, before this block
	p, err := a.l.Prepare(cs, a.key, req.Time, nil)
	if err != nil {
		// Storage failure, or the rules in force from this block on are a
		// version this binary does not know (ledger.halted: nothing was
		// applied): halting is the only safe answer.
		return nil, err
	}
	params, err := a.pbtsUpdate(rules, p, req.Height)
	if err != nil {
		return nil, err
	}
	a.outcomes = make([]Outcome, len(cs))
	for j, r := range p.Results {
		a.outcomes[j] = Outcome{Hash: cs[j].Hash, Result: r}
		if r.Err != nil {
			code, space, log := errResponse(r.Err)
			results[pos[j]] = &abci.ExecTxResult{Code: code, Codespace: space, Log: log}
			continue
		}
		results[pos[j]] = &abci.ExecTxResult{Code: abci.CodeTypeOK, Data: []byte(cs[j].Hash)}
	}
	a.prepared, a.height = p, req.Height
	appHash := a.appHash()
	if p.Block != nil {
		appHash, _ = hex.DecodeString(p.Block.Header.AppHash)
	}
	return &abci.FinalizeBlockResponse{TxResults: results, AppHash: appHash, ValidatorUpdates: validatorUpdates(cs, p.Results), ConsensusParamUpdates: params}, nil
}

// Commit implements abci.Application: it persists the finalized block (one
// atomic batch with the CometBFT height, one fsync), or only the height when
// the block changed nothing, and then tells the engine.
func (a *App) Commit(context.Context, *abci.CommitRequest) (*abci.CommitResponse, error) {
	a.mu.Lock()
	p, h, outcomes, notify := a.prepared, a.height, a.outcomes, a.committed
	a.prepared, a.outcomes = nil, nil
	a.mu.Unlock()
	if p == nil {
		return nil, errors.New("commit without a finalized block")
	}
	hb := binary.BigEndian.AppendUint64(nil, uint64(h))
	if p.Block != nil {
		p.SetMeta(metaHeight, hb)
		p.SetMeta(metaBlockKey(p.Block.Header.Height), hb)
		if err := a.l.Persist(p); err != nil {
			return nil, err
		}
	} else if err := a.l.WriteMeta(metaHeight, hb); err != nil {
		return nil, err
	}
	a.maybeSnapshot(h)
	if notify != nil {
		notify(h, outcomes)
	}
	return &abci.CommitResponse{}, nil
}

// Query implements abci.Application over the committed state:
//
//	/state  data: a state key       → its value (code 404 if absent)
//	/head   (no data)               → the ledger head as JSON
//	/tx     data: a tx hash (hex)   → its weid height and index as JSON
//	/p2p/filter/addr/<ip:port>      → OK: peers are filtered by identity
//	/p2p/filter/id/<node id>        → OK if the ledger names the node (peerfilter.go), else 403
func (a *App) Query(_ context.Context, req *abci.QueryRequest) (*abci.QueryResponse, error) {
	h, err := a.LastHeight()
	if err != nil {
		return nil, err
	}
	resp := &abci.QueryResponse{Height: h, Key: req.Data}
	fail := func(err error) (*abci.QueryResponse, error) {
		resp.Code, resp.Codespace, resp.Log = errResponse(err)
		return resp, nil
	}
	if strings.HasPrefix(req.Path, "/p2p/filter/") {
		resp.Code, resp.Log = a.filterQuery(req.Path)
		return resp, nil
	}
	switch strings.TrimSuffix(req.Path, "/") {
	case "/state":
		v, ok, err := a.l.Get(req.Data)
		if err != nil {
			return fail(err)
		}
		if !ok {
			resp.Code, resp.Log = http.StatusNotFound, fmt.Sprintf("no state at key %q", req.Data)
		}
		resp.Value = v
	case "/head":
		resp.Value, _ = json.Marshal(a.l.Head())
	case "/tx":
		height, index, ok, err := a.l.TxLocation(string(req.Data))
		if err != nil {
			return fail(err)
		}
		if !ok {
			resp.Code, resp.Log = http.StatusNotFound, fmt.Sprintf("no committed transaction %s", req.Data)
			return resp, nil
		}
		resp.Value, _ = json.Marshal(map[string]uint64{"height": height, "index": uint64(index)})
	default:
		resp.Code, resp.Log = http.StatusBadRequest, fmt.Sprintf("unknown query path %q (have /state, /head, /tx, /p2p/filter/)", req.Path)
	}
	return resp, nil
}
