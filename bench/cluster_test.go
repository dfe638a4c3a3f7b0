package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/chain/cometbft"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/node"
)

// clusterClients is the number of concurrent writers against a CometBFT
// consortium: each waits for its block (a timeout_commit of 100 ms plus the
// block's own time), so the throughput is about clusterClients divided by
// the commit latency.
const clusterClients = 2048

// minClusterOps is the fewest creations a cluster run measures.
const minClusterOps = 20_000

// startCluster starts a consortium of n validators, each a full weid node
// (ledger, keystore, CometBFT) in this process, as weid localnet writes them.
func startCluster(b testing.TB, n int) []*node.Node {
	b.Helper()
	dir := b.TempDir()
	homes := make([]string, n)
	for i := range homes {
		homes[i] = filepath.Join(dir, fmt.Sprintf("node%d", i))
	}
	if _, _, err := node.InitConsortium(node.ConsortiumConfig{Homes: homes, Validators: n, TimeoutCommit: cometbft.DefaultTimeoutCommit}); err != nil {
		b.Fatal(err)
	}
	nodes := make([]*node.Node, n)
	for i, h := range homes {
		nd, err := node.Open(node.Config{DataDir: h, Engine: "cometbft", CometLogLevel: benchCometLog()})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { nd.Close() })
		nodes[i] = nd
	}
	// Wait until every node can commit (Engine.Ready): the validators have
	// found each other.
	deadline := time.Now().Add(time.Minute)
	for _, nd := range nodes {
		for {
			ok, why := nd.Engine.(*cometbft.Engine).Ready()
			if ok {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("the consortium is not ready after a minute: %s", why)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return nodes
}

// BenchmarkCluster measures DID creations on a CometBFT consortium of 1 and
// 4 validators on this machine (in one process, sharing its cores), with
// timeout_commit 100 ms: pre-signed did.create transactions submitted from
// clusterClients goroutines, spread over the validators, each waiting until
// the node it submitted to has committed the transaction's block. It
// reports creations/s and the commit latency (submission to commit on that
// node) at the 50th and 99th percentiles; then, as light-p50, the median
// commit latency of lightClients writers, and the latencies when the
// issue's target rate (8,000/s for 1 validator, 1,500/s for 4) is offered
// open-loop for pacedSeconds.
func BenchmarkCluster(b *testing.B) {
	if testing.Short() {
		b.Skip("starts CometBFT consortiums: not in -short")
	}
	for _, n := range []int{1, 4} {
		b.Run(fmt.Sprintf("validators=%d", n), func(b *testing.B) {
			// A consortium under clusterClients writers needs a few blocks
			// to reach its steady state: a shorter run would measure the
			// ramp. Fewer creations than minClusterOps are run as that
			// many (ns/op reported per creation); a run that long exceeds
			// -benchtime 3s, so it is the only one.
			ops := max(b.N, minClusterOps)
			nodes := startCluster(b, n)
			txs := presign(b, nodes[0].ChainID, ops+lightTxs)
			b.ResetTimer()
			lat, el := submitAll(b, nodes, txs[:ops], clusterClients)
			b.StopTimer()
			b.ReportMetric(float64(el.Nanoseconds())/float64(ops), "ns/op")
			b.ReportMetric(float64(ops)/el.Seconds(), "creations/s")
			b.ReportMetric(percentile(lat, 0.50), "p50-ms")
			b.ReportMetric(percentile(lat, 0.99), "p99-ms")
			// The latency of a lightly loaded consortium: a few writers.
			light, _ := submitAll(b, nodes, txs[ops:], lightClients)
			b.ReportMetric(percentile(light, 0.50), "light-p50-ms")
			// The latency at the target rate, offered open-loop.
			rate := targetRate[n]
			paced := presign(b, nodes[0].ChainID, rate*pacedSeconds)
			lat, el = submitPaced(b, nodes, paced, rate)
			b.ReportMetric(float64(len(lat))/el.Seconds(), "target-rate-achieved/s")
			b.ReportMetric(float64(len(paced)-len(lat)), "target-rate-shed")
			b.ReportMetric(percentile(lat, 0.50), "target-rate-p50-ms")
			b.ReportMetric(percentile(lat, 0.99), "target-rate-p99-ms")
		})
	}
}

// targetRate is the throughput target per consortium size, which
// submitPaced offers for pacedSeconds to measure the commit latency at it.
var targetRate = map[int]int{1: 8000, 4: 1500}

const pacedSeconds = 8

// submitPaced submits txs open-loop at rate per second, spread over nodes,
// each in its own goroutine, whether or not earlier ones have committed; a
// transaction's latency counts from when it was due, so a consortium that
// falls behind the rate shows it in its latencies (no coordinated
// omission). It returns the latencies, sorted, and the time until the last
// commit.
func submitPaced(b *testing.B, nodes []*node.Node, txs []*chain.Tx, rate int) ([]time.Duration, time.Duration) {
	run := newSubmissions(len(txs))
	for i, tx := range txs {
		due := run.start.Add(time.Duration(i) * time.Second / time.Duration(rate))
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		run.wg.Add(1)
		go func() {
			defer run.wg.Done()
			run.submit(nodes[i%len(nodes)], i, tx, due)
		}()
	}
	return run.wait(b)
}

// lightClients writers submit lightTxs transactions to measure the commit
// latency of a lightly loaded consortium.
const (
	lightClients = 16
	lightTxs     = 160
)

// submitAll submits txs from clients goroutines spread over nodes, each
// waiting for its transaction to commit on the node it submitted to, and
// returns each transaction's commit latency, sorted, and the elapsed time.
func submitAll(b *testing.B, nodes []*node.Node, txs []*chain.Tx, clients int) ([]time.Duration, time.Duration) {
	run := newSubmissions(len(txs))
	var next atomic.Int64
	for c := range clients {
		run.wg.Add(1)
		go func() {
			defer run.wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(txs) || !run.submit(nodes[c%len(nodes)], i, txs[i], time.Now()) {
					return
				}
			}
		}()
	}
	return run.wait(b)
}

// submissions records the commit latencies of one run's transactions.
// A transaction the node refused because its mempool was full (503
// ledger.busy: a consortium offered more than it commits sheds load) or
// dropped from its mempool uncommitted (503 tx.dropped) has no latency; a
// submission whose wait bound passed (*chain.PendingError) is followed by
// polling its hash until it is committed or rejected; one that has no
// definite outcome within stuckAfter is stuck, and any stuck or otherwise
// failed submission fails the run with what happened.
type submissions struct {
	lat    []time.Duration
	shed   atomic.Int64
	stuck  atomic.Int64
	failed atomic.Value
	wg     sync.WaitGroup
	start  time.Time
}

// stuckAfter bounds how long a submission may stay without a definite
// outcome (the bug: submitters blocked for 22 minutes).
const stuckAfter = 2 * time.Minute

func newSubmissions(n int) *submissions {
	return &submissions{lat: make([]time.Duration, n), start: time.Now()}
}

// submit submits tx, the run's i-th, to nd and records the time from since
// until it committed there; false if it failed.
func (s *submissions) submit(nd *node.Node, i int, tx *chain.Tx, since time.Time) bool {
	_, err := nd.Submit(context.Background(), tx, false)
	var pending *chain.PendingError
	if errors.As(err, &pending) {
		err = followTx(nd, pending.Hash, since, &s.stuck)
	}
	switch errs.Code(err) {
	case "":
		s.lat[i] = time.Since(since)
		return true
	case "ledger.busy", "tx.dropped":
		s.lat[i] = -1
		s.shed.Add(1)
		return true
	}
	s.failed.Store(err)
	return false
}

// wait waits for the run's submissions and returns the latencies of those
// that committed, sorted, and the time since the run started; a failed or
// stuck submission fails b, and so does a run whose submitters are still
// waiting 10 minutes past stuckAfter, with what is known rather than a
// hang.
func (s *submissions) wait(b *testing.B) ([]time.Duration, time.Duration) {
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(stuckAfter + 10*time.Minute):
		b.Fatalf("submitters still waiting %v after the run started (%d stuck so far): the engine lost track of a write", time.Since(s.start).Round(time.Second), s.stuck.Load())
	}
	el := time.Since(s.start)
	if n := s.stuck.Load(); n > 0 {
		b.Fatalf("%d stuck submitters (no definite outcome within %v): %v", n, stuckAfter, s.failed.Load())
	}
	if err := s.failed.Load(); err != nil {
		b.Fatal(err)
	}
	lat := slices.DeleteFunc(s.lat, func(d time.Duration) bool { return d < 0 })
	slices.Sort(lat)
	return lat, el
}

// percentile returns the p-th percentile of sorted latencies in ms.
func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return float64(sorted[int(p*float64(len(sorted)-1))]) / float64(time.Millisecond)
}

var _ chain.Engine = (*cometbft.Engine)(nil)

// benchCometLog is CometBFT's log level in the cluster benchmark:
// WEID_BENCH_COMET_LOG (default none).
func benchCometLog() string {
	if l := os.Getenv("WEID_BENCH_COMET_LOG"); l != "" {
		return l
	}
	return "none"
}
