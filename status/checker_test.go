package status_test

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	"github.com/weidgo/weid/status"
)

func entry(t testing.TB, l *status.List, index uint64) map[string]any {
	t.Helper()
	e, err := status.Entry(l, status.URL("https://some.node.example", l.ID), index)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestCheck(t *testing.T) {
	e := newLedger(t)
	a, b := e.user(t), e.user(t)
	rev := e.newList(t, a, "rev", status.PurposeRevocation, 0)
	sus := e.newList(t, a, "sus", status.PurposeSuspension, 0)
	other := e.newList(t, b, "b-list", status.PurposeRevocation, 0)
	e.Must(t, a.Tx(t, status.TxUpdate, status.UpdatePayload{List: "rev", Set: []uint64{42}}))
	c := status.NewChecker(0)

	check := func(issuer string, en map[string]any) (status.Outcome, error) {
		t.Helper()
		return c.Check(e.l, issuer, en)
	}
	for _, tc := range []struct {
		l     *status.List
		index uint64
		set   bool
	}{{rev, 42, true}, {rev, 41, false}, {rev, 43, false}, {sus, 42, false}, {rev, 42, true}} {
		o, err := check(a.DID, entry(t, tc.l, tc.index))
		if err != nil || !o.Known || !o.Supported || o.Set != tc.set || o.List != tc.l.ID || o.Index != tc.index || o.Purpose != tc.l.Purpose {
			t.Fatalf("%s %d: %+v %v", tc.l.ID, tc.index, o, err)
		}
	}
	// Another issuer's list, or the wrong purpose: failures.
	_, err := check(a.DID, entry(t, other, 1))
	wantErr(t, err, http.StatusUnprocessableEntity, "status.issuerMismatch")
	en := entry(t, rev, 1)
	en["statusPurpose"] = status.PurposeSuspension
	_, err = check(a.DID, en)
	wantErr(t, err, http.StatusUnprocessableEntity, "status.purposeMismatch")
	en = entry(t, rev, 1)
	en["statusListIndex"] = "131072"
	_, err = check(a.DID, en)
	wantErr(t, err, http.StatusBadRequest, "status.indexOutOfRange")

	// Not a weid list: unknown, no error.
	for _, u := range []string{"https://uni.example/status/3", "https://n.example/status-lists/missing", "https://n.example/status-lists/rev/", "https://n.example/status-lists/rev?v=1", "did:example:123"} {
		en = entry(t, rev, 1)
		en["statusListCredential"] = u
		o, err := check(a.DID, en)
		if err != nil || o.Known || !o.Supported || o.Set {
			t.Fatalf("%s: %+v %v", u, o, err)
		}
	}
	// Purposes and sizes the checker does not decide.
	en = entry(t, rev, 42)
	en["statusPurpose"] = "message"
	if o, err := check(a.DID, en); err != nil || o.Supported || o.Known {
		t.Fatalf("message: %+v %v", o, err)
	}
	en = entry(t, rev, 42)
	en["statusSize"] = 2.0
	if o, err := check(a.DID, en); err != nil || o.Supported || o.Known {
		t.Fatalf("statusSize 2: %+v %v", o, err)
	}
	en["statusSize"] = 1.0
	if o, err := check(a.DID, en); err != nil || !o.Set {
		t.Fatalf("statusSize 1: %+v %v", o, err)
	}
}

func TestParseEntryRefuses(t *testing.T) {
	const ok = `"type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListCredential":"https://n.example/status-lists/x"`
	for _, s := range []string{
		`{"statusListIndex":"-1",` + ok + `}`,
		`{"statusListIndex":"+1",` + ok + `}`,
		`{"statusListIndex":"01",` + ok + `}`,
		`{"statusListIndex":"1.0",` + ok + `}`,
		`{"statusListIndex":"",` + ok + `}`,
		`{"statusListIndex":" 1",` + ok + `}`,
		`{"statusListIndex":1,` + ok + `}`,
		`{"statusListIndex":"18446744073709551616",` + ok + `}`,
		`{"statusListIndex":"1"}`,
		`{"statusListIndex":"1","type":"StatusList2021Entry","statusPurpose":"revocation","statusListCredential":"https://n.example/status-lists/x"}`,
		`{"statusListIndex":"1","type":["X"],"statusPurpose":"revocation","statusListCredential":"https://n.example/status-lists/x"}`,
		`{"statusListIndex":"1","type":"BitstringStatusListEntry","statusPurpose":"","statusListCredential":"https://n.example/status-lists/x"}`,
		`{"statusListIndex":"1","type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListCredential":"/status-lists/x"}`,
		`{"statusListIndex":"1","type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListCredential":7}`,
		`{"statusListIndex":"1","id":5,` + ok + `}`,
		`{"statusListIndex":"1","statusSize":0,` + ok + `}`,
		`{"statusListIndex":"1","statusSize":1.5,` + ok + `}`,
		`{"statusListIndex":"1","statusSize":"1",` + ok + `}`,
	} {
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			t.Fatal(err)
		}
		_, err := status.ParseEntry(m)
		wantErr(t, err, http.StatusBadRequest, "status.invalidEntry")
	}
	p, err := status.ParseEntry(map[string]any{"type": []any{"BitstringStatusListEntry"}, "statusPurpose": "suspension",
		"statusListIndex": "18446744073709551615", "statusListCredential": "http://n.example/a/status-lists/x"})
	if err != nil || p.Index != 1<<64-1 || p.List != "x" || p.StatusSize != 1 {
		t.Fatalf("%+v %v", p, err)
	}
	if _, err := status.ParseEntry(nil); err == nil {
		t.Fatal("nil entry accepted")
	}
}

// TestCheckerCache: the cached bits follow every update, and the cache
// stays within its budget.
func TestCheckerCache(t *testing.T) {
	e := newLedger(t)
	a := e.user(t)
	l := e.newList(t, a, "sus", status.PurposeSuspension, 0)
	c := &status.Checker{}
	want := func(index uint64, set bool) {
		t.Helper()
		o, err := c.Check(e.l, a.DID, entry(t, l, index))
		if err != nil || !o.Known || o.Set != set {
			t.Fatalf("index %d: %+v %v, want set=%v", index, o, err, set)
		}
	}
	want(5, false)
	want(5, false) // cached
	e.Must(t, a.Tx(t, status.TxUpdate, status.UpdatePayload{List: "sus", Set: []uint64{5}}))
	want(5, true)
	want(100000, false)
	e.Must(t, a.Tx(t, status.TxUpdate, status.UpdatePayload{List: "sus", Clear: []uint64{5}, Set: []uint64{100000}}))
	want(5, false)
	want(100000, true)
	if n, _ := status.CachedForTest(c); n != 1 {
		t.Fatalf("%d lists cached", n)
	}

	// A small budget keeps about one list.
	small := status.NewChecker(status.ChunkBytes + 1024)
	for _, id := range []string{"l1", "l2", "l3"} {
		ll := e.newList(t, a, id, status.PurposeRevocation, 0)
		if o, err := small.Check(e.l, a.DID, entry(t, ll, 1)); err != nil || !o.Known {
			t.Fatal(o, err)
		}
	}
	if n, used := status.CachedForTest(small); n != 1 || used > status.ChunkBytes+1024 {
		t.Fatalf("%d lists, %d bytes cached", n, used)
	}
}

// TestCheckConcurrent runs checks while the list changes (under -race).
func TestCheckConcurrent(t *testing.T) {
	e := newLedger(t)
	a := e.user(t)
	l := e.newList(t, a, "sus", status.PurposeSuspension, 0)
	c := status.NewChecker(0)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := uint64(g); ; i += 4 {
				select {
				case <-stop:
					return
				default:
				}
				en := map[string]any{"type": status.TypeEntry, "statusPurpose": "suspension", "statusListIndex": "7",
					"statusListCredential": status.URL("https://x.example", l.ID)}
				if _, err := c.Check(e.l, a.DID, en); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for i := range 10 {
		p := status.UpdatePayload{List: "sus", Set: []uint64{7}}
		if i%2 == 1 {
			p = status.UpdatePayload{List: "sus", Clear: []uint64{7}}
		}
		e.Must(t, a.Tx(t, status.TxUpdate, p))
	}
	close(stop)
	wg.Wait()
	o, err := c.Check(e.l, a.DID, entry(t, l, 7))
	if err != nil || o.Set {
		t.Fatalf("%+v %v", o, err)
	}
}
