// Package batch verifies credentials in bulk: a stream of credentials in,
// one result per credential out, in input order, with a summary at the end.
// It is what POST /v1/credentials/verify-batch and `weid vc verify-batch`
// run.
//
// The pipeline: a reader takes credentials from a Source (an NDJSON
// stream, a JSON array, files) and groups them into chunks; workers, one
// per core, each verify a chunk with credential.Batch — every named check
// as credential.Verifier.Verify makes it, the chunk's Ed25519 signatures
// deferred and checked together with one batch verification, DID
// resolutions cached per ledger height, status lists and schemas read
// through the node's caches — and an emitter hands the results out in
// input order as each chunk completes. At most 2×workers+1 chunks are in
// flight, so memory stays bounded whatever the length of the stream.
package batch

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"runtime"
	"sync"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/errs"
)

// DefaultChunk is the number of credentials a worker verifies, and whose
// Ed25519 signatures it batches, at a time.
const DefaultChunk = 64

// Options is api.BatchOptions.
type Options = api.BatchOptions

// Policy is the credential.Policy of batch options o.
func Policy(o Options) credential.Policy {
	return credential.Policy{RequireAccreditation: o.RequireAccreditation, RequireBinding: o.RequireBinding,
		ProofPurpose: o.ProofPurpose, Challenge: o.Challenge, Domain: o.Domain}
}

// Result is api.BatchResult.
type Result = api.BatchResult

// Outcomes a Summary counts.
const (
	OutcomeVerified    = api.OutcomeVerified
	OutcomeFailed      = api.OutcomeFailed
	OutcomeInvalid     = api.OutcomeInvalid
	OutcomeUnavailable = api.OutcomeUnavailable
)

// Summary is api.BatchSummary.
type Summary = api.BatchSummary

// NewSummary returns an empty summary.
func NewSummary() Summary { return api.NewBatchSummary() }

// Item is one input of a batch: the JSON value of a credential, or the
// error that kept it from being read (an *errs.Error whose code the
// result carries).
type Item struct {
	Raw json.RawMessage
	Err error
	// unchecked: Raw is a line of a stream not yet known to be one JSON
	// value (Check).
	unchecked bool
}

// Check returns it with Err set if Raw is a stream's line that is not one
// JSON value. NDJSON leaves the check to the workers, which make it in
// parallel; Run calls it.
func (it Item) Check() Item {
	if it.unchecked {
		it.unchecked = false
		if it.Err == nil && !validLine(it.Raw) {
			it.Err = errs.BadRequest("credential.invalid", "the line is not one JSON value (a credential object or a compact JWT string)")
		}
	}
	return it
}

// validLine reports whether line is one JSON value (RFC 8259 §2), with a
// fast path for a string without escapes or control characters, the form
// of a compact token.
func validLine(line []byte) bool {
	if len(line) >= 2 && line[0] == '"' && line[len(line)-1] == '"' {
		plain := true
		for _, c := range line[1 : len(line)-1] {
			if c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
				plain = false
				break
			}
		}
		if plain {
			return true
		}
	}
	return json.Valid(line)
}

// Source yields a batch's items in order. Next returns io.EOF after the
// last; any other error ends the batch (the input could not be read).
type Source interface {
	Next() (Item, error)
}

// Config tunes Run.
type Config struct {
	// Workers verifying chunks in parallel; 0 means GOMAXPROCS.
	Workers int
	// Chunk is the number of credentials per chunk; 0 means DefaultChunk.
	Chunk int
}

type chunk struct {
	seq   int
	base  int
	items []Item
	out   []*Result
}

// Run verifies every item of src with b and calls emit with each result,
// in input order, from the calling goroutine; flush, if not nil, is
// called after the results of a chunk when no further chunk is ready, or
// after 2×workers+1 chunks (a stream flushes its output there: at once when
// the pipeline waits, in larger writes when chunks complete faster than
// they are written). It
// returns the summary, and the first error of src, emit or ctx. Results
// are emitted as soon as every earlier one has been.
func Run(ctx context.Context, b *credential.Batch, src Source, cfg Config, emit func(*Result) error, flush func() error) (Summary, error) {
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	size := cfg.Chunk
	if size <= 0 {
		size = DefaultChunk
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	tokens := make(chan struct{}, 2*workers+1) // chunks in flight
	work := make(chan *chunk, workers)
	done := make(chan *chunk, 2*workers+1)
	var readErr error
	var readMu sync.Mutex
	var wg sync.WaitGroup

	// Reader: items into chunks. A chunk goes out when full, or when the
	// source has nothing ready (a slow stream still gets prompt results).
	items := make(chan Item, size)
	go func() {
		defer close(items)
		for {
			it, err := src.Next()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					readMu.Lock()
					readErr = err
					readMu.Unlock()
				}
				return
			}
			select {
			case items <- it:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		defer close(work)
		seq, next := 0, 0
		for {
			var c *chunk
			it, ok := <-items
			if !ok {
				return
			}
			select {
			case tokens <- struct{}{}:
			case <-ctx.Done():
				return
			}
			c = &chunk{seq: seq, base: next, items: make([]Item, 0, size)}
			c.items = append(c.items, it)
		fill:
			for len(c.items) < size {
				select {
				case it, ok = <-items:
					if !ok {
						break fill
					}
					c.items = append(c.items, it)
				default:
					break fill
				}
			}
			seq++
			next += len(c.items)
			select {
			case work <- c:
			case <-ctx.Done():
				return
			}
			if !ok {
				return
			}
		}
	}()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				c.out = verifyChunk(ctx, b, c)
				select {
				case done <- c:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()

	sum := NewSummary()
	var order InOrder[*chunk]
	unflushed := 0 // chunks emitted since the last flush
	var err error
	for c := range done {
		if err != nil {
			continue // drain
		}
		err = order.Add(c.seq, c, func(c *chunk) error {
			var err error
			for _, r := range c.out {
				sum.Add(r)
				if err == nil {
					err = emit(r)
				}
			}
			unflushed++
			<-tokens
			return err
		})
		if err != nil {
			cancel()
		}
		if err == nil && flush != nil && unflushed > 0 && (len(done) == 0 || unflushed >= cap(tokens)) {
			// Nothing more is ready (or a window's worth was emitted):
			// what was emitted goes out now.
			if err = flush(); err != nil {
				cancel()
			}
			unflushed = 0
		}
	}
	if err == nil {
		readMu.Lock()
		err = readErr
		readMu.Unlock()
	}
	if err == nil {
		err = ctx.Err()
	}
	return sum, err
}

// verifyChunk verifies the items of c that are credentials, together, and
// turns the others into results naming why they are not.
func verifyChunk(ctx context.Context, b *credential.Batch, c *chunk) []*Result {
	out := make([]*Result, len(c.items))
	secured := make([]credential.Secured, 0, len(c.items))
	at := make([]int, 0, len(c.items))
	for i, it := range c.items {
		it = it.Check()
		err := it.Err
		var s credential.Secured
		if err == nil {
			s, err = credential.Classify(it.Raw)
		}
		if err != nil {
			out[i] = problemResult(c.base+i, err)
			continue
		}
		secured = append(secured, s)
		at = append(at, i)
	}
	if len(secured) > 0 {
		for j, r := range b.VerifyChunk(ctx, secured) {
			out[at[j]] = FromCredential(c.base+at[j], r)
		}
	}
	return out
}

// FromCredential is the batch result at index of a credential's Result.
func FromCredential(index int, r *credential.Result) *Result {
	out := &Result{Index: index, Verified: r.Verified, Checks: r.Checks, Errors: r.Errors}
	if r.Err != nil {
		out.Verified = false
		out.Code = "ledger.unavailable"
		out.Detail = "a check could not be made: " + r.Err.Error()
	}
	return out
}

// problemResult is the result of an item that is not a credential.
func problemResult(index int, err error) *Result {
	r := &Result{Index: index, Checks: []credential.Check{}, Errors: []credential.Check{}, Code: "credential.invalid", Detail: err.Error()}
	if e, ok := errs.As(err); ok {
		r.Code, r.Detail = e.Code, e.Detail
	}
	return r
}
