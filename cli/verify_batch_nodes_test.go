package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/internal/credtest"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/server"
	"github.com/weidgo/weid/txn"
)

// didKeyTokens signs n vc+jwt credentials of a did:key issuer: any node
// verifies them, whatever its ledger.
func didKeyTokens(t *testing.T, n int) []string {
	t.Helper()
	s := credtest.Issuer(t, keys.Ed25519)
	toks := make([]string, n)
	for i := range toks {
		cred := fmt.Sprintf(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"issuer":%q,"validFrom":"2025-01-01T00:00:00Z","credentialSubject":{"id":"did:example:%d"}}`, s.DID, i)
		var err error
		if toks[i], err = credential.IssueJWT(s, json.RawMessage(cred), time.Now(), credential.IssueOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	return toks
}

// batchNode serves a node in this process, opened in dir (a copy of a
// chain's node from oneChain; "" for a new chain of its own); wrap, if not
// nil, wraps its handler.
func batchNode(t *testing.T, dir string, wrap func(http.Handler) http.Handler) *httptest.Server {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	n, err := node.Open(node.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = server.New(n, nil)
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); n.Close() })
	return srv
}

// oneChain makes a new solo chain and returns a function that gives the
// data directory of another node of it: a copy of its genesis node's, so
// each has a ledger of its own with the same genesis block, as verify-batch
// wants of its nodes.
func oneChain(t *testing.T) func() string {
	t.Helper()
	genesis := t.TempDir()
	n, err := node.Open(node.Config{DataDir: genesis})
	if err != nil {
		t.Fatal(err)
	}
	n.Close()
	return func() string {
		dir := filepath.Join(t.TempDir(), "node")
		if err := os.CopyFS(dir, os.DirFS(genesis)); err != nil {
			t.Fatal(err)
		}
		return dir
	}
}

// stopAfter is a ResponseWriter that, once limit bytes of the answer were
// written, flushes them and calls stop, then fails: a node that fails
// mid-answer (stop panics with http.ErrAbortHandler for one whose
// connection drops, blocks for one that freezes).
type stopAfter struct {
	http.ResponseWriter
	limit, n int
	stop     func()
}

func (w *stopAfter) Write(p []byte) (int, error) {
	if w.n+len(p) > w.limit {
		_, _ = w.ResponseWriter.Write(p[:w.limit-w.n])
		w.n = w.limit
		if f, ok := w.ResponseWriter.(http.Flusher); ok {
			f.Flush()
		}
		w.stop()
		return 0, http.ErrAbortHandler
	}
	w.n += len(p)
	return w.ResponseWriter.Write(p)
}

func (w *stopAfter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// TestVerifyBatch_SpreadAcrossNodes: --node URL1,URL2,URL3 spreads a stream
// over three nodes in chunks; the second node verifies one chunk, then cuts
// its answer to the next one short mid-stream and refuses everything after.
// Every credential gets exactly one result, in input order (the tampered
// ones fail at their own index), the failed chunk is verified again on
// another node, every node took part, and the failure is reported.
func TestVerifyBatch_SpreadAcrossNodes(t *testing.T) {
	if testing.Short() {
		t.Skip("opens three nodes; skipped with -short")
	}
	const n, chunk = 230, 20
	toks := didKeyTokens(t, n)
	bad := map[int]bool{7: true, 61: true, 199: true}
	var in strings.Builder
	for i, tok := range toks {
		if bad[i] {
			tok = tok[:len(tok)-6] + "AAAAAA"
		}
		in.WriteString(tok + "\n")
	}
	file := filepath.Join(t.TempDir(), "creds.ndjson")
	if err := os.WriteFile(file, []byte(in.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	var served [3]atomic.Int64
	count := func(i int, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == api.PathVerifyBatch {
				served[i].Add(1)
			}
			next.ServeHTTP(w, r)
		})
	}
	var calls atomic.Int64
	flaky := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch calls.Add(1) {
			case 1:
				next.ServeHTTP(w, r)
			case 2:
				next.ServeHTTP(&stopAfter{ResponseWriter: w, limit: 3000, stop: func() { panic(http.ErrAbortHandler) }}, r) // a few results, then the connection drops
			default:
				http.Error(w, `{"code":"ledger.unavailable","status":503}`, http.StatusServiceUnavailable)
			}
		})
	}
	dir := oneChain(t)
	urls := []string{
		batchNode(t, dir(), func(h http.Handler) http.Handler { return count(0, h) }).URL,
		batchNode(t, dir(), func(h http.Handler) http.Handler { return count(1, flaky(h)) }).URL,
		batchNode(t, dir(), func(h http.Handler) http.Handler { return count(2, h) }).URL,
	}
	out, err := runCLI(t, "vc", "verify-batch", file, "-o", "ndjson", "--chunk", fmt.Sprint(chunk), "--node", strings.Join(urls, ","))
	if err == nil || !strings.Contains(err.Error(), "did not verify") {
		t.Fatalf("want the failed credentials' error, got %v\n%s", err, out)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	i := 0
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), `{"summary"`) {
			var tr api.VerifyBatchTrailer
			if err := json.Unmarshal(sc.Bytes(), &tr); err != nil {
				t.Fatal(err)
			}
			if tr.Summary.Total != n || tr.Summary.Outcomes["failed"] != len(bad) || tr.Summary.Outcomes["verified"] != n-len(bad) {
				t.Fatalf("summary %+v", tr.Summary)
			}
			continue
		}
		var r api.BatchResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if r.Index != i || r.Verified == bad[i] || len(r.Checks) == 0 {
			t.Fatalf("line %d: %s", i, sc.Text())
		}
		i++
	}
	if i != n {
		t.Fatalf("%d results for %d credentials", i, n)
	}
	if calls.Load() < 2 {
		t.Fatalf("the flaky node was asked %d times: it never failed", calls.Load())
	}
	for k := range served {
		if served[k].Load() == 0 {
			t.Fatalf("node %d verified nothing (%d, %d, %d)", k+1, served[0].Load(), served[1].Load(), served[2].Load())
		}
	}

	// Every node down: the run fails naming them, not with a partial answer.
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	_, err = runCLI(t, "vc", "verify-batch", file, "--chunk", "50", "--node", down.URL+","+down.URL)
	if err == nil || !strings.Contains(err.Error(), "every node failed") {
		t.Fatalf("all nodes down: %v", err)
	}
}

// verifyBatchAcross runs "weid vc verify-batch --node" over the nodes of a
// running consortium (TestLocalnet_Start's four), plus an address where no
// node listens, whose chunk goes to the others: every credential verified,
// in input order.
func verifyBatchAcross(t *testing.T, urls []string) {
	t.Helper()
	const n = 600
	toks := didKeyTokens(t, n)
	file := filepath.Join(t.TempDir(), "creds.ndjson")
	if err := os.WriteFile(file, []byte(strings.Join(toks, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close() // its port now refuses connections
	nodes := strings.Join(append([]string{dead.URL}, urls...), ",")
	out, err := runCLI(t, "vc", "verify-batch", file, "-o", "ndjson", "--chunk", "50", "--node", nodes)
	if err != nil {
		t.Fatalf("verify-batch across %s: %v\n%.2000s", nodes, err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != n+1 || !strings.Contains(lines[n], `"verified":600`) {
		t.Fatalf("%d lines, last %.300s", len(lines), lines[len(lines)-1])
	}
	for i, l := range lines[:n] {
		if !strings.HasPrefix(l, fmt.Sprintf(`{"index":%d,"verified":true,`, i)) {
			t.Fatalf("line %d: %.300s", i, l)
		}
	}
}

// TestVerifyBatch_HungNodeTimesOut: of three nodes, the second hangs — on
// its first chunk after a few results, and on every later request before
// answering anything — with its connections open, as a frozen (SIGSTOP)
// machine does. With --node-timeout 1s its chunk is verified again on
// another node and the run completes with every result, in input order,
// long before the hung requests would end.
func TestVerifyBatch_HungNodeTimesOut(t *testing.T) {
	if testing.Short() {
		t.Skip("opens three nodes; skipped with -short")
	}
	const n, chunk = 120, 20
	toks := didKeyTokens(t, n)
	file := filepath.Join(t.TempDir(), "creds.ndjson")
	if err := os.WriteFile(file, []byte(strings.Join(toks, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	var calls atomic.Int64
	hung := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != api.PathVerifyBatch {
				next.ServeHTTP(w, r)
				return
			}
			hang := func() {
				select {
				case <-release:
				case <-r.Context().Done():
				}
			}
			if calls.Add(1) == 1 {
				next.ServeHTTP(&stopAfter{ResponseWriter: w, limit: 2000, stop: hang}, r) // a few results, then frozen
				return
			}
			hang()
		})
	}
	dir := oneChain(t)
	urls := []string{batchNode(t, dir(), nil).URL, batchNode(t, dir(), hung).URL, batchNode(t, dir(), nil).URL}
	t.Cleanup(func() { close(release) }) // before the servers close: they wait for their handlers
	start := time.Now()
	out, err := runCLI(t, "vc", "verify-batch", file, "-o", "ndjson", "--chunk", fmt.Sprint(chunk), "--node-timeout", "1s", "--node", strings.Join(urls, ","))
	if err != nil {
		t.Fatalf("verify-batch with a hung node: %v\n%.2000s", err, out)
	}
	if el := time.Since(start); el > 30*time.Second {
		t.Fatalf("took %v", el)
	}
	if calls.Load() == 0 {
		t.Fatal("the hung node was never asked")
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	i := 0
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), `{"summary"`) {
			continue
		}
		var r api.BatchResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if r.Index != i || !r.Verified {
			t.Fatalf("line %d: %s", i, sc.Text())
		}
		i++
	}
	if i != n {
		t.Fatalf("%d results for %d credentials", i, n)
	}
}

// statusAs wraps a node's handler so that its /v1/status reports height
// and, if cs is not nil, that consensus status: a node of a consortium as
// verify-batch sees it.
func statusAs(height uint64, cs *txn.ConsensusStatus, served *atomic.Int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/v1/status":
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(api.StatusResponse{ChainID: "1", Height: height, Engine: "cometbft", Consensus: cs})
				return
			case api.PathVerifyBatch:
				served.Add(1)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// TestVerifyBatch_LeavesOutNodesBehindTheChain: verify-batch reads every
// node's status first and leaves out a node that is catching up, one cut
// off from its peers and one whose head is more than --max-behind blocks
// below the highest, naming each; only the nodes that follow the chain
// verify (a lagging node may not know of a revocation). Every node left
// out: the run fails saying why, verifying nothing.
func TestVerifyBatch_LeavesOutNodesBehindTheChain(t *testing.T) {
	if testing.Short() {
		t.Skip("opens four nodes; skipped with -short")
	}
	following := &txn.ConsensusStatus{PeerCount: 3, Peers: []string{"a", "b", "c"}, TotalPower: 40, VotingPower: 10}
	var served [4]atomic.Int64
	dir := oneChain(t)
	urls := []string{
		batchNode(t, dir(), statusAs(100, following, &served[0])).URL,
		batchNode(t, dir(), statusAs(40, &txn.ConsensusStatus{CatchingUp: true, PeerCount: 3, Peers: []string{"a", "b", "c"}, Behind: 60, TotalPower: 40}, &served[1])).URL,
		batchNode(t, dir(), statusAs(100, &txn.ConsensusStatus{Peers: []string{}, TotalPower: 40}, &served[2])).URL,
		batchNode(t, dir(), statusAs(96, following, &served[3])).URL,
	}
	var logged []string
	logf := func(format string, args ...any) { logged = append(logged, fmt.Sprintf(format, args...)) }
	var clients []*client.Client
	for _, u := range urls {
		clients = append(clients, client.New(u))
	}
	fresh, err := followingNodes(context.Background(), clients, 3, 5*time.Second, logf)
	if err != nil || len(fresh) != 1 || fresh[0].BaseURL != urls[0] {
		t.Fatalf("fresh nodes %v, %v; logged %q", fresh, err, logged)
	}
	for i, want := range []string{"node 2 (" + urls[1] + ") left out: it is catching up with the chain (block sync), 60 blocks behind",
		"node 3 (" + urls[2] + ") left out: it is connected to no peers",
		"node 4 (" + urls[3] + ") left out: its head is at height 96, 4 blocks below the highest (100, node 1); --max-behind is 3"} {
		if i >= len(logged) || !strings.Contains(logged[i], want) {
			t.Errorf("logged %q, want %q", logged, want)
		}
	}

	toks := didKeyTokens(t, 60)
	file := filepath.Join(t.TempDir(), "creds.ndjson")
	if err := os.WriteFile(file, []byte(strings.Join(toks, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runCLI(t, "vc", "verify-batch", file, "-o", "ndjson", "--chunk", "10", "--node", strings.Join(urls, ","))
	if err != nil || !strings.Contains(out, `"verified":60`) {
		t.Fatalf("verify-batch: %v\n%.500s", err, out)
	}
	if served[0].Load() == 0 || served[1].Load()+served[2].Load()+served[3].Load() != 0 {
		t.Fatalf("chunks served: %d %d %d %d; only node 1 follows the chain", served[0].Load(), served[1].Load(), served[2].Load(), served[3].Load())
	}
	_, err = runCLI(t, "vc", "verify-batch", file, "--node", urls[1]+","+urls[2])
	if err == nil || !strings.Contains(err.Error(), "every node was left out") || !strings.Contains(err.Error(), "catching up") {
		t.Fatalf("every node behind: %v", err)
	}
	if served[1].Load()+served[2].Load() != 0 {
		t.Fatal("a node left out verified credentials")
	}
}

// TestVerifyBatch_RefusesNodesOfAnotherChain: verify-batch reads every
// node's genesis block before sending anything and refuses to start,
// naming the odd node, when the --node nodes are not one chain (the same
// chain id, another genesis: a node another "weid node init" made); with
// --node-key it checks each node's genesis against the trusted key.
func TestVerifyBatch_RefusesNodesOfAnotherChain(t *testing.T) {
	if testing.Short() {
		t.Skip("opens four nodes; skipped with -short")
	}
	dir := oneChain(t)
	a1, a2 := batchNode(t, dir(), nil).URL, batchNode(t, dir(), nil).URL
	other := serveNode(t, node.Config{})
	otherKey := other.NodeKey(t)
	toks := didKeyTokens(t, 5)
	file := filepath.Join(t.TempDir(), "creds.ndjson")
	if err := os.WriteFile(file, []byte(strings.Join(toks, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := runCLI(t, "vc", "verify-batch", file, "-o", "ndjson", "--node", a1+","+a2); err != nil || !strings.Contains(out, `"verified":5`) {
		t.Fatalf("two nodes of one chain: %v\n%.500s", err, out)
	}
	for _, c := range []struct{ nodes, odd string }{
		{a1 + "," + a2 + "," + other.URL, "node 3 (" + other.URL + ")"},
		{other.URL + "," + a1 + "," + a2, "node 1 (" + other.URL + ")"},
	} {
		ref := "than node 1 (" + a1 + ")"
		if strings.HasPrefix(c.nodes, other.URL) {
			ref = "than node 2 (" + a1 + ")"
		}
		out, err := runCLI(t, "vc", "verify-batch", file, "--node", c.nodes)
		t.Logf("--node %s: %v", c.nodes, err)
		if err == nil || !strings.Contains(oneLine(err), c.odd+" is of another chain "+ref) || !strings.Contains(oneLine(err), "genesis block") || out != "" {
			t.Errorf("--node %s: %q %v", c.nodes, out, err)
		}
	}
	if out, err := runCLI(t, "vc", "verify-batch", file, "-o", "ndjson", "--node", other.URL, "--node-key", otherKey); err != nil || !strings.Contains(out, `"verified":5`) {
		t.Fatalf("--node-key of the node's chain: %v\n%.500s", err, out)
	}
	out, err := runCLI(t, "vc", "verify-batch", file, "--node", other.URL+","+a1, "--node-key", otherKey)
	t.Logf("--node-key of another chain: %v", err)
	if err == nil || !strings.Contains(oneLine(err), "node 2 ("+a1+")") || !strings.Contains(oneLine(err), "not the trusted node key "+otherKey) || out != "" {
		t.Fatalf("--node-key of another chain: %q %v", out, err)
	}
	t.Setenv("LANG", "zh_HK.UTF-8") // said in the user's language, as every usage error
	if _, err := runCLI(t, "vc", "verify-batch", file, "--node", a1+","+other.URL); err == nil || !strings.Contains(err.Error(), "節點 2（"+other.URL+"）與節點 1（"+a1+"）不是同一條鏈") {
		t.Fatalf("in zh-HK: %v", err)
	}
}

// TestVerifyBatch_TrustedValidatorsCheckTheChain: with --trusted-validators
// a CometBFT node's genesis block must be vouched for by the commit of the
// validators in the file: the node's own genesis.json passes, another
// chain's (the same chain id) is refused naming the node.
func TestVerifyBatch_TrustedValidatorsCheckTheChain(t *testing.T) {
	if testing.Short() {
		t.Skip("opens two CometBFT nodes; skipped with -short")
	}
	ts := serveNode(t, node.Config{Engine: "cometbft", CometLogLevel: "none"})
	other := serveNode(t, node.Config{Engine: "cometbft", CometLogLevel: "none"})
	file := filepath.Join(t.TempDir(), "creds.ndjson")
	if err := os.WriteFile(file, []byte(strings.Join(didKeyTokens(t, 3), "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := runCLI(t, "vc", "verify-batch", file, "-o", "ndjson", "--node", ts.URL, "--trusted-validators", ts.Genesis(t)); err != nil || !strings.Contains(out, `"verified":3`) {
		t.Fatalf("the node's own validators: %v\n%.500s", err, out)
	}
	out, err := runCLI(t, "vc", "verify-batch", file, "--node", ts.URL, "--trusted-validators", other.Genesis(t))
	t.Logf("another chain's validators: %v", err)
	if err == nil || !strings.Contains(oneLine(err), "node 1 ("+ts.URL+") is not of the chain you trust") || out != "" {
		t.Fatalf("another chain's validators: %q %v", out, err)
	}
}

// TestVerifyBatch_MaxBehindBoundsTheConsensusLagToo: a node whose status
// says it is 7 blocks behind its chain's validators and not catching up
// (consensus.behind; its consensus stopped) is left out with the default
// --max-behind, 3, as /readyz says it is not ready; with --max-behind 10
// it is kept, as a node whose head is 7 below the highest would be: the
// flag is the one lag verify-batch allows, whichever way it is measured.
func TestVerifyBatch_MaxBehindBoundsTheConsensusLagToo(t *testing.T) {
	t.Parallel()
	following := &txn.ConsensusStatus{PeerCount: 3, Peers: []string{"a", "b", "c"}, TotalPower: 40, VotingPower: 10}
	stuck := *following
	stuck.Behind = 7
	var served atomic.Int64
	var clients []*client.Client
	for _, cs := range []*txn.ConsensusStatus{following, &stuck} {
		srv := httptest.NewServer(statusAs(100, cs, &served)(http.NotFoundHandler()))
		t.Cleanup(srv.Close)
		clients = append(clients, client.New(srv.URL))
	}
	for _, c := range []struct {
		maxBehind uint64
		kept      int
		why       string
	}{
		{defaultMaxBehind, 1, "node 2 (" + clients[1].BaseURL + ") left out: it is 7 blocks behind the chain"},
		{10, 2, ""},
	} {
		var logged []string
		logf := func(format string, args ...any) { logged = append(logged, fmt.Sprintf(format, args...)) }
		fresh, err := followingNodes(context.Background(), clients, c.maxBehind, 5*time.Second, logf)
		if err != nil || len(fresh) != c.kept {
			t.Fatalf("--max-behind %d: %d nodes kept (%v), want %d; logged %q", c.maxBehind, len(fresh), err, c.kept, logged)
		}
		if c.why != "" && (len(logged) != 1 || !strings.Contains(logged[0], c.why)) {
			t.Errorf("--max-behind %d: logged %q, want %q", c.maxBehind, logged, c.why)
		}
		if c.why == "" && len(logged) != 0 {
			t.Errorf("--max-behind %d: logged %q, want nothing", c.maxBehind, logged)
		}
	}
}
