package batch

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/batch"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/server/httpx"
)

// streamWriteWindow is how long writing one chunk of results may take.
const streamWriteWindow = 2 * time.Minute

// Stream verifies an NDJSON stream of credentials, writing each result as
// its chunk completes and, last, the trailer (api.VerifyBatchTrailer)
// with the summary and the error that ended the stream early, if one did:
// the status line, 200, went out with the first results.
func (h *Handlers) Stream(w http.ResponseWriter, r *http.Request) error {
	o, err := optionsFromQuery(r)
	if err != nil {
		return err
	}
	rc := http.NewResponseController(w)
	// Read the request while writing the answer (HTTP/1.1), and lift the
	// server's whole-request deadlines: a stream lasts as long as it has
	// lines; each chunk of results gets its own write window.
	_ = rc.EnableFullDuplex()
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Now().Add(streamWriteWindow))
	w.Header().Set("Content-Type", api.MediaTypeNDJSON)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 32<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	sum, err := batch.Run(r.Context(), h.Node.Verifier().NewBatch(batch.Policy(o)), batch.NewNDJSON(r.Body), batch.Config{},
		func(res *batch.Result) error { return enc.Encode(res) },
		func() error {
			if err := bw.Flush(); err != nil {
				return err
			}
			_ = rc.SetWriteDeadline(time.Now().Add(streamWriteWindow))
			return rc.Flush()
		})
	tr := api.VerifyBatchTrailer{Summary: sum}
	if err != nil {
		if tr.Error = streamProblem(r, err); tr.Error == nil {
			return nil // the client went away
		}
	}
	_ = enc.Encode(tr)
	_ = bw.Flush()
	_ = rc.Flush()
	return nil
}

// optionsFromQuery reads a stream's options from the query string.
func optionsFromQuery(r *http.Request) (batch.Options, error) {
	var o batch.Options
	q := r.URL.Query()
	for _, f := range []struct {
		name string
		dst  *bool
	}{{"requireAccreditation", &o.RequireAccreditation}, {"requireBinding", &o.RequireBinding}} {
		if v := q.Get(f.name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return o, errs.BadRequest("request.badQuery", "%s must be true or false", f.name)
			}
			*f.dst = b
		}
	}
	return o, nil
}

// streamProblem is the problem reported in the trailer of a stream that
// err ended early, or nil when the client went away.
func streamProblem(r *http.Request, err error) *api.Problem {
	var mbe *http.MaxBytesError
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
