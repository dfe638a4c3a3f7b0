package batch

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/batch"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/server/httpx"
)

// streamWriteWindow is how long writing one flush of results may take.
const streamWriteWindow = 2 * time.Minute

// streamWriteBuffer is the stream's write buffer: results go out when
// it is full or when the pipeline has nothing more ready (batch.Run's
// flush), so under load a write carries many chunks' results (about 70
// full results or 2,000 compact ones), and a slow stream's results still
// go out as they complete.
const streamWriteBuffer = 64 << 10

// LineIdleLimit is how long a stream's client may take to deliver each
// line (the first one included), counted while the node waits for it: a
// client that sends a line at least this often may stream for as long as it
// likes; one that falls silent for longer gets its trailer with a
// batch.idle problem and the connection is closed.
const LineIdleLimit = 30 * time.Second

// Stream verifies an NDJSON stream of credentials, writing each result as
// its chunk completes and, last, the trailer (api.VerifyBatchTrailer)
// with the summary and the error that ended the stream early, if one did:
// the status line, 200, went out with the first results.
func (h *Handlers) Stream(w http.ResponseWriter, r *http.Request) error {
	o, err := api.BatchOptionsFromQuery(r.URL.Query())
	if err != nil {
		return err
	}
	detail, err := detailFromQuery(r)
	if err != nil {
		return err
	}
	rc := http.NewResponseController(w)
	body, in, err := h.openStream(w, r, rc)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", api.MediaTypeNDJSON)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	out := &resultWriter{bw: bufio.NewWriterSize(w, streamWriteBuffer), rc: rc, detail: detail}
	sum, err := batch.Run(r.Context(), h.Node.Verifier().NewBatch(batch.Policy(o)), batch.NewNDJSON(in), batch.Config{}, out.result, out.flush)
	tr := api.VerifyBatchTrailer{Summary: sum}
	if body.idle.Load() {
		err = idleError(body.limit) // not the client gone: its silence cancelled the context
	}
	if err != nil {
		if tr.Error = streamProblem(r, err); tr.Error == nil {
			return nil // the client went away
		}
	}
	out.trailer(tr)
	if body.idle.Load() {
		closeConn(rc, r)
	}
	return nil
}

// resultWriter writes a stream's answer: results encoded without
// reflection (batch.AppendResult) into a buffer that goes out when full or
// flushed.
type resultWriter struct {
	bw     *bufio.Writer
	rc     *http.ResponseController
	detail batch.Detail
	line   []byte
}

// result writes one result line.
func (o *resultWriter) result(res *batch.Result) error {
	o.line = append(batch.AppendResult(o.line[:0], res, o.detail), '\n')
	_, err := o.bw.Write(o.line)
	return err
}

// flush sends what was written; each flush gets its own write window.
func (o *resultWriter) flush() error {
	_ = o.rc.SetWriteDeadline(time.Now().Add(streamWriteWindow))
	return errors.Join(o.bw.Flush(), o.rc.Flush())
}

// trailer writes the last line and sends it.
func (o *resultWriter) trailer(tr api.VerifyBatchTrailer) {
	enc := json.NewEncoder(o.bw)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(tr)
	_, _ = o.bw.Flush(), o.rc.Flush()
}

// openStream prepares a stream's body, before the status line is written:
// the request is read while the answer is written (HTTP/1.1), and the
// server's whole-request read deadline gives way to an idle limit per line
// (lineIdleReader), so a stream lasts as long as its lines keep coming;
// each chunk of results gets its own write window. It then waits for the
// first bytes: Go's server answers "Expect: 100-continue" (RFC 9110
// §10.1.1) when a handler first reads the body, and only if no response
// header has been written yet. (Writing 200 first left clients that send
// Expect, as curl does for any large body, waiting out their own timeout
// before uploading.)
func (h *Handlers) openStream(w http.ResponseWriter, r *http.Request, rc *http.ResponseController) (*lineIdleReader, *bufio.Reader, error) {
	_ = rc.EnableFullDuplex()
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Now().Add(streamWriteWindow))
	body := &lineIdleReader{r: r.Body, rc: rc, limit: h.lineIdleLimit()}
	in := bufio.NewReaderSize(body, batch.NDJSONBufferSize)
	if _, err := in.Peek(1); err != nil && !errors.Is(err, io.EOF) {
		if body.idle.Load() {
			// The body will never be finished: close the connection
			// after the problem rather than wait on it for a next request.
			w.Header().Set("Connection", "close")
			return nil, nil, idleError(body.limit)
		}
		return nil, nil, errs.BadRequest("request.unreadable", "the stream could not be read: %v", err)
	}
	return body, in, nil
}

// closeConn ends the answer to an HTTP/1.x stream whose request body will
// never be finished, and closes its connection: Go's server would otherwise
// keep the connection, with the rest of the body unread, for a next request
// that cannot come, holding it for as long as the silent client likes.
// Over HTTP/2 returning from the handler resets the stream, which is enough.
func closeConn(rc *http.ResponseController, r *http.Request) {
	if r.ProtoMajor != 1 {
		return
	}
	conn, brw, err := rc.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	_ = conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if r.ProtoMinor == 1 {
		// The last chunk of the chunked answer (RFC 9112 §7.1), which the
		// server writes itself only for a connection it keeps.
		_, _ = brw.WriteString("0\r\n\r\n")
	}
	_ = brw.Flush()
}

// detailFromQuery reads the detail query parameter (batch.ParseDetailQuery):
// full, the default, or failures, the compact form that names checks only
// when they fail; a parameter the request's form does not take is a 400.
func detailFromQuery(r *http.Request) (batch.Detail, error) {
	return batch.ParseDetailQuery(r.URL.Query(), IsStream(r))
}

// streamProblem is the problem reported in the trailer of a stream that
// err ended early, or nil when the client went away.
func streamProblem(r *http.Request, err error) *api.Problem {
	var mbe *http.MaxBytesError
	if e, ok := errs.As(err); ok {
		p := httpx.ProblemFor(e)
		p.Instance = r.URL.Path
		p.RequestID = middleware.GetReqID(r.Context())
		return &p
	}
	detail := ""
	switch {
	case errors.As(err, &mbe), errors.Is(err, io.ErrUnexpectedEOF):
		detail = fmt.Sprintf("the stream ended early: %v", err)
	case r.Context().Err() != nil:
		return nil
	default:
		slog.WarnContext(r.Context(), "verify-batch stream", "error", err)
		detail = fmt.Sprintf("the stream could not be read: %v", err)
	}
	p := httpx.ProblemFor(errs.BadRequest("request.unreadable", "%s", detail))
	p.Instance = r.URL.Path
	p.RequestID = middleware.GetReqID(r.Context())
	return &p
}

// lineIdleLimit is h.LineIdleLimit, or LineIdleLimit when that is zero.
func (h *Handlers) lineIdleLimit() time.Duration {
	if h.LineIdleLimit > 0 {
		return h.LineIdleLimit
	}
	return LineIdleLimit
}

// idleError is the problem of a stream whose client fell silent.
func idleError(limit time.Duration) error {
	return errs.New(http.StatusRequestTimeout, "batch.idle", "no line arrived for %v: a stream must deliver each line within %v of waiting for it", limit, limit)
}

// errIdle is what a lineIdleReader returns once its limit was reached.
var errIdle = errors.New("no line within the stream's idle limit")

// lineIdleReader reads a stream's body with an idle limit per line: the
// time spent waiting in Read since the last newline may not exceed limit.
// Time the node spends verifying, while it does not read, is not counted,
// so a slow node never times out a client that keeps up. When the limit is
// reached, a timer marks the reader idle and then sets the connection's
// read deadline to now to end the Read it waits in; the mark comes first,
// so by the time the failed read has cancelled the request's context (as
// Go's server does on a read error), idle is already true.
type lineIdleReader struct {
	r      io.Reader
	rc     *http.ResponseController
	limit  time.Duration
	waited time.Duration // waiting in Read since the last newline
	idle   atomic.Bool   // the limit was reached
}

// Read implements io.Reader.
func (l *lineIdleReader) Read(p []byte) (int, error) {
	left := l.limit - l.waited
	if left <= 0 {
		l.idle.Store(true)
	}
	if l.idle.Load() {
		return 0, errIdle
	}
	t := time.AfterFunc(left, func() {
		l.idle.Store(true)
		_ = l.rc.SetReadDeadline(time.Now())
	})
	start := time.Now()
	n, err := l.r.Read(p)
	t.Stop()
	if bytes.IndexByte(p[:n], '\n') >= 0 {
		l.waited = 0
	} else {
		l.waited += time.Since(start)
	}
	if err != nil && l.idle.Load() {
		err = errIdle
	}
	return n, err
}
