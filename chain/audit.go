package chain

import (
	"bytes"
	"encoding/hex"
	"fmt"

	"github.com/weidgo/weid/txn"
)

// BlockSource returns the block at a height; the ledger itself, or a remote
// node's API.
type BlockSource func(height uint64) (*Block, error)

// AuditReport summarizes a successful audit.
type AuditReport struct {
	ChainID string `json:"chainId"`
	// Crypto is the suite the genesis names and the audit hashed with.
	Crypto string `json:"crypto"`
	Blocks uint64 `json:"blocks"`
	Txs    uint64 `json:"txs"`
	Head   Head   `json:"head"`
	// Base is the height the audit started from on a node that joined by
	// state sync (it has no blocks between the genesis and it); 0: the
	// whole chain.
	Base uint64 `json:"base,omitempty"`
}

// Audit re-checks a chain from its genesis block to height last: each block's
// hash, its proposer's signature (by the node key the genesis names), its
// height, chain id and link to the previous block, its transaction Merkle
// root, every transaction's signature and authorization, and the app hash,
// by replaying all transactions into a fresh state with the handlers of reg.
// It returns the replayed state for comparison with a node's stored state.
//
// The hashes are checked with the crypto suite the genesis block's
// chain.init names (GenesisCrypto), whatever reg was set to, so an audit of
// a 国密 chain hashes with SM3 and a standard chain's with SHA-256.
func Audit(src BlockSource, last uint64, reg *Registry) (*AuditReport, map[string][]byte, error) {
	g, err := src(0)
	if err != nil {
		return nil, nil, fmt.Errorf("block 0: %w", err)
	}
	suite, allowed, err := GenesisCrypto(g.Txs)
	if err != nil {
		return nil, nil, fmt.Errorf("block 0: %w", err)
	}
	reg = reg.withCrypto(suite, allowed)
	st := memState{}
	var tree *smtNode // the replayed state's tree
	var prev *Block
	rep := &AuditReport{}
	var nodeKey string
	for h := uint64(0); h <= last; h++ {
		b := g
		if h > 0 {
			if b, err = src(h); err != nil {
				return nil, nil, fmt.Errorf("block %d: %w", h, err)
			}
		}
		for i, tx := range b.Txs {
			if tx.Payload, err = txn.CanonicalPayload(tx.Payload); err != nil {
				return nil, nil, fmt.Errorf("block %d tx %d: %w", h, i, err)
			}
		}
		if err := checkBlock(suite, b, prev, h, h == 0, rep.ChainID, nodeKey); err != nil {
			return nil, nil, err
		}
		if h == 0 {
			rep.ChainID = b.Header.ChainID
			rep.Crypto = suite.Name()
			if b.Header.PrevHash != hex.EncodeToString(make([]byte, 32)) {
				return nil, nil, fmt.Errorf("block 0: prevHash must be zero")
			}
		}
		t, err := b.Header.BlockTime()
		if err != nil {
			return nil, nil, fmt.Errorf("block %d: time: %w", h, err)
		}
		rules, err := LoadRules(st)
		if err != nil {
			return nil, nil, err
		}
		if err := rules.halt(h, reg.KnownRules()); err != nil {
			return nil, nil, fmt.Errorf("block %d: %w", h, err)
		}
		version := rules.At(h).Version
		ov := NewOverlay(st)
		for i, tx := range b.Txs {
			c, err := reg.CheckTx(b.Header.ChainID, tx)
			if err != nil {
				return nil, nil, fmt.Errorf("block %d tx %d: %w", h, i, err)
			}
			child := ov.Child()
			if err := reg.execute(child, c, h, t, version); err != nil {
				return nil, nil, fmt.Errorf("block %d tx %d (%s): %w", h, i, c.Hash, err)
			}
			ov.Merge(child)
		}
		changes := ov.changes()
		tree = suite.smtUpdate(tree, changes)
		if stateRoot := tree.root(); hex.EncodeToString(stateRoot[:]) != b.Header.AppHash {
			return nil, nil, fmt.Errorf("block %d: appHash %s, replaying its transactions gives the state root %x", h, b.Header.AppHash, stateRoot)
		}
		st.apply(changes)
		if h == 0 {
			init, err := InitRecord(st)
			if err != nil {
				return nil, nil, fmt.Errorf("block 0: %w", err)
			}
			nodeKey = init.NodeKey
			if b.Header.Proposer != nodeKey {
				return nil, nil, fmt.Errorf("block 0: proposer %s is not the genesis node key %s", b.Header.Proposer, nodeKey)
			}
		}
		prev = b
		rep.Blocks++
		rep.Txs += uint64(len(b.Txs))
	}
	if prev != nil {
		rep.Head = Head{Height: prev.Header.Height, Hash: prev.Hash, AppHash: prev.Header.AppHash, Time: prev.Header.Time}
	}
	return rep, st, nil
}

// checkBlock checks block b, read at height h, as Audit and auditFromBase
// do: its height, hash and signature (suite); unless it is the genesis
// block, which names them, that it carries chainID and was proposed by
// nodeKey; when prev, the block before it, is known (not at a state-sync
// base), that it links to prev and is not earlier than it; and that its
// txCount and txRoot (RFC 6962 Merkle root) are its transactions'.
func checkBlock(suite *Suite, b, prev *Block, h uint64, genesis bool, chainID, nodeKey string) error {
	if b.Header.Height != h {
		return fmt.Errorf("block %d: header says height %d", h, b.Header.Height)
	}
	if err := suite.VerifyBlock(b); err != nil {
		return err
	}
	if !genesis && b.Header.ChainID != chainID {
		return fmt.Errorf("block %d: chain id %q, genesis has %q", h, b.Header.ChainID, chainID)
	}
	if !genesis && b.Header.Proposer != nodeKey {
		return fmt.Errorf("block %d: proposer %s is not the chain's node key %s", h, b.Header.Proposer, nodeKey)
	}
	if prev != nil {
		if b.Header.PrevHash != prev.Hash {
			return fmt.Errorf("block %d: prevHash %s does not link to block %d (%s)", h, b.Header.PrevHash, h-1, prev.Hash)
		}
		pt, _ := prev.Header.BlockTime()
		if t, err := b.Header.BlockTime(); err != nil || t.Before(pt) {
			return fmt.Errorf("block %d: time %q is invalid or earlier than its parent's", h, b.Header.Time)
		}
	}
	if int(b.Header.TxCount) != len(b.Txs) {
		return fmt.Errorf("block %d: txCount %d, the block has %d transactions", h, b.Header.TxCount, len(b.Txs))
	}
	root, err := suite.TxRoot(b)
	if err != nil {
		return fmt.Errorf("block %d: %w", h, err)
	}
	if root != b.Header.TxRoot {
		return fmt.Errorf("block %d: txRoot %s, the transactions give %s", h, b.Header.TxRoot, root)
	}
	return nil
}

// AuditStore audits the ledger's blocks and also compares the state stored
// on disk with the replayed state, key by key, so a state file altered
// behind the ledger's back is found.
func (l *Ledger) AuditStore() (*AuditReport, error) {
	head := l.Head()
	if head.Empty {
		return nil, fmt.Errorf("the ledger has no blocks")
	}
	if l.Base() > 0 {
		return l.auditFromBase()
	}
	rep, replayed, err := Audit(l.Block, head.Height, l.reg)
	if err != nil {
		return nil, err
	}
	if rep.Head.Hash != head.Hash || rep.Head.AppHash != head.AppHash {
		return nil, fmt.Errorf("stored head %s/%s differs from the last block %s/%s", head.Hash, head.AppHash, rep.Head.Hash, rep.Head.AppHash)
	}
	seen := 0
	var diff error
	err = l.Scan(nil, nil, func(k, v []byte) bool {
		want, ok := replayed[string(k)]
		if !ok || !bytes.Equal(want, v) {
			diff = fmt.Errorf("stored state key %q differs from the replayed state", k)
			return false
		}
		seen++
		return true
	})
	if err != nil {
		return nil, err
	}
	if diff != nil {
		return nil, diff
	}
	if seen != len(replayed) {
		return nil, fmt.Errorf("stored state has %d keys, the replayed state %d", seen, len(replayed))
	}
	return rep, nil
}

// memState is an in-memory state for replays.
type memState map[string][]byte

func (m memState) Get(k []byte) ([]byte, bool, error) {
	v, ok := m[string(k)]
	return v, ok, nil
}

func (m memState) apply(cs []change) {
	for _, c := range cs {
		if c.value == nil {
			delete(m, string(c.key))
		} else {
			m[string(c.key)] = c.value
		}
	}
}
