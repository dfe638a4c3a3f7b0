package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/util"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/internal/eventually"
	"github.com/weidgo/weid/node"
)

// faultLoad is a steady load of DID creations through the nodes marked up,
// as the clients of a consortium would send it while one member's node
// fails: each writer submits one signed creation at a time and follows it
// to a definite outcome — committed (200, or 202 then polled), or rejected
// with a problem — retrying the same signed transaction on another node
// when the one it used fails to answer (a crash, a freeze). A write with
// no definite outcome within faultWriteBound is stuck.
type faultLoad struct {
	t     *testing.T
	mu    sync.Mutex
	urls  []string
	up    []bool
	acked map[string]ackedWrite // tx hash → where the API said it committed
	// rejected counts writes refused with a problem that says the
	// transaction is not on the ledger (and will not be); pending counts
	// 202s resolved by polling, retries answers that did not come.
	rejected, pending, retries atomic.Int64
	stuck                      []string
	stop                       chan struct{}
	wg                         sync.WaitGroup
	next                       atomic.Int64
}

// ackedWrite is a write the API acknowledged as committed.
type ackedWrite struct {
	did    string
	height uint64
}

// faultWriteBound bounds a write's time to a definite outcome, retries
// included (a frozen node holds a request for faultRequestTimeout).
const (
	faultWriteBound     = 90 * time.Second
	faultRequestTimeout = 10 * time.Second
)

func newFaultLoad(t *testing.T, urls []string) *faultLoad {
	up := make([]bool, len(urls))
	for i := range up {
		up[i] = true
	}
	return &faultLoad{t: t, urls: append([]string(nil), urls...), up: up, acked: map[string]ackedWrite{}, stop: make(chan struct{})}
}

// setUp marks node i up at url, or down (url ""): writers stop choosing it
// for new requests.
func (f *faultLoad) setUp(i int, url string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.up[i] = url != ""
	if url != "" {
		f.urls[i] = url
	}
}

// pick returns the URL of an up node, round-robin, avoiding avoid.
func (f *faultLoad) pick(avoid string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range 2 * len(f.urls) {
		i := int(f.next.Add(1)) % len(f.urls)
		if f.up[i] && f.urls[i] != avoid {
			return f.urls[i]
		}
	}
	for i, u := range f.urls {
		if f.up[i] {
			return u
		}
	}
	return f.urls[0]
}

// ackedCount is the number of acknowledged writes so far.
func (f *faultLoad) ackedCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.acked)
}

// progress waits until n more writes are acknowledged: the consortium
// commits through the nodes that are up.
func (f *faultLoad) progress(what string, n int) {
	f.t.Helper()
	from := f.ackedCount()
	start := time.Now()
	eventually.Nil(f.t, what+": writes commit", 90*time.Second, func() error {
		if c := f.ackedCount(); c < from+n {
			return fmt.Errorf("%d of %d more writes acknowledged", c-from, n)
		}
		return nil
	})
	f.t.Logf("%s: %d writes acknowledged in %v", what, n, time.Since(start).Round(time.Millisecond))
}

// start runs n writers.
func (f *faultLoad) start(n int) {
	for range n {
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			for {
				select {
				case <-f.stop:
					return
				case <-time.After(100 * time.Millisecond):
				}
				f.write()
			}
		}()
	}
}

// finish stops the writers, each after its write has its outcome.
func (f *faultLoad) finish() {
	close(f.stop)
	f.wg.Wait()
}

// write creates one DID and follows it to a definite outcome.
func (f *faultLoad) write() {
	d, tx, err := newDIDTx("1")
	if err != nil {
		f.t.Error(err)
		return
	}
	hash := tx.Hash()
	start := time.Now()
	var last string // the node of the last attempt
	var why error
	for time.Since(start) < faultWriteBound {
		u := f.pick(last)
		last = u
		ctx, cancel := context.WithTimeout(context.Background(), faultRequestTimeout)
		r, err := client.New(u).CreateDID(ctx, tx)
		cancel()
		var ce *client.Error
		switch {
		case err == nil && r.Status == api.StatusCommitted:
			f.ack(hash, d, r.Height)
			return
		case err == nil && r.Status == api.StatusPending:
			// 202: the wait bound passed; poll the hash.
			f.pending.Add(1)
			switch f.follow(hash, d, start) {
			case api.StatusCommitted:
				return
			case "rejected":
				f.rejected.Add(1)
				return
			}
			why = errors.New("202, then no outcome")
		case errors.As(err, &ce) && ce.Status == http.StatusServiceUnavailable:
			// Refused for now (not ready, busy, dropped): not written;
			// the same transaction goes to another node.
			why = err
			f.retries.Add(1)
			time.Sleep(200 * time.Millisecond)
		case errors.As(err, &ce) && ce.Status/100 == 4:
			// Refused. After an answer that never came, "already
			// exists" or "nonce used" means an earlier attempt was
			// committed: ask for it.
			if (ce.Code == "did.exists" || ce.Code == "tx.replay") && f.follow(hash, d, start) == api.StatusCommitted {
				return
			}
			f.rejected.Add(1)
			f.t.Logf("write %s rejected: %v", hash, err)
			return
		default:
			// No answer (a crashed or frozen node): the transaction may
			// or may not be in some mempool; the same signed
			// transaction again, on another node, settles it.
			why = err
			f.retries.Add(1)
		}
	}
	f.mu.Lock()
	f.stuck = append(f.stuck, fmt.Sprintf("%s (%s): no definite outcome in %v: %v", hash, d, faultWriteBound, why))
	f.mu.Unlock()
}

// follow polls hash on the up nodes until it is committed (acked) or
// rejected, and returns that status, or "" once the write's bound passed.
func (f *faultLoad) follow(hash, d string, start time.Time) string {
	for time.Since(start) < faultWriteBound {
		ctx, cancel := context.WithTimeout(context.Background(), faultRequestTimeout)
		r, err := client.New(f.pick("")).Tx(ctx, hash)
		cancel()
		if err == nil {
			switch r.Status {
			case api.StatusCommitted:
				f.ack(hash, d, r.Header.Height)
				return r.Status
			case "rejected":
				return r.Status
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return ""
}

func (f *faultLoad) ack(hash, d string, height uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.acked[hash] = ackedWrite{d, height}
}

// TestCluster_Faults rehearses the faults of issue 17 on one real
// 4-validator network on loopback, each node its own process, under a
// steady load of DID creations through the nodes that are up:
//
//   - a validator crashed (SIGKILL) and restarted: it catches up;
//   - a validator frozen (SIGSTOP) and thawed (SIGCONT): it catches up;
//   - a validator whose data directory was altered while it was stopped
//     (a state value; a block; CometBFT's data/ put back from an older
//     copy, the ledger not): it refuses to start, naming the divergent
//     height; restored from a good copy, it catches up;
//   - a validator removed from the set by governance (through a surviving
//     node) while it was stopped: restarted, it catches up as an observer
//     with no voting power, and the chain goes on with three validators.
//
// Throughout, writes go on through the surviving nodes. At the end: no
// writer is stuck, no acknowledged write is lost (each is committed, at
// the height its acknowledgement named, on every node), and all nodes have
// the same block and app hash at the final height.
func TestCluster_Faults(t *testing.T) {
	skipUnlessCluster(t)
	// A short commit wait, so that writes held up by a fault take the
	// 202-then-poll path too.
	wait := []string{"--commit-wait", "2s"}
	ln := startLocalnet(t, wait...)
	home, urls, cmds, cl := ln.Home, ln.URLs, ln.Cmds, ln.Client
	flags := append(wait, clusterFlags...)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	createFirstDID(t, ctx, cl(0))
	load := newFaultLoad(t, urls)
	load.start(3)
	stopped := false
	defer func() {
		if !stopped {
			load.finish()
		}
	}()
	load.progress("all four up", 5)

	// restart starts node i again and waits until it has caught up with
	// node from.
	restart := func(i, from int) {
		t.Helper()
		urls[i], cmds[i] = startNode(t, home(i), flags...)
		start := time.Now()
		h := catchUp(t, ctx, cl(from), cl(i), "node"+itoa(i), 90*time.Second)
		t.Logf("node%d caught up to height %d in %v", i, h, time.Since(start).Round(time.Millisecond))
	}

	// 1. Crash and restart.
	load.setUp(3, "")
	if err := cmds[3].Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmds[3].Wait()
	load.progress("node3 crashed", 10)
	restart(3, 0)
	load.setUp(3, urls[3])

	// 2. Freeze and thaw.
	load.setUp(2, "")
	if err := syscall.Kill(cmds[2].Process.Pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	load.progress("node2 frozen", 10)
	if err := syscall.Kill(cmds[2].Process.Pid, syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	catchUp(t, ctx, cl(0), cl(2), "node2 after the thaw", 90*time.Second)
	load.setUp(2, urls[2])

	// 3. Altered data directory: a state value, then a block.
	load.setUp(1, "")
	stopNode(t, cmds[1])
	backup := filepath.Join(t.TempDir(), "node1")
	copyDir(t, home(1), backup)
	load.progress("node1 stopped", 5)
	tamper(t, filepath.Join(home(1), "ledger"), "s/did/version/")
	refused(t, home(1), "the state was altered")
	restoreDir(t, backup, home(1))
	h := tamperHeadBlock(t, filepath.Join(home(1), "ledger"))
	refused(t, home(1), fmt.Sprintf("(weid block %d)", h))
	restoreDir(t, backup, home(1))
	restart(1, 0)
	load.setUp(1, urls[1])
	// A partial restore: CometBFT's data/ (its blocks, state and signing
	// state) from the older copy, the ledger not, which is now ahead.
	load.setUp(1, "")
	stopNode(t, cmds[1])
	current := filepath.Join(t.TempDir(), "node1")
	copyDir(t, home(1), current)
	restoreDir(t, filepath.Join(backup, "data"), filepath.Join(home(1), "data"))
	refused(t, home(1), "CometBFT's block store ends at height")
	// The gate an operator runs by hand says the same.
	if out, err := runWithTimeout(weidCommand("ledger", "verify", "--data", home(1)), time.Minute); err == nil || !strings.Contains(out, "ledger verification FAILED") || !strings.Contains(out, "CometBFT's block store ends at height") {
		t.Fatalf("weid ledger verify --data on a partial restore: %v\n%s", err, out)
	}
	restoreDir(t, current, home(1))
	restart(1, 0)
	load.setUp(1, urls[1])

	// 4. Removed by governance while down.
	load.setUp(3, "")
	stopNode(t, cmds[3])
	token, err := os.ReadFile(filepath.Join(home(0), node.TokenFile))
	if err != nil {
		t.Fatal(err)
	}
	out, err := weidCommand("validator", "remove", "--home", home(3), "--node", urls[0], "--token", strings.TrimSpace(string(token))).CombinedOutput()
	if err != nil {
		t.Fatalf("validator remove: %v\n%s", err, out)
	}
	load.progress("node3 removed while down", 10)
	restart(3, 0)
	eventually.Nil(t, "three validators, node3 an observer", 60*time.Second, func() error {
		for i := range 4 {
			s, err := cl(i).Status(ctx)
			if err != nil {
				return err
			}
			if c := s.Consensus; c == nil || c.Validators != 3 || i == 3 && c.VotingPower != 0 {
				return fmt.Errorf("node%d's consensus: %+v", i, c)
			}
		}
		return nil
	})
	// It reads, and the network commits as before.
	load.progress("node3 back as an observer", 10)
	// Writes through the observer reach the validators too.
	load.setUp(3, urls[3])
	load.progress("writes through the observer as well", 5)

	load.finish()
	stopped = true
	checkFaultOutcomes(t, ctx, load, urls)
}

// checkFaultOutcomes checks the end of TestCluster_Faults: no writer
// stuck, every acknowledged write committed at its height on every node,
// and every node with the same block and app hash at the final height.
func checkFaultOutcomes(t *testing.T, ctx context.Context, load *faultLoad, urls []string) {
	t.Helper()
	t.Logf("%d writes acknowledged, %d rejected, %d resolved after a 202, %d retried on another node",
		len(load.acked), load.rejected.Load(), load.pending.Load(), load.retries.Load())
	if len(load.stuck) > 0 {
		t.Fatalf("%d stuck writes:\n%s", len(load.stuck), strings.Join(load.stuck, "\n"))
	}
	var head uint64
	for _, u := range urls {
		s, err := client.New(u).Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		head = max(head, s.Height)
	}
	eventually.Nil(t, "every node at the final height", 60*time.Second, func() error {
		for i, u := range urls {
			if s, err := client.New(u).Status(ctx); err != nil || s.Height < head {
				return fmt.Errorf("node%d lags (%v)", i, err)
			}
		}
		return nil
	})
	b0, err := client.New(urls[0]).Block(ctx, head)
	if err != nil {
		t.Fatal(err)
	}
	for i, u := range urls[1:] {
		b, err := client.New(u).Block(ctx, head)
		if err != nil {
			t.Fatal(err)
		}
		if b.Hash != b0.Hash || b.Header.AppHash != b0.Header.AppHash {
			t.Fatalf("height %d: node%d has block %s app hash %s, node0 %s %s", head, i+1, b.Hash, b.Header.AppHash, b0.Hash, b0.Header.AppHash)
		}
	}
	for hash, w := range load.acked {
		for i, u := range urls {
			r, err := client.New(u).Tx(ctx, hash)
			if err != nil || r.Status != api.StatusCommitted || r.Header.Height != w.height {
				t.Fatalf("acknowledged write %s (%s, height %d) on node%d: %v %+v", hash, w.did, w.height, i, err, r)
			}
		}
	}
	t.Logf("all %d acknowledged writes committed on all four nodes; final height %d, app hash %s", len(load.acked), head, b0.Header.AppHash)
}

// refused starts the node of home and checks that it exits with an error
// containing want instead of serving.
func refused(t *testing.T, home, want string) {
	t.Helper()
	out, err := runWithTimeout(weidCommand("node", "start", "--engine", "cometbft", "--home", home, "--listen", "127.0.0.1:0"), time.Minute)
	if err == nil || !strings.Contains(out, "refusing to serve") || !strings.Contains(out, want) {
		t.Fatalf("a node with an altered data directory started or failed otherwise (want %q): %v\n%s", want, err, out)
	}
	t.Logf("refused as it should: %s", lastLine(out))
}

func lastLine(s string) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	return l[len(l)-1]
}

// tamperHeadBlock changes the time in the header of the last weid block in
// ledgerDir (keeping its hash and signature) and returns its height.
func tamperHeadBlock(t *testing.T, ledgerDir string) uint64 {
	t.Helper()
	db, err := leveldb.OpenFile(ledgerDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	it := db.NewIterator(util.BytesPrefix([]byte("b/")), nil) // "b/" + big-endian height
	defer it.Release()
	if !it.Last() {
		t.Fatal("no blocks")
	}
	var key, raw []byte
	key, raw = append([]byte(nil), it.Key()...), append([]byte(nil), it.Value()...)
	var b chain.Block
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	b.Header.Time = "2000-01-01T00:00:00Z"
	raw, _ = json.Marshal(&b)
	if err := db.Put(key, raw, nil); err != nil {
		t.Fatal(err)
	}
	return b.Header.Height
}

// copyDir copies a stopped node's home (cp -a: modes and all).
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if out, err := exec.Command("cp", "-a", from, to).CombinedOutput(); err != nil {
		t.Fatalf("cp -a %s %s: %v\n%s", from, to, err, out)
	}
}

// restoreDir replaces home with a copy of backup.
func restoreDir(t *testing.T, backup, home string) {
	t.Helper()
	if err := os.RemoveAll(home); err != nil {
		t.Fatal(err)
	}
	copyDir(t, backup, home)
}
