package server

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/weidgo/weid/batch"
	"github.com/weidgo/weid/errs"
)

// Batch verification (POST /v1/credentials/verify-batch): a JSON body
// {credentials, options} answered with {results, summary}, or an NDJSON
// stream (Content-Type application/x-ndjson: one credential per line, the
// options as query parameters) answered with one result per line, in
// input order, flushed as chunks complete, and a last line {"summary"}.
// The 1 MiB body limit does not apply to the stream; each line is bounded
// by batch.MaxLineBytes instead.

// PathVerifyBatch is the batch verification endpoint.
const PathVerifyBatch = "/v1/credentials/verify-batch"

// MediaTypeNDJSON is the media type of newline-delimited JSON streams.
const MediaTypeNDJSON = "application/x-ndjson"

// MaxBatchCredentials bounds the credentials of a JSON (not streamed)
// batch request; larger batches stream.
const MaxBatchCredentials = 10000

// VerifyBatchRequest is the JSON body of POST /v1/credentials/verify-batch.
type VerifyBatchRequest struct {
	// Credentials are JSON objects (Data Integrity) or strings (compact
	// vc+jwt or SD-JWT), as POST /credentials/verify takes them.
	Credentials []json.RawMessage `json:"credentials"`
	// Options are those of POST /credentials/verify (requireAccreditation,
	// requireBinding); unknown keys are tolerated, as VCALM asks.
	Options map[string]any `json:"options,omitempty"`
}

// VerifyBatchResponse is the answer to a JSON batch request.
type VerifyBatchResponse struct {
	Results []*batch.Result `json:"results"`
	Summary batch.Summary   `json:"summary"`
}

// VerifyBatchTrailer is the last line of an NDJSON answer: the summary,
// and the error that ended the stream early, if one did.
type VerifyBatchTrailer struct {
	Summary batch.Summary `json:"summary"`
	Error   *Problem      `json:"error,omitempty"`
}

// isNDJSON reports whether the request body is an NDJSON stream.
func isNDJSON(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == MediaTypeNDJSON
}

// limitBodyUnlessStream caps request bodies (limitBody), except a batch
// verification stream, whose lines are bounded one by one.
func limitBodyUnlessStream(next http.Handler) http.Handler {
	limited := limitBody(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == PathVerifyBatch && isNDJSON(r) {
			next.ServeHTTP(w, r)
			return
		}
		limited.ServeHTTP(w, r)
	})
}

// verifyBatch verifies many credentials with the single verify endpoint's
// policy: 200 with every result (a credential that fails is a result, not
// an error), 400 when the request itself is malformed.
func (s *Server) verifyBatch(w http.ResponseWriter, r *http.Request) {
	if isNDJSON(r) {
		s.verifyBatchStream(w, r)
		return
	}
	body, err := readBody(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	var req VerifyBatchRequest
	if err := json.Unmarshal(body, &req); err != nil {
		renderError(w, r, errs.BadRequest("request.malformed", "request body: %v", err))
		return
	}
	if req.Credentials == nil {
		renderError(w, r, errs.BadRequest("request.malformed", "request body: \"credentials\" (an array) is required"))
		return
	}
	if len(req.Credentials) > MaxBatchCredentials {
		renderError(w, r, errs.BadRequest("batch.tooMany", "a JSON batch has at most %d credentials (%d sent); stream larger batches as %s", MaxBatchCredentials, len(req.Credentials), MediaTypeNDJSON))
		return
	}
	p := policyFrom(req.Options)
	resp := VerifyBatchResponse{Results: make([]*batch.Result, 0, len(req.Credentials))}
	sum, err := batch.Run(r.Context(), s.verifier().NewBatch(p), batch.NewSlice(req.Credentials), batch.Config{},
		func(res *batch.Result) error { resp.Results = append(resp.Results, res); return nil }, nil)
	if err != nil {
		renderError(w, r, err)
		return
	}
	resp.Summary = sum
	writeJSON(w, http.StatusOK, resp)
}

// batchOptionsFromQuery reads a stream's options from the query string.
func batchOptionsFromQuery(r *http.Request) (batch.Options, error) {
	var o batch.Options
	q := r.URL.Query()
	for name, dst := range map[string]*bool{"requireAccreditation": &o.RequireAccreditation, "requireBinding": &o.RequireBinding} {
		if v := q.Get(name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return o, errs.BadRequest("request.badQuery", "%s must be true or false", name)
			}
			*dst = b
		}
	}
	return o, nil
}

// streamWriteWindow is how long writing one chunk of results may take.
const streamWriteWindow = 2 * time.Minute

func (s *Server) verifyBatchStream(w http.ResponseWriter, r *http.Request) {
	o, err := batchOptionsFromQuery(r)
	if err != nil {
		renderError(w, r, err)
		return
	}
	rc := http.NewResponseController(w)
	// Read the request while writing the answer (HTTP/1.1), and lift the
	// server's whole-request deadlines: a stream lasts as long as it has
	// lines; each chunk of results gets its own write window.
	_ = rc.EnableFullDuplex()
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Now().Add(streamWriteWindow))
	w.Header().Set("Content-Type", MediaTypeNDJSON)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 32<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	sum, err := batch.Run(r.Context(), s.verifier().NewBatch(o.Policy()), batch.NewNDJSON(r.Body), batch.Config{},
		func(res *batch.Result) error { return enc.Encode(res) },
		func() error {
			if err := bw.Flush(); err != nil {
				return err
			}
			_ = rc.SetWriteDeadline(time.Now().Add(streamWriteWindow))
			return rc.Flush()
		})
	tr := VerifyBatchTrailer{Summary: sum}
	if err != nil {
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe), errors.Is(err, io.ErrUnexpectedEOF):
			tr.Error = streamProblem(r, "request.unreadable", fmt.Sprintf("the stream ended early: %v", err))
		case r.Context().Err() != nil:
			return // the client went away
		default:
			slog.WarnContext(r.Context(), "verify-batch stream", "error", err)
			tr.Error = streamProblem(r, "request.unreadable", fmt.Sprintf("the stream could not be read: %v", err))
		}
	}
	_ = enc.Encode(tr)
	_ = bw.Flush()
	_ = rc.Flush()
}

// streamProblem is a problem reported inside a stream's trailer (the
// status line, 200, went out with the first results).
func streamProblem(r *http.Request, code, detail string) *Problem {
	p := problemFor(errs.BadRequest(code, "%s", detail))
	p.Instance = r.URL.Path
	p.RequestID = middleware.GetReqID(r.Context())
	return &p
}
