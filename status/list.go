package status

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
)

// Status purposes of Bitstring Status List v1.0 (§2.1) that weid lists have.
const (
	PurposeRevocation = "revocation"
	PurposeSuspension = "suspension"
)

// Sizes of a list, in bits (one bit per credential).
const (
	// MinSize is the smallest list, and the default: 131,072 bits (16 KiB),
	// the minimum the specification sets for herd privacy (§6.1).
	MinSize = 131072
	// DefaultSize is the size of a list created without one.
	DefaultSize = MinSize
	// MaxSize is the largest list: 2^23 bits (1 MiB).
	MaxSize = 1 << 23
	// ChunkBytes is how much of the bitstring one state entry holds: an
	// update that sets one bit rewrites one chunk, not the whole list.
	ChunkBytes = 4096
	// MaxIDLength bounds a list id.
	MaxIDLength = 64
)

// State key prefixes of the status lists.
const (
	prefixList   = "status/list/"
	prefixChunk  = "status/bits/"
	prefixIssuer = "status/issuer/"
)

// List is what the ledger keeps about one status list (its bits are kept
// apart, in chunks).
type List struct {
	ID      string `json:"id"`
	Issuer  string `json:"issuer"`  // DID that created the list; only it updates it
	Purpose string `json:"purpose"` // PurposeRevocation or PurposeSuspension
	Size    uint64 `json:"size"`    // bits
	// Version is 1 when the list is created and grows by one with every
	// status.update.
	Version uint64 `json:"version"`
	// SetCount is how many bits are set.
	SetCount      uint64 `json:"setCount"`
	Created       string `json:"created"` // block time, RFC 3339
	CreatedHeight uint64 `json:"createdHeight"`
	Updated       string `json:"updated"` // block time of the last change
	UpdatedHeight uint64 `json:"updatedHeight"`
	// TxHash is the transaction that made the latest version.
	TxHash string `json:"txHash"`
}

// ValidID reports whether id can name a list: 1 to MaxIDLength characters
// of [a-z0-9._-], the first a letter or digit (so no id is "." or "..",
// which would be read as path segments in a URL).
func ValidID(id string) bool {
	if id == "" || len(id) > MaxIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case (c == '.' || c == '_' || c == '-') && i > 0:
		default:
			return false
		}
	}
	return true
}

// ValidPurpose reports whether p is a purpose a weid list can have.
func ValidPurpose(p string) bool { return p == PurposeRevocation || p == PurposeSuspension }

// validSize reports whether size is a list size: MinSize to MaxSize bits, a
// multiple of 8.
func validSize(size uint64) bool { return size >= MinSize && size <= MaxSize && size%8 == 0 }

// DerivedID is the id of a list created with no id by transaction txHash:
// the first 32 hex digits of the hash, so a submitter knows it in advance.
func DerivedID(txHash string) string {
	if len(txHash) > 32 {
		return txHash[:32]
	}
	return txHash
}

func listKey(id string) []byte { return []byte(prefixList + id) }

func chunkKey(id string, chunk uint32) []byte {
	k := make([]byte, 0, len(prefixChunk)+len(id)+5)
	k = append(k, prefixChunk...)
	k = append(k, id...)
	k = append(k, '/')
	return binary.BigEndian.AppendUint32(k, chunk)
}

func issuerKey(issuer, id string) []byte { return []byte(prefixIssuer + issuer + "/" + id) }

// chunks returns how many chunks a list of size bits has.
func chunks(size uint64) uint32 { return uint32((size/8 + ChunkBytes - 1) / ChunkBytes) }

// chunkLen returns the length in bytes of chunk c of a list of size bits.
func chunkLen(size uint64, c uint32) int {
	n := size/8 - uint64(c)*ChunkBytes
	if n > ChunkBytes {
		n = ChunkBytes
	}
	return int(n)
}

func decodeList(id string, raw []byte) (*List, error) {
	var l List
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, fmt.Errorf("decode status list %s: %w", id, err)
	}
	if l.ID != id || !validSize(l.Size) || !ValidPurpose(l.Purpose) {
		return nil, fmt.Errorf("status list %s: corrupt record", id)
	}
	return &l, nil
}

func notFound(id string) error {
	return errs.New(http.StatusNotFound, "status.notFound", "there is no status list %q on this ledger", id)
}

// Lookup returns list id as st has it, and whether it exists.
func Lookup(st chain.Reader, id string) (*List, bool, error) {
	if !ValidID(id) {
		return nil, false, nil
	}
	raw, ok, err := st.Get(listKey(id))
	if err != nil || !ok {
		return nil, false, err
	}
	l, err := decodeList(id, raw)
	if err != nil {
		return nil, false, err
	}
	return l, true, nil
}

// Get returns list id as st has it; a list that does not exist is a 404
// *errs.Error with code status.notFound.
func Get(st chain.Reader, id string) (*List, error) {
	l, ok, err := Lookup(st, id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound(id)
	}
	return l, nil
}

// readChunk returns chunk c of list l (zeros if never written). The
// returned slice may be state's own: don't change it.
func readChunk(st chain.Reader, l *List, c uint32) ([]byte, error) {
	n := chunkLen(l.Size, c)
	v, ok, err := st.Get(chunkKey(l.ID, c))
	if err != nil {
		return nil, err
	}
	if !ok {
		return make([]byte, n), nil
	}
	if len(v) != n {
		return nil, fmt.Errorf("status list %s: chunk %d has %d bytes, want %d", l.ID, c, len(v), n)
	}
	return v, nil
}

// Bit reports whether bit index of list id is set. An index outside the
// list is a 400 *errs.Error with code status.indexOutOfRange.
func Bit(st chain.Reader, id string, index uint64) (bool, error) {
	l, err := Get(st, id)
	if err != nil {
		return false, err
	}
	if index >= l.Size {
		return false, outOfRange(l, index)
	}
	c, err := readChunk(st, l, uint32(index/8/ChunkBytes))
	if err != nil {
		return false, err
	}
	return bitAt(c, index%(ChunkBytes*8)), nil
}

func outOfRange(l *List, index uint64) error {
	return errs.BadRequest("status.indexOutOfRange", "index %d is outside status list %s (%d bits)", index, l.ID, l.Size)
}

// bitAt reports bit i of b; bit 0 is the most significant bit of b[0]
// (Bitstring Status List §3.2: index 0 is the left-most bit).
func bitAt(b []byte, i uint64) bool { return b[i/8]&(0x80>>(i%8)) != 0 }

// Bits returns the whole bitstring of list l as st has it, Size/8 bytes.
func Bits(st chain.Reader, l *List) ([]byte, error) {
	out := make([]byte, 0, l.Size/8)
	for c := range chunks(l.Size) {
		b, err := readChunk(st, l, c)
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return out, nil
}

// Limits of ByIssuer.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// ByIssuer returns up to limit lists of issuer in id order, starting after
// list id after ("" for the first page). A limit outside 1 to MaxPageSize
// means DefaultPageSize or MaxPageSize.
func ByIssuer(s chain.Scanner, issuer, after string, limit int) ([]List, error) {
	switch {
	case limit <= 0:
		limit = DefaultPageSize
	case limit > MaxPageSize:
		limit = MaxPageSize
	}
	prefix := issuerKey(issuer, "")
	var from []byte
	if after != "" {
		from = issuerKey(issuer, after)
	}
	var ids []string
	err := s.Scan(prefix, from, func(k, _ []byte) bool {
		ids = append(ids, string(k[len(prefix):]))
		return len(ids) < limit
	})
	if err != nil {
		return nil, fmt.Errorf("list status lists of %s: %w", issuer, err)
	}
	out := make([]List, 0, len(ids))
	for _, id := range ids {
		l, err := Get(s, id)
		if err != nil {
			return nil, fmt.Errorf("status list %s of %s: %w", id, issuer, err)
		}
		out = append(out, *l)
	}
	return out, nil
}
