package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/keys"
)

// BenchmarkVerifyBatchHTTP measures POST /v1/credentials/verify-batch as an
// NDJSON stream over HTTP, the way an institution's verifier calls it: the
// node in a process of its own (this binary again, as
// TestVerifyBatchStreamRSS runs it: a solo node serving the HTTP API on
// loopback), the client here, with Go's default HTTP client settings
// (http.DefaultClient; its transport waits 1 s for 100 Continue) and
// "Expect: 100-continue" on the request, which curl and many other clients
// send for any large body. A node that did not answer 100-continue promptly
// would cost each stream that second (issue 19 item 15).
//
// One stream is $WEID_BATCH_HTTP_N vc+jwt diplomas (default 20,000) of a
// did:key issuer under the node's diploma schema, 1,024 distinct tokens
// signed beforehand and cycled, sent as one body of known length (as curl
// --data-binary @file does); the results are read and counted. ns/op and
// credentials/s are per credential.
func BenchmarkVerifyBatchHTTP(b *testing.B) {
	n := 20000
	if s := os.Getenv("WEID_BATCH_HTTP_N"); s != "" {
		if v, err := strconv.Atoi(s); err == nil && v > 0 {
			n = v
		}
	}
	base, stop := serveProcess(b)
	defer stop()

	k, err := keys.Generate(keys.Ed25519)
	if err != nil {
		b.Fatal(err)
	}
	d := did.KeyDID(k.Public())
	signer := credential.Signer{DID: d, VerificationMethod: d + "#" + k.Public().Multibase(), Key: k}
	const distinct = 1024
	toks := make([][]byte, distinct)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < distinct; i = int(next.Add(1)) - 1 {
				tok, err := credential.IssueJWT(signer, schemaDiploma(d, i), issuedAt, credential.IssueOptions{})
				if err != nil {
					panic(err)
				}
				l, _ := json.Marshal(tok)
				toks[i] = append(l, '\n')
			}
		}()
	}
	wg.Wait()
	var body bytes.Buffer
	for i := range n {
		body.Write(toks[i%distinct])
	}

	b.Run("ndjson", func(b *testing.B) {
		var got100 atomic.Int64
		trace := &httptrace.ClientTrace{Got100Continue: func() { got100.Add(1) }}
		b.ResetTimer()
		for range b.N {
			req, _ := http.NewRequest(http.MethodPost, base+api.PathVerifyBatch, bytes.NewReader(body.Bytes()))
			req.Header.Set("Content-Type", api.MediaTypeNDJSON)
			req.Header.Set("Expect", "100-continue")
			req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			results, tr := countStream(b, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || results != n || tr.Summary.Total != n || !tr.Summary.AllVerified() || tr.Error != nil {
				b.Fatalf("status %d, %d results of %d, trailer %+v", resp.StatusCode, results, n, tr)
			}
		}
		b.StopTimer()
		if got100.Load() != int64(b.N) {
			b.Fatalf("100 Continue for %d of %d streams", got100.Load(), b.N)
		}
		ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N*n)
		b.ReportMetric(ns, "ns/op")
		b.ReportMetric(1e9/ns, "credentials/s")
	})
}

// countStream reads an NDJSON answer of the batch endpoint: the number of
// results, and the trailer.
func countStream(b *testing.B, r io.Reader) (int, api.VerifyBatchTrailer) {
	rd := bufio.NewReaderSize(r, 64<<10)
	results := 0
	var tr api.VerifyBatchTrailer
	for {
		line, err := rd.ReadSlice('\n')
		if bytes.HasPrefix(line, []byte(`{"summary"`)) {
			if err := json.Unmarshal(line, &tr); err != nil {
				b.Fatal(err)
			}
		} else if len(line) > 0 {
			results++
		}
		if err == io.EOF {
			return results, tr
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

// serveProcess starts a solo node serving the HTTP API in a process of its
// own (rssServe, this test binary run again) and returns its base URL and a
// function that stops it. With $WEID_BATCH_HTTP_CPUPROFILE set to a file
// name, the server process writes its CPU profile there when it stops.
func serveProcess(b *testing.B) (string, func()) {
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	args := []string{"-test.run", "^TestVerifyBatchStreamRSS$"}
	if prof := os.Getenv("WEID_BATCH_HTTP_CPUPROFILE"); prof != "" {
		// The server's CPU profile (the test binary's own flag, written
		// when the child's test ends): go tool pprof on it shows the HTTP
		// path's time apart from the client's.
		args = append(args, "-test.cpuprofile", prof)
	}
	child := exec.Command(exe, args...)
	child.Env = append(os.Environ(), rssChildEnv+"=1")
	child.Stderr = os.Stderr
	stdin, _ := child.StdinPipe()
	stdout, _ := child.StdoutPipe()
	if err := child.Start(); err != nil {
		b.Fatal(err)
	}
	stop := func() { _ = stdin.Close(); _ = child.Wait() }
	sc := bufio.NewScanner(stdout)
	base := ""
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 3 && f[0] == "rss-server" {
			base = f[1]
			break
		}
	}
	if base == "" {
		_ = child.Process.Kill()
		stop()
		b.Fatalf("the server process did not start: %v", sc.Err())
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return base, stop
}
