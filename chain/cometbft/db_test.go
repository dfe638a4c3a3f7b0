package cometbft

import (
	"testing"

	dbm "github.com/cometbft/cometbft-db"
	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/store"
)

// After Close, a stopSafeDB answers reads as a missing key instead of the
// error the block store panics on (see stopSafeDBProvider).
func TestStopSafeDB_ReadAfterClose(t *testing.T) {
	d := &stopSafeDB{DB: dbm.NewMemDB()}
	if err := d.Set([]byte("k"), []byte("v")); err != nil {
		t.Fatal(err)
	}
	if v, err := d.Get([]byte("k")); err != nil || string(v) != "v" {
		t.Fatalf("Get before Close = %q, %v", v, err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if v, err := d.Get([]byte("k")); err != nil || v != nil {
		t.Fatalf("Get after Close = %q, %v; want nil, nil", v, err)
	}
	if ok, err := d.Has([]byte("k")); err != nil || ok {
		t.Fatalf("Has after Close = %v, %v; want false, nil", ok, err)
	}
}

// The shutdown panic of a validator ("leveldb: closed" from
// BlockStore.LoadSeenCommit in queryMaj23Routine): a block-store read after
// Node.OnStop closed the store. With the raw database it panics; through
// stopSafeDBProvider it finds nothing.
func TestStopSafeDB_BlockStoreReadAfterClose(t *testing.T) {
	open := func(provider cmtcfg.DBProvider) *store.BlockStore {
		t.Helper()
		c := cmtcfg.DefaultConfig().SetRoot(t.TempDir())
		db, err := provider(&cmtcfg.DBContext{ID: "blockstore", Config: c})
		if err != nil {
			t.Fatal(err)
		}
		bs := store.NewBlockStore(db)
		if err := bs.Close(); err != nil {
			t.Fatal(err)
		}
		return bs
	}

	raw := open(cmtcfg.DefaultDBProvider)
	func() {
		defer func() {
			if recover() == nil {
				t.Error("LoadSeenCommit on the closed raw block store did not panic; the test no longer reproduces the shutdown panic")
			}
		}()
		raw.LoadSeenCommit(1)
	}()

	bs := open(stopSafeDBProvider)
	if c := bs.LoadSeenCommit(1); c != nil {
		t.Errorf("LoadSeenCommit after Close = %v, want nil", c)
	}
	if c := bs.LoadBlockCommit(1); c != nil {
		t.Errorf("LoadBlockCommit after Close = %v, want nil", c)
	}
	if m := bs.LoadBlockMeta(1); m != nil {
		t.Errorf("LoadBlockMeta after Close = %v, want nil", m)
	}
	if p := bs.LoadBlockPart(1, 0); p != nil {
		t.Errorf("LoadBlockPart after Close = %v, want nil", p)
	}
}
