package client

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/txn"
)

// snapshotTries bounds how often ProveSnapshot starts again when the
// node's head moved between its requests.
const snapshotTries = 4

// ProvenSnapshot is a set of state keys proven together at one block a
// trust anchor vouches for: a consistent view, so that a node cannot
// answer one key from before a change and another from after it. Its Get
// has the method set of chain.Reader; a key that was not proven is an
// error, never a read at another block.
type ProvenSnapshot struct {
	values  map[string][]byte // nil: proven absent
	header  txn.Header
	verdict *api.StateVerdict
}

// ProveSnapshot proves keys (at most MaxProvenKeys) at one block the
// anchor vouches for (its MaxAge included): one POST /v1/state/proof
// (StateProofs) for them all when they fit in one body and their values in
// one answer, else a few, every answer at the same header; a node older than the POST (404 or 405) is
// asked with GETs of api.MaxStateProofKeys keys, again every answer at the
// same header. When the node's head moved between requests it starts
// again, a few times. The block must be no lower than floor (say, the
// highest block of a transaction the caller already trusts): an older
// state is refused naming both heights. Errors of the proofs wrap
// txn.ErrStateProof or txn.ErrStale; the others are the node's answers (a
// *Error) or the transport's.
func (c *Client) ProveSnapshot(ctx context.Context, a api.StateAnchor, keys [][]byte, floor uint64) (*ProvenSnapshot, error) {
	if len(keys) == 0 || len(keys) > MaxProvenKeys {
		return nil, fmt.Errorf("%w: %d state keys to prove at one block, want 1 to %d", txn.ErrStateProof, len(keys), MaxProvenKeys)
	}
	var moved string
	post := true
	for try := 0; try < snapshotTries; try++ {
		s, err := c.proveOnce(ctx, a, keys, post)
		if post && olderNode(err) {
			post = false
			s, err = c.proveOnce(ctx, a, keys, post)
		}
		if err != nil {
			return nil, err
		}
		if s == nil {
			moved = ": each time its answers came at different blocks (its head moved while they were read, or it mixes heights); try again"
			continue
		}
		if s.header.Height < floor {
			return nil, fmt.Errorf("%w: the node proved the state at block %d, below block %d: an older state than what it already showed", txn.ErrStateProof, s.header.Height, floor)
		}
		return s, nil
	}
	return nil, fmt.Errorf("%w: the node did not prove the %d keys at one block in %d tries%s", txn.ErrStateProof, len(keys), snapshotTries, moved)
}

// olderNode reports whether err is a node's 404 or 405 to POST
// /v1/state/proof: a weid older than it.
func olderNode(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.Status == http.StatusNotFound || e.Status == http.StatusMethodNotAllowed)
}

// answerTooLarge reports whether err is a node's 422
// state.answerTooLarge: the values of the keys asked for are more than one
// answer carries (api.MaxStateProofValues).
func answerTooLarge(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == "state.answerTooLarge"
}

// proofBodyBytes bounds the body of one POST /v1/state/proof the client
// sends: half the node's request body limit (server.MaxBodyBytes, 1 MiB),
// so that 2,048 keys of the longest kind (txn.MaxStateKey) go in a few
// requests rather than a 413.
const proofBodyBytes = 512 << 10

// batchLen returns how many of keys the next request proves: a POST up
// to api.MaxStateProofBodyKeys keys in proofBodyBytes, a GET
// api.MaxStateProofKeys.
func batchLen(keys [][]byte, post bool) int {
	if !post {
		return min(len(keys), api.MaxStateProofKeys)
	}
	n, size := 0, 0
	for n < len(keys) && n < api.MaxStateProofBodyKeys {
		size += base64.RawURLEncoding.EncodedLen(len(keys[n])) + 3 // quotes, comma
		if n > 0 && size > proofBodyBytes {
			break
		}
		n++
	}
	return n
}

// proveOnce proves keys batch by batch (POSTs, or GETs when post is
// false); nil when a batch came at another header than the first (the
// head moved, or the node mixes heights).
func (c *Client) proveOnce(ctx context.Context, a api.StateAnchor, keys [][]byte, post bool) (*ProvenSnapshot, error) {
	s := &ProvenSnapshot{values: make(map[string][]byte, len(keys))}
	most := api.MaxStateProofBodyKeys // keys a request, lowered by a 422
	for i := 0; i < len(keys); {
		n := min(batchLen(keys[i:], post), most)
		batch := keys[i : i+n]
		p, v, err := c.provenBatch(ctx, a, batch, post)
		if n > api.MaxStateProofKeys && answerTooLarge(err) {
			// Their values are more than one answer carries; the values
			// of api.MaxStateProofKeys keys always fit (as a GET's).
			most = max(n/2, api.MaxStateProofKeys)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("proven read of %d keys from %q: %w", len(batch), batch[0], err)
		}
		if i == 0 {
			s.header, s.verdict = p.Header, v
		} else if p.Header != s.header {
			return nil, nil
		}
		for _, k := range batch {
			val, err := p.Value(k)
			if err != nil {
				return nil, fmt.Errorf("proven read of %q: %w", k, err)
			}
			s.values[string(k)] = val
		}
		i += len(batch)
	}
	return s, nil
}

// provenBatch asks for the proofs of keys, with a POST or a GET, and
// checks them against the anchor (api.StateProofs.Verify).
func (c *Client) provenBatch(ctx context.Context, a api.StateAnchor, keys [][]byte, post bool) (*api.StateProofs, *api.StateVerdict, error) {
	if !post {
		return c.verifiedProof(ctx, a, keys...)
	}
	p, err := c.StateProofs(ctx, keys)
	if err != nil {
		return nil, nil, err
	}
	v, err := p.Verify(a)
	return p, v, err
}

// Get returns the proven value of key and whether it exists; a key that
// was not among those proven is an error.
func (s *ProvenSnapshot) Get(key []byte) ([]byte, bool, error) {
	v, ok := s.values[string(key)]
	if !ok {
		return nil, false, fmt.Errorf("%q was not among the keys proven at block %d", key, s.header.Height)
	}
	return v, v != nil, nil
}

// Height is the block the keys were proven at.
func (s *ProvenSnapshot) Height() uint64 { return s.header.Height }

// Summary says what the keys were proven against.
func (s *ProvenSnapshot) Summary() *api.ProvenRead {
	at := s.header.Time
	if !s.verdict.Time.IsZero() {
		at = s.verdict.Time.UTC().Format(txn.TimeFormat)
	}
	return &api.ProvenRead{ChainID: s.header.ChainID, Height: s.header.Height, Time: at, AppHash: s.header.AppHash, SignedBy: s.verdict.SignedBy, Keys: len(s.values)}
}
