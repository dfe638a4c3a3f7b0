package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/interop"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/server"
)

// The issue's memory bound: a 1,000,000-credential NDJSON stream verifies
// in under 256 MiB of RSS. TestVerifyBatchStreamRSS measures it on a real
// node in a process of its own:
//
//	WEID_BATCH_RSS=1000000 go test -run '^TestVerifyBatchStreamRSS$' -v -timeout 30m ./bench
//
// The test re-runs its own binary as the server (a solo node with its
// ledger in a temporary directory, serving the HTTP API on loopback), so
// that the peak RSS it reads — the child's VmHWM in /proc/PID/status, the
// kernel's high-water mark of resident memory — is the server's alone:
// the generator, the HTTP client and the result reader live in the test
// process. Issuers: two did:weid DIDs registered on the node's ledger
// (resolved from the ledger, cached per height) and one did:key.
//
// Credentials: 3×1,024 distinct vc+jwt diplomas (VC 2.0, seven subject
// claims under the node's diploma schema, which is checked) are signed beforehand and the stream cycles through them, so the
// generator costs no CPU that verification needs on a 2-core machine; the
// server keeps nothing per credential (no replay cache), so a repeated
// token is verified from scratch each time.
const (
	rssEnv      = "WEID_BATCH_RSS"       // the number of credentials to stream
	rssChildEnv = "WEID_BATCH_RSS_CHILD" // set in the server process
	rssLimit    = 256 << 20              // the issue's bound, bytes
)

func TestVerifyBatchStreamRSS(t *testing.T) {
	if os.Getenv(rssChildEnv) != "" {
		rssServe(t)
		return
	}
	n, _ := strconv.Atoi(os.Getenv(rssEnv))
	if n <= 0 {
		t.Skip("measures the batch stream's peak RSS over millions of credentials (minutes of CPU): set " + rssEnv + "=1000000 to run it")
	}
	if runtime.GOOS != "linux" {
		t.Skip("reads the server's peak RSS from /proc (Linux)")
	}

	// The server: this binary again, in rssServe.
	srv := serveProcess(t)
	defer srv.kill()
	base, chainID, pid := srv.base, srv.chainID, srv.pid
	idle := procStatus(t, pid, "VmRSS")

	// Issuers: two did:weid DIDs on the node's ledger and a did:key.
	var signers []credential.Signer
	for range 2 {
		k := keytest.New(t, keys.Ed25519)
		d := did.WeidDID(chainID, k.Public())
		tx, err := node.SignTx(chainID, d+"#key-1", k, did.TxCreate, &did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := json.Marshal(map[string]any{"tx": tx})
		resp, err := http.Post(base+"/v1/dids", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("register %s: %d %s", d, resp.StatusCode, msg)
		}
		signers = append(signers, credential.Signer{DID: d, VerificationMethod: d + "#key-1", Key: k})
	}
	signers = append(signers, didKeySigner(t, keys.Ed25519))
	const perIssuer = 1024
	lines := make([][]byte, len(signers)*perIssuer)
	mustSpread(t, len(lines), func(i int) error {
		s := signers[i%len(signers)]
		tok, err := credential.IssueJWT(s, schemaDiploma(s.DID, i), issuedAt, credential.IssueOptions{})
		l, _ := json.Marshal(tok)
		lines[i] = append(l, '\n')
		return err
	})

	// The stream: lines written as the server reads them, results read as
	// they come; the peak of VmRSS sampled twice a second, beside VmHWM.
	pr, pw := io.Pipe()
	go func() {
		bw := bufio.NewWriterSize(pw, 64<<10)
		for i := range n {
			if _, err := bw.Write(lines[i%len(lines)]); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.CloseWithError(bw.Flush())
	}()
	req, _ := http.NewRequest(http.MethodPost, base+api.PathVerifyBatch, pr)
	req.Header.Set("Content-Type", api.MediaTypeNDJSON)
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	stop := make(chan struct{})
	var sampled int64
	var sampler sync.WaitGroup
	sampler.Add(1)
	go func() {
		defer sampler.Done()
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				sampled = max(sampled, procStatus(t, pid, "VmRSS"))
			}
		}
	}()
	rd := bufio.NewReaderSize(resp.Body, 64<<10)
	got := 0
	var trailer api.VerifyBatchTrailer
	for {
		line, err := rd.ReadBytes('\n')
		if err == io.EOF && len(line) == 0 {
			break
		}
		if err != nil && err != io.EOF {
			t.Fatal(err)
		}
		if bytes.HasPrefix(line, []byte(`{"summary"`)) {
			if err := json.Unmarshal(line, &trailer); err != nil {
				t.Fatal(err)
			}
			continue
		}
		var r struct {
			Index    int  `json:"index"`
			Verified bool `json:"verified"`
		}
		if err := json.Unmarshal(line, &r); err != nil || r.Index != got || !r.Verified {
			t.Fatalf("result %d: %s (%v)", got, line, err)
		}
		got++
		if got%100000 == 0 {
			t.Logf("%d results, %.0f/s, VmRSS %d MiB", got, float64(got)/time.Since(start).Seconds(), procStatus(t, pid, "VmRSS")>>20)
		}
	}
	elapsed := time.Since(start)
	close(stop)
	sampler.Wait()
	hwm := procStatus(t, pid, "VmHWM")
	if got != n || trailer.Summary.Total != n || !trailer.Summary.AllVerified() || trailer.Error != nil {
		t.Fatalf("%d results of %d; summary %+v", got, n, trailer)
	}
	t.Logf("%d vc+jwt credentials (3 issuers: 2 did:weid on the ledger, 1 did:key) in %s (%.0f/s) over one NDJSON stream", n, elapsed.Round(time.Second), float64(n)/elapsed.Seconds())
	t.Logf("server process: peak RSS (VmHWM) %.1f MiB; VmRSS idle before the stream %.1f MiB, highest sampled %.1f MiB", float64(hwm)/(1<<20), float64(idle)/(1<<20), float64(sampled)/(1<<20))
	if hwm >= rssLimit {
		t.Fatalf("peak RSS %d MiB, the issue allows under 256 MiB", hwm>>20)
	}
	srv.stop()
}

// schemaDiploma is diploma i of DiplomaV2 without the claims the node's
// diploma schema (2) does not allow, so that it passes the schema check.
func schemaDiploma(issuer string, i int) []byte {
	var m map[string]any
	_ = json.Unmarshal(interop.DiplomaV2(issuer, "did:example:holder", i), &m)
	subject := m["credentialSubject"].(map[string]any)
	for _, c := range []string{"gpa", "honors", "studentId"} {
		delete(subject, c)
	}
	b, _ := json.Marshal(m)
	return b
}

// rssServe is the server process of TestVerifyBatchStreamRSS: a solo node
// and its HTTP API until standard input closes.
func rssServe(t *testing.T) {
	n, err := node.Open(node.Config{DataDir: t.TempDir(), Solo: chain.SoloConfig{}})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	srv := httptest.NewServer(server.New(n, nil))
	defer srv.Close()
	fmt.Printf("rss-server %s %s\n", srv.URL, n.ChainID)
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// serverProcess is a solo node serving the HTTP API in a process of its
// own: this test binary run again, in rssServe.
type serverProcess struct {
	base, chainID string
	pid           int
	// stop closes the process's stdin, on which it shuts down (writing
	// the CPU profile it was asked for), and waits for it; kill ends it
	// at once.
	stop, kill func()
}

// serveProcess starts a serverProcess, extra being more flags of the
// test binary (-test.cpuprofile), and waits until it serves.
func serveProcess(tb testing.TB, extra ...string) serverProcess {
	tb.Helper()
	exe, err := os.Executable()
	if err != nil {
		tb.Fatal(err)
	}
	child := exec.Command(exe, append([]string{"-test.run", "^TestVerifyBatchStreamRSS$"}, extra...)...)
	child.Env = append(os.Environ(), rssChildEnv+"=1")
	child.Stderr = os.Stderr
	stdin, _ := child.StdinPipe()
	stdout, _ := child.StdoutPipe()
	if err := child.Start(); err != nil {
		tb.Fatal(err)
	}
	p := serverProcess{pid: child.Process.Pid,
		stop: func() { _ = stdin.Close(); _ = child.Wait() },
		kill: func() { _ = child.Process.Kill(); _ = child.Wait() }}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 3 && f[0] == "rss-server" {
			p.base, p.chainID = f[1], f[2]
			break
		}
	}
	if p.base == "" {
		p.kill()
		tb.Fatalf("the server process did not start: %v", sc.Err())
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return p
}

// procStatus returns a /proc/PID/status memory field (VmRSS, VmHWM) in
// bytes.
func procStatus(t *testing.T, pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}
