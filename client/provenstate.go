package client

import (
	"context"
	"fmt"
	"sync"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/txn"
)

// keyChainInit is the state key of the chain's genesis record
// (chain.KeyChainInit); any key would do to learn the chain id from a
// signed header.
const keyChainInit = "chain/init"

// MaxProvenKeys bounds the keys one ProvenState reads, or one
// ProveSnapshot proves: a credential's verification reads a dozen, the
// ledger's largest evidence 1,153 (its record, 128 signatures, 1,024 log
// lines); a node that leads a verifier into reading without end is
// refused.
const MaxProvenKeys = 2048

// ProvenState reads the ledger's state from the node with every value
// proven against a trust anchor (issue 18): each key is fetched with
// GET /v1/state/proof, its header checked against the anchor and its proof
// against the header's appHash, so that a node that changes, withholds or
// invents a value gets an error naming the key, not a wrong answer.
//
// Its Get has the method set of the ledger's chain.Reader, so the ledger's
// own readers — did:weid resolution (did/weid.NewStateMethod), the trust
// registry, schemas and status lists — run over it unchanged:
// credential.NewProvenVerifier wires them into a credential.Verifier. A
// key read twice is answered from the first proof, so one verification
// sees one value per key. Reads prove the node's head block: the verdict
// (Summary) names it and its time; a node can answer with an older head
// (the anchor signed it too), which the time shows. Safe for concurrent
// use; ctx bounds every read.
type ProvenState struct {
	c      *Client
	ctx    context.Context
	anchor api.StateAnchor

	mu     sync.Mutex
	values map[string][]byte // proven values; nil: proven absent
	sum    api.ProvenRead
}

// ProvenState returns a reader of the node's state whose every value is
// proven against a.
func (c *Client) ProvenState(ctx context.Context, a api.StateAnchor) *ProvenState {
	return &ProvenState{c: c, ctx: ctx, anchor: a, values: map[string][]byte{}}
}

// Get returns the proven value of key and whether it exists (its absence
// proven), or an error wrapping txn.ErrStateProof that names what is
// wrong with the node's answer.
func (s *ProvenState) Get(key []byte) ([]byte, bool, error) {
	s.mu.Lock()
	v, seen := s.values[string(key)]
	n := len(s.values)
	s.mu.Unlock()
	if seen {
		return v, v != nil, nil
	}
	if n >= MaxProvenKeys {
		return nil, false, fmt.Errorf("%w: more than %d state keys read in one verification", txn.ErrStateProof, MaxProvenKeys)
	}
	p, err := s.c.StateProof(s.ctx, key)
	if err != nil {
		return nil, false, fmt.Errorf("proven read of %q: %w", key, err)
	}
	verdict, err := p.Verify(s.anchor)
	if err != nil {
		return nil, false, fmt.Errorf("proven read of %q: %w", key, err)
	}
	val, err := p.Value(key)
	if err != nil {
		return nil, false, fmt.Errorf("proven read of %q: %w", key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sum.ChainID != "" && p.Header.ChainID != s.sum.ChainID {
		return nil, false, fmt.Errorf("%w: proven read of %q: block %d is of chain %q, earlier reads of chain %q", txn.ErrStateProof, key, p.Header.Height, p.Header.ChainID, s.sum.ChainID)
	}
	if prev, ok := s.values[string(key)]; ok { // read meanwhile by another goroutine: keep the first
		return prev, prev != nil, nil
	}
	s.note(&p.Header, verdict)
	s.values[string(key)] = val
	return val, val != nil, nil
}

// note records a verified header in the summary: the oldest and the
// latest block the reads were proven against, each with the time its
// verdict says it is current as of (StateVerdict.Time: the header's under
// a node key, the commit's under a validator set — what MaxAge measures).
func (s *ProvenState) note(h *txn.Header, v *api.StateVerdict) {
	at := h.Time
	if !v.Time.IsZero() {
		at = v.Time.UTC().Format(txn.TimeFormat)
	}
	if s.sum.Keys == 0 || h.Height < s.sum.FirstHeight {
		s.sum.FirstHeight, s.sum.FirstTime = h.Height, at
	}
	if s.sum.Keys == 0 || h.Height >= s.sum.Height {
		s.sum.ChainID, s.sum.Height, s.sum.Time, s.sum.AppHash, s.sum.SignedBy = h.ChainID, h.Height, at, h.AppHash, v.SignedBy
	}
	s.sum.Keys++
}

// ChainID returns the chain id of the signed headers, reading the chain's
// genesis record (proven) if nothing was read yet.
func (s *ProvenState) ChainID() (string, error) {
	s.mu.Lock()
	id := s.sum.ChainID
	s.mu.Unlock()
	if id != "" {
		return id, nil
	}
	if _, _, err := s.Get([]byte(keyChainInit)); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sum.ChainID, nil
}

// Summary says what the reads so far were proven against (nil before the
// first read). FirstHeight and FirstTime are left out when every read was
// proven against one block.
func (s *ProvenState) Summary() *api.ProvenRead {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sum.Keys == 0 {
		return nil
	}
	sum := s.sum
	if sum.FirstHeight == sum.Height {
		sum.FirstHeight, sum.FirstTime = 0, ""
	}
	return &sum
}
