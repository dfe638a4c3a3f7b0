package bench

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"testing"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/evidence"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
)

// presignEvidence registers one DID per client and makes signed
// transactions recording count evidence hashes, spread over those DIDs, each
// hash with its signer's evidence signature: evidence.create transactions if
// per is 1, else evidence.batch transactions of per creates.
func presignEvidence(b *testing.B, n *node.Node, count, per int) []*chain.Tx {
	b.Helper()
	signers := make([]*keys.PrivateKey, clients)
	creates := make([]*chain.Tx, clients)
	for i := range signers {
		k, _ := keys.Generate(keys.Ed25519)
		d := did.WeidDID(n.ChainID, k.Public())
		tx, err := node.SignTx(n.ChainID, d+"#key-1", k, did.TxCreate, &did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()})
		if err != nil {
			b.Fatal(err)
		}
		signers[i], creates[i] = k, tx
	}
	submitAtOnce(n, creates)

	ntx := (count + per - 1) / per
	txs := make([]*chain.Tx, ntx)
	mustSpread(b, ntx, func(i int) error {
		k := signers[i%clients]
		vm := did.WeidDID(n.ChainID, k.Public()) + "#key-1"
		items := make([]evidence.BatchItem, 0, per)
		for j := i * per; j < (i+1)*per && j < count; j++ {
			var seed [8]byte
			binary.BigEndian.PutUint64(seed[:], uint64(j))
			sum := sha256.Sum256(seed[:])
			h := hex.EncodeToString(sum[:])
			sig, err := evidence.Sign(k, vm, h)
			if err != nil {
				return err
			}
			items = append(items, evidence.BatchItem{Op: evidence.OpCreate, Hash: h, Signer: vm, Signature: sig})
		}
		var err error
		if per == 1 {
			it := items[0]
			txs[i], err = node.SignTx(n.ChainID, vm, k, evidence.TxCreate, &evidence.CreatePayload{Hash: it.Hash, Signer: vm, Signature: it.Signature})
		} else {
			txs[i], err = node.SignTx(n.ChainID, vm, k, evidence.TxBatch, &evidence.BatchPayload{Items: items})
		}
		return err
	})
	return txs
}

// BenchmarkEvidenceCreate measures evidence creations (each with its
// evidence signature verified against the signer's DID document) with
// fsync on and group commit, 64 concurrent in-process writers, as
// BenchmarkDIDCreate does for DIDs: one evidence.create per transaction,
// and evidence.batch transactions of 16 creates (creations/s counts hashes).
func BenchmarkEvidenceCreate(b *testing.B) {
	for _, c := range []struct {
		name string
		per  int
	}{{"group-commit/in-process", 1}, {"group-commit/batch-16/in-process", 16}} {
		b.Run(c.name, func(b *testing.B) {
			n := openNode(b, chain.SoloConfig{})
			txs := presignEvidence(b, n, b.N, c.per)
			el := timeWriters(b, txs, func(tx *chain.Tx) error {
				_, _, err := n.SubmitChecked(context.Background(), tx, false)
				return err
			})
			b.ReportMetric(float64(b.N)/el.Seconds(), "creations/s")
		})
	}
}
