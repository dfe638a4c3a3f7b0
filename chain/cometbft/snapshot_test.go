package cometbft_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/chain/cometbft"
	"github.com/weidgo/weid/node"
)

// TestStateSync_ABCI: a validator takes snapshots every 2 heights and
// serves them; a new app restores one through OfferSnapshot and
// ApplySnapshotChunk: a tampered chunk is RETRY with that chunk refetched
// and its sender rejected, a snapshot offered with another trusted app
// hash is REJECT (the restore's own check against the trusted app hash,
// and the wipe, are chain's TestSnapshot_*); the good one restores the
// state and height. A snapshot's directory a crash left half-written
// (<h>.tmp) goes with the next snapshot.
func TestStateSync_ABCI(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	src, _, _ := f.app(t)
	dir := t.TempDir()
	src.EnableSnapshots(dir, cometbft.SnapshotConfig{Interval: 2, ChunkSize: 512})
	if err := os.MkdirAll(filepath.Join(dir, "1.tmp"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "1.tmp", "chunk-000000"), []byte("part"), 0o600); err != nil {
		t.Fatal(err)
	}
	var appHash []byte
	for h := int64(1); h <= 4; h++ {
		raw, _ := didCreate(t)
		res := finalize(t, src, h, genesisTime.Add(time.Duration(h)*time.Second), raw)
		appHash = res.AppHash
		src.WaitSnapshots()
	}
	list, err := src.ListSnapshots(ctx, &abci.ListSnapshotsRequest{})
	if err != nil || len(list.Snapshots) != 2 || list.Snapshots[0].Height != 4 || list.Snapshots[1].Height != 2 {
		t.Fatalf("snapshots %+v, %v", list, err)
	}
	snap := list.Snapshots[0]
	if snap.Chunks < 2 {
		t.Fatalf("%d chunks", snap.Chunks)
	}
	chunks := make([][]byte, snap.Chunks)
	for i := range chunks {
		c, err := src.LoadSnapshotChunk(ctx, &abci.LoadSnapshotChunkRequest{Height: snap.Height, Format: snap.Format, Chunk: uint32(i)})
		if err != nil || len(c.Chunk) == 0 {
			t.Fatalf("chunk %d: %v", i, err)
		}
		chunks[i] = c.Chunk
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Fatalf("%d snapshot directories kept, want 2", len(entries))
	}

	fresh := func() (*cometbft.App, *chain.Ledger) {
		l, err := chain.Open(filepath.Join(t.TempDir(), "ledger"), node.NewRegistry())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		return cometbft.NewApp(l, f.block), l
	}
	offer := func(a *cometbft.App, trusted []byte) abci.OfferSnapshotResult {
		r, err := a.OfferSnapshot(ctx, &abci.OfferSnapshotRequest{Snapshot: snap, AppHash: trusted})
		if err != nil {
			t.Fatal(err)
		}
		return r.Result
	}
	apply := func(a *cometbft.App, i int, c []byte) *abci.ApplySnapshotChunkResponse {
		r, err := a.ApplySnapshotChunk(ctx, &abci.ApplySnapshotChunkRequest{Index: uint32(i), Chunk: c, Sender: "peer1"})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	// Another trusted app hash than the metadata's: REJECT at once.
	dst, l := fresh()
	if r := offer(dst, make([]byte, 32)); r != abci.OFFER_SNAPSHOT_RESULT_REJECT {
		t.Fatalf("offer with another app hash: %v", r)
	}
	bad := *snap
	bad.Format = 9
	if r, _ := dst.OfferSnapshot(ctx, &abci.OfferSnapshotRequest{Snapshot: &bad, AppHash: appHash}); r.Result != abci.OFFER_SNAPSHOT_RESULT_REJECT_FORMAT {
		t.Fatalf("offer of format 9: %v", r.Result)
	}
	bad = *snap
	bad.Metadata = bytes.Replace(bytes.Clone(snap.Metadata), []byte(`"chainId":"1"`), []byte(`"chainId":"2"`), 1)
	if r, _ := dst.OfferSnapshot(ctx, &abci.OfferSnapshotRequest{Snapshot: &bad, AppHash: appHash}); r.Result != abci.OFFER_SNAPSHOT_RESULT_REJECT {
		t.Fatalf("offer of metadata that does not hash to the snapshot: %v", r.Result)
	}

	// The good offer; a tampered chunk is refetched from another sender.
	if r := offer(dst, appHash); r != abci.OFFER_SNAPSHOT_RESULT_ACCEPT {
		t.Fatalf("offer: %v", r)
	}
	tampered := bytes.Clone(chunks[0])
	tampered[10] ^= 0xff
	r := apply(dst, 0, tampered)
	if r.Result != abci.APPLY_SNAPSHOT_CHUNK_RESULT_RETRY || len(r.RefetchChunks) != 1 || r.RefetchChunks[0] != 0 || len(r.RejectSenders) != 1 || r.RejectSenders[0] != "peer1" {
		t.Fatalf("tampered chunk: %+v", r)
	}
	for i, c := range chunks {
		if r := apply(dst, i, c); r.Result != abci.APPLY_SNAPSHOT_CHUNK_RESULT_ACCEPT {
			t.Fatalf("chunk %d: %+v", i, r)
		}
	}
	info, err := dst.Info(ctx, &abci.InfoRequest{})
	if err != nil || info.LastBlockHeight != 4 || !bytes.Equal(info.LastBlockAppHash, appHash) {
		t.Fatalf("info after the restore: %+v, %v", info, err)
	}
	if l.Base() == 0 || l.Head().AppHash != hex.EncodeToString(appHash) {
		t.Fatalf("restored ledger: base %d head %+v", l.Base(), l.Head())
	}
	select {
	case <-dst.Restored():
	default:
		t.Fatal("Restored not signalled")
	}
}

// TestSnapshots_ServedSnapshotOutlivesKeepForTheGrace: a snapshot a peer
// loaded a chunk of is not pruned with the last Keep (2) while the peer may
// still fetch it; once SnapshotServeGrace has passed since, the next
// snapshot prunes it, and its chunks are then missing (nil). A peer loading
// chunks of every snapshot keeps at most SnapshotServeExtra beyond Keep, the
// newest of them; ListSnapshots lists only the last Keep.
func TestSnapshots_ServedSnapshotOutlivesKeepForTheGrace(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	sn := newSnapshotting(t, dir)
	src, snapshot, start := sn.src, sn.snapshot, sn.now
	load := func(h uint64) []byte {
		t.Helper()
		r, err := src.LoadSnapshotChunk(ctx, &abci.LoadSnapshotChunkRequest{Height: h, Format: chain.SnapshotFormat, Chunk: 0})
		if err != nil {
			t.Fatal(err)
		}
		return r.Chunk
	}
	want := func(why string, hs ...uint64) {
		t.Helper()
		var exp []string
		for _, h := range hs {
			exp = append(exp, strconv.FormatUint(h, 10))
		}
		sort.Strings(exp)
		if got := sn.stored(); got != strings.Join(exp, " ") {
			t.Fatalf("%s: stored %s, want %v", why, got, exp)
		}
	}

	snapshot()
	snapshot()
	if load(1) == nil {
		t.Fatal("chunk 0 of snapshot 1 missing")
	}
	snapshot()
	want("snapshot 1 had a chunk loaded just now", 1, 2, 3)

	sn.now = start.Add(cometbft.SnapshotServeGrace - time.Second)
	snapshot()
	want("snapshot 1 still within the grace, 2 never served", 1, 3, 4)

	sn.now = start.Add(cometbft.SnapshotServeGrace)
	snapshot()
	want("the grace since snapshot 1's chunk has passed", 4, 5)
	if c := load(1); c != nil {
		t.Fatalf("a pruned snapshot's chunk: %d bytes, want nil (missing)", len(c))
	}

	// A peer loading a chunk of every stored snapshot before each new one.
	for _, exp := range [][]uint64{{4, 5, 6}, {4, 5, 6, 7}, {5, 6, 7, 8}, {6, 7, 8, 9}} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			h, _ := strconv.ParseUint(e.Name(), 10, 64)
			load(h)
		}
		snapshot()
		if len(exp) > cometbft.DefaultSnapshotKeep+cometbft.SnapshotServeExtra {
			t.Fatal("bad test")
		}
		want("every snapshot served: at most Keep + SnapshotServeExtra, the newest", exp...)
	}

	list, err := src.ListSnapshots(ctx, &abci.ListSnapshotsRequest{})
	if err != nil || len(list.Snapshots) != 2 || list.Snapshots[0].Height != 9 || list.Snapshots[1].Height != 8 {
		t.Fatalf("listed %+v, %v; want the last Keep only (9, 8)", list, err)
	}

	sn.now = sn.now.Add(cometbft.SnapshotServeGrace)
	snapshot()
	want("the grace has passed for every served snapshot", 9, 10)
}

// TestSnapshots_ListedSnapshotOutlivesKeepForTheGrace: a snapshot only
// listed to a peer (ListSnapshots), no chunk of it loaded, is not pruned
// with the last Keep (2) by the writes that follow within
// SnapshotServeGrace, since the peer fetches one next; once the grace has
// passed, the next write prunes it. What a crash left of a write (<h>.tmp)
// or a prune (<h>.pruned) goes when snapshots are enabled, before any write.
func TestSnapshots_ListedSnapshotOutlivesKeepForTheGrace(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, d := range []string{"7.tmp", "3.pruned"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, d, "chunk-000000"), []byte("part"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	sn := newSnapshotting(t, dir)
	if got := sn.stored(); got != "" {
		t.Fatalf("entries left by a crash kept after EnableSnapshots: %s, want none", got)
	}
	src, snapshot, stored, start := sn.src, sn.snapshot, sn.stored, sn.now

	snapshot()
	snapshot()
	list, err := src.ListSnapshots(ctx, &abci.ListSnapshotsRequest{})
	if err != nil || len(list.Snapshots) != 2 {
		t.Fatalf("listed %+v, %v", list, err)
	}
	sn.now = start.Add(cometbft.SnapshotServeGrace - time.Second)
	snapshot()
	snapshot()
	if got := stored(); got != "1 2 3 4" {
		t.Fatalf("within the grace since 1 and 2 were listed: stored %s, want 1 2 3 4", got)
	}
	sn.now = start.Add(cometbft.SnapshotServeGrace)
	snapshot()
	if got := stored(); got != "4 5" {
		t.Fatalf("the grace since the listing has passed: stored %s, want 4 5", got)
	}
}

// snapshotting is an app that takes a snapshot at every height into dir
// (enabled when made), on a clock the test sets (now).
type snapshotting struct {
	t      *testing.T
	src    *cometbft.App
	dir    string
	now    time.Time
	height int64
}

func newSnapshotting(t *testing.T, dir string) *snapshotting {
	t.Helper()
	src, _, _ := newFixture(t).app(t)
	sn := &snapshotting{t: t, src: src, dir: dir, now: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)}
	src.EnableSnapshots(dir, cometbft.SnapshotConfig{Interval: 1})
	src.SetSnapshotClock(func() time.Time { return sn.now })
	return sn
}

// snapshot commits the next height and waits for its snapshot.
func (sn *snapshotting) snapshot() {
	sn.t.Helper()
	sn.height++
	raw, _ := didCreate(sn.t)
	finalize(sn.t, sn.src, sn.height, genesisTime.Add(time.Duration(sn.height)*time.Second), raw)
	sn.src.WaitSnapshots()
}

// stored is what dir holds, by name, sorted and space-separated.
func (sn *snapshotting) stored() string {
	sn.t.Helper()
	entries, err := os.ReadDir(sn.dir)
	if err != nil {
		sn.t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return strings.Join(names, " ")
}
