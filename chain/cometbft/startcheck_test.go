package cometbft_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	dbm "github.com/cometbft/cometbft-db"
	cmtproto "github.com/cometbft/cometbft/api/cometbft/types/v1"
	cmtcfg "github.com/cometbft/cometbft/config"
	sm "github.com/cometbft/cometbft/state"
	"github.com/cometbft/cometbft/store"
	"github.com/syndtr/goleveldb/leveldb"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/chain/cometbft"
	"github.com/weidgo/weid/node"
)

// stoppedHome runs a single-validator CometBFT node in a fresh home, commits
// n DID creations, stops it and returns the home.
func stoppedHome(t *testing.T, n int) string {
	t.Helper()
	home := t.TempDir()
	nd, err := node.Open(node.Config{DataDir: home, Engine: "cometbft", CometLogLevel: "none"})
	if err != nil {
		t.Fatal(err)
	}
	submitDIDs(t, nd, n)
	if err := nd.Close(); err != nil {
		t.Fatal(err)
	}
	return home
}

// cometDB opens the CometBFT database id ("state", "blockstore") of the
// stopped node's home, as the node does.
func cometDB(t *testing.T, home, id string) dbm.DB {
	t.Helper()
	c := cmtcfg.DefaultConfig()
	c.SetRoot(home)
	c.DBBackend = "goleveldb"
	db, err := cmtcfg.DefaultDBProvider(&cmtcfg.DBContext{ID: id, Config: c})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// submitDIDs commits n DID creations through nd.
func submitDIDs(t *testing.T, nd *node.Node, n int) {
	t.Helper()
	for range n {
		_, tx := didCreate(t)
		if _, err := nd.Submit(context.Background(), tx, false); err != nil {
			t.Fatal(err)
		}
	}
}

// checkHome opens home's ledger and runs CheckHome on it.
func checkHome(t *testing.T, home string) error {
	t.Helper()
	l, err := chain.Open(filepath.Join(home, "ledger"), node.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return cometbft.CheckHome(home, l)
}

// wantDivergence checks that err is a *DivergenceError naming what.
func wantDivergence(t *testing.T, err error, what string) *cometbft.DivergenceError {
	t.Helper()
	var de *cometbft.DivergenceError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), what) {
		t.Fatalf("want a divergence naming %q, got %v", what, err)
	}
	t.Log(err)
	return de
}

// editLedger applies f to the stopped home's ledger database.
func editLedger(t *testing.T, home string, f func(db *leveldb.DB)) {
	t.Helper()
	db, err := leveldb.OpenFile(filepath.Join(home, "ledger"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f(db)
}

// weidBlockKey is the ledger's key of the weid block at h ("b/" + big-endian
// height).
func weidBlockKey(h uint64) []byte {
	k := []byte("b/")
	for i := 7; i >= 0; i-- {
		k = append(k, byte(h>>(8*i)))
	}
	return k
}

func TestCheckHome_IntactHomePasses(t *testing.T) {
	home := stoppedHome(t, 3)
	if err := checkHome(t, home); err != nil {
		t.Fatal(err)
	}
}

// TestStart_RemovesTheTempsOfTheHomesWrite: the temporary files a crash
// while the home was written left beside its node key, genesis and
// settings are gone once its node has started; other files stay.
func TestStart_RemovesTheTempsOfTheHomesWrite(t *testing.T) {
	home := stoppedHome(t, 0)
	left := []string{"config/.node_key.json.tmp-1", "config/.genesis.json.tmp-22", "." + cometbft.SettingsFile + ".tmp-333"}
	other := filepath.Join(home, ".notes.tmp-4")
	for _, f := range append(left, ".notes.tmp-4") {
		if err := os.WriteFile(filepath.Join(home, f), []byte("part"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	nd, err := node.Open(node.Config{DataDir: home, Engine: "cometbft", CometLogLevel: "none"})
	if err != nil {
		t.Fatal(err)
	}
	if err := nd.Close(); err != nil {
		t.Fatal(err)
	}
	for _, f := range left {
		if _, err := os.Stat(filepath.Join(home, f)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is still there after a start: %v", f, err)
		}
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("a file not the home's went: %v", err)
	}
}

func TestCheckHome_AlteredWeidBlockNamesItsHeight(t *testing.T) {
	home := stoppedHome(t, 2)
	editLedger(t, home, func(db *leveldb.DB) {
		raw, err := db.Get(weidBlockKey(1), nil)
		if err != nil {
			t.Fatal(err)
		}
		var b chain.Block
		if err := json.Unmarshal(raw, &b); err != nil {
			t.Fatal(err)
		}
		b.Header.Time = "2000-01-01T00:00:00Z" // a changed header, the old hash and signature
		raw, _ = json.Marshal(&b)
		if err := db.Put(weidBlockKey(1), raw, nil); err != nil {
			t.Fatal(err)
		}
	})
	if de := wantDivergence(t, checkHome(t, home), "weid block 1"); de.WeidHeight != 1 {
		t.Fatalf("weid height %d", de.WeidHeight)
	}
}

func TestCheckHome_AlteredCometStateNamesItsHeight(t *testing.T) {
	home := stoppedHome(t, 2)
	db := cometDB(t, home, "state")
	ss := sm.NewStore(db, sm.StoreOptions{})
	st, err := ss.Load()
	if err != nil {
		t.Fatal(err)
	}
	st.AppHash = make([]byte, 32)
	if err := ss.Save(st); err != nil {
		t.Fatal(err)
	}
	db.Close()
	de := wantDivergence(t, checkHome(t, home), "CometBFT's stored state")
	if de.CometHeight != st.LastBlockHeight {
		t.Fatalf("divergence at %d, the state is at %d", de.CometHeight, st.LastBlockHeight)
	}
}

// A home whose CometBFT data/ was restored from an older copy, its ledger
// not (a partial restore): the ledger is ahead of the block store, and the
// node must not start (its consensus state, its signing state among it, is
// older than what it has applied).
func TestCheckHome_LedgerAheadOfBlockStore(t *testing.T) {
	home := stoppedHome(t, 1)
	old := filepath.Join(t.TempDir(), "data")
	if err := os.CopyFS(old, os.DirFS(filepath.Join(home, "data"))); err != nil {
		t.Fatal(err)
	}
	nd, err := node.Open(node.Config{DataDir: home, Engine: "cometbft", CometLogLevel: "none"})
	if err != nil {
		t.Fatal(err)
	}
	submitDIDs(t, nd, 3)
	if err := nd.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(home, "data")); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(home, "data"), os.DirFS(old)); err != nil {
		t.Fatal(err)
	}
	wantDivergence(t, checkHome(t, home), "CometBFT's block store ends at height")
}

// A CometBFT block meta altered in the block store (the header CometBFT's
// RPC and weid's commit proofs read): its header no longer hashes to the
// block id the validators committed.
func TestCheckHome_AlteredCometBlockMetaNamesItsHeight(t *testing.T) {
	home := stoppedHome(t, 2)
	db := cometDB(t, home, "blockstore")
	h := store.LoadBlockStoreState(db).Height
	key := []byte(fmt.Sprintf("H:%d", h)) // CometBFT's v1 key layout
	raw, err := db.Get(key)
	if err != nil || raw == nil {
		t.Fatalf("block meta %d: %v", h, err)
	}
	var meta cmtproto.BlockMeta
	if err := meta.Unmarshal(raw); err != nil {
		t.Fatal(err)
	}
	meta.Header.AppHash = make([]byte, 32)
	if raw, err = meta.Marshal(); err != nil {
		t.Fatal(err)
	}
	if err := db.SetSync(key, raw); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if de := wantDivergence(t, checkHome(t, home), "its block meta says"); de.CometHeight != h {
		t.Fatalf("divergence at %d, the altered meta is at %d", de.CometHeight, h)
	}
}
