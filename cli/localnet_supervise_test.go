package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/weidgo/weid/chain/cometbft"
)

// TestLocalnetSupervisor_StopsNodesJoinedLater: Ctrl-C on "weid localnet
// start" stops every node of the localnet, also one that "weid localnet
// join" added and started after the supervisor began (it knew only the
// homes it started with, so the late node ran on). Fake node processes:
// the supervisor's business is processes, not chains.
func TestLocalnetSupervisor_StopsNodesJoinedLater(t *testing.T) {
	t.Setenv(fakeNodeEnv, "1")
	dir := t.TempDir()
	fakeHome := func(name string) string {
		h := filepath.Join(dir, name)
		if err := os.MkdirAll(h, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(h, cometbft.SettingsFile), []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
		abs, _ := filepath.Abs(h)
		return abs
	}
	node0 := fakeHome("node0")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := &cobra.Command{}
	cmd.SetContext(ctx)
	var out, report bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&report)
	done := make(chan error, 1)
	go func() { done <- superviseLocalnet(cmd, dir, []string{node0}, os.Args[0], "info") }()
	waitFor(t, func() bool { _, ok := nodePID(node0); return ok }, "node0 running")

	node1 := fakeHome("node1") // as "weid localnet join" writes and starts it
	_, p, err := startChild(os.Args[0], node1, "info", nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = p.Process.Release()
	time.Sleep(1500 * time.Millisecond) // a supervisor tick
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the supervisor did not return after Ctrl-C")
	}
	if pid, ok := nodePID(node1); ok {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		t.Fatalf("node1, joined after the supervisor started, still runs (pid %d) after Ctrl-C; report:\n%s", pid, report.String())
	}
	if !strings.Contains(report.String(), "node1 joined") {
		t.Errorf("the supervisor did not report the joined node:\n%s", report.String())
	}
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestLocalnetSupervisor_StopsAChildWhoseHomeMoved: Ctrl-C stops the
// supervisor's own children by their process, so one whose home was moved
// out of DIR (its node.pid with it) is stopped too, and the supervisor
// does not wait for it forever (review).
func TestLocalnetSupervisor_StopsAChildWhoseHomeMoved(t *testing.T) {
	t.Setenv(fakeNodeEnv, "1")
	dir := t.TempDir()
	var homes []string
	for _, name := range []string{"node0", "node1"} {
		h := filepath.Join(dir, name)
		if err := os.MkdirAll(h, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(h, cometbft.SettingsFile), []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
		homes = append(homes, h)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := &cobra.Command{}
	cmd.SetContext(ctx)
	var urls lockedBuffer
	cmd.SetOut(&urls)
	cmd.SetErr(&bytes.Buffer{})
	done := make(chan error, 1)
	go func() { done <- superviseLocalnet(cmd, dir, homes, os.Args[0], "info") }()
	waitFor(t, func() bool { return strings.Count(urls.String(), "\n") == 2 }, "both nodes started")
	pid, _ := nodePID(homes[1])
	moved := filepath.Join(t.TempDir(), "node1")
	if err := os.Rename(homes[1], moved); err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(45 * time.Second):
		_ = syscall.Kill(pid, syscall.SIGKILL)
		t.Fatal("the supervisor did not return after Ctrl-C: it waits for the child whose home moved")
	}
	if processAlive(pid) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		t.Fatalf("the child whose home moved still runs (pid %d)", pid)
	}
}

// TestLocalnetSupervisor_ReapedChildsPIDNotSignalled: a child that exited
// and was reaped just before Ctrl-C is not signalled by its pid, which the
// system may have given to an unrelated process (here, its Pid names a
// live "sleep", as a reused pid would); the supervisor does not wait for
// that process either (review).
func TestLocalnetSupervisor_ReapedChildsPIDNotSignalled(t *testing.T) {
	unrelated := exec.Command("sleep", "60")
	if err := unrelated.Start(); err != nil {
		t.Skipf("no sleep command to stand for an unrelated process: %v", err)
	}
	t.Cleanup(func() { _ = unrelated.Process.Kill(); _ = unrelated.Wait() })

	reaped := exec.Command("sleep", "0")
	if err := reaped.Run(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	close(done)
	reaped.Process.Pid = unrelated.Process.Pid // the pid reused
	own := map[string]ownNode{t.TempDir(): {proc: reaped.Process, done: done}}

	start := time.Now()
	stopLocalnetNodes(nil, own, &sync.WaitGroup{})
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("stopping a reaped child took %v", d)
	}
	if !processAlive(unrelated.Process.Pid) {
		t.Fatal("the unrelated process given the reaped child's pid was signalled")
	}
}
