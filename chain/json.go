package chain

import (
	"fmt"

	"github.com/weidgo/weid/internal/strictjson"
	"github.com/weidgo/weid/txn"
)

// MarshalJSON encodes v as compact JSON without HTML escaping. encoding/json
// escapes '<', '>' and '&' inside strings by default, even inside a
// json.RawMessage, which would change a transaction's canonical payload and
// so its hash; blocks and API responses are encoded with this instead.
//
// A v that encodes itself the same way faster (AppendJSON: a proven read's
// answer, txn.StateProofs) is not reflected over.
func MarshalJSON(v any) ([]byte, error) {
	if a, ok := v.(interface{ AppendJSON([]byte) ([]byte, error) }); ok {
		return a.AppendJSON(make([]byte, 0, 8192))
	}
	return strictjson.Marshal(v)
}

// VerifyTx checks a transaction proof on its own, with the chain's suite
// s (read from its genesis block, never from the proof): that the
// transaction hashes to Hash, that the header hashes to the block hash, and
// that the Merkle path leads from the transaction to the header's txRoot.
// It does not check the block's signature: check that with
// Suite.VerifyBlock on the block and the chain's node key (weid tx prove
// does both).
func (s *Suite) VerifyTx(t *TxWithProof) error {
	tx := *t.Tx
	p, err := txn.CanonicalPayload(tx.Payload)
	if err != nil {
		return err
	}
	tx.Payload = p
	if got := s.TxHash(&tx); got != t.Hash {
		return fmt.Errorf("the transaction hashes to %s, not %s", got, t.Hash)
	}
	if h, err := s.HeaderHash(&t.Header); err != nil || h != t.Block {
		return fmt.Errorf("the header hashes to %s, not the block hash %s", h, t.Block)
	}
	if t.Header.Height != t.Height {
		return fmt.Errorf("the header is for height %d, the transaction claims %d", t.Header.Height, t.Height)
	}
	if t.Proof == nil || t.Proof.LeafIndex != uint64(t.Index) {
		return fmt.Errorf("the proof is not for index %d", t.Index)
	}
	if t.Proof.TreeSize != uint64(t.Header.TxCount) || uint64(t.Index) >= t.Proof.TreeSize {
		return fmt.Errorf("the proof is for a tree of %d leaves, the block has %d transactions", t.Proof.TreeSize, t.Header.TxCount)
	}
	if err := s.VerifyInclusion(t.Hash, t.Header.TxRoot, t.Proof); err != nil {
		return fmt.Errorf("inclusion proof: %w", err)
	}
	return nil
}
