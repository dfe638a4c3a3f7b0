package chain

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/filter"
	"github.com/syndtr/goleveldb/leveldb/opt"
	"github.com/syndtr/goleveldb/leveldb/util"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
)

// Key layout of the ledger database. State keys live under "s/" so that
// blocks, indexes and state share one database and one atomic batch.
var (
	keyHead     = []byte("m/head")
	prefixBlock = []byte("b/") // + big-endian height → block JSON
	prefixTx    = []byte("x/") // + tx hash bytes → big-endian height, index
	prefixState = []byte("s/")
)

// ErrStorage marks a failure of the disk, not of the caller.
var ErrStorage = errors.New("ledger storage unavailable")

// Head describes the last committed block.
type Head struct {
	Height  uint64 `json:"height"`
	Hash    string `json:"hash"`
	AppHash string `json:"appHash"`
	Time    string `json:"time"`
	Empty   bool   `json:"-"`
}

// Ledger is the committed chain on disk and the rules to extend it. Only one
// goroutine (the engine) appends blocks; any number read.
type Ledger struct {
	db       *leveldb.DB
	reg      *Registry
	chainID  string
	mu       sync.RWMutex
	head     Head
	onCommit []func(*Block)
	metrics  *Metrics
	tree     *smtNode      // the committed state's tree (smt.go), under mu
	top      *Block        // the head block without its transactions, under mu
	rules    Rules         // the committed rules record (rules.go), under mu
	base     atomic.Uint64 // the lowest block above the genesis it holds (snapshot.go)

	// write persists a batch durably; tests replace it to simulate a failing disk.
	write func(*leveldb.Batch) error
	// failed is set by the first failed write and never cleared: goleveldb
	// may already have appended the batch to its journal when the fsync
	// fails, so the disk's content is unknown until the node restarts and
	// the journal is replayed. Until then the ledger refuses writes.
	failed error
}

// Open opens (or creates) the ledger database in dir.
func Open(dir string, reg *Registry) (*Ledger, error) {
	// A Bloom filter spares the disk for keys that do not exist, which every
	// create (is this DID taken? this nonce used?) asks about.
	db, err := leveldb.OpenFile(dir, &opt.Options{BlockCacheCapacity: 32 << 20, WriteBuffer: 16 << 20, Filter: filter.NewBloomFilter(10)})
	if err != nil {
		return nil, fmt.Errorf("open ledger %s: %w", dir, err)
	}
	return openDB(db, reg)
}

// openDB opens the ledger kept in db: Open's database, or a memory one in
// tests that open a ledger per input (the fuzz targets). It closes db if
// the ledger cannot be opened.
func openDB(db *leveldb.DB, reg *Registry) (*Ledger, error) {
	l := &Ledger{db: db, reg: reg, head: Head{Empty: true}, rules: Rules{Version: 1}}
	l.write = func(b *leveldb.Batch) error { return l.db.Write(b, &opt.WriteOptions{Sync: true}) }
	raw, err := db.Get(keyHead, nil)
	switch {
	case errors.Is(err, leveldb.ErrNotFound):
	case err != nil:
		db.Close()
		return nil, fmt.Errorf("read ledger head: %w", err)
	default:
		var h Head
		if err := json.Unmarshal(raw, &h); err != nil {
			db.Close()
			return nil, fmt.Errorf("decode ledger head: %w", err)
		}
		l.head = h
		b, err := l.Block(l.head.Height)
		if err != nil {
			db.Close()
			return nil, err
		}
		l.chainID = b.Header.ChainID
		l.top = &Block{Header: b.Header, Hash: b.Hash, Signature: b.Signature}
		if err := l.loadBase(); err != nil {
			db.Close()
			return nil, fmt.Errorf("read the ledger's base height: %w", err)
		}
		// The chain's crypto, fixed at genesis, is the registry's from now on.
		init, err := InitRecord(l)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("read the chain's genesis record: %w", err)
		}
		s, err := ParseSuite(init.Crypto)
		if err != nil {
			db.Close()
			return nil, err
		}
		reg.SetCrypto(s, init.allowed(s))
		if l.rules, err = LoadRules(l); err != nil {
			db.Close()
			return nil, err
		}
		if err := l.loadTree(); err != nil {
			db.Close()
			return nil, err
		}
	}
	return l, nil
}

// Close closes the database.
func (l *Ledger) Close() error { return l.db.Close() }

// Failed returns the storage error that stopped the ledger's writes, if any.
func (l *Ledger) Failed() error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.failed
}

// ChainID returns the chain id ("" before genesis).
func (l *Ledger) ChainID() string {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.chainID
}

// Rules returns the committed rules record (version 1 if the chain has
// none); Rules().At(h) is the version in force at height h.
func (l *Ledger) Rules() Rules {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.rules
}

// Halted returns why the ledger cannot apply its next block, if it cannot:
// the rules in force from the next height on are a version this binary
// does not know (503 ledger.halted, "… upgrade weid"). It is a halt until
// the node runs a binary that knows them.
func (l *Ledger) Halted() error {
	l.mu.RLock()
	r, head := l.rules, l.head
	l.mu.RUnlock()
	if head.Empty {
		return nil
	}
	return r.halt(head.Height+1, l.reg.KnownRules())
}

// CheckRules refuses, before it is submitted (the node's API, CometBFT's
// CheckTx: admission, never a block), a transaction the next block would
// refuse for the rules in force at its height — the ledger halted there,
// or the transaction's type does not exist in them yet (the block's 400
// tx.unknownType, saying from which version it does) — and a schedule
// of rules this binary does not know, 409 gov.unknownRules (and what the
// payload's own admission check refuses, Admitted): the ledger
// applies one (its apply must not depend on the binary, or nodes of
// different binaries would fork), and this node would halt at its height.
func (l *Ledger) CheckRules(c *Checked) error {
	if err := l.Halted(); err != nil {
		return err
	}
	l.mu.RLock()
	next := l.rules.At(l.head.Height + 1)
	l.mu.RUnlock()
	if c.CheckRules(next.Version) != nil {
		// The block's answer, with why: the type is of a later version.
		return errs.BadRequest("tx.unknownType", "%s exists from rules v%d; this ledger is at v%d (weid rules show; README \"Upgrading the consortium's rules\")",
			c.Tx.Type, c.handler.Since, max(next.Version, 1))
	}
	if err := CheckAdmission(c.Payload); err != nil {
		return err
	}
	if s, ok := c.Payload.(RulesSchedule); ok {
		if v, h := s.ScheduledRules(); v > l.reg.KnownRules() {
			return errs.New(http.StatusConflict, "gov.unknownRules",
				"this weid knows the ledger's rules up to v%d, not v%d: schedule only rules the consortium's binaries know (a node whose weid does not know them halts at height %d)", l.reg.KnownRules(), v, h)
		}
	}
	return nil
}

// Registry returns the transaction types of this ledger.
func (l *Ledger) Registry() *Registry { return l.reg }

// Head returns the last committed block's summary.
func (l *Ledger) Head() Head {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.head
}

// OnCommit registers f to be called, on the engine's goroutine, after each
// block is durable (caches use it to drop stale entries).
func (l *Ledger) OnCommit(f func(*Block)) { l.onCommit = append(l.onCommit, f) }

// SetMetrics makes the ledger report to m.
func (l *Ledger) SetMetrics(m *Metrics) { l.metrics = m }

// Get reads committed state (implements Reader).
func (l *Ledger) Get(key []byte) ([]byte, bool, error) {
	return getStored(l.db, stateKey(key))
}

// getStored reads key from db, the store or a snapshot of it: absent is ok
// false, any other failure an ErrStorage.
func getStored(db interface {
	Get(key []byte, ro *opt.ReadOptions) ([]byte, error)
}, key []byte) ([]byte, bool, error) {
	v, err := db.Get(key, nil)
	if errors.Is(err, leveldb.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("%w: %v", ErrStorage, err)
	}
	return v, true, nil
}

// Scan calls f for each committed state key with the given prefix, in key
// order, starting after the key "after" (empty: from the start), until f
// returns false.
func (l *Ledger) Scan(prefix, after []byte, f func(key, value []byte) bool) error {
	it := l.db.NewIterator(util.BytesPrefix(stateKey(prefix)), nil)
	defer it.Release()
	ok := it.First()
	if len(after) > 0 {
		ok = it.Seek(append(stateKey(after), 0))
	}
	for ; ok; ok = it.Next() {
		if !f(it.Key()[len(prefixState):], it.Value()) {
			break
		}
	}
	return it.Error()
}

func stateKey(k []byte) []byte {
	out := make([]byte, 0, len(prefixState)+len(k))
	return append(append(out, prefixState...), k...)
}

func blockKey(h uint64) []byte { return appendUint64(append([]byte(nil), prefixBlock...), h) }

// Block returns the committed block at height h.
func (l *Ledger) Block(h uint64) (*Block, error) {
	raw, err := l.db.Get(blockKey(h), nil)
	if errors.Is(err, leveldb.ErrNotFound) {
		if err := l.belowBase(h); err != nil {
			return nil, err
		}
		return nil, errs.New(http.StatusNotFound, "block.notFound", "no block at height %d", h)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrStorage, err)
	}
	var b Block
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, fmt.Errorf("decode block %d: %w", h, err)
	}
	return &b, nil
}

// TxLocation returns the height and index of a committed transaction.
func (l *Ledger) TxLocation(hash string) (height uint64, index uint32, ok bool, err error) {
	hb, err := hex.DecodeString(hash)
	if err != nil || len(hb) != 32 {
		return 0, 0, false, errs.BadRequest("tx.badHash", "transaction hash must be 64 hex characters")
	}
	v, ok, err := getStored(l.db, append(append([]byte(nil), prefixTx...), hb...))
	if !ok || err != nil {
		return 0, 0, false, err
	}
	if len(v) != 12 {
		return 0, 0, false, fmt.Errorf("%w: tx index entry of %s is corrupt", ErrStorage, hash)
	}
	return binary.BigEndian.Uint64(v[:8]), binary.BigEndian.Uint32(v[8:12]), true, nil
}

// Tx returns a committed transaction with its inclusion proof.
func (l *Ledger) Tx(hash string) (*TxWithProof, error) {
	h, i, ok, err := l.TxLocation(hash)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errs.New(http.StatusNotFound, "tx.notFound", "no committed transaction %s", hash)
	}
	b, err := l.Block(h)
	if err != nil {
		return nil, err
	}
	suite := l.reg.Suite()
	leaves := make([][]byte, len(b.Txs))
	for j, tx := range b.Txs {
		leaves[j], _ = hex.DecodeString(suite.TxHash(tx))
	}
	if int(i) >= len(b.Txs) {
		return nil, fmt.Errorf("%w: tx index of %s points past block %d", ErrStorage, hash, h)
	}
	p, err := buildInclusionProof(suite.merkle(), leaves, uint64(i))
	if err != nil {
		return nil, err
	}
	return &TxWithProof{Hash: hash, Tx: b.Txs[i], Height: h, Index: i, Header: b.Header, Block: b.Hash, Proof: p}, nil
}

// Result is the outcome of one transaction offered to a block.
type Result struct {
	Height uint64
	Index  uint32
	Err    error
}

// Commit applies cs as the next block, proposed by key at time now, and
// writes it durably in one atomic batch. Transactions that fail are left out
// and get their error in the result; if none succeeds, no block is made.
// It must only be called from one goroutine at a time (the engine's).
func (l *Ledger) Commit(cs []*Checked, key *keys.PrivateKey, now time.Time) (*Block, []Result, error) {
	p, err := l.Prepare(cs, key, now, nil)
	if err != nil || p.Block == nil {
		var res []Result
		if p != nil {
			res = p.Results
		}
		return nil, res, err
	}
	if err := l.Persist(p); err != nil {
		return nil, p.Results, err
	}
	return p.Block, p.Results, nil
}

// Prepared is a block that has been applied but is not yet durable.
type Prepared struct {
	Block   *Block
	Results []Result
	head    Head
	writes  *Overlay
	rules   Rules    // the rules record after the block
	tree    *smtNode // the state's tree after the block
	batch   *leveldb.Batch
	start   time.Time
}

// layered reads a block's changes above the committed state.
type layered struct {
	top  map[string][]byte
	base Reader
}

func (r layered) Get(k []byte) ([]byte, bool, error) {
	if v, ok := r.top[string(k)]; ok {
		return v, v != nil, nil
	}
	return r.base.Get(k)
}

// Prepare applies cs as the block after parent (nil: after the committed
// head) without writing it. An engine may prepare the next block on top of
// one whose write is still in flight, overlapping execution with the fsync;
// it must then persist them in order, and drop the later one if the earlier
// fails. A nil Block means no transaction succeeded.
func (l *Ledger) Prepare(cs []*Checked, key *keys.PrivateKey, now time.Time, parent *Prepared) (*Prepared, error) {
	if err := l.Failed(); err != nil {
		return nil, err
	}
	start := time.Now()
	var base Reader = l
	l.mu.RLock()
	head, tree, rules := l.head, l.tree, l.rules // one block's head, tree and rules
	l.mu.RUnlock()
	if parent != nil {
		// Only the parent's own changes sit above the committed state: the
		// engine persists blocks in order and has at most one in flight.
		head, base = parent.head, layered{top: parent.writes.writes, base: l}
		tree, rules = parent.tree, parent.rules
	}
	height, prevHash := uint64(0), make([]byte, 32)
	t := now.UTC().Truncate(time.Microsecond)
	if !head.Empty {
		height = head.Height + 1
		prevHash, _ = hex.DecodeString(head.Hash)
		if pt, err := time.Parse(TimeFormat, head.Time); err == nil && t.Before(pt) {
			t = pt // block times never go backwards
		}
	}
	// Nothing is applied by rules this binary does not know: the ledger
	// halts at the height they take effect (every engine prepares here).
	if err := rules.halt(height, l.reg.KnownRules()); err != nil {
		return nil, err
	}
	version := rules.At(height).Version
	chainID := head.chainIDOr(l, cs)
	results := make([]Result, len(cs))
	ov := NewOverlay(base)
	block := &Block{Header: Header{ChainID: chainID, Height: height, Time: t.Format(TimeFormat), PrevHash: hex.EncodeToString(prevHash), Proposer: key.Public().Multibase()}}
	leaves := make([][]byte, 0, len(cs))
	for i, c := range cs {
		child := ov.Child()
		if err := l.reg.execute(child, c, height, t, version); err != nil {
			results[i] = Result{Err: err}
			continue
		}
		ov.Merge(child)
		results[i] = Result{Height: height, Index: uint32(len(block.Txs))}
		block.Txs = append(block.Txs, c.Tx)
		hb, _ := hex.DecodeString(c.Hash)
		leaves = append(leaves, hb)
	}
	p := &Prepared{Results: results, start: start, rules: rules}
	if len(block.Txs) == 0 {
		return p, nil
	}
	if _, ok := ov.writes[string(KeyRules)]; ok {
		r, err := LoadRules(ov)
		if err != nil {
			return nil, err
		}
		p.rules = r
	}
	changes := ov.changes()
	suite := l.reg.Suite()
	tree = suite.smtUpdate(tree, changes)
	root := tree.root()
	block.Header.AppHash = hex.EncodeToString(root[:])
	block.Header.TxRoot = hex.EncodeToString(merkleRoot(suite.merkle(), leaves))
	block.Header.TxCount = uint32(len(leaves))
	hash, err := suite.HeaderHash(&block.Header)
	if err != nil {
		return nil, err
	}
	block.Hash = hash
	hb, _ := hex.DecodeString(hash)
	sig, err := key.Sign(hb)
	if err != nil {
		return nil, err
	}
	block.Signature = encodeB64(sig)

	raw, err := MarshalJSON(block)
	if err != nil {
		return nil, err
	}
	// The batch is made at its final size (a record is a tag, two varint
	// lengths, the key and the value) and copies what it is given, so the
	// keys are built in one scratch buffer, kb.
	const record = 1 + 2*binary.MaxVarintLen32
	size := len(prefixBlock) + 8 + len(raw) + record + len(leaves)*(len(prefixTx)+32+12+record) + len(keyHead) + 256 + record
	for _, c := range changes {
		size += len(prefixState) + len(c.key) + len(c.value) + record
	}
	batch := leveldb.MakeBatch(size)
	batch.Put(blockKey(height), raw)
	var loc [12]byte
	binary.BigEndian.PutUint64(loc[:8], height)
	kb := make([]byte, 0, 128)
	for i, leaf := range leaves {
		binary.BigEndian.PutUint32(loc[8:], uint32(i))
		kb = append(append(kb[:0], prefixTx...), leaf...)
		batch.Put(kb, loc[:])
	}
	for _, c := range changes {
		kb = append(append(kb[:0], prefixState...), c.key...)
		if c.value == nil {
			batch.Delete(kb)
		} else {
			batch.Put(kb, c.value)
		}
	}
	p.head = Head{Height: height, Hash: hash, AppHash: block.Header.AppHash, Time: block.Header.Time}
	hraw, _ := json.Marshal(p.head)
	batch.Put(keyHead, hraw)
	p.Block, p.writes, p.tree, p.batch = block, ov, tree, batch
	return p, nil
}

// Persist writes a prepared block durably (one atomic batch, one fsync) and
// makes it the head. On a storage failure every included transaction's
// result carries a 503 ledger.unavailable error, the head stays where it
// was, and the ledger refuses further writes until it is reopened (see
// Ledger.failed): whether the block reached the disk is then decided, all or
// nothing, by the journal replay, and the audit checks the outcome.
func (l *Ledger) Persist(p *Prepared) error {
	if err := l.Failed(); err != nil {
		p.Fail(err)
		return err
	}
	if err := l.write(p.batch); err != nil {
		serr := errs.Wrap(http.StatusServiceUnavailable, "ledger.unavailable", fmt.Errorf("%w: %v; restart the node", ErrStorage, err))
		l.mu.Lock()
		l.failed = serr
		l.mu.Unlock()
		p.Fail(serr)
		if l.metrics != nil {
			l.metrics.storageErrors.Inc()
		}
		return serr
	}
	l.mu.Lock()
	l.head = p.head
	l.tree = p.tree
	l.rules = p.rules
	l.top = &Block{Header: p.Block.Header, Hash: p.Block.Hash, Signature: p.Block.Signature}
	l.chainID = p.Block.Header.ChainID
	l.mu.Unlock()
	for _, f := range l.onCommit {
		f(p.Block)
	}
	if l.metrics != nil {
		l.metrics.observeBlock(p.Block, time.Since(p.start))
	}
	return nil
}

// Fail gives err to every transaction the block included.
func (p *Prepared) Fail(err error) {
	for i := range p.Results {
		if p.Results[i].Err == nil {
			p.Results[i] = Result{Err: err}
		}
	}
}

// chainIDOr returns the chain id, taken from the genesis transactions when
// the ledger is still empty.
func (h Head) chainIDOr(l *Ledger, cs []*Checked) string {
	if id := l.ChainID(); id != "" || len(cs) == 0 {
		return id
	}
	return cs[0].Tx.ChainID
}

func encodeB64(b []byte) string { return base64RawURL.EncodeToString(b) }
