package txn

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/gowebpki/jcs"

	"github.com/weidgo/weid/keys"
)

// MaxStateProofs bounds the proofs of one StateProofs.
const MaxStateProofs = 64

// StateProofs proves state values at one block: the block's header (whose
// appHash is the state root), what makes the header trustworthy — the
// block signature, and under a replicating engine (CometBFT) the consensus
// commit of the block that carries the appHash —, and one proof per key.
type StateProofs struct {
	Header    Header        `json:"header"`
	BlockHash string        `json:"blockHash"` // the suite's hash of the RFC 8785 header
	Signature string        `json:"signature"` // the proposer's signature over BlockHash (base64url)
	Commit    *CommitProof  `json:"commit,omitempty"`
	Proofs    []*StateProof `json:"proofs"`
}

// StateAnchor is what a client trusts: the node key of a solo chain (the
// publicKeyMultibase chain.init names), or a check of a consensus commit
// (CometBFT: the validator set; chain/cometbft.VerifyCommitProof does it,
// and the CLI wires it from --trusted-validators). One is required.
type StateAnchor struct {
	NodeKey      string
	VerifyCommit func(p *CommitProof, appHash string) (string, error)
	// Headers, when set, remembers the headers this anchor vouched for,
	// so that the many proofs of one block check its hash, signature and
	// commit once (NewHeaderCache). A cache belongs to one anchor: do not
	// share it between anchors.
	Headers *HeaderCache
}

// HeaderCache remembers, by block hash, the headers an anchor vouched for
// and what vouched for them. A StateProofs whose header is equal, field for
// field, to a remembered one is vouched for without hashing the header or
// checking its signature and commit again (they vouched for exactly these
// fields); any other header is checked in full. It keeps the most recent
// headers (a client reads at the head: one header per block). Safe for
// concurrent use.
type HeaderCache struct {
	mu    sync.Mutex
	m     map[string]*cachedHeader
	order []string // block hashes, oldest first
}

type cachedHeader struct {
	header  Header
	hash    string // the proofs' hash the header was hashed with
	anchor  string // anchorID of the anchor that vouched
	verdict StateVerdict
}

// headersCached bounds a HeaderCache.
const headersCached = 64

// NewHeaderCache returns an empty HeaderCache.
func NewHeaderCache() *HeaderCache { return &HeaderCache{m: map[string]*cachedHeader{}} }

// anchorID tells a node key anchor from a commit check (whose check
// should not change while its cache lives).
func anchorID(a *StateAnchor) string {
	if a.VerifyCommit != nil {
		return "commit"
	}
	return "key " + a.NodeKey
}

// get returns the verdict remembered for s's header under anchor a.
func (c *HeaderCache) get(s *StateProofs, a *StateAnchor, hash string) (*StateVerdict, bool) {
	c.mu.Lock()
	e := c.m[s.BlockHash]
	c.mu.Unlock()
	if e == nil || e.header != s.Header || e.hash != hash || e.anchor != anchorID(a) {
		return nil, false
	}
	v := e.verdict
	return &v, true
}

// put remembers that a vouched for s's header with verdict v.
func (c *HeaderCache) put(s *StateProofs, a *StateAnchor, hash string, v *StateVerdict) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[s.BlockHash]; !ok {
		if len(c.order) == headersCached {
			delete(c.m, c.order[0])
			c.order = append(c.order[:0], c.order[1:]...)
		}
		c.order = append(c.order, s.BlockHash)
	}
	c.m[s.BlockHash] = &cachedHeader{header: s.Header, hash: hash, anchor: anchorID(a), verdict: *v}
}

// StateVerdict is what a verified StateProofs established.
type StateVerdict struct {
	Height  uint64 `json:"height"`
	AppHash string `json:"appHash"`
	// SignedBy says who vouches for the header: "node key z6Mk…" or the
	// commit check's summary ("signed by 3 of 4 validators, power 30 of 40").
	SignedBy string `json:"signedBy"`
}

// Verify checks the header against the anchor: the block hash is the
// header's (with the proofs' hash), the signature is the proposer's and,
// for a solo anchor, the proposer is the trusted node key; for a consensus
// anchor, the commit is for this block's appHash and checks out. With the
// anchor's HeaderCache, a header it vouched for before is not checked
// again.
func (s *StateProofs) Verify(a StateAnchor) (*StateVerdict, error) {
	if len(s.Proofs) == 0 || len(s.Proofs) > MaxStateProofs {
		return nil, proofErr("1 to %d proofs required, got %d", MaxStateProofs, len(s.Proofs))
	}
	hash := s.Proofs[0].Hash
	for _, p := range s.Proofs {
		if p == nil || p.Hash != hash {
			return nil, proofErr("the proofs do not all use one hash")
		}
		if p.Root != s.Header.AppHash {
			return nil, proofErr("a proof is against root %s, the header's appHash is %s", p.Root, s.Header.AppHash)
		}
	}
	if a.Headers != nil {
		if v, ok := a.Headers.get(s, &a, hash); ok {
			return v, nil
		}
	}
	v, err := s.verifyHeader(a, hash)
	if err != nil {
		return nil, err
	}
	if a.Headers != nil {
		a.Headers.put(s, &a, hash, v)
	}
	return v, nil
}

// verifyHeader checks the header's hash (with hash), its signature and the
// anchor's vouching for it.
func (s *StateProofs) verifyHeader(a StateAnchor, hash string) (*StateVerdict, error) {
	H, err := StateHasher(hash)
	if err != nil {
		return nil, proofErr("%v", err)
	}
	raw, err := json.Marshal(&s.Header)
	if err != nil {
		return nil, err
	}
	c, err := jcs.Transform(raw)
	if err != nil {
		return nil, err
	}
	sum := H(c)
	if hex.EncodeToString(sum[:]) != s.BlockHash {
		return nil, proofErr("the header of block %d hashes to %x, not the block hash %s: the header was changed", s.Header.Height, sum, s.BlockHash)
	}
	pk, err := keys.ParseMultibase(s.Header.Proposer)
	if err != nil {
		return nil, proofErr("block %d: proposer key: %v", s.Header.Height, err)
	}
	sig, err := base64.RawURLEncoding.Strict().DecodeString(s.Signature)
	if err != nil || !pk.Verify(sum[:], sig) {
		return nil, proofErr("block %d: the block signature does not verify with its proposer key", s.Header.Height)
	}
	v := &StateVerdict{Height: s.Header.Height, AppHash: s.Header.AppHash}
	switch {
	case a.VerifyCommit != nil:
		if s.Commit == nil {
			return nil, proofErr("block %d: no consensus commit, and the trust anchor is a validator set", s.Header.Height)
		}
		if s.Commit.WeidHeight != s.Header.Height || s.Commit.AppHash != s.Header.AppHash {
			return nil, proofErr("the commit is for block %d with appHash %s, the proofs for block %d with appHash %s: another height", s.Commit.WeidHeight, s.Commit.AppHash, s.Header.Height, s.Header.AppHash)
		}
		who, err := a.VerifyCommit(s.Commit, s.Header.AppHash)
		if err != nil {
			return nil, fmt.Errorf("%w: block %d: the consensus commit: %v", ErrStateProof, s.Header.Height, err)
		}
		v.SignedBy = who
	case a.NodeKey != "":
		if s.Header.Proposer != a.NodeKey {
			return nil, proofErr("block %d is signed by %s, not the trusted node key %s", s.Header.Height, s.Header.Proposer, a.NodeKey)
		}
		v.SignedBy = "node key " + a.NodeKey
	default:
		return nil, errors.New("no trust anchor: name the node key (solo) or the validator set (CometBFT)")
	}
	return v, nil
}

// Value returns the proven value of key, nil when its absence is proven;
// Verify must have accepted the header first. A key without a proof is an
// error.
func (s *StateProofs) Value(key []byte) ([]byte, error) {
	want := b64.EncodeToString(key)
	for _, p := range s.Proofs {
		if p.Key == want {
			return p.Verify(key, s.Header.AppHash, p.Hash)
		}
	}
	return nil, proofErr("no proof for key %q", key)
}

// DecodeStateProofs strictly decodes a StateProofs of at most max bytes.
func DecodeStateProofs(b []byte) (*StateProofs, error) {
	if len(b) > MaxStateProofs*(MaxStateValue+64*MaxStateDepth) {
		return nil, proofErr("too large")
	}
	var s StateProofs
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, proofErr("decode: %v", err)
	}
	if dec.More() {
		return nil, proofErr("decode: data after the object")
	}
	return &s, nil
}
