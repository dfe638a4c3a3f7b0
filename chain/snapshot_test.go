package chain

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
)

// exportChain commits a few blocks and exports the chain as a snapshot in
// chunks of chunkSize bytes.
func exportChain(t *testing.T, e *testChainEnv, chunkSize int) (*SnapshotMeta, [][]byte) {
	m, chunks, _ := exportChainState(t, e, chunkSize)
	return m, chunks
}

// exportChainState is exportChain that also returns the state the
// snapshot was taken of.
func exportChainState(t *testing.T, e *testChainEnv, chunkSize int) (*SnapshotMeta, [][]byte, map[string]string) {
	t.Helper()
	a := newSigner(t, keys.Ed25519)
	for i := range 5 {
		e.commit(t, a.put(t, fmt.Sprintf("k%d", i), fmt.Sprintf("value %d", i), false), a.put(t, fmt.Sprintf("j%d", i), "x", false))
	}
	v, err := e.l.View()
	if err != nil {
		t.Fatal(err)
	}
	defer v.Release()
	state := stateOf(t, e.l)
	// A block committed after the view is not in the snapshot.
	e.commit(t, a.put(t, "later", "not in the snapshot", false))
	var chunks [][]byte
	m, err := v.Export(42, chunkSize, func(i int, b []byte) error {
		if i != len(chunks) {
			t.Fatalf("chunk %d out of order", i)
		}
		chunks = append(chunks, bytes.Clone(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(m)
	if _, err := DecodeSnapshotMeta(raw); err != nil {
		t.Fatalf("the exported metadata does not decode: %v", err)
	}
	return m, chunks, state
}

// exportOneChunk exports a new test chain as a snapshot of one chunk.
func exportOneChunk(t *testing.T) (*SnapshotMeta, []byte) {
	t.Helper()
	m, chunks := exportChain(t, newTestChain(t), 1<<20)
	if len(chunks) != 1 {
		t.Fatalf("%d chunks", len(chunks))
	}
	return m, chunks[0]
}

// mustCheckRestored checks the restore r into l against m's app hash (as a
// light client that trusts it would) and fails the test if it is refused.
func mustCheckRestored(t *testing.T, l *Ledger, r *Restore, m *SnapshotMeta) {
	t.Helper()
	trusted, _ := hex.DecodeString(m.AppHash)
	if err := l.CheckRestored(r, trusted); err != nil {
		t.Fatal(err)
	}
}

func restoreAll(t *testing.T, l *Ledger, m *SnapshotMeta, chunks [][]byte) *Restore {
	t.Helper()
	r, err := l.BeginRestore(m)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range chunks {
		done, err := r.Apply(i, c)
		if err != nil {
			t.Fatalf("chunk %d: %v", i, err)
		}
		if done != (i == len(chunks)-1) {
			t.Fatalf("chunk %d: done %v", i, done)
		}
	}
	return r
}

func stateOf(t *testing.T, l *Ledger) map[string]string {
	t.Helper()
	out := map[string]string{}
	if err := l.Scan(nil, nil, func(k, v []byte) bool { out[string(k)] = string(v); return true }); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSnapshot_RestoreContinuesTheChain: a snapshot restored into an empty
// ledger gives the same state and head as the source at the snapshot's
// commit, a base height, 410 for the blocks below it, an audit from the
// base, and the next block is the same block on both ledgers.
func TestSnapshot_RestoreContinuesTheChain(t *testing.T) {
	t.Parallel()
	e := newTestChain(t)
	m, chunks, want := exportChainState(t, e, 100)
	if len(chunks) < 5 || m.Height != 42 || m.WeidHeight != 5 {
		t.Fatalf("snapshot: %d chunks, height %d, weid height %d", len(chunks), m.Height, m.WeidHeight)
	}
	dst := openLedger(t, testRegistry())
	r := restoreAll(t, dst, m, chunks)
	mustCheckRestored(t, dst, r, m)
	if h := dst.Head(); h.Height != 5 || h.AppHash != m.AppHash || dst.ChainID() != e.l.ChainID() {
		t.Fatalf("restored head %+v, chain %q", h, dst.ChainID())
	}
	if dst.Base() != 5 {
		t.Fatalf("base %d, want 5", dst.Base())
	}
	got := stateOf(t, dst)
	if len(got) != len(want) {
		t.Fatalf("restored %d keys, the source had %d", len(got), len(want))
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("key %s: restored %q, source %q", k, got[k], v)
		}
	}
	for _, h := range []uint64{1, 4} {
		_, err := dst.Block(h)
		if e, ok := errs.As(err); !ok || e.Status != http.StatusGone || e.Code != "block.belowBase" {
			t.Fatalf("block %d below the base: %v", h, err)
		}
	}
	for _, h := range []uint64{0, 5} {
		if _, err := dst.Block(h); err != nil {
			t.Fatalf("block %d: %v", h, err)
		}
	}
	if _, err := dst.Block(6); errs.Code(err) != "block.notFound" {
		t.Fatalf("block 6: %v", err)
	}
	rep, err := dst.AuditStore()
	if err != nil {
		t.Fatalf("audit from the base: %v", err)
	}
	if rep.Base != 5 || rep.Head.Height != 5 {
		t.Fatalf("audit report %+v", rep)
	}
}

// TestSnapshot_NextBlockIsTheSame: a node restored from a snapshot builds
// the same next block as the node it came from.
func TestSnapshot_NextBlockIsTheSame(t *testing.T) {
	t.Parallel()
	e := newTestChain(t)
	a := newSigner(t, keys.Ed25519)
	e.commit(t, a.put(t, "k", "v", false))
	v, err := e.l.View()
	if err != nil {
		t.Fatal(err)
	}
	var chunks [][]byte
	m, err := v.Export(7, 64, func(_ int, b []byte) error { chunks = append(chunks, bytes.Clone(b)); return nil })
	v.Release()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	dst, err := Open(dir, testRegistry())
	if err != nil {
		t.Fatal(err)
	}
	r := restoreAll(t, dst, m, chunks)
	mustCheckRestored(t, dst, r, m)
	// Reopened, it keeps its base.
	dst.Close()
	if dst, err = Open(dir, testRegistry()); err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if dst.Base() != 1 {
		t.Fatalf("reopened base %d", dst.Base())
	}
	tx := a.put(t, "k2", "v2", false)
	b1, _, err := e.l.Commit([]*Checked{mustCheck(t, e.reg, tx)}, e.node, e.now)
	if err != nil {
		t.Fatal(err)
	}
	b2, _, err := dst.Commit([]*Checked{mustCheck(t, dst.Registry(), tx)}, e.node, e.now)
	if err != nil {
		t.Fatal(err)
	}
	if b1 == nil || b2 == nil || b1.Hash != b2.Hash || b1.Header.AppHash != b2.Header.AppHash {
		t.Fatalf("the next block differs: %+v vs %+v", b1, b2)
	}
	if rep, err := dst.AuditStore(); err != nil || rep.Blocks != 3 {
		t.Fatalf("audit after a block above the base: %+v, %v", rep, err)
	}
}

// TestSnapshot_BadChunkIsRefetched: a chunk that does not hash to the
// metadata is refused with ErrChunkHash, leaves the restore where it was,
// and the right chunk is then accepted.
func TestSnapshot_BadChunkIsRefetched(t *testing.T) {
	t.Parallel()
	e := newTestChain(t)
	m, chunks := exportChain(t, e, 100)
	dst := openLedger(t, testRegistry())
	r, err := dst.BeginRestore(m)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range chunks {
		bad := bytes.Clone(c)
		bad[len(bad)/2] ^= 1
		if _, err := r.Apply(i, bad); !errors.Is(err, ErrChunkHash) {
			t.Fatalf("tampered chunk %d: %v", i, err)
		}
		if _, err := r.Apply(i, c[:len(c)-1]); !errors.Is(err, ErrChunkHash) {
			t.Fatalf("truncated chunk %d: %v", i, err)
		}
		if _, err := r.Apply(i, c); err != nil {
			t.Fatalf("chunk %d after a bad one: %v", i, err)
		}
	}
	mustCheckRestored(t, dst, r, m)
}

// TestSnapshot_UntrustedAppHashIsRefusedAndWiped: a restored state whose
// commitment is not the app hash the light client trusts is refused, and
// the ledger is left empty.
func TestSnapshot_UntrustedAppHashIsRefusedAndWiped(t *testing.T) {
	t.Parallel()
	e := newTestChain(t)
	m, chunks := exportChain(t, e, 1<<20)
	dst := openLedger(t, testRegistry())
	r := restoreAll(t, dst, m, chunks)
	if err := dst.CheckRestored(r, make([]byte, 32)); err == nil {
		t.Fatal("a restore checked against another app hash was accepted")
	}
	if !dst.Head().Empty || dst.Base() != 0 || len(stateOf(t, dst)) != 0 {
		t.Fatalf("the refused restore left data: head %+v, base %d", dst.Head(), dst.Base())
	}
	n := 0
	it := dst.db.NewIterator(nil, nil)
	for it.Next() {
		n++
	}
	it.Release()
	if n != 0 {
		t.Fatalf("%d keys left after a refused restore", n)
	}
	// And the ledger takes a good restore afterwards.
	r = restoreAll(t, dst, m, chunks)
	mustCheckRestored(t, dst, r, m)
}

// TestSnapshot_ForgedHeadIsRefused: a snapshot maker that rewrites the
// head's app hash (with chunk hashes to match) to the one the light client
// trusts is refused: the head block's signature does not cover it.
func TestSnapshot_ForgedHeadIsRefused(t *testing.T) {
	t.Parallel()
	m, chunk := exportOneChunk(t)
	forged := hex.EncodeToString(bytes.Repeat([]byte{7}, 32))
	c := bytes.ReplaceAll(chunk, []byte(m.AppHash), []byte(forged))
	m2 := *m
	m2.AppHash = forged
	m2.Chunks = []string{hex.EncodeToString(sumOf(m.Suite(), c))}
	dst := openLedger(t, testRegistry())
	r := restoreAll(t, dst, &m2, [][]byte{c})
	trusted, _ := hex.DecodeString(forged)
	if err := dst.CheckRestored(r, trusted); err == nil {
		t.Fatal("a forged head was accepted")
	}
	if !dst.Head().Empty {
		t.Fatal("the forged restore was not wiped")
	}
}

// TestSnapshot_ForgedStateIsRefused: a snapshot whose state records were
// changed (with chunk hashes to match) is refused and wiped: the state
// tree rebuilt from the restored records has another root than the
// signed head's appHash.
func TestSnapshot_ForgedStateIsRefused(t *testing.T) {
	t.Parallel()
	m, chunk := exportOneChunk(t)
	i := bytes.Index(chunk, []byte("s/"))
	if i < 0 {
		t.Fatal("no state record in the snapshot")
	}
	// Change one byte of the value of a state record, keeping its length.
	c := append([]byte(nil), chunk...)
	j := bytes.IndexByte(c[i:], '"')
	if j < 0 {
		t.Fatal("no JSON value in the first state record")
	}
	c[i+j+1] ^= 0x01
	m2 := *m
	m2.Chunks = []string{hex.EncodeToString(sumOf(m.Suite(), c))}
	dst := openLedger(t, testRegistry())
	r, err := dst.BeginRestore(&m2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Apply(0, c); err != nil {
		// Refused while applied: refused all the same.
		if !dst.Head().Empty {
			t.Fatalf("the refused chunk left a head: %v", err)
		}
		return
	}
	trusted, _ := hex.DecodeString(m.AppHash)
	if err := dst.CheckRestored(r, trusted); err == nil {
		t.Fatal("a snapshot with a changed state value was accepted")
	}
	if !dst.Head().Empty {
		t.Fatal("the forged restore was not wiped")
	}
}

func sumOf(s *Suite, b []byte) []byte { x := s.Sum(b); return x[:] }

// TestSnapshot_RefusesOutOfPlaceRecords: the restore writes only the keys
// a snapshot holds, in order.
func TestSnapshot_RefusesOutOfPlaceRecords(t *testing.T) {
	t.Parallel()
	rec := func(k, v string) []byte {
		var b []byte
		b = appendRecord(b, []byte(k), []byte(v))
		return b
	}
	for name, stream := range map[string][]byte{
		"foreign key":   rec("m/base", "x"),
		"unsorted":      append(rec("s/b", "1"), rec("s/a", "2")...),
		"other block":   rec(string(blockKey(3)), `{"header":{"height":3}}`),
		"truncated":     rec("s/a", "1")[:4],
		"huge length":   {0xff, 0xff, 0xff, 0xff, 0x0f, 's'},
		"mismatch head": rec("m/head", `{"height":9,"appHash":"00"}`),
	} {
		t.Run(name, func(t *testing.T) {
			sum := Standard.Sum(stream)
			m := &SnapshotMeta{Format: 1, ChainID: "1", Crypto: "standard", WeidHeight: 1, AppHash: hex.EncodeToString(make([]byte, 32)),
				Records: 3, Size: uint64(len(stream)), ChunkSize: uint32(len(stream)), Chunks: []string{hex.EncodeToString(sum[:])}}
			l := openLedger(t, testRegistry())
			r, err := l.BeginRestore(m)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.Apply(0, stream); err == nil || errors.Is(err, ErrChunkHash) {
				t.Fatalf("accepted or wrong error: %v", err)
			}
		})
	}
}

func appendRecord(b, k, v []byte) []byte {
	b = appendUvarint(b, uint64(len(k)))
	b = append(b, k...)
	b = appendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

func appendUvarint(b []byte, x uint64) []byte {
	for x >= 0x80 {
		b = append(b, byte(x)|0x80)
		x >>= 7
	}
	return append(b, byte(x))
}

// FuzzDecodeSnapshotMeta: snapshot metadata from a peer never panics, and
// what decodes is consistent (its chunk lengths add up to its size).
func FuzzDecodeSnapshotMeta(f *testing.F) {
	f.Add([]byte(`{"format":1,"chainId":"1","crypto":"standard","height":10,"weidHeight":3,"appHash":"` + hex.EncodeToString(make([]byte, 32)) + `","records":9,"size":10,"chunkSize":8,"chunks":["` + hex.EncodeToString(make([]byte, 32)) + `","` + hex.EncodeToString(make([]byte, 32)) + `"]}`))
	f.Add([]byte(`{"format":2}`))
	f.Add([]byte(`{"format":1,"chunkSize":0,"chunks":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeSnapshotMeta(b)
		if err != nil {
			if e, ok := errs.As(err); !ok || e.Status != http.StatusBadRequest {
				t.Fatalf("error is not a 400 problem: %v", err)
			}
			return
		}
		var total uint64
		for i := range m.Chunks {
			n := m.ChunkLen(i)
			if n <= 0 || n > MaxChunkSize {
				t.Fatalf("chunk %d of length %d", i, n)
			}
			total += uint64(n)
		}
		if total != m.Size {
			t.Fatalf("chunks add up to %d, size %d", total, m.Size)
		}
	})
}

// FuzzRestoreChunk: a chunk stream whose hashes match (a snapshot maker
// that lies) never panics the restore, and never writes a key outside
// those a snapshot may hold.
func FuzzRestoreChunk(f *testing.F) {
	f.Add(appendRecord(appendRecord(nil, []byte("m/e/x"), []byte("1")), []byte("s/a"), []byte("2")), uint16(3))
	f.Add([]byte{0x80}, uint16(1))
	f.Add(appendRecord(nil, []byte("b/\x00\x00\x00\x00\x00\x00\x00\x00"), []byte(`{"header":{"height":0}}`)), uint16(5))
	f.Fuzz(func(t *testing.T, stream []byte, cut uint16) {
		if len(stream) == 0 || len(stream) > 1<<16 {
			return
		}
		cs := int(cut)%len(stream) + 1
		m := &SnapshotMeta{Format: 1, ChainID: "1", Crypto: "standard", WeidHeight: 0, AppHash: hex.EncodeToString(make([]byte, 32)),
			Records: 3, Size: uint64(len(stream)), ChunkSize: uint32(cs)}
		var chunks [][]byte
		for i := 0; i < len(stream); i += cs {
			c := stream[i:min(i+cs, len(stream))]
			sum := Standard.Sum(c)
			m.Chunks = append(m.Chunks, hex.EncodeToString(sum[:]))
			chunks = append(chunks, c)
		}
		l := openMemLedger(t, testRegistry())
		r, err := l.BeginRestore(m)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range chunks {
			if _, err := r.Apply(i, c); err != nil {
				break
			}
		}
		it := l.db.NewIterator(nil, nil)
		defer it.Release()
		for it.Next() {
			k := it.Key()
			if !bytes.HasPrefix(k, prefixState) && !bytes.HasPrefix(k, prefixMeta) && !bytes.HasPrefix(k, prefixBlock) && !bytes.Equal(k, keyHead) {
				t.Fatalf("the restore wrote key %q", k)
			}
		}
	})
}
