// Package crashtest kills a writer with SIGKILL in the middle of its
// writes, for the tests that check what a crash leaves on disk (kill -9:
// internal/durable's files, a wallet's creation), and lists what is left
// (Names). The writer is the test binary itself, run again as a child: the
// test, seeing its environment variable set, writes in a loop instead of
// testing. It is for tests only.
package crashtest

import (
	"bufio"
	"math/rand/v2"
	"os"
	"os/exec"
	"testing"
	"time"
)

// KillWriter runs the test binary again as a child running only the test
// named test, with the environment variable env set to value (the child's
// cue to write, in the directory value names), and kills it (SIGKILL) at a
// random moment within maxDelay after it printed its first line (its
// first complete write), so that kills land at different points of a
// write. It returns once the child is gone.
func KillWriter(t *testing.T, test, env, value string, maxDelay time.Duration) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	child := exec.Command(exe, "-test.run", "^"+test+"$")
	child.Env = append(os.Environ(), env+"="+value)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	bufio.NewScanner(out).Scan()
	time.Sleep(time.Duration(rand.Int64N(int64(maxDelay))))
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
}

// Names returns the names of what dir holds, sorted (os.ReadDir's order):
// for a test checking what a crash or a failed write left there.
func Names(t testing.TB, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}
