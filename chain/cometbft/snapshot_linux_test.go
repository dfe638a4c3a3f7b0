package cometbft_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/weidgo/weid/chain"
)

// TestSnapshots_ListingRacesAWrite: a write that prunes while
// ListSnapshots is listing (held, here, on a snapshot's metadata made a
// FIFO) does not remove a snapshot the listing offers: each listed
// snapshot still has its chunks once both are done.
func TestSnapshots_ListingRacesAWrite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	sn := newSnapshotting(t, dir)
	src := sn.src
	sn.snapshot()
	sn.snapshot()

	// Snapshot 1's metadata, the last the listing reads (newest first),
	// is a FIFO: the listing waits there until the test writes it.
	meta := filepath.Join(dir, "1", "metadata.json")
	raw, err := os.ReadFile(meta)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(meta); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(meta, 0o600); err != nil {
		t.Skipf("this file system makes no FIFO to hold the listing: %v", err)
	}
	listed := make(chan *abci.ListSnapshotsResponse, 1)
	go func() {
		r, _ := src.ListSnapshots(ctx, &abci.ListSnapshotsRequest{})
		listed <- r
	}()
	w, err := os.OpenFile(meta, os.O_WRONLY, 0) // returns once the listing opened it
	if err != nil {
		t.Fatal(err)
	}

	// Snapshot 3 is written meanwhile; its prune must not remove 1 (not
	// among the last Keep) before the listing marked it. A prune that does
	// not wait for the listing has done so well within the time given.
	rawTx, _ := didCreate(t)
	finalize(t, src, 3, genesisTime.Add(3*time.Second), rawTx)
	for deadline := time.Now().Add(500 * time.Millisecond); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(filepath.Join(dir, "1")); err != nil {
			break
		}
	}
	if _, err := w.Write(raw); err != nil {
		t.Fatal(err)
	}
	w.Close()
	list := <-listed
	src.WaitSnapshots()

	if list == nil || len(list.Snapshots) != 2 {
		t.Fatalf("listed %+v", list)
	}
	for _, s := range list.Snapshots {
		r, err := src.LoadSnapshotChunk(ctx, &abci.LoadSnapshotChunkRequest{Height: s.Height, Format: chain.SnapshotFormat, Chunk: 0})
		if err != nil || r.Chunk == nil {
			t.Errorf("snapshot %d was listed and is gone (chunk 0 missing, %v)", s.Height, err)
		}
	}
}
