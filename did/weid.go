package did

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
)

// MethodWeid is the name of weid's own DID method.
const MethodWeid = "weid"

// WeidDID returns did:weid:<chainID>:0x<address> for a key: the address is
// the last 20 bytes of Keccak-256 of the public key (keys.PublicKey.Address).
func WeidDID(chainID string, pk keys.PublicKey) string {
	a := pk.Address()
	return "did:weid:" + chainID + ":0x" + hex.EncodeToString(a[:])
}

// ParseWeid strictly parses a did:weid DID: did:weid:<chainId>:0x<40
// lowercase hex>, where chainId is 1 to 64 characters of [A-Za-z0-9._-].
func ParseWeid(s string) (chainID string, addr [20]byte, err error) {
	bad := func(why string) error { return fmt.Errorf("%w: %q: %s", ErrInvalidDID, s, why) }
	if len(s) > 200 {
		return "", addr, bad("too long")
	}
	rest, ok := strings.CutPrefix(s, "did:weid:")
	if !ok {
		return "", addr, bad(`want "did:weid:<chainId>:0x<40 hex>"`)
	}
	chainID, hexAddr, ok := strings.Cut(rest, ":")
	if !ok || chainID == "" || len(chainID) > 64 {
		return "", addr, bad("missing chain id")
	}
	for _, c := range []byte(chainID) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return "", addr, bad("chain id must be [A-Za-z0-9._-]")
		}
	}
	if len(hexAddr) != 42 || hexAddr[:2] != "0x" {
		return "", addr, bad("address must be 0x followed by 40 hex digits")
	}
	for _, c := range []byte(hexAddr[2:]) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return "", addr, bad("address must be lowercase hex")
		}
	}
	hex.Decode(addr[:], []byte(hexAddr[2:]))
	return chainID, addr, nil
}

// Record is what the ledger keeps for one version of a did:weid document.
type Record struct {
	Document    *Document `json:"document"`
	Version     uint64    `json:"version"`
	Created     string    `json:"created"`
	Updated     string    `json:"updated"`
	Deactivated bool      `json:"deactivated,omitempty"`
	TxHash      string    `json:"txHash"`
	Height      uint64    `json:"height"`
	// Compromised lists the keys the DID's controller declared
	// compromised, in every version since (see CompromisedKey).
	Compromised []CompromisedKey `json:"compromised,omitempty"`
}

// CompromisedKey is a key its DID's controller declared compromised, by
// removing or rotating it out with "compromised" set or by
// did.reportCompromisedKey. A key rotated out without it still verifies
// what it signed while it was current — credentials are checked against the
// DID as of their issuance —, but a stolen key could sign new credentials
// dated back to then: once declared compromised, nothing it signed is
// accepted any more, whatever date it carries, and it may not be added back.
type CompromisedKey struct {
	// PublicKeyMultibase is the key in its canonical encoding
	// (CanonicalKey).
	PublicKeyMultibase string `json:"publicKeyMultibase"`
	// ID is the verification method the key was, when it was declared
	// compromised as it was removed.
	ID string `json:"id,omitempty"`
	// Since is the time of the block that declared it; TxHash its tx.
	Since  string `json:"since"`
	TxHash string `json:"txHash"`
}

// MaxCompromisedKeys bounds the keys a DID may declare compromised.
const MaxCompromisedKeys = 64

// State keys of the DID registry: every version's record by number, and the
// number of the latest version, so that resolving costs two reads (and none
// when cached) whatever the history.
func latestKey(did string) []byte { return []byte("did/latest/" + did) }

func versionKey(did string, v uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte("did/version/"+did+"/"), v)
}

// loadRecord reads and decodes the record under key. The result may be
// shared with other callers: never modify it (clone the document first, as
// update does).
func loadRecord(st chain.Reader, key []byte) (*Record, bool, error) {
	raw, ok, err := st.Get(key)
	if err != nil || !ok {
		return nil, false, err
	}
	if r, ok := decodedRecords.get(raw); ok {
		return r, true, nil
	}
	var r Record
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
var decodedRecords = &recordCache{m: map[string]*Record{}}

// maxDecodedBytes bounds the record bytes the cache keeps (their decoded
// form costs a few times more); past it the cache starts over.
const maxDecodedBytes = 16 << 20

type recordCache struct {
	mu    sync.RWMutex
	m     map[string]*Record
	bytes int
}

func (c *recordCache) get(raw []byte) (*Record, bool) {
	c.mu.RLock()
	r, ok := c.m[string(raw)]
	c.mu.RUnlock()
	return r, ok
}

func (c *recordCache) put(raw []byte, r *Record) {
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
func Latest(st chain.Reader, did string) (*Record, bool, error) {
	v, ok, err := st.Get(latestKey(did))
	if err != nil || !ok {
		return nil, false, err
	}
	if len(v) != 8 {
		return nil, false, fmt.Errorf("corrupt latest-version pointer of %s", did)
	}
	r, ok, err := loadRecord(st, versionKey(did, binary.BigEndian.Uint64(v)))
	if err == nil && !ok {
		err = fmt.Errorf("latest version of %s is missing", did)
	}
	return r, ok, err
}

// AuthenticationKey resolves a verification method DID URL to its key, if it
// is in the authentication relationship of its did:weid DID's current,
// active document in st. It is the ledger's chain.KeyResolver.
func AuthenticationKey(st chain.Reader, didURL string) (keys.PublicKey, error) {
	u, err := ParseDIDURL(didURL)
	if err != nil || u.Fragment == "" {
		return keys.PublicKey{}, errs.BadRequest("tx.malformed", "from %q must be the DID URL of a verification method", didURL)
	}
	if u.Method != MethodWeid {
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
	u, err := ParseDIDURL(didURL)
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

// WeidMethod resolves did:weid DIDs from a ledger. The latest version of
// each DID is cached; the cache is invalidated as blocks commit.
type WeidMethod struct {
	ledger *chain.Ledger

	mu    sync.Mutex
	gen   uint64
	cache map[string]*ResolutionResult
}

const maxCached = 200_000

// NewWeidMethod returns a resolver of did:weid over l.
func NewWeidMethod(l *chain.Ledger) *WeidMethod {
	m := &WeidMethod{ledger: l, cache: map[string]*ResolutionResult{}}
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
func (m *WeidMethod) Resolve(ctx context.Context, d DIDURL, opts Options) (*ResolutionResult, error) {
	chainID, _, err := ParseWeid(d.DID)
	if err != nil {
		return nil, err
	}
	if own := m.ledger.ChainID(); chainID != own {
		return nil, fmt.Errorf("%w: %s is on chain %q, this node keeps chain %q", ErrNotFound, d.DID, chainID, own)
	}
	latest := opts.VersionID == "" && opts.VersionTime.IsZero()
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
		res = recordResult(r, 0)
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
			return nil, fmt.Errorf("%w: versionId must be a positive integer", ErrInvalidOptions)
		}
		if v > last {
			return nil, fmt.Errorf("%w: %s has no version %d (latest is %d)", ErrNotFound, d.DID, v, last)
		}
	default:
		v, err = m.versionAt(d.DID, last, opts.VersionTime)
		if err != nil {
			return nil, err
		}
	}
	if v != last {
		var ok bool
		if r, ok, err = loadRecord(m.ledger, versionKey(d.DID, v)); err != nil {
			return nil, err
		} else if !ok {
			return nil, fmt.Errorf("%w: %s version %d", ErrNotFound, d.DID, v)
		}
	}
	res := recordResult(r, last)
	return res, resultErr(res)
}

// latest returns the committed latest record of did, or ErrNotFound.
func (m *WeidMethod) latest(did string) (*Record, error) {
	r, ok, err := Latest(m.ledger, did)
	if err == nil && !ok {
		err = fmt.Errorf("%w: %s", ErrNotFound, did)
	}
	return r, err
}

// versionAt finds the last version updated at or before t by binary search
// over the versions: O(log n) reads, whatever the history.
func (m *WeidMethod) versionAt(did string, last uint64, t time.Time) (uint64, error) {
	lo, hi := uint64(1), last // invariant: the answer, if any, is in [lo, hi]
	first, ok, err := loadRecord(m.ledger, versionKey(did, 1))
	if err != nil || !ok {
		return 0, fmt.Errorf("%w: %s version 1", ErrNotFound, did)
	}
	if ut, _ := time.Parse(time.RFC3339Nano, first.Updated); ut.After(t) {
		return 0, fmt.Errorf("%w: %s did not exist at %s", ErrNotFound, did, t.UTC().Format(time.RFC3339))
	}
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		r, ok, err := loadRecord(m.ledger, versionKey(did, mid))
		if err != nil || !ok {
			return 0, fmt.Errorf("read %s version %d: %v", did, mid, err)
		}
		if ut, _ := time.Parse(time.RFC3339Nano, r.Updated); ut.After(t) {
			hi = mid - 1
		} else {
			lo = mid
		}
	}
	return lo, nil
}

// ErrInvalidOptions reports resolution options that make no sense.
var ErrInvalidOptions = fmt.Errorf("invalid resolution options")

func resultErr(r *ResolutionResult) error {
	if r.DocumentMetadata.Deactivated {
		return ErrDeactivated
	}
	return nil
}

func recordResult(r *Record, last uint64) *ResolutionResult {
	md := DocumentMetadata{
		Created:     r.Created,
		Updated:     r.Updated,
		Deactivated: r.Deactivated,
		VersionID:   strconv.FormatUint(r.Version, 10),
		TxHash:      r.TxHash,
		BlockHeight: r.Height,
		// The list is immutable once stored: records are shared, never
		// modified.
		CompromisedKeys: r.Compromised,
	}
	if last > r.Version {
		md.NextVersionID = strconv.FormatUint(r.Version+1, 10)
	}
	return &ResolutionResult{
		Document:           r.Document,
		ResolutionMetadata: ResolutionMetadata{ContentType: "application/did+ld+json"},
		DocumentMetadata:   md,
	}
}
