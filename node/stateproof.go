package node

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/did/weid"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/txn"
)

// commitWait bounds how long a proven read waits for the CometBFT block
// that signs the head's appHash (CometBFT makes it at once after a block
// that changed the app hash).
const commitWait = 5 * time.Second

// ProveState returns the proofs of keys (present or absent) at the head,
// with the head's header, its block signature and, under CometBFT, the
// consensus commit of its appHash. It takes 1 to api.MaxStateProofKeys
// keys of 1 to txn.MaxStateKey bytes (else 400 state.badKey): GET
// /v1/state/proof.
func (n *Node) ProveState(ctx context.Context, keys ...[]byte) (*api.StateProofs, error) {
	if len(keys) == 0 || len(keys) > api.MaxStateProofKeys {
		return nil, errs.BadRequest("state.badKey", "give 1 to %d keys (key or key64)", api.MaxStateProofKeys)
	}
	return n.proveHead(ctx, keys)
}

// ProveStateKeys is ProveState for 1 to api.MaxStateProofBodyKeys keys,
// all proven at one head in one answer: POST /v1/state/proof
// (api.ParseStateProofRequest), so that a verifier reading many keys at
// one block is not defeated by a head that moves between its requests.
func (n *Node) ProveStateKeys(ctx context.Context, keys [][]byte) (*api.StateProofs, error) {
	if len(keys) == 0 || len(keys) > api.MaxStateProofBodyKeys {
		return nil, errs.BadRequest("state.badKey", "keys64 must list 1 to %d keys, got %d", api.MaxStateProofBodyKeys, len(keys))
	}
	return n.proveHead(ctx, keys)
}

// proveHead proves keys, each of 1 to txn.MaxStateKey bytes, at the head.
func (n *Node) proveHead(ctx context.Context, keys [][]byte) (*api.StateProofs, error) {
	for _, k := range keys {
		if len(k) == 0 || len(k) > txn.MaxStateKey {
			return nil, errs.BadRequest("state.badKey", "a key is 1 to %d bytes", txn.MaxStateKey)
		}
	}
	v, err := n.Ledger.StateView()
	if err != nil {
		return nil, err
	}
	defer v.Release()
	return n.proveAt(ctx, v, keys, nil)
}

// readLog reads a StateView and keeps what it read, so that a key read to
// answer is proven without reading it again.
type readLog struct {
	v    *chain.StateView
	read map[string]readValue
}

type readValue struct {
	val   []byte
	found bool
}

// Get implements chain.Reader.
func (r *readLog) Get(key []byte) ([]byte, bool, error) {
	val, ok, err := r.v.Get(key)
	if err == nil {
		r.read[string(key)] = readValue{val, ok}
	}
	return val, ok, err
}

// proveAt proves keys at v's block; read, if not nil, holds values already
// read from v.
func (n *Node) proveAt(ctx context.Context, v *chain.StateView, keys [][]byte, read map[string]readValue) (*api.StateProofs, error) {
	if len(keys) == 0 || len(keys) > txn.MaxStateProofs {
		return nil, errs.BadRequest("state.badKey", "give 1 to %d keys", txn.MaxStateProofs)
	}
	b, err := n.Ledger.SignedHeader(v.Head().Height)
	if err != nil {
		return nil, err
	}
	out := &api.StateProofs{Header: b.Header, BlockHash: b.Hash, Signature: b.Signature}
	values := 0
	for i, k := range keys {
		var p *api.StateProof
		if r, ok := read[string(k)]; ok {
			p, err = v.ProveRead(k, r.val, r.found)
		} else {
			p, err = v.Prove(k)
		}
		if err != nil {
			return nil, err
		}
		if values += base64.RawURLEncoding.DecodedLen(len(p.Value)); values > api.MaxStateProofValues {
			return nil, errs.New(http.StatusUnprocessableEntity, "state.answerTooLarge", "the values of keys64[0] to keys64[%d] exceed %d bytes, the most one answer carries: ask for keys64[%d] and those after it in another request", i, api.MaxStateProofValues, i)
		}
		out.Proofs = append(out.Proofs, p)
	}
	if _, ok := n.Engine.(commitProver); ok {
		if out.Commit, err = n.headCommit(ctx, b.Header.Height); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// commitCache keeps the consensus commit of the last block a state proof
// carried: every proven read at the head shares it (a CometBFT commit
// fetched per read would read the weid block and ask CometBFT each time).
type commitCache struct {
	mu sync.Mutex
	cp *chain.CommitProof
}

// headCommit returns the CommitProof of the weid block at height, from
// the cache or the engine, waiting up to commitWait for CometBFT to
// commit the block that signs its appHash.
func (n *Node) headCommit(ctx context.Context, height uint64) (*chain.CommitProof, error) {
	n.commits.mu.Lock()
	cp := n.commits.cp
	n.commits.mu.Unlock()
	if cp != nil && cp.WeidHeight == height {
		return cp, nil
	}
	deadline := time.Now().Add(commitWait)
	for {
		cp, err := n.CommitProof(height)
		if err == nil {
			n.commits.mu.Lock()
			if n.commits.cp == nil || n.commits.cp.WeidHeight < height {
				n.commits.cp = cp
			}
			n.commits.mu.Unlock()
			return cp, nil
		}
		if errs.Code(err) != "ledger.noCommitProof" || time.Now().After(deadline) {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// ResolveProven resolves a did:weid DID (versionID "" for the latest) from
// one consistent view of the state and proves the records it used: a DID
// that does not exist gives a result with didResolutionMetadata.error
// "notFound" and the proof of its absence, and did.ErrNotFound.
func (n *Node) ResolveProven(ctx context.Context, id, versionID string) (*api.ProvenResolution, error) {
	if _, _, err := did.ParseWeid(id); err != nil {
		return nil, errs.BadRequest("did.invalidDid", "proofs are for did:weid DIDs on this ledger: %v", err)
	}
	v, err := n.Ledger.StateView()
	if err != nil {
		return nil, err
	}
	defer v.Release()
	rl := &readLog{v: v, read: make(map[string]readValue, 2)}
	latest, ok, err := weid.Latest(rl, id)
	if err != nil {
		return nil, err
	}
	if !ok {
		p, err := n.proveAt(ctx, v, [][]byte{did.LatestKey(id)}, rl.read)
		if err != nil {
			return nil, err
		}
		out := &api.ProvenResolution{StateProof: p}
		out.ResolutionMetadata = did.ResolutionMetadata{Error: "notFound", ErrorMessage: id + " does not exist"}
		return out, fmt.Errorf("%w: %s", did.ErrNotFound, id)
	}
	r, last := latest, uint64(0)
	if versionID != "" {
		ver, err := strconv.ParseUint(versionID, 10, 64)
		if err != nil || ver == 0 {
			return nil, errs.BadRequest("did.invalidOptions", "versionId must be a positive integer")
		}
		if ver > latest.Version {
			return nil, errs.New(http.StatusNotFound, "did.notFound", "%s has no version %d (latest is %d)", id, ver, latest.Version)
		}
		var raw []byte
		if raw, ok, err = rl.Get(did.VersionKey(id, ver)); err != nil || !ok {
			return nil, errors.Join(err, fmt.Errorf("%w: %s version %d is missing", chain.ErrStorage, id, ver))
		}
		if r, err = did.DecodeRecord(raw); err != nil {
			return nil, err
		}
		last = latest.Version
	}
	p, err := n.proveAt(ctx, v, [][]byte{did.LatestKey(id), did.VersionKey(id, r.Version)}, rl.read)
	if err != nil {
		return nil, err
	}
	out := &api.ProvenResolution{ResolutionResult: *did.RecordResult(r, last), StateProof: p}
	out.Context = did.ContextResolution
	return out, nil
}
