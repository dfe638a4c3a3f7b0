package chain

import (
	"fmt"
	"testing"
)

// ProveState's root is StateRoot's, and its proofs of present and absent
// keys verify against it, with either suite.
func TestSuite_ProveState(t *testing.T) {
	for _, s := range []*Suite{Standard, GM} {
		kvs := func(yield func(k, v []byte) bool) {
			for i := 0; i < 20000; i++ {
				if !yield([]byte(fmt.Sprintf("k/%d", i)), []byte(fmt.Sprintf("v%d", i*i))) {
					return
				}
			}
		}
		keys := [][]byte{[]byte("k/0"), []byte("k/19999"), []byte("k/777"), []byte("absent")}
		want := []string{"v0", fmt.Sprintf("v%d", 19999*19999), fmt.Sprintf("v%d", 777*777), ""}
		root, proofs, err := s.ProveState(kvs, keys...)
		if err != nil {
			t.Fatal(err)
		}
		if r := s.StateRoot(kvs); root != r {
			t.Fatalf("%s: ProveState root %s, StateRoot %s", s.name, root, r)
		}
		for i, p := range proofs {
			v, err := p.Verify(keys[i], root, s.StateHash())
			if err != nil || string(v) != want[i] || (want[i] == "") != (v == nil) {
				t.Fatalf("%s %s: %q %v (want %q)", s.name, keys[i], v, err, want[i])
			}
		}
	}
}
