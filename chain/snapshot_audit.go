package chain

import (
	"bytes"
	"encoding/hex"
	"fmt"
)

// signedByNodeKey checks block b's hash and signature under suite and that
// its proposer is the node key of the chain.init record of l, which it
// returns.
func signedByNodeKey(l *Ledger, suite *Suite, b *Block) (*InitPayload, error) {
	if err := suite.VerifyBlock(b); err != nil {
		return nil, err
	}
	init, err := InitRecord(l)
	if err != nil {
		return nil, err
	}
	if b.Header.Proposer != init.NodeKey {
		return nil, fmt.Errorf("block %d: proposer %s is not the chain's node key %s", b.Header.Height, b.Header.Proposer, init.NodeKey)
	}
	return init, nil
}

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
	init, err := signedByNodeKey(l, suite, g)
	if err != nil {
		return nil, err
	}
	rep := &AuditReport{ChainID: g.Header.ChainID, Crypto: suite.Name(), Base: base, Blocks: 1, Txs: uint64(len(g.Txs))}
	var prev *Block
	for h := base; h <= head.Height; h++ {
		b, err := l.Block(h)
		if err != nil {
			return nil, fmt.Errorf("block %d: %w", h, err)
		}
		if err := checkBlock(suite, b, prev, h, false, rep.ChainID, init.NodeKey); err != nil {
			return nil, err
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
