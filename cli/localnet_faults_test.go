package cli

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/internal/eventually"
)

// lockedBuffer is a strings.Builder safe for a child's output and a test.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLocalnet_NodeFaults rehearses faults on "weid localnet start": a
// validator killed (SIGKILL) is reported and the other three keep
// committing; "localnet start NODE" brings it back and it catches up; a
// validator frozen (SIGSTOP) does not stop the chain and catches up when
// thawed; with two validators down and the observer up, a write is 503
// ledger.unavailable (an observer gives no voting power), and it commits
// again once they are back; "localnet stop NODE" stops one cleanly; Ctrl-C
// stops every node, the restarted ones included.
func TestLocalnet_NodeFaults(t *testing.T) {
	skipUnlessCluster(t)
	var reports lockedBuffer
	dir, sup, urls := startSupervisedLocalnet(t, &reports, 1) // node4 observes
	t.Cleanup(func() {
		if sup.ProcessState == nil {
			_ = sup.Process.Kill()
			_ = sup.Wait()
		}
		// Whatever a failure left running.
		homes, _ := localnetHomes(dir)
		for _, h := range homes {
			if pid, ok := nodePID(h); ok {
				_ = os.Remove(pidFile(h))
				p, _ := os.FindProcess(pid)
				_ = p.Kill()
			}
		}
		if t.Failed() {
			t.Logf("supervisor reports:\n%s", reports.String())
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	run := func(args ...string) string {
		t.Helper()
		out, err := runWithTimeout(weidCommand(append([]string{"localnet"}, append(args[:1:1], append([]string{"--dir", dir}, args[1:]...)...)...)...), 3*time.Minute)
		if err != nil {
			t.Fatalf("weid localnet %v: %v\n%s", args, err, out)
		}
		return out
	}
	resolves := func(url, d string) {
		t.Helper()
		eventually.Nil(t, "resolve "+d+" on "+url, time.Minute, func() error {
			_, err := client.New(url).Resolve(ctx, d, did.Options{})
			return err
		})
	}
	first := createFirstDID(t, ctx, client.New(urls[0]))

	// A validator crashes: reported, and the other three commit.
	run("kill", "node3")
	eventually.Nil(t, "the supervisor reports node3", 10*time.Second, func() error {
		if !strings.Contains(reports.String(), "node node3 exited (signal: killed); the others keep running") {
			return errString("not reported yet")
		}
		return nil
	})
	second := createDID(t, ctx, client.New(urls[1]))
	resolves(urls[2], second)
	// Started again, it catches up.
	if url := strings.TrimSpace(run("start", "3")); url != urls[3] {
		t.Fatalf("restarted node3 at %q, was %q", url, urls[3])
	}
	resolves(urls[3], second)
	resolves(urls[3], first)

	// A validator stalls: the chain goes on; thawed, it catches up.
	run("freeze", "node2")
	third := createDID(t, ctx, client.New(urls[0]))
	resolves(urls[3], third)
	run("thaw", "node2")
	resolves(urls[2], third)

	// Two of four validators down, the observer up: node0 reaches half the
	// voting power and refuses writes (503, after its 15 s wait), as
	// documented; back, they commit again.
	run("kill", "node2")
	// With node2 down, removing node3, which is up, would leave the
	// validators node0 reaches with 20 of 30: refused (gov.wouldHalt),
	// nothing removed; the chain would otherwise stop.
	id2, _, err := nodeIdentity(nil, filepath.Join(dir, "node2"))
	if err != nil {
		t.Fatal(err)
	}
	eventually.Nil(t, "node0 sees node2 gone", 30*time.Second, func() error {
		st, err := client.New(urls[0]).Status(ctx)
		if err != nil || st.Consensus == nil || slices.Contains(st.Consensus.Peers, id2) {
			return errString("node0 still has node2 as a peer")
		}
		return nil
	})
	admin, err := os.ReadFile(filepath.Join(dir, "node0", "admin.token"))
	if err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runChild(t, "validator", "remove", "--home", filepath.Join(dir, "node3"), "--node", urls[0], "--token", strings.TrimSpace(string(admin)))
	if code == 0 || !strings.Contains(stderr, "would stop committing") {
		t.Fatalf("validator remove node3 with node2 down: exit %d, %s; want it refused (gov.wouldHalt)", code, stderr)
	}
	if vs, err := client.New(urls[0]).Validators(ctx); err != nil || vs.Count != 4 {
		t.Fatalf("validators after the refused removal: %+v %v, want 4", vs, err)
	}
	run("kill", "node3")
	eventually.Nil(t, "node0 says it cannot commit", 30*time.Second, func() error {
		st, err := client.New(urls[0]).Status(ctx)
		if err != nil {
			return err
		}
		if st.Consensus == nil || st.Consensus.Ready {
			return errString("node0 still says it is ready")
		}
		return nil
	})
	_, tx := didCreateTx(t)
	var ce *client.Error
	if _, err := client.New(urls[0]).CreateDID(ctx, tx); !errors.As(err, &ce) || ce.Status != http.StatusServiceUnavailable || ce.Code != "ledger.unavailable" {
		t.Fatalf("write with two validators down and the observer up: %v, want 503 ledger.unavailable", err)
	}
	run("start", "2")
	run("start", "3")
	fourth := createFirstDID(t, ctx, client.New(urls[1]))
	resolves(urls[4], fourth)

	// One stopped cleanly; the supervisor still runs.
	run("stop", "node1")
	if _, ok := nodePID(filepath.Join(dir, "node1")); ok {
		t.Fatal("node1 still runs after stop")
	}
	if sup.ProcessState != nil {
		t.Fatal("the supervisor exited")
	}
	stopNode(t, sup)
	for _, u := range urls {
		if _, err := client.New(u).Status(ctx); err == nil {
			t.Fatalf("%s still answers after Ctrl-C", u)
		}
	}
	homes, _ := localnetHomes(dir)
	for _, h := range homes {
		if _, err := os.Stat(pidFile(h)); err == nil {
			t.Errorf("%s left behind", pidFile(h))
		}
	}
}
