package txn

import (
	"encoding/json"
	"sync/atomic"
	"time"

	"github.com/weidgo/weid/keys"
)

var lastNonce atomic.Uint64

// NewNonce returns a nonce that is unique within this process and, across
// processes, as unique as the clock: nanoseconds since the epoch within 53
// bits (MaxNonce).
func NewNonce() uint64 {
	for {
		n := uint64(time.Now().UnixNano()) & MaxNonce
		last := lastNonce.Load()
		if n <= last {
			n = last + 1
		}
		if lastNonce.CompareAndSwap(last, n) {
			return n
		}
	}
}

// New returns a transaction of type typ on chain chainID with payload (any
// value encoding/json marshals to an object), signed by k as the
// verification method from (a DID URL), with a fresh nonce: what an SDK or
// wallet submits (client.SubmitTx, client.CreateDID, …).
func New(chainID, from string, k *keys.PrivateKey, typ string, payload any) (*Tx, error) {
	raw, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	tx := &Tx{ChainID: chainID, Type: typ, From: from, Nonce: NewNonce(), Payload: raw}
	if err := tx.Sign(k); err != nil {
		return nil, err
	}
	return tx, nil
}
