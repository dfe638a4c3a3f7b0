package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weidgo/weid/batch"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/internal/credtest"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/server"
)

// envInt is the positive integer in the environment variable name, or def
// when it is unset or not one.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// spread calls f(i) for every i from 0 to count-1, from workers goroutines
// each taking the next index in turn. A worker whose call fails stops; the
// others go on. It returns the first error.
func spread(workers, count int, f func(i int) error) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < count; i = int(next.Add(1)) - 1 {
				if err := f(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// mustSpread is spread on every core, for building a corpus: it fails b on
// the first error.
func mustSpread(b testing.TB, count int, f func(i int) error) {
	b.Helper()
	if err := spread(runtime.GOMAXPROCS(0), count, f); err != nil {
		b.Fatal(err)
	}
}

// chunks calls work(lo, hi) over [0, count) in slices of step, from one
// goroutine per core each taking the next slice in turn.
func chunks(count, step int, work func(lo, hi int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for lo := int(next.Add(int64(step))) - step; lo < count; lo = int(next.Add(int64(step))) - step {
				work(lo, min(lo+step, count))
			}
		}()
	}
	wg.Wait()
}

// timeWriters submits txs from clients goroutines with b's timer on, fails
// b if a submission failed, and returns the time it took.
func timeWriters[T any](b *testing.B, txs []T, submit func(T) error) time.Duration {
	b.ResetTimer()
	start := time.Now()
	err := spread(clients, len(txs), func(i int) error { return submit(txs[i]) })
	el := time.Since(start)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	return el
}

// resolveHTTP resolves dids in turn over HTTP, path suffix appended, from
// clients connections with b's timer on, and reports resolutions/s.
func resolveHTTP(b *testing.B, addr string, conns chan *rawClient, dids []string, suffix string) {
	var i atomic.Int64
	b.SetParallelism(clients / 2) // 2 cores × 32 = 64 clients
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		c := <-conns
		defer func() { conns <- c }()
		for pb.Next() {
			d := dids[int(i.Add(1))%len(dids)]
			code, err := c.get(addr, "/1.0/identifiers/"+url.PathEscape(d)+suffix)
			if err != nil || code != 200 {
				panic(fmt.Sprint(code, err))
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "resolutions/s")
}

// verifyBatchLoop verifies creds with batch.Run and credential.Batch (every
// named check) on all cores until b is done; each must verify.
func verifyBatchLoop(b *testing.B, v *credential.Verifier, creds []json.RawMessage) {
	bt := v.NewBatch(credential.Policy{})
	b.ReportAllocs()
	for b.Loop() {
		sum, err := batch.Run(context.Background(), bt, batch.NewSlice(creds), batch.Config{}, func(*batch.Result) error { return nil }, nil)
		if err != nil || !sum.AllVerified() {
			b.Fatalf("%+v %v", sum, err)
		}
	}
}

// didKeySigner is a new did:key issuer with a key of type kt.
func didKeySigner(b testing.TB, kt keys.Type) credential.Signer { return credtest.Issuer(b, kt) }

// serveRaw serves n's API on loopback until b ends and returns its address
// and a pool of clients raw connections to it (closed when b ends).
func serveRaw(b *testing.B, n *node.Node) (string, chan *rawClient) {
	b.Helper()
	srv := httptest.NewServer(server.New(n, nil))
	b.Cleanup(srv.Close)
	addr := strings.TrimPrefix(srv.URL, "http://")
	conns := make(chan *rawClient, clients)
	for range clients {
		c, err := dialRaw(addr)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(c.close)
		conns <- c
	}
	return addr, conns
}
