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
	keys *keyCache
	pool sync.Pool // *keys.Ed25519Batch
}

// memo keeps, for a batch, what the proof check computes from the same
// strings again and again: the parsed kid of a token, the public key of a
// verification method's publicKeyMultibase. Both are functions of the
// string alone; only successes are kept.
type memo struct {
	mu   sync.RWMutex
	urls map[string]did.DIDURL
	pubs map[string]keys.PublicKey
}

// parseDIDURL is did.ParseDIDURL, remembered when m is not nil.
func (m *memo) parseDIDURL(s string) (did.DIDURL, error) {
	if m == nil {
		return did.ParseDIDURL(s)
	}
	m.mu.RLock()
	u, ok := m.urls[s]
	m.mu.RUnlock()
	if ok {
		return u, nil
	}
	u, err := did.ParseDIDURL(s)
	if err != nil {
		return u, err
	}
	m.mu.Lock()
	if len(m.urls) >= maxCachedKeys {
		clear(m.urls)
	}
	m.urls[s] = u
	m.mu.Unlock()
	return u, nil
}

// publicKeyOf is vm.PublicKey, remembered by publicKeyMultibase when m is
// not nil.
func (m *memo) publicKeyOf(vm *did.VerificationMethod) (keys.PublicKey, error) {
	if m == nil || vm.PublicKeyMultibase == "" {
		return vm.PublicKey()
	}
	m.mu.RLock()
	pk, ok := m.pubs[vm.PublicKeyMultibase]
	m.mu.RUnlock()
	if ok {
		return pk, nil
	}
	pk, err := vm.PublicKey()
	if err != nil {
		return pk, err
	}
	m.mu.Lock()
	if len(m.pubs) >= maxCachedKeys {
		clear(m.pubs)
	}
	m.pubs[vm.PublicKeyMultibase] = pk
	m.mu.Unlock()
	return pk, nil
}

// NewBatch returns a Batch that verifies as v does, under policy p.
func (v *Verifier) NewBatch(p Policy) *Batch {
	b := &Batch{v: *v, p: p, dids: &didCache{m: map[string]didEntry{}}, keys: &keyCache{m: map[string]*keys.Ed25519Key{}}}
	b.v.dids = b.dids
	b.v.memo = &memo{urls: map[string]did.DIDURL{}, pubs: map[string]keys.PublicKey{}}
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
		bt.Add(b.keys.get(e.pk), e.msg, e.sig)
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

// keyCache keeps Ed25519 keys expanded for batch verification, by key.
type keyCache struct {
	mu sync.RWMutex
	m  map[string]*keys.Ed25519Key
}

func (c *keyCache) get(pk keys.PublicKey) *keys.Ed25519Key {
	c.mu.RLock()
	k, ok := c.m[string(pk.Bytes)]
	c.mu.RUnlock()
	if ok {
		return k
	}
	k = keys.ExpandEd25519(pk.Ed25519Key())
	c.mu.Lock()
	if len(c.m) >= maxCachedKeys {
		clear(c.m)
	}
	c.m[string(pk.Bytes)] = k
	c.mu.Unlock()
	return k
}

// didCache keeps latest-version DID resolutions, and the trust registry's
// entries of issuers, at one ledger height.
type didCache struct {
	mu      sync.RWMutex
	height  uint64
	known   bool
	m       map[string]didEntry
	issuers map[string]*authz.Issuer // nil: not an authority issuer
	schemas map[uint64]uint64        // a weid schema's latest version
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
		clear(c.m)
		clear(c.issuers)
		clear(c.schemas)
		c.height, c.known = h, ok
	}
}

// authorityIssuer is authz.AuthorityIssuer on v.State, through the batch's
// cache if there is one (an issuer's many credentials read its entry once
// per ledger height; a read that fails is not kept).
func (v *Verifier) authorityIssuer(d string) (*authz.Issuer, bool, error) {
	c := v.dids
	if c == nil {
		return authz.AuthorityIssuer(v.State, d)
	}
	c.mu.RLock()
	is, ok := c.issuers[d]
	c.mu.RUnlock()
	if ok {
		return is, is != nil, nil
	}
	is, found, err := authz.AuthorityIssuer(v.State, d)
	if err != nil {
		return is, found, err
	}
	if !found {
		is = nil
	}
	c.mu.Lock()
	if c.issuers == nil || len(c.issuers) >= maxCachedDIDs {
		c.issuers = map[string]*authz.Issuer{}
	}
	c.issuers[d] = is
	c.mu.Unlock()
	return is, found, nil
}

// schemaVersion is version, or for 0 the latest version of weid schema id
// through the batch's cache if there is one (a corpus under one schema
// reads its latest version once per ledger height, not once per
// credential: 1.5% of the server's CPU on verify-batch). Without a cache,
// or when the latest version cannot be read or is none, it is version
// unchanged, and the validator reads it and reports what it finds.
func (v *Verifier) schemaVersion(id, version uint64) uint64 {
	c := v.dids
	if version != 0 || c == nil {
		return version
	}
	c.mu.RLock()
	last, ok := c.schemas[id]
	c.mu.RUnlock()
	if ok {
		return last
	}
	last, err := schemas.LatestVersion(v.State, id)
	if err != nil || last == 0 {
		return version
	}
	c.mu.Lock()
	if c.schemas == nil || len(c.schemas) >= maxCachedDIDs {
		c.schemas = map[uint64]uint64{}
	}
	c.schemas[id] = last
	c.mu.Unlock()
	return last
}

// resolveLatest resolves the latest DID document of d, through the batch's
// cache if there is one.
func (v *Verifier) resolveLatest(ctx context.Context, d string) (*did.ResolutionResult, error) {
	c := v.dids
	if c == nil {
		return v.Resolver.Resolve(ctx, d, did.Options{})
	}
	c.mu.RLock()
	e, ok := c.m[d]
	c.mu.RUnlock()
	if ok {
		return e.res, e.err
	}
	res, err := v.Resolver.Resolve(ctx, d, did.Options{})
	if err != nil && did.ErrorCode(err) == "internalError" {
		return res, err // the verifier's failure: not an answer to keep
	}
	c.mu.Lock()
	if len(c.m) >= maxCachedDIDs {
		clear(c.m)
	}
	c.m[d] = didEntry{res, err}
	c.mu.Unlock()
	return res, err
}
