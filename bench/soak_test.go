package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
)

// soakMaxInFlight bounds the soak's submissions waiting at once (as many
// as BenchmarkCluster's writers): a consortium that falls behind the
// offered rate sheds the excess at the client (counted as backlog) rather
// than grow this process without bound.
const soakMaxInFlight = 2048

// soakReports is how many interval rows a soak prints.
const soakReports = 10

// TestSoak offers DID creations open-loop at the target rate to a
// 4-validator CometBFT consortium (in this process, as BenchmarkCluster) for
// WEID_SOAK (a duration: make soak, 10m by default, SOAK=2m to shorten),
// and reports, per interval and overall, the throughput, the p50/p99
// commit latency (from when a creation was due, so falling behind shows),
// the load shed (mempool full, dropped, client backlog) and the process's
// RSS (and Go heap); it fails if any submitter is stuck (no definite outcome within
// stuckAfter) or any write fails otherwise. WEID_SOAK_RATE overrides the
// rate, WEID_SOAK_VALIDATORS the consortium's size; WEID_SOAK_HEAPPROFILE=FILE
// writes a heap profile at the end, while the nodes still run.
func TestSoak(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("WEID_SOAK"))
	if err != nil || d <= 0 {
		t.Skip("a soak: run with WEID_SOAK=10m (make soak, SOAK=2m to shorten)")
	}
	validators := envInt("WEID_SOAK_VALIDATORS", 4)
	rate := envInt("WEID_SOAK_RATE", targetRate[4])
	nodes := startCluster(t, validators)
	chainID := nodes[0].ChainID
	t.Logf("soak: %d validators, %d creations/s offered for %v", validators, rate, d)

	var (
		mu       sync.Mutex
		interval []time.Duration // latencies of commits in the current interval
		all      []time.Duration
		inFlight atomic.Int64
		shed     atomic.Int64 // ledger.busy, tx.dropped
		backlog  atomic.Int64 // not submitted: soakMaxInFlight waiting already
		stuck    atomic.Int64
		failed   atomic.Value
		wg       sync.WaitGroup
	)
	record := func(l time.Duration) {
		mu.Lock()
		interval = append(interval, l)
		mu.Unlock()
	}
	submit := func(nd *node.Node, due time.Time) {
		defer wg.Done()
		defer inFlight.Add(-1)
		k, _ := keys.Generate(keys.Ed25519)
		dd := did.WeidDID(chainID, k.Public())
		tx, err := node.SignTx(chainID, dd+"#key-1", k, did.TxCreate, &did.CreatePayload{DID: dd, PublicKeyMultibase: k.Public().Multibase()})
		if err != nil {
			failed.Store(err)
			return
		}
		_, err = nd.Submit(context.Background(), tx, false)
		var pending *chain.PendingError
		if errors.As(err, &pending) {
			err = followTx(nd, pending.Hash, due, &stuck)
		}
		switch errs.Code(err) {
		case "":
			record(time.Since(due))
		case "ledger.busy", "tx.dropped":
			shed.Add(1)
		default:
			failed.Store(err)
		}
	}

	start := time.Now()
	every := d / soakReports
	nextReport := start.Add(every)
	var offered, lastShed, lastBacklog int64
	lastReport := start
	t.Logf("%8s %10s %10s %9s %9s %8s %8s %9s %9s", "elapsed", "offered/s", "commits/s", "p50-ms", "p99-ms", "shed", "backlog", "rss-MiB", "heap-MiB")
	for i := 0; ; i++ {
		due := start.Add(time.Duration(i) * time.Second / time.Duration(rate))
		if due.Sub(start) >= d {
			break
		}
		if w := time.Until(due); w > 0 {
			time.Sleep(w)
		}
		offered++
		if inFlight.Load() >= soakMaxInFlight {
			backlog.Add(1)
		} else {
			inFlight.Add(1)
			wg.Add(1)
			go submit(nodes[i%len(nodes)], due)
		}
		if now := time.Now(); !now.Before(nextReport) {
			mu.Lock()
			lat := interval
			interval = nil
			all = append(all, lat...)
			mu.Unlock()
			slices.Sort(lat)
			sec := now.Sub(lastReport).Seconds()
			lastReport = now
			s, b := shed.Load(), backlog.Load()
			t.Logf("%8v %10.0f %10.0f %9.1f %9.1f %8d %8d %9.0f %9.0f", now.Sub(start).Round(time.Second), float64(offered)/sec, float64(len(lat))/sec,
				percentile(lat, 0.50), percentile(lat, 0.99), s-lastShed, b-lastBacklog, rssMiB(), heapMiB())
			offered, lastShed, lastBacklog = 0, s, b
			nextReport = now.Add(every)
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(stuckAfter + time.Minute):
		t.Fatalf("%d submitters still waiting %v after the last was offered: stuck", inFlight.Load(), stuckAfter+time.Minute)
	}
	el := time.Since(start)
	mu.Lock()
	all = append(all, interval...)
	mu.Unlock()
	slices.Sort(all)
	t.Logf("soak: %v, %d committed (%.0f/s), p50 %.1f ms, p99 %.1f ms, %d shed by the nodes, %d by the client's backlog, %d stuck submitters, RSS %.0f MiB",
		el.Round(time.Second), len(all), float64(len(all))/el.Seconds(), percentile(all, 0.50), percentile(all, 0.99), shed.Load(), backlog.Load(), stuck.Load(), rssMiB())
	if path := os.Getenv("WEID_SOAK_HEAPPROFILE"); path != "" {
		writeHeapProfile(t, path) // while the nodes still run
	}
	if n := stuck.Load(); n > 0 {
		t.Fatalf("%d stuck submitters", n)
	}
	if err := failed.Load(); err != nil {
		t.Fatal(err)
	}
}

// followTx polls hash on nd until it is committed (nil) or rejected (its
// error), counting it stuck if stuckAfter passes since due.
func followTx(nd *node.Node, hash string, due time.Time, stuck *atomic.Int64) error {
	for time.Since(due) < stuckAfter {
		st, err := nd.Tx(hash)
		if err != nil {
			return err
		}
		switch st.Status {
		case "committed":
			return nil
		case "rejected":
			return st.Err
		}
		time.Sleep(20 * time.Millisecond)
	}
	stuck.Add(1)
	return fmt.Errorf("transaction %s has no definite outcome %v after it was due: a stuck submitter", hash, stuckAfter)
}

// writeHeapProfile writes the in-use heap, after a collection, to path.
func writeHeapProfile(t *testing.T, path string) {
	runtime.GC()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		t.Fatal(err)
	}
}

// heapMiB is the Go heap in use (live and not yet collected objects): RSS
// growing with it is memory the nodes hold; RSS growing alone is the
// runtime or goleveldb's caches.
func heapMiB() float64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapInuse) / (1 << 20)
}

// rssMiB is this process's resident set size (Linux; 0 elsewhere).
func rssMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range bytes.Split(b, []byte("\n")) {
		if v, ok := bytes.CutPrefix(l, []byte("VmRSS:")); ok {
			kb, _ := strconv.Atoi(string(bytes.Fields(v)[0]))
			return float64(kb) / 1024
		}
	}
	return 0
}
