package chain

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"sort"

	"github.com/weidgo/weid/txn"
)

// The authenticated state: a sparse Merkle tree over every state key,
// laid out as ICS-23's SmtSpec (see txn/stateproof.go for the hashes and
// the proof format). Its root after a block is the block's appHash.
//
// The tree is a function of the flat state ("s/" keys), so it is not
// stored: a ledger builds it from the state when it opens and updates it
// with each block, in memory. Nodes are immutable and shared between
// versions (an update copies the paths it changes), so a reader holding an
// older root (a StateView) keeps seeing that version while blocks commit.
// The durable state is the flat state, written in the block's batch as
// before; after a crash the tree is rebuilt from it.

// smtNode is a leaf (kh, vh) or an inner node (left, right; nil is the
// empty subtree).
type smtNode struct {
	hash        [32]byte
	kh, vh      [32]byte
	left, right *smtNode
	leaf        bool
}

// emptyRoot is the root of the empty state (ICS-23 SmtSpec's EmptyChild).
var emptyRoot [32]byte

func (n *smtNode) root() [32]byte {
	if n == nil {
		return emptyRoot
	}
	return n.hash
}

// StateHash names the suite's state hash as a StateProof does.
func (s *Suite) StateHash() string {
	if s.std() {
		return StateHashSHA256
	}
	return StateHashSM3
}

// smtOp sets (or, del, deletes) the leaf of one key; leaf, when set, is
// an existing leaf to keep as it is.
type smtOp struct {
	kh, vh [32]byte
	del    bool
	leaf   *smtNode
}

// smtUpdate returns the tree with changes applied to root (which it leaves
// unchanged). Deterministic: the result depends only on the set of (key,
// value) pairs, not on the history or the order of the changes.
func (s *Suite) smtUpdate(root *smtNode, changes []change) *smtNode {
	if len(changes) == 0 {
		return root
	}
	ops := make([]smtOp, len(changes))
	for i, c := range changes {
		ops[i] = smtOp{kh: s.Sum(c.key), del: c.value == nil}
		if !ops[i].del {
			ops[i].vh = s.Sum(c.value)
		}
	}
	sort.Slice(ops, func(i, j int) bool { return bytes.Compare(ops[i].kh[:], ops[j].kh[:]) < 0 })
	// Two changes of one key cannot be: changes come from a map.
	return s.update(root, 0, ops)
}

func bitAt(h [32]byte, d int) byte { return (h[d/8] >> (7 - uint(d%8))) & 1 }

// splitAt returns the index of the first op whose bit d is 1 (ops are
// sorted by key hash and share their first d bits).
func splitAt(ops []smtOp, d int) int {
	return sort.Search(len(ops), func(i int) bool { return bitAt(ops[i].kh, d) == 1 })
}

func (s *Suite) update(n *smtNode, depth int, ops []smtOp) *smtNode {
	switch {
	case len(ops) == 0:
		return n
	case n == nil:
		return s.build(depth, ops)
	case n.leaf:
		// The leaf joins the ops unless one of them replaces it.
		i := sort.Search(len(ops), func(i int) bool { return bytes.Compare(ops[i].kh[:], n.kh[:]) >= 0 })
		if i == len(ops) || ops[i].kh != n.kh {
			merged := make([]smtOp, 0, len(ops)+1)
			merged = append(append(append(merged, ops[:i]...), smtOp{kh: n.kh, leaf: n}), ops[i:]...)
			ops = merged
		}
		return s.build(depth, ops)
	}
	split := splitAt(ops, depth)
	return s.join(s.update(n.left, depth+1, ops[:split]), s.update(n.right, depth+1, ops[split:]))
}

// build makes the subtree at depth holding the ops' sets (deletes dropped).
func (s *Suite) build(depth int, ops []smtOp) *smtNode {
	sets := 0
	var one *smtOp
	for i := range ops {
		if !ops[i].del {
			sets++
			one = &ops[i]
		}
	}
	switch sets {
	case 0:
		return nil
	case 1:
		if one.leaf != nil {
			return one.leaf
		}
		n := &smtNode{leaf: true, kh: one.kh, vh: one.vh}
		n.hash = txn.LeafHash(s.Sum, n.kh, n.vh)
		return n
	}
	// Distinct key hashes differ before bit 256, so this ends.
	split := splitAt(ops, depth)
	return s.join(s.build(depth+1, ops[:split]), s.build(depth+1, ops[split:]))
}

// join makes the inner node over l and r, except that a subtree holding a
// single leaf is that leaf (ICS-23 SmtSpec, as celestiaorg/smt lays it out).
func (s *Suite) join(l, r *smtNode) *smtNode {
	switch {
	case l == nil && r == nil:
		return nil
	case l == nil && r.leaf:
		return r
	case r == nil && l.leaf:
		return l
	}
	var buf [65]byte
	buf[0] = 1
	lh, rh := l.root(), r.root()
	copy(buf[1:33], lh[:])
	copy(buf[33:], rh[:])
	return &smtNode{hash: s.Sum(buf[:]), left: l, right: r}
}

// smtProve returns the proof of key (value: its value in the state of
// root, nil if none).
func (s *Suite) smtProve(root *smtNode, key, value []byte) (*StateProof, error) {
	kh := s.Sum(key)
	rh := root.root()
	p := &StateProof{Hash: s.StateHash(), Key: base64.RawURLEncoding.EncodeToString(key), Root: hex.EncodeToString(rh[:])}
	// The siblings' base64url is written into one buffer, made one string,
	// and sliced: two allocations a proof, not one a level.
	var sibs [txn.MaxStateDepth]*smtNode
	depth := 0
	n := root
	for ; n != nil && !n.leaf; depth++ {
		next, sib := n.left, n.right
		if bitAt(kh, depth) == 1 {
			next, sib = n.right, n.left
		}
		sibs[depth] = sib
		n = next
	}
	const enc = 43 // base64url of 32 bytes, unpadded
	buf := make([]byte, 0, depth*enc)
	for _, sib := range sibs[:depth] {
		if sib != nil {
			buf = base64.RawURLEncoding.AppendEncode(buf, sib.hash[:])
		}
	}
	all := string(buf)
	p.Siblings = make([]string, depth)
	for d, sib := range sibs[:depth] {
		if sib != nil {
			p.Siblings[d], all = all[:enc], all[enc:]
		}
	}
	switch {
	case n != nil && n.kh == kh:
		if value == nil {
			return nil, fmt.Errorf("%w: the state tree has key %q, the state has no value", ErrStorage, key)
		}
		if s.Sum(value) != n.vh {
			return nil, fmt.Errorf("%w: the state tree's value hash of %q differs from the state's", ErrStorage, key)
		}
		p.Exists, p.Value = true, base64.RawURLEncoding.EncodeToString(value)
		return p, nil
	case n != nil:
		p.Other = &StateLeaf{KeyHash: base64.RawURLEncoding.EncodeToString(n.kh[:]), ValueHash: base64.RawURLEncoding.EncodeToString(n.vh[:])}
	}
	if value != nil {
		return nil, fmt.Errorf("%w: the state has key %q, the state tree does not", ErrStorage, key)
	}
	return p, nil
}

// smtCount returns the number of leaves under n.
func smtCount(n *smtNode) int {
	switch {
	case n == nil:
		return 0
	case n.leaf:
		return 1
	}
	return smtCount(n.left) + smtCount(n.right)
}
