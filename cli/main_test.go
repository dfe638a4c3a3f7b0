package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// mainEnv makes the test binary act as the weid command: a child started as
// exec.Command(os.Args[0], "node", "start", ...) with WEID_TEST_MAIN=1 runs
// the CLI instead of the tests, so the tests can run, signal and SIGKILL a
// real node process without building cmd/weid.
const mainEnv = "WEID_TEST_MAIN"

// fakeNodeEnv makes the test binary act as a node that does nothing: it
// prints the "listening on" line a node prints and runs until SIGINT or
// SIGTERM, for tests of the localnet supervisor that need node processes,
// not nodes.
const fakeNodeEnv = "WEID_TEST_FAKE_NODE"

func fakeNode() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	fmt.Println("weid node listening on http://127.0.0.1:1")
	<-stop
	os.Exit(0)
}

func TestMain(m *testing.M) {
	if os.Getenv(mainEnv) == "1" {
		os.Exit(Main(context.Background(), os.Args[1:]))
	}
	if os.Getenv(fakeNodeEnv) == "1" {
		fakeNode()
	}
	os.Exit(m.Run())
}

// nodeStartTimeout bounds how long a child node may take to print its
// "listening on" line (the race detector makes the genesis slow).
const nodeStartTimeout = 30 * time.Second

var childSeq atomic.Int64

// weidCommand returns the test binary set up to run the weid CLI with args.
func weidCommand(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), mainEnv+"=1")
	return cmd
}

// startNode starts "weid node start --listen 127.0.0.1:0 --data dataDir" (plus
// extra flags) as a child process, waits for its "listening on" line and
// returns the node's URL. The node's stderr (its log) goes to a file that is
// printed if the test fails. Cleanup kills the child if it still runs.
func startNode(t testing.TB, dataDir string, extra ...string) (url string, cmd *exec.Cmd) {
	t.Helper()
	return startNodeWithin(t, dataDir, nodeStartTimeout, extra...)
}

// startNodeWithin is startNode waiting up to d for the listening line (a
// state sync restores before the API listens).
func startNodeWithin(t testing.TB, dataDir string, d time.Duration, extra ...string) (url string, cmd *exec.Cmd) {
	t.Helper()
	args := append([]string{"node", "start", "--listen", "127.0.0.1:0", "--data", dataDir}, extra...)
	cmd = weidCommand(args...)
	logPath := filepath.Join(t.TempDir(), "node.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	// *os.File outputs: the child writes to them directly, so Wait has no
	// copying goroutines to wait for and returns as soon as the child exits.
	cmd.Stdout = pw
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		pr.Close()
		pw.Close()
		t.Fatal(err)
	}
	pw.Close()
	n := childSeq.Add(1)
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
		if t.Failed() {
			if b, err := os.ReadFile(logPath); err == nil && len(b) > 0 {
				const max = 8 << 10
				if len(b) > max {
					b = append([]byte("...\n"), b[len(b)-max:]...)
				}
				t.Logf("log of node child %d (pid %d, data %s):\n%s", n, cmd.Process.Pid, dataDir, b)
			}
		}
	})

	found := make(chan string, 1)
	go func() {
		defer pr.Close()
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if _, addr, ok := strings.Cut(sc.Text(), "weid node listening on "); ok {
				found <- strings.TrimSpace(addr)
				break
			}
		}
		close(found)
		// Keep draining so the child never blocks on a full pipe; this ends
		// when the child exits and its end of the pipe closes.
		_, _ = io.Copy(io.Discard, pr)
	}()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case u, ok := <-found:
		if !ok {
			_ = cmd.Wait()
			t.Fatalf("node child exited before listening: %v", cmd.ProcessState)
		}
		return u, cmd
	case <-timer.C:
		t.Fatalf("node child did not print its listening line within %v", d)
	}
	return "", nil
}

// stopNode stops a child node with SIGINT, as Ctrl-C would, and checks that
// it exits cleanly.
func stopNode(t testing.TB, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatalf("SIGINT: %v", err)
	}
	if err := waitExit(cmd, 30*time.Second); err != nil {
		t.Fatalf("node did not stop cleanly on SIGINT: %v", err)
	}
}

// waitExit waits for the child to exit, killing it after timeout.
func waitExit(cmd *exec.Cmd, timeout time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(timeout):
		_ = cmd.Process.Kill()
		<-done
		return errors.New("timed out; killed it")
	}
}

// testNode is a node child started in a fresh directory for one test, with
// the admin token its init wrote.
type testNode struct {
	Dir   string // the test's directory; the node's data is Dir/data
	Data  string
	URL   string
	Admin string // the admin bearer token
	Cmd   *exec.Cmd
}

// startTestNode starts a node (startNode, plus extra flags) on a new data
// directory and reads its admin token; with -short it skips the test.
func startTestNode(t *testing.T, extra ...string) *testNode {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a node process; skipped with -short (make test runs it)")
	}
	n := &testNode{Dir: t.TempDir()}
	n.Data = filepath.Join(n.Dir, "data")
	n.URL, n.Cmd = startNode(t, n.Data, extra...)
	tok, err := os.ReadFile(filepath.Join(n.Data, "admin.token"))
	if err != nil {
		t.Fatal(err)
	}
	n.Admin = strings.TrimSpace(string(tok))
	return n
}

// With appends --node URL to a command line.
func (n *testNode) With(args ...string) []string { return append(args, "--node", n.URL) }

// NewDID generates the key file Dir/name.key and creates its DID on the node.
func (n *testNode) NewDID(t *testing.T, name string) (did, keyFile string) {
	t.Helper()
	keyFile = filepath.Join(n.Dir, name+".key")
	mustCLI(t, "key", "generate", "--out", keyFile)
	var r struct{ DID string }
	mustCLIJSON(t, &r, n.With("did", "create", "--key", keyFile)...)
	return r.DID, keyFile
}

// University makes the account example-university on the node, recognizes
// it as an authority issuer of UniversityDegreeCredential (for schema 2
// with schema2), and has it create its issuer instance "diploma" with the
// further JSON members instance ("" for none); it returns the university's
// DID and token.
func (n *testNode) University(t *testing.T, schema2 bool, instance string) (did, token string) {
	t.Helper()
	acct := nodeAPI(t, "POST", n.URL+"/v1/accounts", n.Admin, `{"name":"example-university"}`, 201)
	did, token = acct["did"].(string), acct["token"].(string)
	schemas, schema := "", ""
	if schema2 {
		schemas, schema = `,"schemas":[2]`, `"schema":2,`
	}
	if instance != "" {
		instance = "," + instance
	}
	nodeAPI(t, "POST", n.URL+"/v1/issuers", n.Admin, `{"did":"`+did+`","name":"Example University","types":["UniversityDegreeCredential"]`+schemas+`}`, 201)
	nodeAPI(t, "POST", n.URL+"/v1/issuer-instances", token, `{"name":"diploma","issuer":"`+did+`",`+schema+`"types":["UniversityDegreeCredential"]`+instance+`}`, 201)
	return did, token
}
