package batch

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/server/httpx"
)

// streamServer serves the batch endpoint of a fresh node, with the given
// line idle limit (0: LineIdleLimit). If seen is not nil, it receives, for
// each request, how many body bytes the handler had read when it wrote its
// status line.
func streamServer(t *testing.T, idle time.Duration, seen chan<- int64) *httptest.Server {
	t.Helper()
	n, err := node.Open(node.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	h := &Handlers{Node: n, LineIdleLimit: idle}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if seen != nil {
			body := &countingBody{ReadCloser: r.Body}
			r.Body = body
			w = &headerWatch{ResponseWriter: w, body: body, seen: seen}
		}
		if err := h.Verify(w, r); err != nil {
			httpx.WriteProblem(w, r, err, nil)
		}
	}))
	t.Cleanup(func() { srv.Close(); n.Close() })
	return srv
}

// countingBody counts the bytes read from a request body.
type countingBody struct {
	io.ReadCloser
	n atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// headerWatch reports how much of the body had been read when the handler
// wrote its status line.
type headerWatch struct {
	http.ResponseWriter
	body *countingBody
	seen chan<- int64
	once sync.Once
}

func (w *headerWatch) WriteHeader(status int) {
	w.once.Do(func() { w.seen <- w.body.n.Load() })
	w.ResponseWriter.WriteHeader(status)
}

func (w *headerWatch) Write(p []byte) (int, error) {
	w.once.Do(func() { w.seen <- w.body.n.Load() })
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the server's writer.
func (w *headerWatch) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// ndjsonLines returns n lines that each get a (failed) result.
func ndjsonLines(n int) []string {
	lines := make([]string, n)
	for i := range lines {
		lines[i] = fmt.Sprintf(`{"id":"urn:uuid:%d"}`+"\n", i)
	}
	return lines
}

// readStream reads an NDJSON answer: the number of result lines and the
// trailer.
func readStream(t *testing.T, r io.Reader) (int, api.VerifyBatchTrailer) {
	t.Helper()
	sc := bufio.NewScanner(r)
	n := 0
	var tr api.VerifyBatchTrailer
	for sc.Scan() {
		if bytes.HasPrefix(sc.Bytes(), []byte(`{"summary"`)) {
			if err := json.Unmarshal(sc.Bytes(), &tr); err != nil {
				t.Fatal(err)
			}
			return n, tr
		}
		n++
	}
	t.Fatalf("no trailer after %d results: %v", n, sc.Err())
	return 0, tr
}

// firstReadBody records whether the client had its 100 Continue when the
// transport first read the body.
type firstReadBody struct {
	io.Reader
	got100, readBefore100, read *atomic.Bool
}

func (b firstReadBody) Read(p []byte) (int, error) {
	if !b.read.Swap(true) && !b.got100.Load() {
		b.readBefore100.Store(true)
	}
	return b.Reader.Read(p)
}

// TestStream_ExpectContinue: a client that sends "Expect: 100-continue"
// (RFC 9110 §10.1.1) and waits for 100 Continue before uploading, as curl
// does for large bodies, gets it before it sends the body, and the answer
// covers every line: the node read the body before writing its status line.
// The transport's own wait is long, so a node that never sends 100 would
// show here as a body read without it, not as a slow test; and the node
// must have read some of the body when it writes its status line.
func TestStream_ExpectContinue(t *testing.T) {
	seen := make(chan int64, 1)
	srv := streamServer(t, 0, seen)
	lines := ndjsonLines(200)
	var got100, before, read atomic.Bool
	body := firstReadBody{Reader: strings.NewReader(strings.Join(lines, "")), got100: &got100, readBefore100: &before, read: &read}
	req, _ := http.NewRequest("POST", srv.URL+api.PathVerifyBatch, body)
	req.ContentLength = int64(len(strings.Join(lines, "")))
	req.Header.Set("Content-Type", api.MediaTypeNDJSON)
	req.Header.Set("Expect", "100-continue")
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{Got100Continue: func() { got100.Store(true) }}))
	tr := &http.Transport{ExpectContinueTimeout: 3 * time.Second}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	n, trailer := readStream(t, resp.Body)
	if !got100.Load() || before.Load() {
		t.Fatalf("100 Continue received: %v; body read before it: %v", got100.Load(), before.Load())
	}
	if n != len(lines) || trailer.Summary.Total != len(lines) || trailer.Error != nil {
		t.Fatalf("%d results, trailer %+v", n, trailer)
	}
	if read := <-seen; read == 0 {
		t.Fatal("the node wrote its status line before it had read any of the body")
	}
}

// rawStream opens a connection to srv and sends the request head of a
// chunked NDJSON stream.
func rawStream(t *testing.T, srv *httptest.Server) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: weid\r\nContent-Type: %s\r\nTransfer-Encoding: chunked\r\n\r\n", api.PathVerifyBatch, api.MediaTypeNDJSON)
	// A generous bound: the node must have closed the stream long before.
	_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
	return c, bufio.NewReader(c)
}

func writeChunk(t *testing.T, c net.Conn, s string) {
	t.Helper()
	if _, err := fmt.Fprintf(c, "%x\r\n%s\r\n", len(s), s); err != nil {
		t.Fatal(err)
	}
}

// TestStream_IdleLineLimit: a stream whose client falls silent is closed
// once no line has come for the idle limit: before its first line with a
// 408 batch.idle problem, after some lines with their results and a trailer
// naming batch.idle. A client slower than the limit overall, but with each
// line inside it, gets every result.
func TestStream_IdleLineLimit(t *testing.T) {
	const limit = time.Second
	srv := streamServer(t, limit, nil)

	t.Run("silent from the start", func(t *testing.T) {
		_, br := rawStream(t, srv)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		var p api.Problem
		_ = json.NewDecoder(resp.Body).Decode(&p)
		if resp.StatusCode != http.StatusRequestTimeout || p.Code != "batch.idle" {
			t.Fatalf("%d %+v", resp.StatusCode, p)
		}
		if _, err := io.ReadAll(br); err != nil {
			t.Fatalf("connection not closed: %v", err)
		}
	})

	t.Run("silent after two lines", func(t *testing.T) {
		c, br := rawStream(t, srv)
		lines := ndjsonLines(2)
		writeChunk(t, c, lines[0]+lines[1])
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		n, tr := readStream(t, resp.Body)
		if resp.StatusCode != 200 || n != 2 || tr.Summary.Total != 2 || tr.Error == nil || tr.Error.Code != "batch.idle" {
			t.Fatalf("%d: %d results, trailer %+v", resp.StatusCode, n, tr)
		}
		// And the connection is closed.
		if _, err := io.ReadAll(br); err != nil {
			t.Fatalf("connection not closed: %v", err)
		}
	})

	t.Run("slow but alive", func(t *testing.T) {
		c, br := rawStream(t, srv)
		lines := ndjsonLines(6)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for _, l := range lines {
				// Each line comes well inside the limit; all of them
				// take longer than it.
				time.Sleep(limit / 4)
				if _, err := fmt.Fprintf(c, "%x\r\n%s\r\n", len(l), l); err != nil {
					return
				}
			}
			_, _ = io.WriteString(c, "0\r\n\r\n")
		}()
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		n, tr := readStream(t, resp.Body)
		<-done
		if resp.StatusCode != 200 || n != len(lines) || tr.Summary.Total != len(lines) || tr.Error != nil {
			t.Fatalf("%d: %d results, trailer %+v", resp.StatusCode, n, tr)
		}
	})
}
