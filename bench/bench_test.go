package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/server"
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
	txs := make([]*chain.Tx, count)
	var wg sync.WaitGroup
	per := (count + 1) / 2
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			for i := lo; i < hi && i < count; i++ {
				k, _ := keys.Generate(keys.Ed25519)
				d := did.WeidDID(chainID, k.Public())
				tx, err := node.SignTx(chainID, d+"#key-1", k, did.TxCreate, &did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()})
				if err != nil {
					panic(err)
				}
				txs[i] = tx
			}
		}(w*per, (w+1)*per)
	}
	wg.Wait()
	return txs
}

// runWriters submits txs from `clients` goroutines to n and reports
// creations/s and the transactions per block.
func runWriters(b *testing.B, n *node.Node, txs []*chain.Tx, submit func(*chain.Tx) error) {
	h0 := n.Ledger.Head().Height
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	b.ResetTimer()
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(txs) {
					return
				}
				if err := submit(txs[i]); err != nil {
					failed.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	b.StopTimer()
	if err := failed.Load(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(txs))/el.Seconds(), "creations/s")
	b.ReportMetric(float64(len(txs))/float64(n.Ledger.Head().Height-h0), "txs/block")
}

// BenchmarkDIDCreate measures DID creations with fsync on: with group commit
// (the default), with one block and one fsync per transaction, and over HTTP.
func BenchmarkDIDCreate(b *testing.B) {
	b.Run("group-commit/in-process", func(b *testing.B) {
		n := openNode(b, chain.SoloConfig{})
		txs := presign(b, n.ChainID, b.N)
		runWriters(b, n, txs, func(tx *chain.Tx) error { _, err := n.Submit(context.Background(), tx, false); return err })
	})
	b.Run("fsync-per-tx/in-process", func(b *testing.B) {
		n := openNode(b, chain.SoloConfig{MaxTxs: 1})
		txs := presign(b, n.ChainID, b.N)
		runWriters(b, n, txs, func(tx *chain.Tx) error { _, err := n.Submit(context.Background(), tx, false); return err })
	})
	b.Run("group-commit/http", func(b *testing.B) {
		n := openNode(b, chain.SoloConfig{})
		srv := httptest.NewServer(server.New(n, nil))
		defer srv.Close()
		addr := strings.TrimPrefix(srv.URL, "http://")
		txs := presign(b, n.ChainID, b.N)
		bodies := make(map[*chain.Tx][]byte, len(txs))
		for _, tx := range txs {
			bodies[tx], _ = json.Marshal(map[string]any{"tx": tx})
		}
		conns := make(chan *rawClient, clients)
		for i := 0; i < clients; i++ {
			c, err := dialRaw(addr)
			if err != nil {
				b.Fatal(err)
			}
			defer c.close()
			conns <- c
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
	dids := make([]string, count)
	var wg sync.WaitGroup
	for i, tx := range txs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := n.Submit(context.Background(), tx, false); err != nil {
				panic(err)
			}
		}()
		dids[i] = tx.SignerDID()
	}
	wg.Wait()
	return dids
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
		srv := httptest.NewServer(server.New(n, nil))
		defer srv.Close()
		addr := strings.TrimPrefix(srv.URL, "http://")
		conns := make(chan *rawClient, clients)
		for i := 0; i < clients; i++ {
			c, err := dialRaw(addr)
			if err != nil {
				b.Fatal(err)
			}
			defer c.close()
			conns <- c
		}
		var i atomic.Int64
		b.SetParallelism(clients / 2) // 2 cores × 32 = 64 clients
		b.ResetTimer()
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			c := <-conns
			defer func() { conns <- c }()
			for pb.Next() {
				d := dids[int(i.Add(1))%len(dids)]
				code, err := c.get(addr, "/1.0/identifiers/"+url.PathEscape(d))
				if err != nil || code != 200 {
					panic(fmt.Sprint(code, err))
				}
			}
		})
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "resolutions/s")
	})
}
