package status

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"math/bits"
	"net/http"
	"sync"

	"github.com/weidgo/weid/errs"
)

// Store is the node-local, durable key-value store an Allocator keeps its
// reservations in (the node backs it with its keystore database).
type Store interface {
	// Get returns the value at key, or nil and no error if there is none.
	Get(key []byte) ([]byte, error)
	// PutSync writes value at key and returns once it is durable.
	PutSync(key, value []byte) error
}

// Allocation parameters.
const (
	// AllocBatch is how many indices one synced write reserves.
	AllocBatch = 256
	// FillNumerator/FillDenominator is the fraction of a list the
	// Allocator hands out before ErrListFull: 7/8. The rest stays unused,
	// so the list's bits never tell which of its indices were issued.
	FillNumerator   = 7
	FillDenominator = 8
)

// ErrListFull is returned by Allocator.Allocate when a list has handed out
// its share (FillNumerator/FillDenominator) of indices: create a new list.
// Test for it with errors.Is.
var ErrListFull = errs.New(http.StatusConflict, "status.listFull", "the status list has no index left to allocate; create a new list")

const allocPrefix = "status/alloc/"

// allocRecord is a list's allocation record in the Store: version byte 1,
// size (8 bytes), reserved (8 bytes), permutation key (16 bytes).
const allocRecordLen = 1 + 8 + 8 + 16

// Allocator hands out indices of status lists to newly issued credentials.
// It keeps its state on the node (in a Store), not on the ledger, and is
// meant to be the only allocator of the lists it serves.
//
// Indices are drawn without replacement in the order of a secret
// pseudo-random permutation of the list (an 8-round Feistel network over
// AES-128 with a key from crypto/rand, restricted to the list by cycle
// walking): every index handed out is uniformly distributed over the
// indices not yet handed out, to anyone without the key, and no index is
// ever handed out twice. The Store holds per list only the key and the
// count of reserved positions of the permutation: before handing out a
// position it reserves AllocBatch of them with one synced write, and after
// a restart it resumes after the reserved ones, so a crash skips at most
// AllocBatch indices and never repeats one. Each Allocate costs a few AES
// blocks however full the list is. It is safe for concurrent use.
type Allocator struct {
	store Store
	mu    sync.Mutex
	lists map[string]*allocList
}

type allocList struct {
	mu       sync.Mutex
	loaded   bool
	size     uint64
	next     uint64 // next permutation position to hand out
	reserved uint64 // positions below this are reserved in the store
	key      [16]byte
	perm     *permutation
}

// NewAllocator returns an Allocator keeping its reservations in s.
func NewAllocator(s Store) *Allocator {
	return &Allocator{store: s, lists: map[string]*allocList{}}
}

// FillLimit returns how many indices Allocate hands out of a list of size
// bits before ErrListFull.
func FillLimit(size uint64) uint64 { return size / FillDenominator * FillNumerator }

// Allocate returns an index of list listID, of size bits, that was never
// handed out before. A listID or size that is not a list's is a 400
// *errs.Error; a size other than the one the list was first allocated
// with is a 409 (status.sizeMismatch); a list past FillLimit returns
// ErrListFull. Any other error is the Store's.
func (a *Allocator) Allocate(listID string, size uint64) (uint64, error) {
	if !ValidID(listID) {
		return 0, errs.BadRequest("status.invalidId", "%q is not a status list id", listID)
	}
	if !validSize(size) {
		return 0, errs.BadRequest("status.invalidSize", "size must be a multiple of 8 from %d to %d bits", MinSize, MaxSize)
	}
	a.mu.Lock()
	l, ok := a.lists[listID]
	if !ok {
		l = &allocList{}
		a.lists[listID] = l
	}
	a.mu.Unlock()

	l.mu.Lock()
	defer l.mu.Unlock()
	key := []byte(allocPrefix + listID)
	if !l.loaded {
		if err := l.load(a.store, key, size); err != nil {
			return 0, err
		}
	}
	if l.size != size {
		return 0, errs.New(http.StatusConflict, "status.sizeMismatch", "status list %s has %d bits, not %d", listID, l.size, size)
	}
	limit := FillLimit(size)
	if l.next >= limit {
		return 0, ErrListFull
	}
	if l.next >= l.reserved {
		res := min(l.next+AllocBatch, limit)
		if err := a.store.PutSync(key, l.record(res)); err != nil {
			return 0, fmt.Errorf("reserve indices of status list %s: %w", listID, err)
		}
		l.reserved = res
	}
	i := l.perm.at(l.next)
	l.next++
	return i, nil
}

func (l *allocList) load(s Store, key []byte, size uint64) error {
	v, err := s.Get(key)
	if err != nil {
		return fmt.Errorf("read allocation of %s: %w", key, err)
	}
	if v == nil {
		if _, err := rand.Read(l.key[:]); err != nil {
			return err
		}
		l.size = size
	} else {
		if len(v) != allocRecordLen || v[0] != 1 {
			return fmt.Errorf("corrupt allocation record %s", key)
		}
		l.size = binary.BigEndian.Uint64(v[1:])
		l.reserved = binary.BigEndian.Uint64(v[9:])
		copy(l.key[:], v[17:])
		if !validSize(l.size) || l.reserved > l.size {
			return fmt.Errorf("corrupt allocation record %s", key)
		}
		// Reserved positions that were not handed out before the restart
		// are skipped: some may have been.
		l.next = l.reserved
	}
	p, err := newPermutation(l.key, l.size)
	if err != nil {
		return err
	}
	l.perm, l.loaded = p, true
	return nil
}

func (l *allocList) record(reserved uint64) []byte {
	b := make([]byte, 0, allocRecordLen)
	b = append(b, 1)
	b = binary.BigEndian.AppendUint64(b, l.size)
	b = binary.BigEndian.AppendUint64(b, reserved)
	return append(b, l.key[:]...)
}

// permutation is a keyed pseudo-random permutation of [0, size).
type permutation struct {
	block cipher.Block
	size  uint64
	half  uint   // bits in each Feistel half
	mask  uint64 // (1<<half)-1
}

const feistelRounds = 8

func newPermutation(key [16]byte, size uint64) (*permutation, error) {
	b, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, err
	}
	n := uint(bits.Len64(size - 1))
	n += n & 1 // an even number of bits: two equal halves
	return &permutation{block: b, size: size, half: n / 2, mask: 1<<(n/2) - 1}, nil
}

// at returns the image of x < size. The Feistel network permutes
// [0, 2^(2·half)), less than 4·size; cycle walking applies it again until
// the value falls inside [0, size), which keeps it a permutation of that
// range and takes under four rounds of the network on average.
func (p *permutation) at(x uint64) uint64 {
	var in, out [16]byte
	for {
		l, r := x>>p.half, x&p.mask
		for round := range feistelRounds {
			in[0] = byte(round)
			binary.BigEndian.PutUint64(in[8:], r)
			p.block.Encrypt(out[:], in[:])
			l, r = r, l^(binary.BigEndian.Uint64(out[:8])&p.mask)
		}
		x = l<<p.half | r
		if x < p.size {
			return x
		}
	}
}
