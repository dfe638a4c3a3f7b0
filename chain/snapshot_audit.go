package chain

import (
	"bytes"
	"encoding/hex"
	"fmt"
)

// auditFromBase audits a ledger that joined by state sync (Base > 0): it
// has the genesis block, then the blocks from its base height on, and the
// state from the snapshot on. Without the blocks in between the state
// cannot be replayed from the genesis, so it checks:
//
//   - the genesis block: its hash, its signature by the key chain.init
//     names, its suite;
//   - from the base block to the head: each block's hash and signature by
//     the chain's block key, its height, chain id, link to the previous
//     block, time, transaction count and Merkle root, and every
//     transaction's stateless checks (signature format, chain id);
//   - the stored head is the last block, and the state's commitment
//     (StateCommitment) is the head's app hash.
//
// The app hash of each block after the base is taken as the engine agreed
// on it (CometBFT's validators signed it); the authenticated state tree
// lets StateCommitment recompute it from the state.
func (l *Ledger) auditFromBase() (*AuditReport, error) {
	head, base := l.Head(), l.Base()
	g, err := l.Block(0)
	if err != nil {
		return nil, fmt.Errorf("block 0: %w", err)
	}
	suite, _, err := GenesisCrypto(g.Txs)
	if err != nil {
		return nil, fmt.Errorf("block 0: %w", err)
	}
	if err := suite.VerifyBlock(g); err != nil {
		return nil, err
	}
	init, err := InitRecord(l)
	if err != nil {
		return nil, err
	}
	if g.Header.Proposer != init.NodeKey {
		return nil, fmt.Errorf("block 0: proposer %s is not the chain's node key %s", g.Header.Proposer, init.NodeKey)
	}
	rep := &AuditReport{ChainID: g.Header.ChainID, Crypto: suite.Name(), Base: base, Blocks: 1, Txs: uint64(len(g.Txs))}
	var prev *Block
	for h := base; h <= head.Height; h++ {
		b, err := l.Block(h)
		if err != nil {
			return nil, fmt.Errorf("block %d: %w", h, err)
		}
		if b.Header.Height != h {
			return nil, fmt.Errorf("block %d: header says height %d", h, b.Header.Height)
		}
		if err := suite.VerifyBlock(b); err != nil {
			return nil, err
		}
		if b.Header.ChainID != rep.ChainID {
			return nil, fmt.Errorf("block %d: chain id %q, genesis has %q", h, b.Header.ChainID, rep.ChainID)
		}
		if b.Header.Proposer != init.NodeKey {
			return nil, fmt.Errorf("block %d: proposer %s is not the chain's node key %s", h, b.Header.Proposer, init.NodeKey)
		}
		if prev != nil {
			if b.Header.PrevHash != prev.Hash {
				return nil, fmt.Errorf("block %d: prevHash %s does not link to block %d (%s)", h, b.Header.PrevHash, h-1, prev.Hash)
			}
			pt, _ := prev.Header.BlockTime()
			if t, err := b.Header.BlockTime(); err != nil || t.Before(pt) {
				return nil, fmt.Errorf("block %d: time %q is invalid or earlier than its parent's", h, b.Header.Time)
			}
		}
		if int(b.Header.TxCount) != len(b.Txs) {
			return nil, fmt.Errorf("block %d: txCount %d, the block has %d transactions", h, b.Header.TxCount, len(b.Txs))
		}
		root, err := suite.TxRoot(b)
		if err != nil {
			return nil, fmt.Errorf("block %d: %w", h, err)
		}
		if root != b.Header.TxRoot {
			return nil, fmt.Errorf("block %d: txRoot %s, the transactions give %s", h, b.Header.TxRoot, root)
		}
		for i, tx := range b.Txs {
			if _, err := l.reg.CheckTx(b.Header.ChainID, tx); err != nil {
				return nil, fmt.Errorf("block %d tx %d: %w", h, i, err)
			}
		}
		prev = b
		rep.Blocks++
		rep.Txs += uint64(len(b.Txs))
	}
	if prev.Hash != head.Hash || prev.Header.AppHash != head.AppHash {
		return nil, fmt.Errorf("stored head %s/%s differs from the last block %s/%s", head.Hash, head.AppHash, prev.Hash, prev.Header.AppHash)
	}
	got, err := StateCommitment(l)
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	if want, _ := hex.DecodeString(head.AppHash); !bytes.Equal(got, want) {
		return nil, fmt.Errorf("the stored state commits to %x, the head's app hash is %s", got, head.AppHash)
	}
	rep.Head = head
	return rep, nil
}
