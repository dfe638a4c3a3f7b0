package chain

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/opt"
	"github.com/syndtr/goleveldb/leveldb/util"

	"github.com/weidgo/weid/errs"
)

// State snapshots: a ledger writes the state at one commit as a stream of
// records cut into chunks, each hashed, so that a new node (CometBFT state
// sync, chain/cometbft/snapshot.go) can restore it instead of replaying
// every block, and check what it restored against the app hash a light
// client trusts (CheckRestored).
//
// Stream format 1 (SnapshotFormat): records, in key order, each
//
//	uvarint(len(key)) ‖ key ‖ uvarint(len(value)) ‖ value
//
// of the ledger's keys that a restored node needs: the genesis block
// (b/0), the head block (b/HEAD), the head (m/head), the engine's metadata
// (m/e/…) and the whole state (s/…). Transactions below the head are not
// in it: the restored ledger's base height is the head's (Ledger.Base).
// The stream is cut every ChunkSize bytes; the metadata lists each chunk's
// hash with the chain's suite (SHA-256, or SM3 on a gm chain).

// SnapshotFormat is the version of the snapshot stream and metadata.
const SnapshotFormat = 1

// DefaultChunkSize is the size of a snapshot chunk (the last one may be
// shorter); CometBFT carries chunks of up to 16 MB.
const DefaultChunkSize = 8 << 20

// MaxChunkSize bounds a chunk a restore accepts.
const MaxChunkSize = 16_000_000

// maxSnapshotChunks bounds the chunks one snapshot may list (its metadata
// must fit CometBFT's 4 MB snapshot message).
const maxSnapshotChunks = 20_000

// keyBase holds the ledger's base height: the lowest block above the
// genesis that it has (absent: every block, base 0).
var keyBase = []byte("m/base")

// SnapshotMeta describes a snapshot: what a node that is offered it checks
// before fetching its chunks.
type SnapshotMeta struct {
	Format uint32 `json:"format"`
	// ChainID is the weid chain id, Crypto its suite.
	ChainID string `json:"chainId"`
	Crypto  string `json:"crypto"`
	// Height is the engine's height (CometBFT's) the snapshot was taken
	// at; WeidHeight the ledger head's weid block height.
	Height     uint64 `json:"height"`
	WeidHeight uint64 `json:"weidHeight"`
	// AppHash is the head's app hash (hex), which the engine agreed on
	// at Height.
	AppHash string `json:"appHash"`
	// Records is the number of records in the stream, Size its length.
	Records uint64 `json:"records"`
	Size    uint64 `json:"size"`
	// ChunkSize is the length of every chunk but the last.
	ChunkSize uint32 `json:"chunkSize"`
	// Chunks is the hash (hex) of each chunk with the suite's hash.
	Chunks []string `json:"chunks"`
}

// DecodeSnapshotMeta decodes and checks snapshot metadata (untrusted: it
// comes from a peer).
func DecodeSnapshotMeta(b []byte) (*SnapshotMeta, error) {
	if len(b) > 4_000_000 {
		return nil, errs.BadRequest("snapshot.badMetadata", "snapshot metadata of %d bytes is larger than 4 MB", len(b))
	}
	var m SnapshotMeta
	if err := DecodeStrict(b, &m); err != nil {
		return nil, errs.BadRequest("snapshot.badMetadata", "snapshot metadata: %v", err)
	}
	if err := m.validate(); err != nil {
		return nil, errs.BadRequest("snapshot.badMetadata", "snapshot metadata: %v", err)
	}
	return &m, nil
}

func (m *SnapshotMeta) validate() error {
	switch {
	case m.Format != SnapshotFormat:
		return fmt.Errorf("format %d, this node reads %d", m.Format, SnapshotFormat)
	case m.ChainID == "":
		return errors.New("no chain id")
	case len(m.Chunks) == 0 || len(m.Chunks) > maxSnapshotChunks:
		return fmt.Errorf("%d chunks (1 to %d)", len(m.Chunks), maxSnapshotChunks)
	case m.ChunkSize == 0 || m.ChunkSize > MaxChunkSize:
		return fmt.Errorf("chunk size %d (1 to %d)", m.ChunkSize, MaxChunkSize)
	case m.Size == 0 || (m.Size+uint64(m.ChunkSize)-1)/uint64(m.ChunkSize) != uint64(len(m.Chunks)):
		return fmt.Errorf("size %d in chunks of %d is not %d chunks", m.Size, m.ChunkSize, len(m.Chunks))
	case m.Records < 3:
		return fmt.Errorf("%d records: a snapshot has at least the genesis block, the head and the chain's state", m.Records)
	}
	if _, err := ParseSuite(m.Crypto); err != nil {
		return err
	}
	if b, err := hex.DecodeString(m.AppHash); err != nil || len(b) != 32 {
		return fmt.Errorf("appHash %q is not 64 hex characters", m.AppHash)
	}
	for i, c := range m.Chunks {
		if b, err := hex.DecodeString(c); err != nil || len(b) != 32 {
			return fmt.Errorf("chunk %d hash %q is not 64 hex characters", i, c)
		}
	}
	return nil
}

// Suite returns the crypto suite the snapshot names.
func (m *SnapshotMeta) Suite() *Suite {
	s, _ := ParseSuite(m.Crypto)
	return s
}

// ChunkLen returns the length chunk i must have.
func (m *SnapshotMeta) ChunkLen(i int) int {
	if i == len(m.Chunks)-1 {
		return int(m.Size - uint64(i)*uint64(m.ChunkSize))
	}
	return int(m.ChunkSize)
}

// Base returns the ledger's base height: 0 for a ledger that holds every
// block, else the height of its first block above the genesis (a node that
// joined by state sync holds the genesis block and the blocks from the
// snapshot's head on).
func (l *Ledger) Base() uint64 { return l.base.Load() }

func (l *Ledger) loadBase() error {
	v, err := l.db.Get(keyBase, nil)
	if errors.Is(err, leveldb.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(v) != 8 {
		return fmt.Errorf("ledger base height record is corrupt")
	}
	l.base.Store(binary.BigEndian.Uint64(v))
	return nil
}

// belowBase is the error for a block this ledger never had.
func (l *Ledger) belowBase(h uint64) error {
	if base := l.Base(); h > 0 && h < base {
		return errs.New(http.StatusGone, "block.belowBase", "block %d is not on this node: it joined the chain by state sync at height %d and holds the genesis block and the blocks from %d on; ask a node that has the whole chain", h, base, base)
	}
	return nil
}

// SnapshotView is a consistent, read-only view of the ledger at one commit
// (a goleveldb snapshot), to be exported while the chain moves on.
type SnapshotView struct {
	snap    *leveldb.Snapshot
	head    Head
	chainID string
	suite   *Suite
}

// View takes a view of the ledger as committed now. The engine takes it
// on its own goroutine right after a commit, so that it holds that commit
// and its engine metadata; Release it when done.
func (l *Ledger) View() (*SnapshotView, error) {
	if err := l.Failed(); err != nil {
		return nil, err
	}
	s, h, err := l.snapshotHead()
	if err != nil {
		return nil, err
	}
	return &SnapshotView{snap: s, head: h, chainID: l.ChainID(), suite: l.reg.Suite()}, nil
}

// Head returns the head of the view.
func (v *SnapshotView) Head() Head { return v.head }

// Release releases the view.
func (v *SnapshotView) Release() { v.snap.Release() }

// Export writes the view as a snapshot at engine height height: it calls
// chunk with each chunk in order (the slice is reused after chunk
// returns) and returns the metadata.
func (v *SnapshotView) Export(height uint64, chunkSize int, chunk func(i int, b []byte) error) (*SnapshotMeta, error) {
	if chunkSize <= 0 || chunkSize > MaxChunkSize {
		chunkSize = DefaultChunkSize
	}
	m := &SnapshotMeta{Format: SnapshotFormat, ChainID: v.chainID, Crypto: v.suite.Name(), Height: height,
		WeidHeight: v.head.Height, AppHash: v.head.AppHash, ChunkSize: uint32(chunkSize)}
	buf := make([]byte, 0, chunkSize+64<<10)
	flush := func(all bool) error {
		for len(buf) >= chunkSize || (all && len(buf) > 0) {
			n := min(len(buf), chunkSize)
			sum := v.suite.Sum(buf[:n])
			if err := chunk(len(m.Chunks), buf[:n]); err != nil {
				return err
			}
			m.Chunks = append(m.Chunks, hex.EncodeToString(sum[:]))
			m.Size += uint64(n)
			buf = append(buf[:0], buf[n:]...)
		}
		return nil
	}
	add := func(k, val []byte) error {
		buf = binary.AppendUvarint(buf, uint64(len(k)))
		buf = append(buf, k...)
		buf = binary.AppendUvarint(buf, uint64(len(val)))
		buf = append(buf, val...)
		m.Records++
		return flush(false)
	}
	// Key order: b/ < m/e/ < m/head < s/, and within a prefix the
	// iterator's.
	heights := []uint64{0}
	if v.head.Height > 0 {
		heights = append(heights, v.head.Height)
	}
	for _, h := range heights {
		raw, err := v.snap.Get(blockKey(h), nil)
		if err != nil {
			return nil, fmt.Errorf("%w: block %d: %v", ErrStorage, h, err)
		}
		if err := add(blockKey(h), raw); err != nil {
			return nil, err
		}
	}
	scan := func(p []byte) error {
		it := v.snap.NewIterator(util.BytesPrefix(p), nil)
		defer it.Release()
		for it.Next() {
			if err := add(it.Key(), it.Value()); err != nil {
				return err
			}
		}
		if err := it.Error(); err != nil {
			return fmt.Errorf("%w: %v", ErrStorage, err)
		}
		return nil
	}
	if err := scan(prefixMeta); err != nil {
		return nil, err
	}
	raw, err := v.snap.Get(keyHead, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrStorage, err)
	}
	if err := add(keyHead, raw); err != nil {
		return nil, err
	}
	if err := scan(prefixState); err != nil {
		return nil, err
	}
	if err := flush(true); err != nil {
		return nil, err
	}
	return m, nil
}

// ErrChunkHash is a chunk that does not hash to its snapshot's metadata
// (a faulty or lying peer: fetch it again from another).
var ErrChunkHash = errors.New("snapshot chunk does not match its hash in the snapshot's metadata")

// Restore writes a snapshot's chunks, in order, into an empty ledger.
type Restore struct {
	l       *Ledger
	meta    *SnapshotMeta
	suite   *Suite
	next    int
	pending []byte // an incomplete record carried to the next chunk
	records uint64
	lastKey []byte
	blocks  int
	head    bool
	batch   *leveldb.Batch
}

// BeginRestore starts restoring the snapshot m into l, which must be
// empty (a node that state syncs has no blocks yet).
func (l *Ledger) BeginRestore(m *SnapshotMeta) (*Restore, error) {
	if !l.Head().Empty {
		return nil, errors.New("the ledger is not empty: state sync restores into a new node only")
	}
	if err := l.wipe(); err != nil {
		return nil, err
	}
	return &Restore{l: l, meta: m, suite: m.Suite(), batch: new(leveldb.Batch)}, nil
}

// Meta returns the snapshot being restored.
func (r *Restore) Meta() *SnapshotMeta { return r.meta }

// Apply checks chunk i against its hash and writes its records. It
// returns ErrChunkHash for a chunk that does not match (fetch it again),
// another error for a snapshot whose content is malformed (give up on the
// snapshot: Abort), and done once the last chunk is written. Then call
// Ledger.CheckRestored.
func (r *Restore) Apply(i int, chunk []byte) (done bool, err error) {
	if i != r.next {
		return false, fmt.Errorf("chunk %d offered, chunk %d expected", i, r.next)
	}
	if len(chunk) != r.meta.ChunkLen(i) {
		return false, fmt.Errorf("%w: chunk %d has %d bytes, the metadata says %d", ErrChunkHash, i, len(chunk), r.meta.ChunkLen(i))
	}
	sum := r.suite.Sum(chunk)
	if hex.EncodeToString(sum[:]) != r.meta.Chunks[i] {
		return false, fmt.Errorf("%w (chunk %d)", ErrChunkHash, i)
	}
	r.next++
	last := r.next == len(r.meta.Chunks)
	rest, err := r.decode(append(r.pending, chunk...), last)
	if err != nil {
		return false, err
	}
	r.pending = append([]byte(nil), rest...)
	if r.batch.Len() > 0 && (last || len(r.batch.Dump()) > 32<<20) {
		if err := r.l.db.Write(r.batch, &opt.WriteOptions{Sync: last}); err != nil {
			return false, fmt.Errorf("%w: %v", ErrStorage, err)
		}
		r.batch.Reset()
	}
	if !last {
		return false, nil
	}
	if r.records != r.meta.Records {
		return false, fmt.Errorf("the snapshot holds %d records, its metadata says %d", r.records, r.meta.Records)
	}
	if !r.head {
		return false, errors.New("the snapshot has no head")
	}
	return true, nil
}

// decode writes the complete records of b and returns what is left of an
// incomplete last one (an error if last).
func (r *Restore) decode(b []byte, last bool) ([]byte, error) {
	for len(b) > 0 {
		k, v, n, ok := readRecord(b)
		if !ok {
			if last || len(b) > 2*MaxChunkSize {
				return nil, fmt.Errorf("record %d is truncated or malformed", r.records)
			}
			return b, nil
		}
		if err := r.put(k, v); err != nil {
			return nil, fmt.Errorf("record %d: %w", r.records, err)
		}
		b = b[n:]
	}
	return nil, nil
}

// readRecord reads one record of the stream; ok is false if b holds no
// complete one.
func readRecord(b []byte) (k, v []byte, n int, ok bool) {
	kl, i := binary.Uvarint(b)
	if i <= 0 || kl > uint64(len(b)-i) {
		return nil, nil, 0, false
	}
	k = b[i : i+int(kl)]
	n = i + int(kl)
	vl, j := binary.Uvarint(b[n:])
	if j <= 0 || vl > uint64(len(b)-n-j) {
		return nil, nil, 0, false
	}
	v = b[n+j : n+j+int(vl)]
	return k, v, n + j + int(vl), true
}

// put checks that a record is one a snapshot may hold, in order, and adds
// it to the batch.
func (r *Restore) put(k, v []byte) error {
	if r.records > 0 && bytes.Compare(k, r.lastKey) <= 0 {
		return fmt.Errorf("key %q is not after %q", k, r.lastKey)
	}
	switch {
	case bytes.HasPrefix(k, prefixBlock):
		if len(k) != len(prefixBlock)+8 {
			return fmt.Errorf("bad block key %q", k)
		}
		h := binary.BigEndian.Uint64(k[len(prefixBlock):])
		if (h != 0 && h != r.meta.WeidHeight) || r.blocks >= 2 {
			return fmt.Errorf("block %d: a snapshot holds the genesis block and its head block %d only", h, r.meta.WeidHeight)
		}
		var b Block
		if err := json.Unmarshal(v, &b); err != nil || b.Header.Height != h {
			return fmt.Errorf("block %d does not decode as that block", h)
		}
		r.blocks++
	case bytes.Equal(k, keyHead):
		var h Head
		if err := json.Unmarshal(v, &h); err != nil {
			return fmt.Errorf("head: %v", err)
		}
		if h.Height != r.meta.WeidHeight || h.AppHash != r.meta.AppHash {
			return fmt.Errorf("head %d/%s is not the metadata's %d/%s", h.Height, h.AppHash, r.meta.WeidHeight, r.meta.AppHash)
		}
		r.head = true
	case bytes.HasPrefix(k, prefixMeta), bytes.HasPrefix(k, prefixState):
	default:
		return fmt.Errorf("key %q is not one a snapshot holds", k)
	}
	r.batch.Put(k, v)
	r.lastKey = append(r.lastKey[:0], k...)
	r.records++
	return nil
}

// Abort wipes what the restore wrote.
func (r *Restore) Abort() error {
	r.batch.Reset()
	return r.l.wipe()
}

// StateCommitment returns the commitment to the restored state that a
// block's app hash holds, for CheckRestored to compare with the app hash
// the light client trusts: the root of the authenticated state tree that
// reload rebuilt from the restored s/ records (it refused a tree whose root
// is not the restored head's appHash), after checking that the restored
// head block carries that appHash, hashes and is signed by the block key
// the restored chain.init names. It is the one place a state sync's trust
// ends in.
var StateCommitment = func(l *Ledger) ([]byte, error) {
	head := l.Head()
	b, err := l.Block(head.Height)
	if err != nil {
		return nil, err
	}
	if _, err := signedByNodeKey(l, l.reg.Suite(), b); err != nil {
		return nil, err
	}
	if b.Hash != head.Hash || b.Header.AppHash != head.AppHash {
		return nil, fmt.Errorf("head %s/%s is not its block's %s/%s", head.Hash, head.AppHash, b.Hash, b.Header.AppHash)
	}
	l.mu.RLock()
	root := l.tree.root()
	l.mu.RUnlock()
	if hex.EncodeToString(root[:]) != head.AppHash {
		return nil, fmt.Errorf("the restored state's root %x is not the head's appHash %s", root, head.AppHash)
	}
	return root[:], nil
}

// CheckRestored finishes a restore: it loads the restored head, records
// the base height, and checks the state's commitment (StateCommitment)
// against trusted, the app hash the light client verified for the
// snapshot's height. On any failure it wipes the ledger.
func (l *Ledger) CheckRestored(r *Restore, trusted []byte) (err error) {
	defer func() {
		if err != nil {
			err = errors.Join(err, r.Abort())
		}
	}()
	if r.next != len(r.meta.Chunks) {
		return fmt.Errorf("restore incomplete: %d of %d chunks", r.next, len(r.meta.Chunks))
	}
	if err := l.reload(); err != nil {
		return err
	}
	if l.ChainID() != r.meta.ChainID || l.reg.Suite().Name() != r.meta.Crypto {
		return fmt.Errorf("the restored chain is %s (%s), the snapshot says %s (%s)", l.ChainID(), l.reg.Suite().Name(), r.meta.ChainID, r.meta.Crypto)
	}
	got, err := StateCommitment(l)
	if err != nil {
		return fmt.Errorf("restored state: %w", err)
	}
	if !bytes.Equal(got, trusted) {
		return fmt.Errorf("the restored state commits to %x, the light client trusts app hash %x", got, trusted)
	}
	base := binary.BigEndian.AppendUint64(nil, l.Head().Height)
	if err := l.db.Put(keyBase, base, &opt.WriteOptions{Sync: true}); err != nil {
		return fmt.Errorf("%w: %v", ErrStorage, err)
	}
	l.base.Store(l.Head().Height)
	return nil
}

// reload reads the head, chain id and crypto from the database, as Open
// does.
func (l *Ledger) reload() error {
	raw, err := l.db.Get(keyHead, nil)
	if err != nil {
		return fmt.Errorf("read ledger head: %w", err)
	}
	var h Head
	if err := json.Unmarshal(raw, &h); err != nil {
		return fmt.Errorf("decode ledger head: %w", err)
	}
	b, err := l.Block(h.Height)
	if err != nil {
		return err
	}
	init, err := InitRecord(l)
	if err != nil {
		return fmt.Errorf("read the chain's genesis record: %w", err)
	}
	s, err := ParseSuite(init.Crypto)
	if err != nil {
		return err
	}
	l.reg.SetCrypto(s, init.allowed(s))
	rules, err := LoadRules(l)
	if err != nil {
		return err
	}
	l.mu.Lock()
	l.head, l.chainID, l.rules = h, b.Header.ChainID, rules
	l.top = &Block{Header: b.Header, Hash: b.Hash, Signature: b.Signature}
	l.mu.Unlock()
	// The authenticated state's tree, rebuilt from the restored records;
	// refused unless its root is the restored head's appHash.
	return l.loadTree()
}

// wipe deletes every key of the ledger and forgets its head.
func (l *Ledger) wipe() error {
	it := l.db.NewIterator(nil, nil)
	b := new(leveldb.Batch)
	for it.Next() {
		b.Delete(it.Key())
		if b.Len() >= 10_000 {
			if err := l.db.Write(b, nil); err != nil {
				it.Release()
				return fmt.Errorf("%w: %v", ErrStorage, err)
			}
			b.Reset()
		}
	}
	it.Release()
	if err := it.Error(); err != nil {
		return fmt.Errorf("%w: %v", ErrStorage, err)
	}
	if err := l.db.Write(b, &opt.WriteOptions{Sync: true}); err != nil {
		return fmt.Errorf("%w: %v", ErrStorage, err)
	}
	l.mu.Lock()
	l.head, l.chainID, l.tree, l.top, l.rules = Head{Empty: true}, "", nil, nil, Rules{Version: 1}
	l.mu.Unlock()
	l.base.Store(0)
	return nil
}
