package status_test

import (
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/weidgo/weid/status"
)

// memStore is a Store in memory that counts synced writes and can fail.
type memStore struct {
	mu     sync.Mutex
	m      map[string][]byte
	writes int
	fail   error
}

func newMemStore() *memStore { return &memStore{m: map[string][]byte{}} }

func (s *memStore) Get(k []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[string(k)], nil
}

func (s *memStore) PutSync(k, v []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	s.writes++
	s.m[string(k)] = append([]byte(nil), v...)
	return nil
}

// TestAllocateRestarts: no index twice across restarts, reserved but
// unhanded indices skipped, until the list is full.
func TestAllocateRestarts(t *testing.T) {
	const size = status.MinSize
	s := newMemStore()
	seen := make(map[uint64]bool, size)
	handed := 0
	for round := 0; ; round++ {
		a := status.NewAllocator(s) // a restart: a fresh allocator on the same store
		// Hand out a few (fewer than a batch), then "crash".
		n := 1 + round%(2*status.AllocBatch)
		full := false
		for range n {
			i, err := a.Allocate("list-1", size)
			if errors.Is(err, status.ErrListFull) {
				full = true
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if i >= size || seen[i] {
				t.Fatalf("round %d: index %d handed out twice or out of range", round, i)
			}
			seen[i] = true
			handed++
		}
		if full {
			break
		}
	}
	// Every position up to the fill limit was reserved once: handed out or
	// skipped after a restart.
	if handed == 0 || handed > int(status.FillLimit(size)) {
		t.Fatalf("handed out %d", handed)
	}
	t.Logf("handed out %d of %d before the list was full, %d synced writes", handed, status.FillLimit(size), s.writes)
}

func TestAllocateFill(t *testing.T) {
	const size = status.MinSize
	s := newMemStore()
	a := status.NewAllocator(s)
	seen := make([]bool, size)
	var low, high int
	limit := int(status.FillLimit(size))
	for n := 0; n < limit; n++ {
		i, err := a.Allocate("l", size)
		if err != nil {
			t.Fatalf("allocation %d: %v", n, err)
		}
		if seen[i] {
			t.Fatalf("index %d twice", i)
		}
		seen[i] = true
		if n < 1000 {
			if i < size/2 {
				low++
			} else {
				high++
			}
		}
	}
	if _, err := a.Allocate("l", size); !errors.Is(err, status.ErrListFull) {
		t.Fatalf("past the fill limit: %v", err)
	}
	wantErr(t, func() error { _, err := a.Allocate("l", size); return err }(), http.StatusConflict, "status.listFull")
	if want := (limit + status.AllocBatch - 1) / status.AllocBatch; s.writes != want {
		t.Fatalf("%d synced writes, want %d", s.writes, want)
	}
	// Spread over the list, not sequential: of the first 1000, both halves
	// get a fair share.
	if low < 400 || high < 400 {
		t.Fatalf("first 1000 indices: %d in the lower half, %d in the upper", low, high)
	}
	// A restart of a full list is still full.
	if _, err := status.NewAllocator(s).Allocate("l", size); !errors.Is(err, status.ErrListFull) {
		t.Fatalf("after restart: %v", err)
	}
}

func TestAllocateErrors(t *testing.T) {
	s := newMemStore()
	a := status.NewAllocator(s)
	_, err := a.Allocate("Bad", status.MinSize)
	wantErr(t, err, http.StatusBadRequest, "status.invalidId")
	_, err = a.Allocate("x", 1000)
	wantErr(t, err, http.StatusBadRequest, "status.invalidSize")
	if _, err := a.Allocate("x", status.MinSize); err != nil {
		t.Fatal(err)
	}
	_, err = a.Allocate("x", 2*status.MinSize)
	wantErr(t, err, http.StatusConflict, "status.sizeMismatch")
	_, err = status.NewAllocator(s).Allocate("x", 2*status.MinSize)
	wantErr(t, err, http.StatusConflict, "status.sizeMismatch")

	// A failed reservation hands nothing out; the next call retries.
	s.fail = errors.New("disk full")
	b := status.NewAllocator(s)
	if _, err := b.Allocate("y", status.MinSize); err == nil {
		t.Fatal("allocated without a durable reservation")
	}
	s.fail = nil
	if _, err := b.Allocate("y", status.MinSize); err != nil {
		t.Fatal(err)
	}
}

func TestAllocateConcurrent(t *testing.T) {
	a := status.NewAllocator(newMemStore())
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			list := []string{"a", "b"}[g%2]
			for range 2000 {
				i, err := a.Allocate(list, status.MinSize)
				if err != nil {
					t.Error(err)
					return
				}
				k := fmt.Sprint(list, "/", i)
				mu.Lock()
				if seen[k] {
					t.Errorf("%s %d twice", list, i)
				}
				seen[k] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}
