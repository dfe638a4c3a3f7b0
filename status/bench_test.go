package status_test

import (
	"errors"
	"testing"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/status"
)

// BenchmarkCheck: one check of a cached list on committed state (a
// goleveldb read of the list's record, a comparison, a bit test).
func BenchmarkCheck(b *testing.B) {
	e := newLedger(b)
	a := e.user(b)
	l := e.newList(b, a, "rev", status.PurposeRevocation, status.MaxSize)
	e.Must(b, a.Tx(b, status.TxUpdate, status.UpdatePayload{List: "rev", Set: []uint64{1, 5000, 1 << 22}}))
	en := entry(b, l, 5000)
	c := status.NewChecker(0)
	b.ReportAllocs()
	for b.Loop() {
		if o, err := c.Check(e.l, a.DID, en); err != nil || !o.Set {
			b.Fatal(o, err)
		}
	}
}

// mapReader is state in a map: BenchmarkCheckMemory measures the checker
// without the database.
type mapReader map[string][]byte

func (m mapReader) Get(k []byte) ([]byte, bool, error) {
	v, ok := m[string(k)]
	return v, ok, nil
}

func BenchmarkCheckMemory(b *testing.B) {
	e := newLedger(b)
	a := e.user(b)
	l := e.newList(b, a, "rev", status.PurposeRevocation, 0)
	m := mapReader{}
	if err := e.l.Scan([]byte("status/"), nil, func(k, v []byte) bool { m[string(k)] = append([]byte(nil), v...); return true }); err != nil {
		b.Fatal(err)
	}
	var st chain.Reader = m
	en := entry(b, l, 77)
	c := status.NewChecker(0)
	b.ReportAllocs()
	for b.Loop() {
		if o, err := c.Check(st, a.DID, en); err != nil || !o.Known {
			b.Fatal(o, err)
		}
	}
}

// BenchmarkCheckParallel: concurrent checks share the cache.
func BenchmarkCheckParallel(b *testing.B) {
	e := newLedger(b)
	a := e.user(b)
	l := e.newList(b, a, "rev", status.PurposeRevocation, 0)
	en := entry(b, l, 77)
	c := status.NewChecker(0)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Check(e.l, a.DID, en); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkAllocate measures the allocator over a Store in memory
// (memStore), one write per AllocBatch indices aside.
func BenchmarkAllocate(b *testing.B) {
	a := status.NewAllocator(newMemStore())
	lists := 0
	id := func() string {
		return "bench-" + string(rune('a'+lists%26)) + string(rune('a'+lists/26%26)) + string(rune('a'+lists/676%26))
	}
	b.ReportAllocs()
	for b.Loop() {
		_, err := a.Allocate(id(), status.MaxSize)
		if errors.Is(err, status.ErrListFull) {
			lists++
			continue
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}
