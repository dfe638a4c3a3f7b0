package status

import (
	"bytes"
	"container/list"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
)

// ParsedEntry is a credentialStatus entry of type BitstringStatusListEntry
// as ParseEntry read it.
type ParsedEntry struct {
	ID         string // the entry's id, "" if it has none
	Purpose    string // statusPurpose
	Index      uint64 // statusListIndex
	Credential string // statusListCredential, an absolute URL
	// List is the weid list id the statusListCredential URL names
	// (ListIDFromURL), "" if it is not the URL of a weid list.
	List string
	// StatusSize is the entry's statusSize, 1 when absent.
	StatusSize uint64
}

func invalidEntry(format string, args ...any) error {
	return errs.BadRequest("status.invalidEntry", "credentialStatus: "+format, args...)
}

// maxIndexDigits bounds statusListIndex: 20 digits hold every uint64.
const maxIndexDigits = 20

// ParseEntry reads a credentialStatus entry strictly, refusing with a 400
// *errs.Error (code status.invalidEntry) any entry that is not a
// BitstringStatusListEntry (§2.1): type is "BitstringStatusListEntry" (or
// an array of strings holding it); statusPurpose a non-empty string;
// statusListIndex a base-10 integer in a string, without sign, leading
// zeros or anything else, that fits 64 bits; statusListCredential an
// absolute URL; id, if present, a string; statusSize, if present, a
// positive integer. Other members (statusMessage, statusReference, …) are
// left to the caller. It never panics.
func ParseEntry(entry map[string]any) (*ParsedEntry, error) {
	if entry == nil {
		return nil, invalidEntry("the entry is not an object")
	}
	switch t := entry["type"].(type) {
	case string:
		if t != TypeEntry {
			return nil, invalidEntry("type is %q, not %s", t, TypeEntry)
		}
	case []any:
		found := false
		for _, v := range t {
			s, ok := v.(string)
			if !ok {
				return nil, invalidEntry("type must be a string or an array of strings")
			}
			found = found || s == TypeEntry
		}
		if !found {
			return nil, invalidEntry("type does not include %s", TypeEntry)
		}
	default:
		return nil, invalidEntry("type must be %q", TypeEntry)
	}
	var e ParsedEntry
	if v, ok := entry["id"]; ok {
		s, ok := v.(string)
		if !ok {
			return nil, invalidEntry("id must be a string")
		}
		e.ID = s
	}
	p, ok := entry["statusPurpose"].(string)
	if !ok || p == "" {
		return nil, invalidEntry("statusPurpose must be a non-empty string")
	}
	e.Purpose = p
	idx, ok := entry["statusListIndex"].(string)
	if !ok {
		return nil, invalidEntry("statusListIndex must be a string of decimal digits")
	}
	if idx == "" || len(idx) > maxIndexDigits || (len(idx) > 1 && idx[0] == '0') || !allDigits(idx) {
		return nil, invalidEntry("statusListIndex %q must be a decimal integer without sign or leading zeros", truncate(idx))
	}
	n, err := strconv.ParseUint(idx, 10, 64)
	if err != nil {
		return nil, invalidEntry("statusListIndex %s is too large", idx)
	}
	e.Index = n
	cred, ok := entry["statusListCredential"].(string)
	if !ok {
		return nil, invalidEntry("statusListCredential must be a URL string")
	}
	var weid bool
	if e.List, weid = ListIDFromURL(cred); !weid {
		if u, err := url.Parse(cred); err != nil || !u.IsAbs() {
			return nil, invalidEntry("statusListCredential %q is not an absolute URL", truncate(cred))
		}
	}
	e.Credential = cred
	e.StatusSize = 1
	if v, ok := entry["statusSize"]; ok {
		size, ok := positiveInt(v)
		if !ok {
			return nil, invalidEntry("statusSize must be a positive integer")
		}
		e.StatusSize = size
	}
	return &e, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// positiveInt reads a JSON number as decoded by encoding/json (float64 or
// json.Number) or an integer a Go caller put in the map.
func positiveInt(v any) (uint64, bool) {
	switch n := v.(type) {
	case float64:
		if n >= 1 && n <= math.MaxInt32 && n == math.Trunc(n) {
			return uint64(n), true
		}
	case json.Number:
		u, err := strconv.ParseUint(string(n), 10, 32)
		return u, err == nil && u >= 1
	case int:
		return uint64(n), n >= 1
	case int64:
		return uint64(n), n >= 1
	case uint64:
		return n, n >= 1
	}
	return 0, false
}

// Outcome is what Checker.Check read for one credentialStatus entry.
type Outcome struct {
	Purpose string // the entry's statusPurpose
	List    string // weid list id, "" if the URL is not a weid list's
	Index   uint64 // statusListIndex
	URL     string // statusListCredential
	// Supported is false for an entry the checker does not decide: a
	// purpose other than revocation and suspension ("message", "refresh",
	// …) or a statusSize other than 1. Known and Set are then false.
	Supported bool
	// Known is true when the entry's list is a list of this ledger and its
	// bit was read. It is false for a URL that is not a weid list URL or
	// names no list on the ledger: the caller should warn that the status
	// was not checked.
	Known bool
	// Set reports that the bit is set: the credential is revoked or
	// suspended (per Purpose). Meaningful only when Known.
	Set bool
}

// Where names the entry's list and index, for messages.
func (o Outcome) Where() string {
	if o.List != "" {
		return fmt.Sprintf("status list %s index %d", o.List, o.Index)
	}
	return fmt.Sprintf("%s index %d", o.URL, o.Index)
}

// DefaultCacheBytes is the cache budget of a Checker made without one.
const DefaultCacheBytes = 64 << 20

// Checker reads the status of credentials from the weid lists of a ledger.
// It is safe for concurrent use; the zero value is ready, with a cache of
// DefaultCacheBytes.
//
// A check reads the list's record from the state (one read) and compares
// it byte for byte with the record its cached bits were read under: since
// the record holds the list's version, which every status.update raises,
// the cache is valid exactly while the list is unchanged, for any reader
// (committed state or a block's overlay). Bits are cached per 4 KiB chunk,
// read on first use; the least recently used lists are dropped beyond the
// budget.
type Checker struct {
	// MaxBytes bounds the cached bits and records (0: DefaultCacheBytes).
	// Set it before the first Check.
	MaxBytes int64

	mu    sync.Mutex
	used  int64
	lru   list.List // of *cacheEntry, most recent first
	index map[string]*list.Element
}

type cacheEntry struct {
	id     string
	meta   []byte // the record the chunks were read under
	list   *List
	chunks [][]byte // nil: not read yet
	bytes  int64
}

// NewChecker returns a Checker whose cache holds at most maxBytes (0:
// DefaultCacheBytes).
func NewChecker(maxBytes int64) *Checker { return &Checker{MaxBytes: maxBytes} }

// Check reads the status entry entry of a credential issued by
// credentialIssuer from the lists in st.
//
// The statusListCredential URL is mapped to a list by its path alone
// (ListIDFromURL): the list is read from st, the verifier's own ledger,
// whatever host the URL names, since every node of the consortium holds the
// same lists. A URL that is not a weid list URL, or names a list st does
// not have, gives Known false and no error.
//
// Errors: a malformed entry is a 400 *errs.Error (status.invalidEntry); an
// index outside the list a 400 (status.indexOutOfRange); a list of another
// issuer than credentialIssuer a 422 (status.issuerMismatch: a credential
// must not point at another issuer's list); a list whose purpose is not
// the entry's a 422 (status.purposeMismatch). Any other error is the
// reader's failure.
func (c *Checker) Check(st chain.Reader, credentialIssuer string, entry map[string]any) (Outcome, error) {
	e, err := ParseEntry(entry)
	if err != nil {
		return Outcome{}, err
	}
	o := Outcome{Purpose: e.Purpose, List: e.List, Index: e.Index, URL: e.Credential}
	if !ValidPurpose(e.Purpose) || e.StatusSize != 1 {
		return o, nil
	}
	o.Supported = true
	if e.List == "" {
		return o, nil
	}
	raw, ok, err := st.Get(listKey(e.List))
	if err != nil {
		return o, err
	}
	if !ok {
		return o, nil
	}
	l, set, hit := c.lookup(e.List, raw, e.Index)
	if l == nil {
		if l, err = decodeList(e.List, raw); err != nil {
			return o, err
		}
	}
	if l.Issuer != credentialIssuer {
		return o, errs.New(http.StatusUnprocessableEntity, "status.issuerMismatch",
			"status list %s belongs to %s, not to the credential's issuer %s", l.ID, l.Issuer, credentialIssuer)
	}
	if l.Purpose != e.Purpose {
		return o, errs.New(http.StatusUnprocessableEntity, "status.purposeMismatch",
			"the entry's statusPurpose is %q but status list %s is a %s list", e.Purpose, l.ID, l.Purpose)
	}
	if e.Index >= l.Size {
		return o, outOfRange(l, e.Index)
	}
	if !hit {
		ci := uint32(e.Index / (ChunkBytes * 8))
		chunk, err := readChunk(st, l, ci)
		if err != nil {
			return o, err
		}
		chunk = c.store(l, raw, ci, chunk)
		set = bitAt(chunk, e.Index%(ChunkBytes*8))
	}
	o.Known, o.Set = true, set
	return o, nil
}

// lookup returns the cached list whose record is raw (nil if none) and, if
// the chunk holding index is cached too, its bit and hit true. index is
// below the list's size when hit.
func (c *Checker) lookup(id string, raw []byte, index uint64) (l *List, set, hit bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.index[id]
	if !ok {
		return nil, false, false
	}
	ce := el.Value.(*cacheEntry)
	if !bytes.Equal(ce.meta, raw) {
		return nil, false, false
	}
	c.lru.MoveToFront(el)
	if index >= ce.list.Size {
		return ce.list, false, false
	}
	chunk := ce.chunks[index/(ChunkBytes*8)]
	if chunk == nil {
		return ce.list, false, false
	}
	return ce.list, bitAt(chunk, index%(ChunkBytes*8)), true
}

// store caches chunk ci of list l read under record raw and returns the
// cached copy.
func (c *Checker) store(l *List, raw []byte, ci uint32, chunk []byte) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.index == nil {
		c.index = map[string]*list.Element{}
	}
	el, ok := c.index[l.ID]
	var ce *cacheEntry
	if ok {
		ce = el.Value.(*cacheEntry)
	}
	if ce == nil || !bytes.Equal(ce.meta, raw) {
		if ce != nil {
			c.used -= ce.bytes
			c.lru.Remove(el)
		}
		n := chunks(l.Size)
		ce = &cacheEntry{id: l.ID, meta: bytes.Clone(raw), list: l, chunks: make([][]byte, n)}
		ce.bytes = int64(len(raw)+len(l.ID)) + int64(n)*24 + 256
		c.used += ce.bytes
		el = c.lru.PushFront(ce)
		c.index[l.ID] = el
	} else {
		c.lru.MoveToFront(el)
	}
	if ce.chunks[ci] == nil {
		ce.chunks[ci] = bytes.Clone(chunk)
		ce.bytes += int64(len(chunk))
		c.used += int64(len(chunk))
	}
	max := c.MaxBytes
	if max <= 0 {
		max = DefaultCacheBytes
	}
	for c.used > max {
		back := c.lru.Back()
		if back == nil || back == el {
			break
		}
		old := back.Value.(*cacheEntry)
		c.used -= old.bytes
		c.lru.Remove(back)
		delete(c.index, old.id)
	}
	return ce.chunks[ci]
}

// cached reports how many lists and bytes the cache holds (for tests).
func (c *Checker) cached() (lists int, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len(), c.used
}
