package api

import (
	"encoding/json"

	"github.com/weidgo/weid/batch"
)

// Batch verification (POST /v1/credentials/verify-batch): a JSON body
// {credentials, options} answered with {results, summary}, or an NDJSON
// stream (Content-Type application/x-ndjson: one credential per line, the
// options as query parameters) answered with one result per line, in
// input order, flushed as chunks complete, and a last line, the trailer
// {"summary"}. The 1 MiB body limit does not apply to the stream; each
// line is bounded by batch.MaxLineBytes instead.

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
