package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/internal/eventually"
)

// TestCluster_StateSyncJoin: four validators take a snapshot every 5
// CometBFT heights; after the chain has moved on, a fifth node written by
// "weid localnet join" restores a snapshot by state sync instead of
// replaying the chain (its ledger's base is above 1: the API answers 410
// for the blocks below it) while the chain goes on committing, follows
// the chain from there, serves the same DID documents as the others, and
// proves them: its ?proof=true answers verify against the genesis
// validators (weid did resolve --verify).
func TestCluster_StateSyncJoin(t *testing.T) {
	skipUnlessCluster(t)
	snapshots := []string{"--snapshot-interval", "5"}
	ln := startLocalnet(t, snapshots...)
	ln.URLs = append(ln.URLs, "") // the fifth node's, once it joins
	dir, home, urls, cl := ln.Dir, ln.Home, ln.URLs, ln.Client
	flags := append(snapshots, clusterFlags...)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dids := []string{createFirstDID(t, ctx, cl(0))}
	for range 15 {
		dids = append(dids, createDID(t, ctx, cl(0)))
	}
	// Write until every node's latest snapshot is at least two CometBFT
	// heights below the head (the light client checks a snapshot's height
	// with the two headers after it; with create_empty_blocks off, only
	// transactions make blocks).
	latest := func(i int) int {
		es, _ := os.ReadDir(filepath.Join(home(i), "snapshots"))
		m := 0
		for _, e := range es {
			if h, err := strconv.Atoi(e.Name()); err == nil && h > m {
				m = h
			}
		}
		return m
	}
	for tries := 0; ; tries++ {
		if tries > 100 {
			t.Fatal("no snapshot two heights below the head after 100 writes")
		}
		s, err := cl(0).Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c := s.Consensus; c != nil && c.Height%5 >= 2 {
			ok := true
			for i := range 4 {
				if l := latest(i); l == 0 || int64(l) < c.Height-4 || int64(l) > c.Height-2 {
					ok = false
				}
			}
			if ok {
				break
			}
		}
		dids = append(dids, createDID(t, ctx, cl(tries%4)))
		time.Sleep(100 * time.Millisecond)
	}

	// Then go on writing while the fifth node joins, one writer per
	// validator, so that every node writes new snapshots (and prunes old
	// ones) while the fifth node discovers (5 s) and fetches one. This
	// state is one chunk, fetched within seconds of being listed, so this
	// run also passed when peers kept only their last 2; that a snapshot
	// being served is kept is TestSnapshots_ServedSnapshotOutlivesKeepForTheGrace
	// (chain/cometbft).
	start, err := cl(0).Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu      sync.Mutex
		more    []string
		stop    = make(chan struct{})
		writing sync.WaitGroup
	)
	for i := range 4 {
		c := cl(i)
		writing.Add(1)
		go func() {
			defer writing.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				d, tx, err := newDIDTx("1")
				if err != nil {
					continue
				}
				if _, err := c.CreateDID(ctx, tx); err == nil {
					mu.Lock()
					more = append(more, d)
					mu.Unlock()
				} else {
					time.Sleep(100 * time.Millisecond)
				}
			}
		}()
	}
	stopWriting := func() {
		select {
		case <-stop:
		default:
			close(stop)
			writing.Wait()
		}
	}
	defer stopWriting()

	out, err := weidCommand("localnet", "join", "--dir", dir, "--start=false").CombinedOutput()
	if err != nil {
		t.Fatalf("weid localnet join: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "trusting height") {
		t.Fatalf("localnet join did not say what it trusts:\n%s", out)
	}
	t.Logf("%s", out)
	urls[4], _ = startNodeWithin(t, home(4), 3*time.Minute, flags...)
	stopWriting()
	end, err := cl(0).Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(more) == 0 || end.Consensus == nil || start.Consensus == nil {
		t.Fatalf("no write committed while the fifth node joined (%d)", len(more))
	}
	t.Logf("%d DIDs created while the fifth node joined: CometBFT height %d to %d", len(more), start.Consensus.Height, end.Consensus.Height)
	dids = append(dids, more...)

	// It did not replay from height 1: its ledger starts at the snapshot.
	_, err = cl(4).Block(ctx, 1)
	if err == nil || !strings.Contains(err.Error(), "410") && !strings.Contains(err.Error(), "belowBase") {
		t.Fatalf("block 1 on the state-synced node: %v (want 410 block.belowBase)", err)
	}
	if _, err := cl(4).Block(ctx, 0); err != nil {
		t.Fatalf("the genesis block on the state-synced node: %v", err)
	}
	catchUp(t, ctx, cl(0), cl(4), "the fifth node", 60*time.Second)
	for _, d := range dids {
		ra, err := cl(0).Resolve(ctx, d, did.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var re *did.ResolutionResult
		eventually.Nil(t, "resolve "+d+" on node4", 30*time.Second, func() error {
			var err error
			re, err = cl(4).Resolve(ctx, d, did.Options{})
			return err
		})
		ja, _ := json.Marshal([]any{ra.Document, ra.DocumentMetadata})
		je, _ := json.Marshal([]any{re.Document, re.DocumentMetadata})
		if string(ja) != string(je) {
			t.Fatalf("node0 and the state-synced node serve different documents for %s:\n%s\n%s", d, ja, je)
		}
	}
	// Writes through the new node commit on the others.
	d := createDID(t, ctx, cl(4))
	eventually.Nil(t, "resolve on node2", 30*time.Second, func() error {
		_, err := cl(2).Resolve(ctx, d, did.Options{})
		return err
	})

	// It answers proven reads (issue 18): ?proof=true on node4 proves the
	// DID's records at its head, with the header and the CometBFT commit of
	// its appHash, which the genesis validators signed; weid did resolve
	// --verify checks them (and an old DID's, restored by the snapshot).
	genesis := filepath.Join(home(0), "config", "genesis.json")
	for _, id := range []string{d, dids[0]} {
		out, err := weidCommand("did", "resolve", id, "--verify", "--node", urls[4], "--trusted-validators", genesis).CombinedOutput()
		if err != nil || !strings.Contains(string(out), id) || !strings.Contains(string(out), "proven against block") || !strings.Contains(string(out), "validators") {
			t.Fatalf("weid did resolve %s --verify on the state-synced node: %v\n%s", id, err, out)
		}
		t.Logf("%s", out[strings.Index(string(out), "proven against"):])
	}
	// A proof checked against a set that did not sign is refused.
	other := filepath.Join(t.TempDir(), "vals.json")
	if err := os.WriteFile(other, []byte(`[{"pub_key":{"type":"tendermint/PubKeyEd25519","value":"`+strings.Repeat("A", 43)+`="},"power":"10"}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := weidCommand("did", "resolve", d, "--verify", "--node", urls[4], "--trusted-validators", other).CombinedOutput(); err == nil || !strings.Contains(string(out), "consensus commit") {
		t.Fatalf("a validator set that did not sign: %v\n%s", err, out)
	}
}
