// Package weid is the did:weid method on the ledger: the registry's
// transaction types (Register), the state they keep (a record per version
// of each document, package did's Record) and resolution from a ledger
// (Method). Package did holds what needs no ledger: documents, payloads and
// the changes they make (did.Apply), so that wire types and wallets can use
// them without linking the ledger.
package weid

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
)

// Register adds the DID registry's transaction types to reg and makes
// did:weid authentication keys the ledger's signers.
func Register(reg *chain.Registry) {
	reg.SetKeyResolver(AuthenticationKey)
	reg.Register(chain.Handler{
		Type:       did.TxCreate,
		NewPayload: func() chain.Payload { return new(did.CreatePayload) },
		SignerKey:  createSigner,
		Apply:      applyCreate,
	})
	for typ, np := range map[string]func() chain.Payload{
		did.TxAddMethod:         func() chain.Payload { return new(did.AddMethodPayload) },
		did.TxRemoveMethod:      func() chain.Payload { return new(did.RemoveMethodPayload) },
		did.TxReportCompromised: func() chain.Payload { return new(did.ReportCompromisedPayload) },
		did.TxAddService:        func() chain.Payload { return new(did.AddServicePayload) },
		did.TxRemoveService:     func() chain.Payload { return new(did.RemoveServicePayload) },
		did.TxRotateKey:         func() chain.Payload { return new(did.RotateKeyPayload) },
		did.TxDeactivate:        func() chain.Payload { return new(did.DeactivatePayload) },
	} {
		reg.Register(chain.Handler{Type: typ, NewPayload: np, Authorize: authorizeSelf, Apply: applyUpdate})
	}
}

func target(p chain.Payload) string {
	d, _ := did.Target(p)
	return d
}

// authorizeSelf: a DID is changed only by its own authentication keys.
func authorizeSelf(st chain.Reader, tx *chain.Tx, p chain.Payload) error {
	if d := target(p); tx.SignerDID() != d {
		return errs.New(http.StatusForbidden, "tx.unauthorized", "%s may not change %s: only its own authentication keys may", tx.SignerDID(), d)
	}
	return nil
}

func createSigner(st chain.Reader, tx *chain.Tx, p chain.Payload) (keys.PublicKey, error) {
	c := p.(*did.CreatePayload)
	chainID, addr, err := did.ParseWeid(c.DID)
	if err != nil {
		return keys.PublicKey{}, errs.BadRequest("did.invalid", "%v", err)
	}
	if chainID != tx.ChainID {
		return keys.PublicKey{}, errs.BadRequest("did.wrongChain", "%s belongs to chain %q, the transaction to chain %q", c.DID, chainID, tx.ChainID)
	}
	if want := c.DID + "#" + did.FirstKeyFragment; tx.From != want {
		return keys.PublicKey{}, errs.BadRequest("tx.malformed", "a did.create transaction is signed by its first key: from must be %s", want)
	}
	pk, err := keys.ParseMultibase(c.PublicKeyMultibase)
	if err != nil {
		return keys.PublicKey{}, errs.BadRequest("did.invalidKey", "%v", err)
	}
	if pk.Address() != addr {
		return keys.PublicKey{}, errs.New(http.StatusForbidden, "did.addressMismatch", "the address of %s is not derived from publicKeyMultibase", c.DID)
	}
	return pk, nil
}

func blockTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func applyCreate(ctx *chain.Context, p chain.Payload) error {
	c := p.(*did.CreatePayload)
	if _, ok, err := ctx.State.Get(latestKey(c.DID)); err != nil {
		return err
	} else if ok {
		return errs.New(http.StatusConflict, "did.exists", "%s already exists", c.DID)
	}
	doc, err := c.Document()
	if err != nil {
		return err
	}
	now := blockTime(ctx.Time)
	return store(ctx, &did.Record{Document: doc, Version: 1, Created: now, Updated: now, TxHash: ctx.TxHash, Height: ctx.Height})
}

func applyUpdate(ctx *chain.Context, p chain.Payload) error {
	d, _ := did.Target(p)
	r, ok, err := Latest(ctx.State, d)
	if err != nil {
		return err
	}
	if !ok {
		return errs.New(http.StatusNotFound, "did.notFound", "%s does not exist", d)
	}
	if r.Deactivated {
		return errs.New(http.StatusGone, "did.deactivated", "%s is deactivated", d)
	}
	next := did.NextRecord(r, blockTime(ctx.Time), ctx.TxHash, ctx.Height)
	if err := did.Apply(next, p); err != nil {
		return err
	}
	if err := next.Document.Validate(); err != nil {
		return errs.BadRequest("did.invalidDocument", "the change would make an invalid document: %v", err)
	}
	return store(ctx, next)
}

func store(ctx *chain.Context, r *did.Record) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if len(raw) > did.MaxDocumentBytes {
		return errs.New(http.StatusRequestEntityTooLarge, "did.tooLarge", "the document would exceed %d bytes", did.MaxDocumentBytes)
	}
	ctx.State.Set(latestKey(r.Document.ID), binary.BigEndian.AppendUint64(nil, r.Version))
	ctx.State.Set(versionKey(r.Document.ID, r.Version), raw)
	return nil
}

// State keys of the DID registry: every version's record by number, and the
// number of the latest version, so that resolving costs two reads (and none
// when cached) whatever the history.
func latestKey(id string) []byte { return did.LatestKey(id) }

func versionKey(id string, v uint64) []byte { return did.VersionKey(id, v) }

// loadRecord reads and decodes the record under key. The result may be
// shared with other callers: never modify it (clone the document first, as
// update does).
func loadRecord(st chain.Reader, key []byte) (*did.Record, bool, error) {
	raw, ok, err := st.Get(key)
	if err != nil || !ok {
		return nil, false, err
	}
	if r, ok := decodedRecords.get(raw); ok {
		return r, true, nil
	}
	var r did.Record
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, false, fmt.Errorf("decode DID record: %w", err)
	}
	decodedRecords.put(raw, &r)
	return &r, true, nil
}

// decodedRecords caches decoded DID records by their exact bytes: every
// transaction signed by a did:weid key, and every handler that checks a
// signer's DID, reads the signer's latest record, and decoding it costs
// more than the state read. Keyed by content, the cache is right for any
// reader — committed state or a block's overlay, whatever was discarded.
var decodedRecords = &recordCache{m: map[string]*did.Record{}}

// maxDecodedBytes bounds the record bytes the cache keeps (their decoded
// form costs a few times more); past it the cache starts over.
const maxDecodedBytes = 16 << 20

type recordCache struct {
	mu    sync.RWMutex
	m     map[string]*did.Record
	bytes int
}

func (c *recordCache) get(raw []byte) (*did.Record, bool) {
	c.mu.RLock()
	r, ok := c.m[string(raw)]
	c.mu.RUnlock()
	return r, ok
}

func (c *recordCache) put(raw []byte, r *did.Record) {
	c.mu.Lock()
	if c.bytes+len(raw) > maxDecodedBytes {
		clear(c.m)
		c.bytes = 0
	}
	c.m[string(raw)] = r
	c.bytes += len(raw)
	c.mu.Unlock()
}

// Latest returns the latest record of did in st.
func Latest(st chain.Reader, id string) (*did.Record, bool, error) {
	v, ok, err := st.Get(latestKey(id))
	if err != nil || !ok {
		return nil, false, err
	}
	if len(v) != 8 {
		return nil, false, fmt.Errorf("corrupt latest-version pointer of %s", id)
	}
	r, ok, err := loadRecord(st, versionKey(id, binary.BigEndian.Uint64(v)))
	if err == nil && !ok {
		err = fmt.Errorf("latest version of %s is missing", id)
	}
	return r, ok, err
}

// AuthenticationKey resolves a verification method DID URL to its key, if it
// is in the authentication relationship of its did:weid DID's current,
// active document in st. It is the ledger's chain.KeyResolver.
func AuthenticationKey(st chain.Reader, didURL string) (keys.PublicKey, error) {
	u, err := did.ParseDIDURL(didURL)
	if err != nil || u.Fragment == "" {
		return keys.PublicKey{}, errs.BadRequest("tx.malformed", "from %q must be the DID URL of a verification method", didURL)
	}
	if u.Method != did.MethodWeid {
		return keys.PublicKey{}, errs.New(http.StatusForbidden, "tx.unauthorized", "ledger transactions are signed by did:weid keys, not did:%s", u.Method)
	}
	pk, err := RelationshipKey(st, didURL, "authentication", "signer")
	if errors.Is(err, ErrNotInRelationship) {
		return keys.PublicKey{}, errs.New(http.StatusForbidden, "tx.unauthorized", "%s is not an authentication key of %s", didURL, u.DID)
	}
	return pk, err
}

// ErrNotInRelationship is returned by RelationshipKey for a verification
// method that is not (or no longer) in the relationship asked for; callers
// turn it into their own coded error.
var ErrNotInRelationship = errors.New("the verification method is not in that verification relationship")

// RelationshipKey resolves the verification method didURL (a did:weid DID
// URL with a fragment, which the caller has checked) to its public key, if it is in the verification
// relationship rel ("authentication", "assertionMethod", …) of its DID's
// current, active document in st. role names the DID's part in messages
// ("signer", "grantor"). Errors: 404 did.notFound, 410 did.deactivated,
// ErrNotInRelationship, or a storage error.
func RelationshipKey(st chain.Reader, didURL, rel, role string) (keys.PublicKey, error) {
	u, err := did.ParseDIDURL(didURL)
	if err != nil || u.Fragment == "" {
		return keys.PublicKey{}, errs.BadRequest("did.invalidDid", "%q is not the DID URL of a verification method", didURL)
	}
	r, ok, err := Latest(st, u.DID)
	if err != nil {
		return keys.PublicKey{}, err
	}
	if !ok {
		return keys.PublicKey{}, errs.New(http.StatusNotFound, "did.notFound", "%s %s is not registered", role, u.DID)
	}
	if r.Deactivated {
		return keys.PublicKey{}, errs.New(http.StatusGone, "did.deactivated", "%s %s is deactivated", role, u.DID)
	}
	vm, ok := r.Document.Method(didURL)
	if !ok || !r.Document.HasRelationship(rel, didURL) {
		return keys.PublicKey{}, ErrNotInRelationship
	}
	pk, err := keys.ParseMultibase(vm.PublicKeyMultibase)
	if err != nil {
		return keys.PublicKey{}, fmt.Errorf("stored key %s: %w", didURL, err)
	}
	return pk, nil
}

// Method resolves did:weid DIDs from a ledger's state. Over a ledger
// (NewMethod) the latest version of each DID is cached, the cache
// invalidated as blocks commit; over any other state (NewStateMethod)
// nothing is cached.
type Method struct {
	state   chain.Reader
	chainID func() string

	mu    sync.Mutex
	gen   uint64
	cache map[string]*did.ResolutionResult // nil: no cache
}

const maxCached = 200_000

// NewStateMethod returns a resolver of did:weid over the state st of
// chain chainID, which it reads on every resolution: for a reader whose
// values are proven against a trust anchor (client.ProvenState), every
// document it returns is.
func NewStateMethod(st chain.Reader, chainID string) *Method {
	return &Method{state: st, chainID: func() string { return chainID }}
}

// NewMethod returns a resolver of did:weid over l.
func NewMethod(l *chain.Ledger) *Method {
	m := &Method{state: l, chainID: l.ChainID, cache: map[string]*did.ResolutionResult{}}
	l.OnCommit(func(b *chain.Block) {
		m.mu.Lock()
		for _, tx := range b.Txs {
			if strings.HasPrefix(tx.Type, "did.") {
				delete(m.cache, tx.SignerDID())
			}
		}
		m.gen++
		m.mu.Unlock()
	})
	return m
}

// Resolve implements MethodResolver. The result is shared: don't modify it.
func (m *Method) Resolve(ctx context.Context, d did.DIDURL, opts did.Options) (*did.ResolutionResult, error) {
	chainID, _, err := did.ParseWeid(d.DID)
	if err != nil {
		return nil, err
	}
	if own := m.chainID(); chainID != own {
		return nil, fmt.Errorf("%w: %s is on chain %q, this node keeps chain %q", did.ErrNotFound, d.DID, chainID, own)
	}
	latest := opts.VersionID == "" && opts.VersionTime.IsZero()
	if latest && m.cache == nil {
		r, err := m.latest(d.DID)
		if err != nil {
			return nil, err
		}
		res := did.RecordResult(r, 0)
		return res, resultErr(res)
	}
	if latest {
		m.mu.Lock()
		res, ok := m.cache[d.DID]
		gen := m.gen
		m.mu.Unlock()
		if ok {
			return res, resultErr(res)
		}
		r, err := m.latest(d.DID)
		if err != nil {
			return nil, err
		}
		res = did.RecordResult(r, 0)
		m.mu.Lock()
		if m.gen == gen {
			if len(m.cache) >= maxCached {
				clear(m.cache)
			}
			m.cache[d.DID] = res
		}
		m.mu.Unlock()
		return res, resultErr(res)
	}
	r, err := m.latest(d.DID)
	if err != nil {
		return nil, err
	}
	last := r.Version
	var v uint64
	switch {
	case opts.VersionID != "":
		v, err = strconv.ParseUint(opts.VersionID, 10, 64)
		if err != nil || v == 0 {
			return nil, fmt.Errorf("%w: versionId must be a positive integer", did.ErrInvalidOptions)
		}
		if v > last {
			return nil, fmt.Errorf("%w: %s has no version %d (latest is %d)", did.ErrNotFound, d.DID, v, last)
		}
	default:
		v, err = m.versionAt(d.DID, last, opts.VersionTime)
		if err != nil {
			return nil, err
		}
	}
	if v != last {
		var ok bool
		if r, ok, err = loadRecord(m.state, versionKey(d.DID, v)); err != nil {
			return nil, err
		} else if !ok {
			return nil, fmt.Errorf("%w: %s version %d", did.ErrNotFound, d.DID, v)
		}
	}
	res := did.RecordResult(r, last)
	return res, resultErr(res)
}

// latest returns the committed latest record of did, or did.ErrNotFound.
func (m *Method) latest(id string) (*did.Record, error) {
	r, ok, err := Latest(m.state, id)
	if err == nil && !ok {
		err = fmt.Errorf("%w: %s", did.ErrNotFound, id)
	}
	return r, err
}

// versionAt finds the last version updated at or before t by binary search
// over the versions: O(log n) reads, whatever the history.
func (m *Method) versionAt(id string, last uint64, t time.Time) (uint64, error) {
	lo, hi := uint64(1), last // invariant: the answer, if any, is in [lo, hi]
	first, ok, err := loadRecord(m.state, versionKey(id, 1))
	if err != nil || !ok {
		return 0, fmt.Errorf("%w: %s version 1", did.ErrNotFound, id)
	}
	if ut, _ := time.Parse(time.RFC3339Nano, first.Updated); ut.After(t) {
		return 0, fmt.Errorf("%w: %s id not exist at %s", did.ErrNotFound, id, t.UTC().Format(time.RFC3339))
	}
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		r, ok, err := loadRecord(m.state, versionKey(id, mid))
		if err != nil || !ok {
			return 0, fmt.Errorf("read %s version %d: %v", id, mid, err)
		}
		if ut, _ := time.Parse(time.RFC3339Nano, r.Updated); ut.After(t) {
			hi = mid - 1
		} else {
			lo = mid
		}
	}
	return lo, nil
}

func resultErr(r *did.ResolutionResult) error {
	if r.DocumentMetadata.Deactivated {
		return did.ErrDeactivated
	}
	return nil
}
