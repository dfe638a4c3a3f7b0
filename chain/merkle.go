package chain

import (
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/transparency-dev/merkle"
	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
)

// merkleRoot returns the RFC 6962 root over leaf data (tx hashes).
func merkleRoot(hasher merkle.LogHasher, leaves [][]byte) []byte {
	if len(leaves) == 0 {
		return hasher.EmptyRoot()
	}
	rf := compact.RangeFactory{Hash: hasher.HashChildren}
	r := rf.NewEmptyRange(0)
	for _, l := range leaves {
		_ = r.Append(hasher.HashLeaf(l), nil)
	}
	root, _ := r.GetRootHash(nil)
	return root
}

// subtreeHash returns the hash of the perfect subtree [begin, end) of the
// leaves. A perfect subtree's hash does not depend on where it sits, so it is
// computed as a tree of its own: compact ranges that do not start at 0 have
// no single root.
func subtreeHash(hasher merkle.LogHasher, leafHashes [][]byte, begin, end uint64) []byte {
	rf := compact.RangeFactory{Hash: hasher.HashChildren}
	r := rf.NewEmptyRange(0)
	for i := begin; i < end; i++ {
		_ = r.Append(leafHashes[i], nil)
	}
	root, _ := r.GetRootHash(nil)
	return root
}

// buildInclusionProof returns the audit path of leaf index among leaves.
func buildInclusionProof(hasher merkle.LogHasher, leaves [][]byte, index uint64) (*InclusionProof, error) {
	size := uint64(len(leaves))
	if index >= size {
		return nil, fmt.Errorf("leaf %d out of range [0, %d)", index, size)
	}
	lh := make([][]byte, size)
	for i, l := range leaves {
		lh[i] = hasher.HashLeaf(l)
	}
	nodes, err := proof.Inclusion(index, size)
	if err != nil {
		return nil, err
	}
	hashes := make([][]byte, len(nodes.IDs))
	for i, id := range nodes.IDs {
		b, e := id.Coverage()
		if e > size {
			e = size
		}
		hashes[i] = subtreeHash(hasher, lh, b, e)
	}
	path, err := nodes.Rehash(hashes, hasher.HashChildren)
	if err != nil {
		return nil, err
	}
	p := &InclusionProof{LeafIndex: index, TreeSize: size, Hashes: make([]string, len(path))}
	for i, h := range path {
		p.Hashes[i] = hex.EncodeToString(h)
	}
	return p, nil
}

// VerifyInclusion checks that the transaction with hash txHash is leaf
// p.LeafIndex of a tree of p.TreeSize leaves with root txRoot, on a
// standard chain (Suite.VerifyInclusion for any chain).
func VerifyInclusion(txHash, txRoot string, p *InclusionProof) error {
	return Standard.VerifyInclusion(txHash, txRoot, p)
}

// VerifyInclusion checks that the transaction with hash txHash is leaf
// p.LeafIndex of a tree of p.TreeSize leaves with root txRoot, the tree
// hashed with the suite's hash.
func (s *Suite) VerifyInclusion(txHash, txRoot string, p *InclusionProof) error {
	hasher := s.merkle()
	leaf, err := hex.DecodeString(txHash)
	if err != nil {
		return fmt.Errorf("tx hash: %w", err)
	}
	root, err := hex.DecodeString(txRoot)
	if err != nil {
		return fmt.Errorf("tx root: %w", err)
	}
	if p == nil {
		return errors.New("no proof")
	}
	path := make([][]byte, len(p.Hashes))
	for i, h := range p.Hashes {
		if path[i], err = hex.DecodeString(h); err != nil {
			return fmt.Errorf("proof hash %d: %w", i, err)
		}
	}
	return proof.VerifyInclusion(hasher, p.LeafIndex, p.TreeSize, hasher.HashLeaf(leaf), path, root)
}
