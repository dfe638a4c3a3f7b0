// Package batch serves batch verification, POST
// /v1/credentials/verify-batch (api.PathVerifyBatch): a JSON body
// {credentials, options} answered with {results, summary}, or an NDJSON
// stream (api.MediaTypeNDJSON: one credential per line, the options as
// query parameters) answered with one result per line, in input order,
// flushed as chunks complete, and a last line {"summary"}. Either way
// ?detail=failures asks for the compact results (batch.DetailFailures). Each
// credential gets the single verify endpoint's policy and checks
// (batch.Run over the node's verifier). The server's body limit does not
// apply to a stream (LimitBodies); each line is bounded by
// batch.MaxLineBytes instead, and each line must arrive within
// LineIdleLimit of the node waiting for it.
package batch

import (
	"encoding/json"
	"mime"
	"net/http"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/batch"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/server/httpx"
)

// Handlers serves batch verification for one node.
type Handlers struct {
	Node *node.Node
	// LineIdleLimit bounds the wait for each line of a stream; zero is
	// LineIdleLimit.
	LineIdleLimit time.Duration
}

// IsStream reports whether r is a batch verification stream.
func IsStream(r *http.Request) bool {
	if r.Method != http.MethodPost || r.URL.Path != api.PathVerifyBatch {
		return false
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == api.MediaTypeNDJSON
}

// LimitBodies applies limit, the server's body limit middleware, to every
// request but a batch verification stream, whose lines are bounded one by
// one.
func LimitBodies(limit func(http.Handler) http.Handler) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		limited := limit(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if IsStream(r) {
				next.ServeHTTP(w, r)
				return
			}
			limited.ServeHTTP(w, r)
		})
	}
}

// Verify verifies many credentials with the single verify endpoint's
// policy: 200 with every result (a credential that fails is a result, not
// an error), 400 when the request itself is malformed: POST
// /v1/credentials/verify-batch, as JSON or as a stream (Stream).
func (h *Handlers) Verify(w http.ResponseWriter, r *http.Request) error {
	if IsStream(r) {
		return h.Stream(w, r)
	}
	detail, err := detailFromQuery(r)
	if err != nil {
		return err
	}
	var req api.VerifyBatchRequest
	if err := httpx.DecodeLenientItems(r, &req); err != nil {
		return err
	}
	if req.Credentials == nil {
		return errs.BadRequest("request.malformed", "request body: \"credentials\" (an array) is required")
	}
	if len(req.Credentials) > api.MaxBatchCredentials {
		return errs.BadRequest("batch.tooMany", "a JSON batch has at most %d credentials (%d sent); stream larger batches as %s", api.MaxBatchCredentials, len(req.Credentials), api.MediaTypeNDJSON)
	}
	resp := api.VerifyBatchResponse{Results: make([]*batch.Result, 0, len(req.Credentials))}
	sum, err := batch.Run(r.Context(), h.Node.Verifier().NewBatch(credential.PolicyFrom(req.Options)), batch.NewSlice(req.Credentials), batch.Config{},
		func(res *batch.Result) error { resp.Results = append(resp.Results, res); return nil }, nil)
	if err != nil {
		return err
	}
	resp.Summary = sum
	if detail == batch.DetailFull {
		return httpx.JSON(w, http.StatusOK, resp)
	}
	compact := struct {
		Results []json.RawMessage `json:"results"`
		Summary api.BatchSummary  `json:"summary"`
	}{make([]json.RawMessage, len(resp.Results)), sum}
	for i, res := range resp.Results {
		compact.Results[i] = batch.AppendResult(nil, res, detail)
	}
	return httpx.JSON(w, http.StatusOK, compact)
}
