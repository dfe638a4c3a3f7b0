package cometbft

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"

	cmtcfg "github.com/cometbft/cometbft/config"
	sm "github.com/cometbft/cometbft/state"
	"github.com/cometbft/cometbft/store"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/txn"
)

// RecentBlocks is how many of the last CometBFT blocks (and the weid blocks
// they made) CheckHome compares at every start.
const RecentBlocks = 64

// DivergenceError is what CheckHome finds: the first height at which the
// node's data directory disagrees with itself or with the chain its
// validators signed. A node with one must not serve: its state is not the
// chain's.
type DivergenceError struct {
	// CometHeight is the CometBFT height that diverges (0 if the
	// divergence is in the weid ledger only).
	CometHeight int64
	// WeidHeight is the weid block concerned, if any (-1 if none).
	WeidHeight int64
	Reason     string
}

func (e *DivergenceError) Error() string {
	where := fmt.Sprintf("CometBFT height %d", e.CometHeight)
	switch {
	case e.CometHeight == 0:
		where = fmt.Sprintf("weid block %d", e.WeidHeight)
	case e.WeidHeight >= 0:
		where += fmt.Sprintf(" (weid block %d)", e.WeidHeight)
	}
	return fmt.Sprintf("the data directory diverges from the chain at %s: %s", where, e.Reason)
}

// CheckHome is the cheap check a node runs on its data directory before it
// joins consensus. It does not trust the ledger's head record: it compares,
// for the last RecentBlocks CometBFT heights the ledger has applied,
//
//   - each CometBFT block (and the one after the last) with its commit
//     (the block's hash is the one the next block's last commit, or the
//     stored seen commit, names), with its stored block meta (block id and
//     header) and with itself (CometBFT's ValidateBasic: the data hash over
//     its transactions, the last-commit hash);
//   - the app hash the ledger had after each of those heights (that of the
//     last weid block made at or below it) with the app hash the next
//     CometBFT header carries, and after the last one with CometBFT's
//     stored state;
//   - each weid block made in that window with itself (its hash, its
//     proposer's signature, its transaction Merkle root) and with the weid
//     block before it (prevHash), and the ledger's head with the last weid
//     block.
//
// It reads about 2×RecentBlocks blocks, whatever the length of the chain. It does
// not find a state value altered behind the ledger's back (nothing cheap
// commits to the whole state yet: Ledger.AuditStore, which Start also runs,
// replays the chain for that), nor an alteration older than the window
// (weid ledger verify --data checks every block), nor a commit's signatures
// (a node's own disk could only forge them with the validators' keys).
func CheckHome(home string, l *chain.Ledger) error {
	s, err := LoadSettings(home)
	if err != nil {
		return err
	}
	return checkHome(s.cometConfig(home), l)
}

// checkHome is CheckHome with the node's CometBFT configuration.
func checkHome(c *cmtcfg.Config, l *chain.Ledger) (err error) {
	bsDB, err := cmtcfg.DefaultDBProvider(&cmtcfg.DBContext{ID: "blockstore", Config: c})
	if err != nil {
		return fmt.Errorf("open the block store: %w", err)
	}
	defer bsDB.Close()
	if store.LoadBlockStoreState(bsDB).Height == 0 {
		return nil // nothing committed yet: InitChain or the handshake fills the ledger
	}
	stDB, err := cmtcfg.DefaultDBProvider(&cmtcfg.DBContext{ID: "state", Config: c})
	if err != nil {
		return fmt.Errorf("open the state store: %w", err)
	}
	defer stDB.Close()
	// CometBFT panics on a block or state it cannot decode: a damaged
	// store, reported as such.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the CometBFT stores in %s cannot be read: %v", c.DBDir(), r)
		}
	}()
	bs := store.NewBlockStore(bsDB, store.WithDBKeyLayout(c.Storage.ExperimentalKeyLayout))
	state, err := sm.NewStore(stDB, sm.StoreOptions{DBKeyLayout: c.Storage.ExperimentalKeyLayout}).Load()
	if err != nil {
		return fmt.Errorf("load the CometBFT state: %w", err)
	}
	return checkStores(l, bs, state.LastBlockHeight, state.AppHash)
}

// weidAt is a weid block and the CometBFT height that made it.
type weidAt struct {
	block *chain.Block
	comet int64
}

// checkStores is CheckHome over opened stores.
func checkStores(l *chain.Ledger, bs *store.BlockStore, stateHeight int64, stateAppHash []byte) error {
	app := &App{l: l}
	applied, err := app.LastHeight()
	if err != nil {
		return err
	}
	head := l.Head()
	if head.Empty {
		return nil
	}
	if applied > bs.Height() {
		return &DivergenceError{CometHeight: applied, WeidHeight: -1,
			Reason: fmt.Sprintf("the ledger has applied it, but CometBFT's block store ends at height %d", bs.Height())}
	}
	lo := max(applied-RecentBlocks+1, bs.Base(), 1)

	// The weid blocks made in [lo, applied], newest first, and the one
	// before them, whose app hash holds from lo on.
	suite := l.Registry().Suite()
	var made []weidAt
	for w := int64(head.Height); w >= 0; w-- {
		b, err := l.Block(uint64(w))
		if err != nil {
			return &DivergenceError{WeidHeight: w, Reason: err.Error()}
		}
		ch, ok, err := app.CometHeight(uint64(w))
		if err != nil || !ok {
			return &DivergenceError{WeidHeight: w, Reason: fmt.Sprintf("no CometBFT height recorded for it (%v)", err)}
		}
		if w == int64(head.Height) && (b.Hash != head.Hash || b.Header.AppHash != head.AppHash) {
			return &DivergenceError{CometHeight: ch, WeidHeight: w,
				Reason: fmt.Sprintf("the ledger's head record (%s, app hash %s) is not its last block (%s, app hash %s)", head.Hash, head.AppHash, b.Hash, b.Header.AppHash)}
		}
		if err := checkWeidBlock(suite, b); err != nil {
			return &DivergenceError{CometHeight: ch, WeidHeight: w, Reason: err.Error()}
		}
		if n := len(made); n > 0 && made[n-1].block.Header.PrevHash != b.Hash {
			return &DivergenceError{CometHeight: made[n-1].comet, WeidHeight: w + 1,
				Reason: fmt.Sprintf("its prevHash %s is not block %d's hash %s", made[n-1].block.Header.PrevHash, w, b.Hash)}
		}
		if ch > applied {
			return &DivergenceError{CometHeight: ch, WeidHeight: w, Reason: fmt.Sprintf("made at a height beyond the last one the ledger applied (%d)", applied)}
		}
		made = append(made, weidAt{b, ch})
		if ch < lo {
			break
		}
	}

	// appHashAfter is the app hash the ledger had after CometBFT height h
	// (lo-1 <= h <= applied): that of the last weid block made at or
	// below it.
	appHashAfter := func(h int64) (string, int64) {
		for _, m := range made {
			if m.comet <= h {
				return m.block.Header.AppHash, int64(m.block.Header.Height)
			}
		}
		return "", -1
	}
	// verified loads the stored CometBFT block at h and checks it against
	// itself, its block meta and the commit the validators signed for it.
	var cached *cmttypes.Block
	verified := func(h int64) (*cmttypes.Block, error) {
		if cached != nil && cached.Height == h {
			return cached, nil
		}
		b, meta := bs.LoadBlock(h)
		if b == nil {
			return nil, &DivergenceError{CometHeight: h, WeidHeight: -1, Reason: "the block store has no block at this height"}
		}
		if err := b.ValidateBasic(); err != nil {
			return nil, &DivergenceError{CometHeight: h, WeidHeight: -1, Reason: "the stored block is invalid: " + err.Error()}
		}
		commit := bs.LoadBlockCommit(h)
		if commit == nil {
			commit = bs.LoadSeenCommit(h)
		}
		if commit != nil && !bytes.Equal(commit.BlockID.Hash, b.Hash()) {
			return nil, &DivergenceError{CometHeight: h, WeidHeight: -1,
				Reason: fmt.Sprintf("the stored block hashes to %X, the validators committed %X", b.Hash(), commit.BlockID.Hash)}
		}
		if !bytes.Equal(meta.BlockID.Hash, b.Hash()) || !bytes.Equal(meta.Header.Hash(), b.Hash()) {
			return nil, &DivergenceError{CometHeight: h, WeidHeight: -1,
				Reason: fmt.Sprintf("the stored block hashes to %X, its block meta says %X and its header there hashes to %X", b.Hash(), meta.BlockID.Hash, meta.Header.Hash())}
		}
		cached = b
		return b, nil
	}
	for h := lo; h <= applied; h++ {
		want, w := appHashAfter(h)
		if w < 0 {
			continue // before the genesis block's height: nothing to compare
		}
		if _, err := verified(h); err != nil {
			return err
		}
		var got []byte
		var from string
		switch {
		case h < bs.Height():
			next, err := verified(h + 1)
			if err != nil {
				return err
			}
			got, from = next.AppHash, fmt.Sprintf("CometBFT block %d's header", h+1)
		case h == stateHeight:
			got, from = stateAppHash, "CometBFT's stored state"
		}
		if from != "" && hex.EncodeToString(got) != want {
			return &DivergenceError{CometHeight: h, WeidHeight: w,
				Reason: fmt.Sprintf("the ledger's app hash after it is %s, %s says %X", want, from, got)}
		}
	}
	return nil
}

// checkWeidBlock checks a stored weid block against itself: its hash, its
// proposer's signature and its transaction Merkle root.
func checkWeidBlock(suite *chain.Suite, b *chain.Block) error {
	if err := suite.VerifyBlock(b); err != nil {
		return err
	}
	if int(b.Header.TxCount) != len(b.Txs) {
		return fmt.Errorf("txCount %d, the block has %d transactions", b.Header.TxCount, len(b.Txs))
	}
	for i, tx := range b.Txs {
		p, err := txn.CanonicalPayload(tx.Payload)
		if err != nil {
			return fmt.Errorf("tx %d: %w", i, err)
		}
		tx.Payload = p
	}
	root, err := suite.TxRoot(b)
	if err != nil {
		return err
	}
	if root != b.Header.TxRoot {
		return errors.New("its transactions do not hash to its txRoot " + b.Header.TxRoot)
	}
	return nil
}
