package credential

// Batch verification: many credentials through the same named checks as
// one, with their Ed25519 signatures deferred and checked together.
//
// A Batch verifies a chunk of credentials one after the other with a
// Verifier whose Ed25519 keys hand their signatures to a collector instead
// of checking them: the collector records (key, message, signature) and
// answers "valid", so each credential runs every other check exactly as it
// would alone. Then the chunk's signatures are checked at once with
// keys.Ed25519Batch (ZIP-215 rules, which are also the rules of a single
// verification). When the batch equation fails, the batch checks each
// signature alone, and every credential with a signature that failed is
// verified again from the start, alone, with signatures checked at once:
// its result is then exactly the single verification's. A credential whose
// signatures all hold has the result the single verification would give,
// since nothing but the signature's answer differs between the two runs.
//
// DID resolutions of the latest document are cached for the batch while
// the ledger's height stays the same (did:key and did:jwk documents are
// computed from the identifier, and never change). Parsed kids and the
// public keys of verification methods are kept for the batch too: they
// depend on their text alone.

import (
	"context"
	"sync"

	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/schemas"
)

// Cache bounds of a Batch: beyond them a cache starts afresh.
const (
	maxCachedDIDs = 1 << 14
	maxCachedKeys = 1 << 12
)

// Batch verifies chunks of credentials under one policy. VerifyChunk is
// safe for concurrent use: each call has its own signature batch, and the
// caches are shared.
type Batch struct {
	v    Verifier
	p    Policy
	dids *didCache
	keys *cache[string, *keys.Ed25519Key] // expanded for batch verification, by key bytes
	pool sync.Pool                        // *keys.Ed25519Batch
}

// memo keeps, for a batch, what the proof check computes from the same
// strings again and again: the parsed kid of a token, the public key of a
// verification method's publicKeyMultibase. Both are functions of the
// string alone; only successes are kept.
type memo struct {
	urls *cache[string, did.DIDURL]
	pubs *cache[string, keys.PublicKey]
}

// parseDIDURL is did.ParseDIDURL, remembered when m is not nil.
func (m *memo) parseDIDURL(s string) (did.DIDURL, error) {
	if m == nil {
		return did.ParseDIDURL(s)
	}
	if u, ok := m.urls.get(s); ok {
		return u, nil
	}
	u, err := did.ParseDIDURL(s)
	if err == nil {
		m.urls.put(s, u)
	}
	return u, err
}

// publicKeyOf is vm.PublicKey, remembered by publicKeyMultibase when m is
// not nil.
func (m *memo) publicKeyOf(vm *did.VerificationMethod) (keys.PublicKey, error) {
	if m == nil || vm.PublicKeyMultibase == "" {
		return vm.PublicKey()
	}
	if pk, ok := m.pubs.get(vm.PublicKeyMultibase); ok {
		return pk, nil
	}
	pk, err := vm.PublicKey()
	if err == nil {
		m.pubs.put(vm.PublicKeyMultibase, pk)
	}
	return pk, err
}

// cache is a map safe for concurrent use that forgets everything once it
// holds bound entries: a batch's caches, whose working sets are far
// smaller than their bounds, so that a batch never grows without limit.
type cache[K comparable, V any] struct {
	mu    sync.RWMutex
	bound int
	m     map[K]V
}

func newCache[K comparable, V any](bound int) *cache[K, V] {
	return &cache[K, V]{bound: bound, m: map[K]V{}}
}

// get returns the value kept for k.
func (c *cache[K, V]) get(k K) (V, bool) {
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	return v, ok
}

// put keeps v for k, forgetting everything else first if c is full.
func (c *cache[K, V]) put(k K, v V) {
	c.mu.Lock()
	if len(c.m) >= c.bound {
		clear(c.m)
	}
	c.m[k] = v
	c.mu.Unlock()
}

// reset forgets everything.
func (c *cache[K, V]) reset() {
	c.mu.Lock()
	clear(c.m)
	c.mu.Unlock()
}

// NewBatch returns a Batch that verifies as v does, under policy p.
func (v *Verifier) NewBatch(p Policy) *Batch {
	b := &Batch{v: *v, p: p, dids: newDIDCache(), keys: newCache[string, *keys.Ed25519Key](maxCachedKeys)}
	b.v.dids = b.dids
	b.v.memo = &memo{urls: newCache[string, did.DIDURL](maxCachedKeys), pubs: newCache[string, keys.PublicKey](maxCachedKeys)}
	b.v.ed = nil
	return b
}

// VerifyChunk verifies each credential of items and returns their results,
// in order: each is the Result v.VerifySecured(ctx, item, p) gives.
func (b *Batch) VerifyChunk(ctx context.Context, items []Secured) []*Result {
	b.dids.sync(b.v.State)
	col := &collector{}
	vv := b.v
	vv.ed = col
	out := make([]*Result, len(items))
	for i, it := range items {
		col.item = i
		out[i] = vv.VerifySecured(ctx, it, b.p)
	}
	if len(col.entries) == 0 {
		return out
	}
	bt, _ := b.pool.Get().(*keys.Ed25519Batch)
	if bt == nil {
		bt = keys.NewEd25519Batch(len(col.entries))
	}
	defer func() { bt.Reset(); b.pool.Put(bt) }()
	for _, e := range col.entries {
		bt.Add(b.expanded(e.pk), e.msg, e.sig)
	}
	ok, valid := bt.Verify(nil)
	if ok {
		return out
	}
	redo := map[int]bool{}
	for j, e := range col.entries {
		if !valid[j] {
			redo[e.item] = true
		}
	}
	alone := b.v // signatures checked at once, ZIP-215
	for i := range redo {
		it := items[i]
		it.decoded = nil // from its text again, as a single verification does
		out[i] = alone.VerifySecured(ctx, it, b.p)
	}
	return out
}

// collector defers Ed25519 signatures: it records them for the chunk's
// batch and answers valid.
type collector struct {
	item    int
	entries []deferred
}

type deferred struct {
	item     int
	pk       keys.PublicKey
	msg, sig []byte
}

func (c *collector) VerifyEd25519(k keys.PublicKey, msg, sig []byte) bool {
	c.entries = append(c.entries, deferred{item: c.item, pk: k, msg: msg, sig: sig})
	return true
}

// expanded is pk expanded for batch verification, through the batch's cache.
func (b *Batch) expanded(pk keys.PublicKey) *keys.Ed25519Key {
	k, ok := b.keys.get(string(pk.Bytes))
	if !ok {
		k = keys.ExpandEd25519(pk.Ed25519Key())
		b.keys.put(string(pk.Bytes), k)
	}
	return k
}

// didCache keeps latest-version DID resolutions, and the trust registry's
// entries of issuers, at one ledger height.
type didCache struct {
	mu      sync.Mutex
	height  uint64
	known   bool
	m       *cache[string, didEntry]
	issuers *cache[string, *authz.Issuer] // nil: not an authority issuer
	schemas *cache[uint64, uint64]        // a weid schema's latest version
}

func newDIDCache() *didCache {
	return &didCache{m: newCache[string, didEntry](maxCachedDIDs), issuers: newCache[string, *authz.Issuer](maxCachedDIDs),
		schemas: newCache[uint64, uint64](maxCachedDIDs)}
}

type didEntry struct {
	res *did.ResolutionResult
	err error
}

// heightOf returns the committed height of st, if st tells it.
func heightOf(st chain.Reader) (uint64, bool) {
	if h, ok := st.(interface{ Head() chain.Head }); ok {
		return h.Head().Height, true
	}
	return 0, false
}

// sync empties the cache if the ledger's height moved since it was filled.
func (c *didCache) sync(st chain.Reader) {
	h, ok := heightOf(st)
	c.mu.Lock()
	defer c.mu.Unlock()
	if ok != c.known || h != c.height {
		c.m.reset()
		c.issuers.reset()
		c.schemas.reset()
		c.height, c.known = h, ok
	}
}

// authorityIssuer is authz.AuthorityIssuer on v.State, through the batch's
// cache if there is one (an issuer's many credentials read its entry once
// per ledger height; a read that fails is not kept).
func (v *Verifier) authorityIssuer(d string) (*authz.Issuer, bool, error) {
	if v.dids == nil {
		return authz.AuthorityIssuer(v.State, d)
	}
	if is, ok := v.dids.issuers.get(d); ok {
		return is, is != nil, nil
	}
	is, found, err := authz.AuthorityIssuer(v.State, d)
	if err != nil {
		return is, found, err
	}
	if !found {
		is = nil
	}
	v.dids.issuers.put(d, is)
	return is, found, nil
}

// schemaVersion is version, or for 0 the latest version of weid schema id
// through the batch's cache if there is one (a corpus under one schema
// reads its latest version once per ledger height, not once per
// credential: 1.5% of the server's CPU on verify-batch). Without a cache,
// or when the latest version cannot be read or is none, it is version
// unchanged, and the validator reads it and reports what it finds.
func (v *Verifier) schemaVersion(id, version uint64) uint64 {
	if version != 0 || v.dids == nil {
		return version
	}
	if last, ok := v.dids.schemas.get(id); ok {
		return last
	}
	last, err := schemas.LatestVersion(v.State, id)
	if err != nil || last == 0 {
		return version
	}
	v.dids.schemas.put(id, last)
	return last
}

// resolveLatest resolves the latest DID document of d, through the batch's
// cache if there is one.
func (v *Verifier) resolveLatest(ctx context.Context, d string) (*did.ResolutionResult, error) {
	if v.dids == nil {
		return v.Resolver.Resolve(ctx, d, did.Options{})
	}
	if e, ok := v.dids.m.get(d); ok {
		return e.res, e.err
	}
	res, err := v.Resolver.Resolve(ctx, d, did.Options{})
	if err != nil && did.ErrorCode(err) == "internalError" {
		return res, err // the verifier's failure: not an answer to keep
	}
	v.dids.m.put(d, didEntry{res, err})
	return res, err
}
