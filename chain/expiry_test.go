package chain

import (
	"strconv"
	"testing"
	"time"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/txn"
)

// putUntil returns a signed test.put with the given validUntil.
func (s *signer) putUntil(t testing.TB, key, validUntil string) *Tx {
	t.Helper()
	tx := &Tx{ChainID: testChain, Type: typePut, From: s.from(), Nonce: s.nonce.Add(1), ValidUntil: validUntil,
		Payload: []byte(`{"key":"` + key + `","pub":"` + s.key.Public().Multibase() + `","value":"v"}`)}
	if err := tx.Sign(s.key); err != nil {
		t.Fatal(err)
	}
	return tx
}

// TestCommitRefusesExpiredTxs: a validUntil is checked against the block
// that would commit the transaction — its height (inclusive) or its time —
// and one more than a day (or MaxValidityBlocks) ahead of the block is
// refused; a refused transaction leaves no state and uses no nonce, and
// the audit's replay, at the blocks' own heights and times, agrees.
func TestCommitRefusesExpiredTxs(t *testing.T) {
	t.Parallel()
	e := newTestChain(t) // genesis at height 0; the next block is 1
	s := newSigner(t, keys.Ed25519)
	at := e.now // the next block's time
	rfc := func(d time.Duration) string { return at.Add(d).Format(time.RFC3339Nano) }
	tests := []struct {
		name, validUntil, want string
	}{
		{"no validUntil", "", ""},
		{"this block's height", "1", ""},
		{"a later height", "5", ""},
		{"the block's time exactly", rfc(0), ""},
		{"a minute before the block", rfc(-time.Minute), "tx.expired"},
		{"ten minutes ahead", rfc(10 * time.Minute), ""},
		{"more than a day ahead", rfc(txn.MaxValidity + time.Second), "tx.malformed"},
		{"too many blocks ahead", strconv.Itoa(2 + txn.MaxValidityBlocks), "tx.malformed"},
	}
	txs := make([]*Tx, 0, len(tests))
	for i, tt := range tests {
		txs = append(txs, s.putUntil(t, "k"+strconv.Itoa(i), tt.validUntil))
	}
	b, res := e.commit(t, txs...)
	for i, tt := range tests {
		if got := errs.Code(res[i].Err); got != tt.want {
			t.Errorf("%s: %v, want %q", tt.name, res[i].Err, tt.want)
		}
		_, written := getState(t, e.l, putKey("k"+strconv.Itoa(i)))
		if written != (tt.want == "") {
			t.Errorf("%s: written %v", tt.name, written)
		}
	}
	if b == nil || b.Header.Height != 1 {
		t.Fatalf("block %+v", b)
	}
	// Block 2: validUntil 1 has passed.
	late := s.putUntil(t, "late", "1")
	if _, res := e.commit(t, late); errs.Code(res[0].Err) != "tx.expired" {
		t.Fatalf("validUntil 1 in block 2: %v", res[0].Err)
	}
	// The same signer's nonce was not used by the refused transactions.
	if used, err := e.reg.NonceUsed(e.l, mustCheck(t, e.reg, late)); err != nil || used {
		t.Fatalf("an expired transaction used its nonce: %v %v", used, err)
	}
	if _, err := e.l.AuditStore(); err != nil {
		t.Fatalf("audit: %v", err)
	}
}
