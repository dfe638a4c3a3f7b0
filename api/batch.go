package api

import (
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/weidgo/weid/errs"
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
	Options VerifyOptions `json:"options,omitempty"`
}

// VerifyBatchResponse is the answer to a JSON batch request.
type VerifyBatchResponse struct {
	Results []*BatchResult `json:"results"`
	Summary BatchSummary   `json:"summary"`
}

// VerifyBatchTrailer is the last line of an NDJSON answer: the summary,
// and the error that ended the stream early, if one did.
type VerifyBatchTrailer struct {
	Summary BatchSummary `json:"summary"`
	Error   *Problem     `json:"error,omitempty"`
}

// BatchOptions are a batch's verification options: the policy of the single
// verify endpoint (credential.PolicyFrom reads the same members from a
// JSON options object), which a stream takes as query parameters.
type BatchOptions struct {
	// RequireAccreditation fails credentials whose issuer is not an
	// authority issuer accredited for them.
	RequireAccreditation bool `json:"requireAccreditation,omitempty"`
	// RequireBinding fails credentials whose issuer is not a DID.
	RequireBinding bool `json:"requireBinding,omitempty"`
	// ProofPurpose, Challenge and Domain are what every Data Integrity
	// proof of a credential must carry (VC Data Integrity 1.0 §4.4: the
	// expected proof purpose, assertionMethod when empty; challenge and
	// domain when not empty).
	ProofPurpose string `json:"expectedProofPurpose,omitempty"`
	Challenge    string `json:"challenge,omitempty"`
	Domain       string `json:"domain,omitempty"`
}

// batchQueryBools and batchQueryStrings are the query parameters of a
// stream's options, by their JSON names.
func (o *BatchOptions) batchQueryBools() map[string]*bool {
	return map[string]*bool{"requireAccreditation": &o.RequireAccreditation, "requireBinding": &o.RequireBinding}
}

func (o *BatchOptions) batchQueryStrings() map[string]*string {
	return map[string]*string{"expectedProofPurpose": &o.ProofPurpose, "challenge": &o.Challenge, "domain": &o.Domain}
}

// batchQueryNames lists the query parameters of a stream: its options
// and BatchQueryDetail.
func (o *BatchOptions) batchQueryNames() []string {
	names := []string{BatchQueryDetail}
	for name := range o.batchQueryBools() {
		names = append(names, name)
	}
	for name := range o.batchQueryStrings() {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// CheckBatchQuery refuses, as a 400 request.badQuery naming it, a query
// parameter of a batch request that its form does not take, or one given
// twice: a stream takes BatchQueryDetail and its options; a JSON request
// takes only BatchQueryDetail, its options being the body's "options".
func CheckBatchQuery(q url.Values, stream bool) error {
	if stream {
		return checkBatchQuery(q, (&BatchOptions{}).batchQueryNames())
	}
	return checkBatchQuery(q, []string{BatchQueryDetail})
}

func checkBatchQuery(q url.Values, known []string) error {
	return checkQuery(q, known, nil, func(name string) error {
		if len(known) == 1 {
			return errs.BadRequest("request.badQuery", "unknown query parameter %q (a JSON batch takes only %s; its options go in the body's \"options\")", errs.Truncate(name, 40), known[0])
		}
		return unknownQuery(name, known)
	})
}

// CheckQuery refuses (400 request.badQuery) a query parameter not in known,
// and one given more than once unless it is repeatable: a typo would
// silently widen the answer, and of two values one would silently win.
func CheckQuery(q url.Values, known []string, repeatable ...string) error {
	return checkQuery(q, known, repeatable, func(name string) error { return unknownQuery(name, known) })
}

func unknownQuery(name string, known []string) error {
	if len(known) == 0 {
		return errs.BadRequest("request.badQuery", "unknown query parameter %q (this operation takes none)", errs.Truncate(name, 40))
	}
	return errs.BadRequest("request.badQuery", "unknown query parameter %q (%s)", errs.Truncate(name, 40), strings.Join(known, ", "))
}

// CheckDeclaredQuery is CheckQuery for a route that declares the query
// parameters it takes as declared, where a name ending in "..." may be
// repeated ("key...").
func CheckDeclaredQuery(q url.Values, declared []string) error {
	known := make([]string, len(declared))
	var repeatable []string
	for i, name := range declared {
		var ok bool
		if known[i], ok = strings.CutSuffix(name, "..."); ok {
			repeatable = append(repeatable, known[i])
		}
	}
	return CheckQuery(q, known, repeatable...)
}

func checkQuery(q url.Values, known, repeatable []string, unknown func(name string) error) error {
	for _, name := range slices.Sorted(maps.Keys(q)) { // the same query always gets the same answer
		if !slices.Contains(known, name) {
			return unknown(name)
		}
		if len(q[name]) > 1 && !slices.Contains(repeatable, name) {
			return errs.BadRequest("request.badQuery", "query parameter %q is given %d times", errs.Truncate(name, 40), len(q[name]))
		}
	}
	return nil
}

// Query adds o's options to q, the query of a batch verification stream.
func (o BatchOptions) Query(q url.Values) {
	for name, b := range o.batchQueryBools() {
		if *b {
			q.Set(name, "true")
		}
	}
	for name, s := range o.batchQueryStrings() {
		if *s != "" {
			q.Set(name, *s)
		}
	}
}

// BatchQueryDetail is the query parameter that chooses the form of a batch
// answer, in either form of the request (batch.ParseDetail reads it).
const BatchQueryDetail = "detail"

// BatchOptionsFromQuery reads a stream's options from its query: the
// booleans true or false (a 400 request.badQuery otherwise), the strings
// as given. A parameter it does not know (other than BatchQueryDetail) or
// one given twice is a 400 request.badQuery naming it: a misspelt policy
// option (?requireAcreditation=true) silently dropped would verify under a
// weaker policy than the caller asked for.
func BatchOptionsFromQuery(q url.Values) (BatchOptions, error) {
	var o BatchOptions
	if err := checkBatchQuery(q, o.batchQueryNames()); err != nil {
		return o, err
	}
	for name, b := range o.batchQueryBools() {
		if v := q.Get(name); v != "" {
			var err error
			if *b, err = strconv.ParseBool(v); err != nil {
				return o, errs.BadRequest("request.badQuery", "%s must be true or false", name)
			}
		}
	}
	for name, s := range o.batchQueryStrings() {
		*s = q.Get(name)
	}
	return o, nil
}

// BatchResult is the verdict on one credential of a batch.
type BatchResult struct {
	// Index is the credential's position in the input, from 0.
	Index int `json:"index"`
	// Verified is true when no check failed.
	Verified bool `json:"verified"`
	// Checks has one entry per named check, as the single verify
	// endpoint reports them (empty when the item is not a credential).
	Checks []Check `json:"checks"`
	// Errors repeats the failed checks.
	Errors []Check `json:"errors"`
	// Code is set when the item could not be verified at all: a problem
	// code such as credential.invalid or credential.unsupportedFormat
	// (not a credential in a form weid reads), batch.lineTooLong (an
	// NDJSON line over MaxLineBytes) or ledger.unavailable (the verifier's
	// own failure: retry).
	Code string `json:"code,omitempty"`
	// Detail explains Code.
	Detail string `json:"detail,omitempty"`
}

// Outcome names r's outcome: verified, failed (a check failed), invalid
// (not a credential) or unavailable (the verifier could not decide).
func (r *BatchResult) Outcome() string {
	switch {
	case r.Code == "ledger.unavailable":
		return OutcomeUnavailable
	case r.Code != "":
		return OutcomeInvalid
	case r.Verified:
		return OutcomeVerified
	}
	return OutcomeFailed
}

// BatchSummary counts a batch's results.
type BatchSummary struct {
	// Total is the number of results.
	Total int `json:"total"`
	// Outcomes counts results by outcome: verified, failed, invalid,
	// unavailable (each present, possibly 0).
	Outcomes map[string]int `json:"outcomes"`
	// FailedChecks counts failed results by each check that failed.
	FailedChecks map[string]int `json:"failedChecks"`
}

// Add counts r.
func (s *BatchSummary) Add(r *BatchResult) {
	s.Total++
	s.Outcomes[r.Outcome()]++
	for _, c := range r.Errors {
		s.FailedChecks[c.Name]++
	}
}

// AllVerified reports whether every result verified.
func (s *BatchSummary) AllVerified() bool { return s.Outcomes[OutcomeVerified] == s.Total }

// SortedChecks returns the names of s.FailedChecks, most failures first.
func (s *BatchSummary) SortedChecks() []string {
	names := make([]string, 0, len(s.FailedChecks))
	for n := range s.FailedChecks {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if s.FailedChecks[names[i]] != s.FailedChecks[names[j]] {
			return s.FailedChecks[names[i]] > s.FailedChecks[names[j]]
		}
		return names[i] < names[j]
	})
	return names
}

// Outcomes a BatchSummary counts.
const (
	OutcomeVerified    = "verified"
	OutcomeFailed      = "failed"
	OutcomeInvalid     = "invalid"
	OutcomeUnavailable = "unavailable"
)

// NewBatchSummary returns an empty summary.
func NewBatchSummary() BatchSummary {
	return BatchSummary{Outcomes: map[string]int{OutcomeVerified: 0, OutcomeFailed: 0, OutcomeInvalid: 0, OutcomeUnavailable: 0}, FailedChecks: map[string]int{}}
}
