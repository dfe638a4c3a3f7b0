package chain

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/util"
)

// loadTree builds the state tree from the flat state on disk and checks
// its root against the head's appHash, so a state altered on disk, or
// written by a weid whose appHash was not this tree's root, is refused.
func (l *Ledger) loadTree() error {
	suite := l.reg.Suite()
	var root *smtNode
	const chunk = 8192
	cs := make([]change, 0, chunk)
	it := l.db.NewIterator(util.BytesPrefix(prefixState), nil)
	for it.Next() {
		k := append([]byte(nil), it.Key()[len(prefixState):]...)
		v := append([]byte{}, it.Value()...)
		if cs = append(cs, change{key: k, value: v}); len(cs) == chunk {
			root = suite.smtUpdate(root, cs)
			cs = cs[:0]
		}
	}
	it.Release()
	if err := it.Error(); err != nil {
		return fmt.Errorf("%w: read the state: %v", ErrStorage, err)
	}
	root = suite.smtUpdate(root, cs)
	if got := root.root(); hex.EncodeToString(got[:]) != l.head.AppHash {
		return fmt.Errorf("refusing to serve: the state on disk has root %x, the appHash of the head block (height %d) is %s: the state was altered, or the data directory was written by a weid without the authenticated state (re-initialize it)", got, l.head.Height, l.head.AppHash)
	}
	l.tree = root
	return nil
}

// StateView is a consistent read-only view of the committed state after
// one block: its values, its tree and proofs against its appHash. State
// sync builds on it (Leaves iterates the whole state of the view's block;
// Suite.StateRoot recomputes the root of an imported state). Release it.
type StateView struct {
	l    *Ledger
	snap *leveldb.Snapshot
	head Head
	tree *smtNode
}

// StateView opens a view of the state at the committed head.
func (l *Ledger) StateView() (*StateView, error) {
	for {
		l.mu.RLock()
		head, tree := l.head, l.tree
		l.mu.RUnlock()
		if head.Empty {
			return nil, errors.New("the ledger has no blocks")
		}
		// The block's batch is written before the head moves: the snapshot
		// may be a block ahead of the head read; then read both again.
		snap, h, err := l.snapshotHead()
		if err != nil {
			return nil, err
		}
		if h.Height == head.Height && h.AppHash == head.AppHash {
			return &StateView{l: l, snap: snap, head: head, tree: tree}, nil
		}
		snap.Release()
	}
}

// snapshotHead takes a snapshot of the store and reads the head it holds;
// when that fails, the snapshot is released.
func (l *Ledger) snapshotHead() (*leveldb.Snapshot, Head, error) {
	snap, err := l.db.GetSnapshot()
	if err != nil {
		return nil, Head{}, fmt.Errorf("%w: %v", ErrStorage, err)
	}
	raw, err := snap.Get(keyHead, nil)
	if err != nil {
		snap.Release()
		return nil, Head{}, fmt.Errorf("%w: read head: %v", ErrStorage, err)
	}
	var h Head
	if err := json.Unmarshal(raw, &h); err != nil {
		snap.Release()
		return nil, Head{}, fmt.Errorf("%w: decode head: %v", ErrStorage, err)
	}
	return snap, h, nil
}

// Release frees the view.
func (v *StateView) Release() { v.snap.Release() }

// Head returns the block the view shows the state after.
func (v *StateView) Head() Head { return v.head }

// Get reads the state at the view's block (implements Reader).
func (v *StateView) Get(key []byte) ([]byte, bool, error) {
	return getStored(v.snap, stateKey(key))
}

// Prove returns the proof of key's value, or of its absence, against the
// view's appHash.
func (v *StateView) Prove(key []byte) (*StateProof, error) {
	val, ok, err := v.Get(key)
	if err != nil {
		return nil, err
	}
	if !ok {
		val = nil
	} else if val == nil {
		val = []byte{}
	}
	return v.l.reg.Suite().smtProve(v.tree, key, val)
}

// ProveRead is Prove for a value the caller read from this view with Get
// (nil when Get found none), without reading it again; a value that is not
// the view's is an ErrStorage, never a proof (the tree holds its hash).
func (v *StateView) ProveRead(key, val []byte, found bool) (*StateProof, error) {
	if !found {
		val = nil
	} else if val == nil {
		val = []byte{}
	}
	return v.l.reg.Suite().smtProve(v.tree, key, val)
}

// Leaves calls f with each key and value of the view's state, in key
// order, until f returns false. The keys and values are the iterator's:
// copy them to keep them.
func (v *StateView) Leaves(f func(key, value []byte) bool) error {
	it := v.snap.NewIterator(util.BytesPrefix(prefixState), nil)
	defer it.Release()
	for it.Next() {
		if !f(it.Key()[len(prefixState):], it.Value()) {
			break
		}
	}
	return it.Error()
}

// Size returns the number of keys in the view's state.
func (v *StateView) Size() int { return smtCount(v.tree) }

// StateRoot returns the appHash of the state holding exactly the given keys
// and values (a key given twice keeps its last value): what a node that
// imports a state (state sync) checks against the trusted appHash.
func (s *Suite) StateRoot(kvs func(yield func(key, value []byte) bool)) string {
	ov := NewOverlay(memState{})
	kvs(func(k, v []byte) bool {
		ov.Set(append([]byte(nil), k...), append([]byte{}, v...))
		return true
	})
	r := s.smtUpdate(nil, ov.changes()).root()
	return hex.EncodeToString(r[:])
}

// ProveState builds the state tree of the given keys and values (each key
// once) and returns its root (hex, an appHash) and the proofs of keys
// against it, present or absent: proofs from a state without a ledger (a
// state imported from a snapshot, a measurement of proof sizes at a given
// state size). It builds in chunks: memory is the tree's.
func (s *Suite) ProveState(kvs func(yield func(key, value []byte) bool), keys ...[]byte) (string, []*StateProof, error) {
	want := make(map[string][]byte, len(keys))
	for _, k := range keys {
		want[string(k)] = nil
	}
	var root *smtNode
	const chunk = 8192
	cs := make([]change, 0, chunk)
	kvs(func(k, v []byte) bool {
		c := change{key: append([]byte(nil), k...), value: append([]byte{}, v...)}
		if _, ok := want[string(k)]; ok {
			want[string(k)] = c.value
		}
		if cs = append(cs, c); len(cs) == chunk {
			root = s.smtUpdate(root, cs)
			cs = cs[:0]
		}
		return true
	})
	root = s.smtUpdate(root, cs)
	out := make([]*StateProof, len(keys))
	for i, k := range keys {
		p, err := s.smtProve(root, k, want[string(k)])
		if err != nil {
			return "", nil, err
		}
		out[i] = p
	}
	r := root.root()
	return hex.EncodeToString(r[:]), out, nil
}

// SignedHeader returns the block at height h without its transactions: its
// header, hash and signature (what a state proof carries), from memory for
// the head.
func (l *Ledger) SignedHeader(h uint64) (*Block, error) {
	l.mu.RLock()
	top := l.top
	l.mu.RUnlock()
	if top != nil && top.Header.Height == h {
		return top, nil
	}
	b, err := l.Block(h)
	if err != nil {
		return nil, err
	}
	return &Block{Header: b.Header, Hash: b.Hash, Signature: b.Signature}, nil
}
