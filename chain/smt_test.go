package chain

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/weidgo/weid/keys"
)

// smtState is a reference state and the tree built for it one block at a
// time.
type smtState struct {
	suite *Suite
	kv    map[string][]byte
	tree  *smtNode
}

func (s *smtState) apply(t testing.TB, cs []change) {
	t.Helper()
	s.tree = s.suite.smtUpdate(s.tree, cs)
	for _, c := range cs {
		if c.value == nil {
			delete(s.kv, string(c.key))
		} else {
			s.kv[string(c.key)] = c.value
		}
	}
}

// fresh builds the tree of the current key/values in one update.
func (s *smtState) fresh(t testing.TB) [32]byte {
	t.Helper()
	var cs []change
	for k, v := range s.kv {
		cs = append(cs, change{key: []byte(k), value: v})
	}
	return s.suite.smtUpdate(nil, cs).root()
}

func TestStateTree_RootIsHistoryIndependentAndProofsVerify(t *testing.T) {
	t.Parallel()
	for _, suite := range []*Suite{Standard, GM} {
		t.Run(suite.Name(), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewSource(1))
			s := &smtState{suite: suite, kv: map[string][]byte{}}
			for block := 0; block < 60; block++ {
				seen := map[string]bool{}
				var cs []change
				for i := 0; i < 1+rng.Intn(40); i++ {
					k := fmt.Sprintf("k/%d", rng.Intn(300))
					if seen[k] {
						continue
					}
					seen[k] = true
					if rng.Intn(4) == 0 {
						cs = append(cs, change{key: []byte(k)})
					} else {
						cs = append(cs, change{key: []byte(k), value: []byte(fmt.Sprint(rng.Int()))})
					}
				}
				s.apply(t, cs)
				if f := s.fresh(t); f != s.tree.root() {
					t.Fatalf("block %d: incremental root %x, built at once %x", block, s.tree.root(), f)
				}
			}
			r := s.tree.root()
			root := hex.EncodeToString(r[:])
			for i := 0; i < 300; i++ {
				k := []byte(fmt.Sprintf("k/%d", i))
				v, ok := s.kv[string(k)]
				if !ok {
					v = nil
				}
				p, err := suite.smtProve(s.tree, k, v)
				if err != nil {
					t.Fatal(err)
				}
				got, err := p.Verify(k, root, suite.StateHash())
				if err != nil {
					t.Fatalf("%s: %v", k, err)
				}
				if p.Exists != ok || !bytes.Equal(got, v) {
					t.Fatalf("%s: proven %q (exists %v), state has %q (%v)", k, got, p.Exists, v, ok)
				}
			}
			// Deleting everything gives the empty root.
			var cs []change
			for k := range s.kv {
				cs = append(cs, change{key: []byte(k)})
			}
			s.apply(t, cs)
			if s.tree != nil {
				t.Fatalf("empty state has root %x", s.tree.root())
			}
		})
	}
}

func TestStateTree_SuitesDiffer(t *testing.T) {
	t.Parallel()
	cs := []change{{key: []byte("a"), value: []byte("1")}, {key: []byte("b"), value: []byte("2")}}
	a := Standard.smtUpdate(nil, cs).root()
	gm := GM.smtUpdate(nil, cs)
	b := gm.root()
	if a == b {
		t.Fatal("SHA-256 and SM3 trees have the same root")
	}
	p, err := GM.smtProve(gm, []byte("a"), []byte("1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Verify([]byte("a"), hex.EncodeToString(b[:]), StateHashSHA256); err == nil || !strings.Contains(err.Error(), "sm3") {
		t.Fatalf("a gm proof checked as SHA-256: %v", err)
	}
}

func TestStateView_ProvesAgainstTheHeadAndSurvivesReopen(t *testing.T) {
	t.Parallel()
	e := newTestChain(t)
	s := newSigner(t, keys.Ed25519)
	e.commit(t, s.put(t, "a", "1", false), s.put(t, "b", "2", false))
	e.commit(t, s.put(t, "a", "3", false))
	check := func() {
		t.Helper()
		v, err := e.l.StateView()
		if err != nil {
			t.Fatal(err)
		}
		defer v.Release()
		head := e.l.Head()
		if v.Head() != head {
			t.Fatalf("view head %+v, ledger head %+v", v.Head(), head)
		}
		for key, want := range map[string]string{"kv/a": "3", "kv/b": "2", "kv/none": ""} {
			p, err := v.Prove([]byte(key))
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.Verify([]byte(key), head.AppHash, StateHashSHA256)
			if err != nil || string(got) != want || p.Exists != (want != "") {
				t.Fatalf("%s: %q, %v (exists %v)", key, got, err, p.Exists)
			}
		}
		// The state's own root is the appHash.
		if r := Standard.StateRoot(func(yield func(k, v []byte) bool) { v.Leaves(yield) }); r != head.AppHash {
			t.Fatalf("StateRoot of the view's leaves %s, appHash %s", r, head.AppHash)
		}
	}
	check()
	e.reopen(t)
	check()
	if _, err := e.l.AuditStore(); err != nil {
		t.Fatal(err)
	}
}

func TestOpen_RefusesAStateAlteredOnDisk(t *testing.T) {
	t.Parallel()
	e := newTestChain(t)
	s := newSigner(t, keys.Ed25519)
	e.commit(t, s.put(t, "a", "1", false))
	if err := e.l.db.Put(stateKey(putKey("a")), []byte("2"), nil); err != nil {
		t.Fatal(err)
	}
	e.l.Close()
	if l, err := Open(e.dir, e.reg); err == nil || !strings.Contains(err.Error(), "appHash") {
		if l != nil {
			l.Close()
		}
		t.Fatalf("a ledger whose state was altered opened: %v", err)
	}
	// The cleanup closes e.l: give it an open ledger.
	l, err := Open(t.TempDir(), e.reg)
	if err != nil {
		t.Fatal(err)
	}
	e.l = l
}
