package chain

import (
	"fmt"

	"github.com/syndtr/goleveldb/leveldb/opt"
)

// prefixMeta holds an engine's own bookkeeping (for CometBFT: the last
// consensus height the ledger has applied). It is not state: the app hash
// does not cover it, and the audit ignores it.
var prefixMeta = []byte("m/e/")

func metaKey(key string) []byte {
	return append(append([]byte(nil), prefixMeta...), key...)
}

// SetMeta adds an engine's metadata to the prepared block's batch, so that it
// becomes durable atomically with the block. It does nothing on a prepared
// result without a block (use Ledger.WriteMeta then).
func (p *Prepared) SetMeta(key string, value []byte) {
	if p.batch != nil {
		p.batch.Put(metaKey(key), value)
	}
}

// WriteMeta writes an engine's metadata durably on its own, for a consensus
// step that made no block. Like blocks, it must come from the engine's
// goroutine only.
func (l *Ledger) WriteMeta(key string, value []byte) error {
	if err := l.Failed(); err != nil {
		return err
	}
	if err := l.db.Put(metaKey(key), value, &opt.WriteOptions{Sync: true}); err != nil {
		return fmt.Errorf("%w: %v", ErrStorage, err)
	}
	return nil
}

// Meta reads an engine's metadata.
func (l *Ledger) Meta(key string) ([]byte, bool, error) {
	return getStored(l.db, metaKey(key))
}

// NonceUsed reports whether c's nonce is already used by its signer in st:
// a cheap check a mempool can repeat (CometBFT's recheck) without verifying
// the signature again.
func (r *Registry) NonceUsed(st Reader, c *Checked) (bool, error) {
	_, ok, err := st.Get(nonceKey(c.Tx.SignerDID(), c.Tx.Nonce))
	return ok, err
}
