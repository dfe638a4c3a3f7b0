package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/batch"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/jose"
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
	n := envInt("WEID_BATCH_HTTP_N", 20000)
	base, pid, stop := serveHTTPProcess(b)
	defer stop()

	signer := didKeySigner(b, keys.Ed25519)
	const distinct = 1024
	toks := make([][]byte, distinct)
	mustSpread(b, distinct, func(i int) error {
		tok, err := credential.IssueJWT(signer, schemaDiploma(signer.DID, i), issuedAt, credential.IssueOptions{})
		l, _ := json.Marshal(tok)
		toks[i] = append(l, '\n')
		return err
	})
	var body bytes.Buffer
	for i := range n {
		body.Write(toks[i%distinct])
	}

	// floor: the same stream's signatures, batch-verified in this process
	// on all cores (as BenchmarkVerifyBatch's floor/batch-all-cores), for
	// the ratios below; its CPU time per credential is the server's bound.
	cpu := map[string]float64{}
	rates := map[string]float64{}
	b.Run("floor", func(b *testing.B) {
		rates["floor"], cpu["floor"] = floorHTTPCorpus(b, toks, n, signer.Key.Public())
	})
	// ndjson: every result in full, the default; ndjson-failures: the
	// compact form (?detail=failures), checks named only when they fail.
	for _, form := range []struct{ name, query string }{{"ndjson", ""}, {"ndjson-failures", "?detail=failures"}} {
		b.Run(form.name, func(b *testing.B) {
			rates[form.name], cpu[form.name] = streamHTTP(b, base+api.PathVerifyBatch+form.query, body.Bytes(), n, pid)
		})
	}
	if rates["floor"] > 0 {
		fmt.Println()
		fmt.Println("verify-batch over HTTP vs the batch-signature floor (same run; server CPU per credential vs the floor's):")
		for _, name := range []string{"ndjson", "ndjson-failures"} {
			if r, ok := rates[name]; ok {
				fmt.Printf("  %-16s %8.0f credentials/s  %.2f× the floor (%.0f/s)  server CPU %.0f ns/credential, %.2f× the floor's (%.0f)\n",
					name, r, r/rates["floor"], rates["floor"], cpu[name], cpu[name]/cpu["floor"], cpu["floor"])
			}
		}
	}
}

// floorHTTPCorpus batch-verifies the signatures of n tokens (toks cycled,
// each a JSON string and a newline), parsed beforehand, 64 per batch on all
// cores, and returns the rate and the CPU time per credential.
func floorHTTPCorpus(b *testing.B, toks [][]byte, n int, pub keys.PublicKey) (float64, float64) {
	type sig struct{ msg, sig []byte }
	sigs := make([]sig, len(toks))
	for i, l := range toks {
		var tok string
		if err := json.Unmarshal(l, &tok); err != nil {
			b.Fatal(err)
		}
		j, err := jose.Parse(tok)
		if err != nil {
			b.Fatal(err)
		}
		sigs[i] = sig{[]byte(tok[:strings.LastIndexByte(tok, '.')]), j.Signature}
	}
	k := keys.ExpandEd25519(pub.Ed25519Key())
	cpu0 := selfCPU()
	b.ResetTimer()
	for range b.N {
		var wg sync.WaitGroup
		var next atomic.Int64
		const step = 1024
		for range runtime.GOMAXPROCS(0) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				bt := keys.NewEd25519Batch(batch.DefaultChunk)
				for lo := int(next.Add(step)) - step; lo < n; lo = int(next.Add(step)) - step {
					for c := lo; c < min(lo+step, n); c += batch.DefaultChunk {
						bt.Reset()
						for i := c; i < min(c+batch.DefaultChunk, lo+step, n); i++ {
							s := sigs[i%len(sigs)]
							bt.Add(k, s.msg, s.sig)
						}
						if ok, _ := bt.Verify(nil); !ok {
							panic("bad batch")
						}
					}
				}
			}()
		}
		wg.Wait()
	}
	b.StopTimer()
	return reportHTTP(b, n, float64(selfCPU()-cpu0))
}

// reportHTTP reports ns/op and credentials/s per credential, and cpuNs, the
// CPU time a process spent, per credential; it returns the rate and that.
func reportHTTP(b *testing.B, n int, cpuNs float64) (float64, float64) {
	ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N*n)
	perCred := cpuNs / float64(b.N*n)
	b.ReportMetric(ns, "ns/op")
	b.ReportMetric(1e9/ns, "credentials/s")
	b.ReportMetric(perCred, "cpu-ns/credential")
	return 1e9 / ns, perCred
}

// selfCPU is this process's user and system CPU time, in nanoseconds.
func selfCPU() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// procCPU is process pid's user and system CPU time, in nanoseconds, from
// /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s).
func procCPU(b *testing.B, pid int) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	// The command name (field 2) may hold spaces: count from its ')'.
	f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+1:]))
	if len(f) < 13 {
		b.Fatalf("/proc/%d/stat: %q", pid, raw)
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return (ut + st) * 1e7
}

// streamHTTP posts body, n credentials as NDJSON, to url b.N times with
// Go's default client and Expect: 100-continue, and reports the rate per
// credential and the server process's (pid) CPU time per credential.
func streamHTTP(b *testing.B, url string, body []byte, n, pid int) (float64, float64) {
	{
		var got100 atomic.Int64
		trace := &httptrace.ClientTrace{Got100Continue: func() { got100.Add(1) }}
		cpu0 := procCPU(b, pid)
		b.ResetTimer()
		for range b.N {
			req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
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
		return reportHTTP(b, n, float64(procCPU(b, pid)-cpu0))
	}
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

// serveHTTPProcess starts the server process of the benchmark
// (serveProcess) and returns its base URL, its process id and a function
// that stops it. With $WEID_BATCH_HTTP_CPUPROFILE set to a file name, the
// server process writes its CPU profile there when it stops.
func serveHTTPProcess(b *testing.B) (string, int, func()) {
	var args []string
	if prof := os.Getenv("WEID_BATCH_HTTP_CPUPROFILE"); prof != "" {
		// The server's CPU profile (the test binary's own flag, written
		// when the child's test ends): go tool pprof on it shows the HTTP
		// path's time apart from the client's.
		args = append(args, "-test.cpuprofile", prof)
	}
	p := serveProcess(b, args...)
	return p.base, p.pid, p.stop
}
