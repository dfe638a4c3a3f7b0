package bench

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
)

// clients is the number of concurrent writers, as in the target
// ("64 concurrent clients").
const clients = 64

func openNode(b *testing.B, solo chain.SoloConfig) *node.Node {
	b.Helper()
	n, err := node.Open(node.Config{DataDir: b.TempDir(), Solo: solo})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { n.Close() })
	return n
}

// presign makes count signed did.create transactions.
func presign(b *testing.B, chainID string, count int) []*chain.Tx {
	b.Helper()
	return presignType(b, chainID, count, keys.Ed25519)
}

// runWriters submits txs from `clients` goroutines to n and reports
// creations/s and the transactions per block.
func runWriters(b *testing.B, n *node.Node, txs []*chain.Tx, submit func(*chain.Tx) error) {
	h0 := n.Ledger.Head().Height
	el := timeWriters(b, txs, submit)
	b.ReportMetric(float64(len(txs))/el.Seconds(), "creations/s")
	b.ReportMetric(float64(len(txs))/float64(n.Ledger.Head().Height-h0), "txs/block")
}

// BenchmarkDIDCreate measures DID creations with fsync on: with group commit
// (the default), with one block and one fsync per transaction, and over HTTP.
func BenchmarkDIDCreate(b *testing.B) {
	b.Run("group-commit/in-process", func(b *testing.B) {
		n := openNode(b, chain.SoloConfig{})
		txs := presign(b, n.ChainID, b.N)
		runWriters(b, n, txs, submitInProcess(n))
	})
	b.Run("fsync-per-tx/in-process", func(b *testing.B) {
		n := openNode(b, chain.SoloConfig{MaxTxs: 1})
		txs := presign(b, n.ChainID, b.N)
		runWriters(b, n, txs, submitInProcess(n))
	})
	b.Run("group-commit/http", func(b *testing.B) {
		n := openNode(b, chain.SoloConfig{})
		addr, conns := serveRaw(b, n)
		txs := presign(b, n.ChainID, b.N)
		bodies := make(map[*chain.Tx][]byte, len(txs))
		for _, tx := range txs {
			bodies[tx], _ = json.Marshal(map[string]any{"tx": tx})
		}
		runWriters(b, n, txs, func(tx *chain.Tx) error {
			c := <-conns
			defer func() { conns <- c }()
			code, err := c.post(addr, "/v1/dids", bodies[tx])
			if err == nil && code != http.StatusCreated {
				err = &httpError{code}
			}
			return err
		})
	})
}

type httpError struct{ status int }

func (e *httpError) Error() string { return http.StatusText(e.status) }

// seed registers count DIDs and returns them.
func seed(b *testing.B, n *node.Node, count int) []string {
	b.Helper()
	txs := presign(b, n.ChainID, count)
	submitAtOnce(n, txs)
	dids := make([]string, count)
	for i, tx := range txs {
		dids[i] = tx.SignerDID()
	}
	return dids
}

// submitAtOnce submits txs to n all at once, from a goroutine each (the
// engine cuts them into blocks), and panics if one is refused.
func submitAtOnce(n *node.Node, txs []*chain.Tx) {
	var wg sync.WaitGroup
	for _, tx := range txs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := n.Submit(context.Background(), tx, false); err != nil {
				panic(err)
			}
		}()
	}
	wg.Wait()
}

// BenchmarkResolve measures did:weid resolution in-process and over HTTP on
// loopback (with 64 concurrent clients).
func BenchmarkResolve(b *testing.B) {
	b.Run("in-process", func(b *testing.B) {
		n := openNode(b, chain.SoloConfig{})
		dids := seed(b, n, 10000)
		var i atomic.Int64
		b.ResetTimer()
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				d := dids[int(i.Add(1))%len(dids)]
				if _, err := n.Resolver.Resolve(context.Background(), d, did.Options{}); err != nil {
					panic(err)
				}
			}
		})
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "resolutions/s")
	})
	b.Run("http", func(b *testing.B) {
		n := openNode(b, chain.SoloConfig{})
		dids := seed(b, n, 10000)
		addr, conns := serveRaw(b, n)
		resolveHTTP(b, addr, conns, dids, "")
	})
}
