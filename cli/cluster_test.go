package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/util"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/chain/cometbft"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/internal/eventually"
	"github.com/weidgo/weid/node"
)

// writeLocalnet runs "weid localnet --validators n --dir dir" plus extra
// flags.
func writeLocalnet(t *testing.T, dir string, n int, extra ...string) {
	t.Helper()
	out, err := weidCommand(append([]string{"localnet", "--validators", itoa(n), "--dir", dir}, extra...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("weid localnet: %v\n%s", err, out)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// didCreateTx is a new did:weid on chain 1 and its did.create.
func didCreateTx(t *testing.T) (string, *chain.Tx) {
	t.Helper()
	d, tx, err := newDIDTx("1")
	if err != nil {
		t.Fatal(err)
	}
	return d, tx
}

// createDID registers a new did:weid through the node at url, signed
// locally, and returns it.
func createDID(t *testing.T, ctx context.Context, c *client.Client) string {
	t.Helper()
	d, tx := didCreateTx(t)
	if _, err := c.CreateDID(ctx, tx); err != nil {
		t.Fatalf("create %s: %v", d, err)
	}
	return d
}

// catchUp waits up to d until the node of c has reached the height the
// node of ref is at now, and returns that height; what names the node
// that catches up.
func catchUp(t *testing.T, ctx context.Context, ref, c *client.Client, what string, d time.Duration) uint64 {
	t.Helper()
	s, err := ref.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	eventually.Nil(t, what+" catches up", d, func() error {
		si, err := c.Status(ctx)
		if err != nil {
			return err
		}
		if si.Height < s.Height {
			return errString(what + " at height " + strconv.FormatUint(si.Height, 10) + ", the other node at " + strconv.FormatUint(s.Height, 10))
		}
		return nil
	})
	return s.Height
}

// createFirstDID is createDID for the first write to a fresh cluster: a
// node refuses writes with 503 ledger.unavailable until it runs consensus
// with enough validators to commit (the engine's readiness check), so it
// retries those.
func createFirstDID(t *testing.T, ctx context.Context, c *client.Client) string {
	t.Helper()
	d, tx := didCreateTx(t)
	start := time.Now()
	for {
		_, err := c.CreateDID(ctx, tx)
		if err == nil {
			t.Logf("first write committed %v after the nodes started", time.Since(start).Round(time.Millisecond))
			return d
		}
		var ce *client.Error
		if !errors.As(err, &ce) || ce.Status != http.StatusServiceUnavailable || time.Since(start) > 90*time.Second {
			t.Fatalf("first write, create %s: %v", d, err)
		}
		t.Logf("first write not accepted yet: %v", err)
		time.Sleep(200 * time.Millisecond)
	}
}

// skipUnlessCluster skips the multi-process consortium tests unless
// WEID_TEST_CLUSTER=1 ("make test-cluster", which CI runs).
func skipUnlessCluster(t *testing.T) {
	t.Helper()
	if os.Getenv("WEID_TEST_CLUSTER") != "1" || testing.Short() {
		t.Skip("starts four node processes: run with WEID_TEST_CLUSTER=1 (make test-cluster)")
	}
}

// clusterFlags start a cluster node; WEID_TEST_CLUSTER_LOG=debug logs
// CometBFT's consensus (at info) into the node logs printed on failure.
var clusterFlags = func() []string {
	f := []string{"--engine", "cometbft"}
	if l := os.Getenv("WEID_TEST_CLUSTER_LOG"); l != "" {
		f = append(f, "--log-level", l)
	}
	return f
}()

// localnet is a localnet of four validators written in a new directory,
// each started as a node child (startNode) with the given flags and
// clusterFlags.
type localnet struct {
	Dir  string
	URLs []string
	Cmds []*exec.Cmd
}

func startLocalnet(t *testing.T, flags ...string) *localnet {
	t.Helper()
	l := &localnet{Dir: t.TempDir(), URLs: make([]string, 4), Cmds: make([]*exec.Cmd, 4)}
	writeLocalnet(t, l.Dir, 4)
	for i := range 4 {
		l.URLs[i], l.Cmds[i] = startNode(t, l.Home(i), append(flags, clusterFlags...)...)
	}
	return l
}

// Home is node i's home directory.
func (l *localnet) Home(i int) string { return filepath.Join(l.Dir, "node"+itoa(i)) }

// Client is a client of node i.
func (l *localnet) Client(i int) *client.Client { return client.New(l.URLs[i]) }

type errString string

func (e errString) Error() string { return string(e) }

// TestCluster_FourValidators is the consortium's acceptance test: four
// validators as separate processes on loopback. DIDs created through node
// A resolve on node D; with one validator stopped the chain keeps
// committing; restarted, it catches up and serves the same documents;
// every node has the same blocks (hash and app hash) at every height; and
// a node whose state was altered on disk refuses to start instead of
// serving it.
func TestCluster_FourValidators(t *testing.T) {
	skipUnlessCluster(t)
	ln := startLocalnet(t)
	home, urls, cmds, cl := ln.Home, ln.URLs, ln.Cmds, ln.Client
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	resolves := func(i int, d string) error {
		_, err := cl(i).Resolve(ctx, d, did.Options{})
		return err
	}

	// Create on A, resolve on D.
	dids := []string{createFirstDID(t, ctx, cl(0))}
	for range 2 {
		dids = append(dids, createDID(t, ctx, cl(0)))
	}
	for _, d := range dids {
		eventually.Nil(t, "resolve on D", 30*time.Second, func() error { return resolves(3, d) })
	}

	// Stop C: three of four validators (30 of 40 votes) still commit.
	stopNode(t, cmds[2])
	for range 3 {
		dids = append(dids, createDID(t, ctx, cl(0)))
	}
	eventually.Nil(t, "resolve on B with C down", 30*time.Second, func() error { return resolves(1, dids[len(dids)-1]) })

	// Restart C: it catches up and serves the same documents.
	urls[2], _ = startNode(t, home(2), clusterFlags...)
	headA := catchUp(t, ctx, cl(0), cl(2), "C", 60*time.Second)
	for _, d := range dids {
		ra, err := cl(0).Resolve(ctx, d, did.Options{})
		if err != nil {
			t.Fatal(err)
		}
		rc, err := cl(2).Resolve(ctx, d, did.Options{})
		if err != nil {
			t.Fatalf("C after catching up: %v", err)
		}
		ja, _ := json.Marshal([]any{ra.Document, ra.DocumentMetadata})
		jc, _ := json.Marshal([]any{rc.Document, rc.DocumentMetadata})
		if string(ja) != string(jc) {
			t.Fatalf("A and C serve different documents for %s", d)
		}
	}

	// The same blocks at every height on every node.
	eventually.Nil(t, "all nodes at A's height", 30*time.Second, func() error {
		for i := range 4 {
			if s, err := cl(i).Status(ctx); err != nil || s.Height < headA {
				return errString("a node lags")
			}
		}
		return nil
	})
	for h := uint64(0); h <= headA; h++ {
		b0, err := cl(0).Block(ctx, h)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < 4; i++ {
			b, err := cl(i).Block(ctx, h)
			if err != nil {
				t.Fatal(err)
			}
			if b.Hash != b0.Hash || b.Header.AppHash != b0.Header.AppHash {
				t.Fatalf("height %d: node %d has block %s app hash %s, node 0 %s %s", h, i, b.Hash, b.Header.AppHash, b0.Hash, b0.Header.AppHash)
			}
		}
	}

	// Alter D's stored DID document on disk: D refuses to start.
	stopNode(t, cmds[3])
	tamper(t, filepath.Join(home(3), "ledger"), "s/did/version/"+dids[0])
	out, err := runWithTimeout(weidCommand("node", "start", "--engine", "cometbft", "--home", home(3), "--listen", "127.0.0.1:0"), time.Minute)
	if err == nil || !strings.Contains(out, "the state was altered") {
		t.Fatalf("a node with altered state started or failed otherwise: %v\n%s", err, out)
	}
}

// tamper changes one byte of the first stored value under prefix.
func tamper(t *testing.T, ledgerDir, prefix string) {
	t.Helper()
	db, err := leveldb.OpenFile(ledgerDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	it := db.NewIterator(util.BytesPrefix([]byte(prefix)), nil)
	if !it.Next() {
		t.Fatalf("no key under %s", prefix)
	}
	k, v := append([]byte(nil), it.Key()...), append([]byte(nil), it.Value()...)
	it.Release()
	v[len(v)/2] ^= 1
	if err := db.Put(k, v, nil); err != nil {
		t.Fatal(err)
	}
}

// TestLocalnet_Start runs "weid localnet start": one process per node,
// each API URL on its own line, a DID created on the first node resolved
// on the last, a batch verified across all four, and Ctrl-C stopping them
// all.
func TestLocalnet_Start(t *testing.T) {
	skipUnlessCluster(t)
	_, cmd, urls := startSupervisedLocalnet(t, nil, 0)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d := createFirstDID(t, ctx, client.New(urls[0]))
	eventually.Nil(t, "resolve on the last node", 30*time.Second, func() error {
		_, err := client.New(urls[3]).Resolve(ctx, d, did.Options{})
		return err
	})
	verifyBatchAcross(t, urls) // verify-batch --node over all four (verify_batch_nodes_test.go)
	stopNode(t, cmd)
	for _, u := range urls {
		if _, err := client.New(u).Status(ctx); err == nil {
			t.Fatalf("%s still answers after Ctrl-C", u)
		}
	}
}

// startSupervisedLocalnet writes a localnet of four validators in a new
// directory and runs "weid localnet start" on it, its standard error to
// stderr (nil: with its output); it returns the directory, the supervisor
// and the four API URLs it printed, one a line, within two minutes.
func startSupervisedLocalnet(t *testing.T, stderr io.Writer, observers int) (string, *exec.Cmd, []string) {
	t.Helper()
	dir := t.TempDir()
	writeLocalnet(t, dir, 4, "--observers", itoa(observers))
	cmd := weidCommand("localnet", "start", "--dir", dir)
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = pw, pw
	if stderr != nil {
		cmd.Stderr = stderr
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var urls []string
	timeout := time.After(2 * time.Minute)
	for len(urls) < 4+observers {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("localnet start exited after %d URLs: %v", len(urls), cmd.Wait())
			}
			if !strings.HasPrefix(l, "http://127.0.0.1:") {
				t.Fatalf("unexpected output line %q", l)
			}
			urls = append(urls, l)
		case <-timeout:
			t.Fatalf("only %d URLs printed", len(urls))
		}
	}
	return dir, cmd, urls
}

// runWithTimeout runs cmd and returns its combined output, killing it after
// timeout.
func runWithTimeout(cmd *exec.Cmd, timeout time.Duration) (string, error) {
	var buf strings.Builder
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Start(); err != nil {
		return "", err
	}
	err := waitExit(cmd, timeout)
	return buf.String(), err
}

// TestCluster_ValidatorAdmission admits a fifth node, an observer of the
// genesis, as a validator through node A's API (weid validator add, signed
// by the node with the admin token) and removes it through node B: every
// node's CometBFT validator set (in /v1/status) follows, and the chain
// commits with five validators in between.
func TestCluster_ValidatorAdmission(t *testing.T) {
	skipUnlessCluster(t)
	dir := t.TempDir()
	writeLocalnet(t, dir, 4, "--observers", "1")
	home := func(i int) string { return filepath.Join(dir, "node"+itoa(i)) }
	urls := make([]string, 5)
	cmds := make([]*exec.Cmd, 5)
	for i := range 5 {
		urls[i], cmds[i] = startNode(t, home(i), clusterFlags...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cl := func(i int) *client.Client { return client.New(urls[i]) }
	createFirstDID(t, ctx, cl(0))

	// validatorsAre waits until every node's CometBFT set has n validators
	// and the fifth node has power p.
	validatorsAre := func(n int, p int64) {
		t.Helper()
		eventually.Nil(t, "validator set of "+itoa(n), 60*time.Second, func() error {
			for i := range 5 {
				s, err := cl(i).Status(ctx)
				if err != nil {
					return err
				}
				c := s.Consensus
				if c == nil {
					return errString("no consensus in node " + itoa(i) + "'s status")
				}
				if c.Validators != n || i == 4 && c.VotingPower != p {
					return errString("node " + itoa(i) + " sees " + itoa(c.Validators) + " validators, its power " + itoa(int(c.VotingPower)))
				}
			}
			return nil
		})
	}
	validatorsAre(4, 0)
	weid := func(args ...string) string {
		t.Helper()
		out, err := weidCommand(args...).CombinedOutput()
		if err != nil {
			t.Fatalf("weid %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	token := func(i int) string {
		b, err := os.ReadFile(filepath.Join(home(i), node.TokenFile))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}
	if out := weid("observer", "list", "--node", urls[2]); !strings.Contains(out, "node4") {
		t.Fatalf("the genesis observer is not registered:\n%s", out)
	}

	// Admit the fifth through A.
	added := txHashOf(t, weid("validator", "add", "--home", home(4), "--name", "node4", "--node", urls[0], "--token", token(0)))
	validatorsAre(5, 10)
	if out := weid("validator", "list", "--node", urls[3]); !strings.Contains(out, "5 validators, total power 50") {
		t.Fatalf("validator list on D:\n%s", out)
	}
	// The chain commits with five validators, writes through the new one.
	d := createDID(t, ctx, cl(4))
	eventually.Nil(t, "resolve on A", 30*time.Second, func() error {
		_, err := cl(0).Resolve(ctx, d, did.Options{})
		return err
	})
	// node4 is still in the observer register, and counts for its
	// validator all the same (its moniker attests its key): with node3
	// stopped, node0 reaches node1, node2 and node4, 40 of 50, and
	// commits (counting node4 as an observer it reached 30 and refused).
	id3, _, err := nodeIdentity(nil, home(3))
	if err != nil {
		t.Fatal(err)
	}
	_ = cmds[3].Process.Kill()
	_ = cmds[3].Wait()
	eventually.Nil(t, "node0 sees node3 gone", 30*time.Second, func() error {
		st, err := cl(0).Status(ctx)
		if err != nil || st.Consensus == nil || slices.Contains(st.Consensus.Peers, id3) {
			return errString("node0 still has node3 as a peer")
		}
		return nil
	})
	createDID(t, ctx, cl(0))
	urls[3], cmds[3] = startNode(t, home(3), clusterFlags...)

	// Remove it again through B.
	removed := txHashOf(t, weid("validator", "remove", "--home", home(4), "--node", urls[1], "--token", token(1)))
	validatorsAre(4, 0)

	// weid tx prove checks the CometBFT commit of the blocks holding both
	// changes against the validator set the weid chain records for them
	// (four validators, then five).
	for _, h := range []string{added, removed} {
		var out string
		eventually.Nil(t, "prove "+h, 30*time.Second, func() error {
			o, err := weidCommand("tx", "prove", h, "--node", urls[3]).CombinedOutput()
			out = string(o)
			if err != nil {
				return errString(out)
			}
			return nil
		})
		if !strings.Contains(out, "committed: CometBFT block") {
			t.Fatalf("tx prove %s:\n%s", h, out)
		}
		t.Logf("%s", out)
	}
	// A proof does not check against another app hash or another set.
	r, err := cl(3).Tx(ctx, removed)
	if err != nil {
		t.Fatal(err)
	}
	proof, err := cl(3).BlockCommit(ctx, r.Height)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cometbft.VerifyCommitProof(proof, strings.Repeat("00", 32), cometbft.ValidatorSet{"x": 1}); err == nil {
		t.Fatal("a commit proof checked against another app hash")
	}
	if _, err := cometbft.VerifyCommitProof(proof, r.Header.AppHash, cometbft.ValidatorSet{strings.Repeat("k", 32): 10}); err == nil || !strings.Contains(err.Error(), "validator set") {
		t.Fatalf("a commit proof checked against another validator set: %v", err)
	}
	d = createDID(t, ctx, cl(2))
	eventually.Nil(t, "resolve on the observer", 30*time.Second, func() error {
		_, err := cl(4).Resolve(ctx, d, did.Options{})
		return err
	})
}

// txHashOf reads the hash from a governance command's "tx HASH at height N".
func txHashOf(t *testing.T, out string) string {
	t.Helper()
	f := strings.Fields(out)
	for i := 0; i+1 < len(f); i++ {
		if f[i] == "tx" && len(f[i+1]) == 64 {
			return f[i+1]
		}
	}
	t.Fatalf("no tx hash in %q", out)
	return ""
}
