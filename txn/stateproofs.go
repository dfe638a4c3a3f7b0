package txn

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gowebpki/jcs"

	"github.com/weidgo/weid/keys"
)

// MaxStateProofs bounds the proofs of one StateProofs: the keys of one
// POST /v1/state/proof (api.MaxStateProofBodyKeys), which proves the
// largest evidence's 1,153 keys in one answer. Only a verifier (the
// client) checks it: no transaction carries a StateProofs.
const MaxStateProofs = 2048

// MaxStateProofsBytes bounds the JSON of one StateProofs a verifier reads
// (DecodeStateProofs; the client reads no answer larger): the values of
// one answer are at most 16 MiB (api.MaxStateProofValues), their proofs'
// hashes a few more for MaxStateProofs keys.
const MaxStateProofsBytes = 64 << 20

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
// and the CLI wires it from --trusted-validators) with the consortium's
// block key (BlockKey). One is required.
//
// Under a commit anchor the commit covers only the app hash (the state):
// the weid header's other fields — its txRoot, its time — are covered by
// the block signature alone, so the header must be signed by BlockKey, the
// key chain.init of the trusted genesis names (shared by the validators),
// never merely by the key the header itself names.
//
// The anchor is a block signer, not a clock: a node may answer from an
// older head the anchor signed too. MaxAge bounds that: a block whose
// time is more than MaxAge before Now is refused (ErrStale). The time is
// the header's under a node key; under a commit anchor it is when the
// validators signed the commit (VerifyCommit's signed), and a header
// dated later than that is refused. Blocks are made only when the state
// changes, so a quiet chain's head is old however honest the node: choose
// MaxAge above the longest quiet spell you accept as current.
type StateAnchor struct {
	NodeKey string
	// VerifyCommit checks a consensus commit of appHash and returns who
	// signed it and the time they signed (the consensus header's).
	VerifyCommit func(p *CommitProof, appHash string) (who string, signed time.Time, err error)
	// BlockKey is the weid block key (publicKeyMultibase) a commit
	// anchor's headers must be signed by.
	BlockKey string
	// MaxAge, when not zero, is the oldest a proven block may be.
	MaxAge time.Duration
	// Now is the clock MaxAge is measured with; nil: time.Now.
	Now func() time.Time
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
		return "commit, block key " + a.BlockKey
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
	// Time is how current the answer is: the proven block's header time
	// under a node key, the time the validators signed its commit under a
	// validator set.
	Time time.Time `json:"time"`
}

// Age is how long before now the proven block was made (negative when its
// time is ahead of now's clock).
func (v *StateVerdict) Age(now time.Time) time.Duration { return now.Sub(v.Time) }

// ErrStale marks a proven block older than the anchor's MaxAge: the proof
// holds, but for a state that may have changed since.
var ErrStale = errors.New("the proven state is too old")

// now is the anchor's clock.
func (a *StateAnchor) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// CheckAge refuses, with ErrStale naming the block, its age and the bound,
// a verdict whose block is older than the anchor's MaxAge (none without
// one).
func (a *StateAnchor) CheckAge(v *StateVerdict) error {
	if a.MaxAge <= 0 {
		return nil
	}
	age := v.Age(a.now())
	if age <= a.MaxAge {
		return nil
	}
	if age < time.Minute {
		age = age.Round(time.Millisecond)
	} else {
		age = age.Round(time.Second)
	}
	return fmt.Errorf("%w: block %d (%s) is %s old, more than the %s allowed", ErrStale, v.Height, v.Time.UTC().Format("2006-01-02 15:04:05 UTC"), age, a.MaxAge)
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
			return checkedAge(&a, v)
		}
	}
	v, err := s.verifyHeader(a, hash)
	if err != nil {
		return nil, err
	}
	if a.Headers != nil {
		a.Headers.put(s, &a, hash, v)
	}
	return checkedAge(&a, v)
}

// checkedAge returns v, or no verdict and CheckAge's error.
func checkedAge(a *StateAnchor, v *StateVerdict) (*StateVerdict, error) {
	if err := a.CheckAge(v); err != nil {
		return nil, err
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
	return a.vouch(&s.Header, s.Commit)
}

// Vouch checks that the anchor vouches for header h — a block whose hash
// and proposer's signature the caller checked (as chain.Suite.VerifyBlock
// does; StateProofs.Verify does both) — with commit, the consensus commit
// of the header carrying h's appHash, which a validator-set anchor
// requires; and that the block is no older than MaxAge. weid tx prove and
// weid ledger verify --remote check blocks with it.
func (a StateAnchor) Vouch(h *Header, commit *CommitProof) (*StateVerdict, error) {
	v, err := a.vouch(h, commit)
	if err != nil {
		return nil, err
	}
	return checkedAge(&a, v)
}

// vouch checks the anchor's part: the proposer is the trusted node key,
// or the commit is for h's appHash and the anchor's check accepts it.
func (a *StateAnchor) vouch(h *Header, commit *CommitProof) (*StateVerdict, error) {
	t, err := h.BlockTime()
	if err != nil {
		return nil, proofErr("block %d: header time %q is not %s", h.Height, h.Time, TimeFormat)
	}
	v := &StateVerdict{Height: h.Height, AppHash: h.AppHash, Time: t}
	switch {
	case a.VerifyCommit != nil:
		if commit == nil {
			return nil, proofErr("block %d: no consensus commit, and the trust anchor is a validator set", h.Height)
		}
		if commit.WeidHeight != h.Height || commit.AppHash != h.AppHash {
			return nil, proofErr("the commit is for block %d with appHash %s, the proofs for block %d with appHash %s: another height", commit.WeidHeight, commit.AppHash, h.Height, h.AppHash)
		}
		who, signed, err := a.VerifyCommit(commit, h.AppHash)
		if err != nil {
			return nil, fmt.Errorf("%w: block %d: the consensus commit: %v", ErrStateProof, h.Height, err)
		}
		if err := a.checkBlockKey(h, t, signed); err != nil {
			return nil, err
		}
		v.SignedBy, v.Time = who+", header by the block key "+a.BlockKey, signed
	case a.NodeKey != "":
		if h.Proposer != a.NodeKey {
			return nil, proofErr("block %d is signed by %s, not the trusted node key %s", h.Height, h.Proposer, a.NodeKey)
		}
		v.SignedBy = "node key " + a.NodeKey
	default:
		return nil, errors.New("no trust anchor: name the node key (solo) or the validator set (CometBFT)")
	}
	return v, nil
}

// checkBlockKey checks, under a commit anchor, the header fields the
// commit does not cover: h is signed by the trusted block key (so its
// txRoot and time are the consortium's), and its time t is not later than
// signed, when the validators signed the commit carrying its appHash.
func (a *StateAnchor) checkBlockKey(h *Header, t, signed time.Time) error {
	if a.BlockKey == "" {
		return proofErr("block %d: the trust anchor names no weid block key (a bare validators array?): give the CometBFT genesis.json, whose app_state's chain.init names it", h.Height)
	}
	if h.Proposer != a.BlockKey {
		return proofErr("block %d is signed by %s, not the consortium's block key %s the trusted genesis names: its header (transactions, time) is not vouched for", h.Height, h.Proposer, a.BlockKey)
	}
	if t.After(signed) {
		return proofErr("block %d: the header is dated %s, after the validators signed its commit (%s): the header was re-dated", h.Height, h.Time, signed.UTC().Format(TimeFormat))
	}
	return nil
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

// DecodeStateProofs strictly decodes a StateProofs of at most
// MaxStateProofsBytes bytes.
func DecodeStateProofs(b []byte) (*StateProofs, error) {
	if len(b) > MaxStateProofsBytes {
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
