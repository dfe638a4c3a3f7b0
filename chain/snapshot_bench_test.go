package chain

import (
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/syndtr/goleveldb/leveldb"
)

// BenchmarkStateSync measures a state sync of a ledger holding N DIDs
// (WEID_BENCH_SNAPSHOT_N, default 100,000; 1,000,000 takes a few
// minutes): exporting the snapshot from a consistent view, and restoring
// it chunk by chunk (hash check, decode, write, the final check) into an
// empty ledger. The network between the two (CometBFT's chunk messages on
// loopback or a LAN) is not in it: bytes transferred is the snapshot's
// size, printed. Each DID is two records shaped like did:weid's
// (did/latest/<did> and did/version/<did>/1 with a ~600-byte document
// and metadata) plus its creation nonce.
//
//	go test -run '^$' -bench BenchmarkStateSync -benchtime 1x ./chain
func BenchmarkStateSync(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("WEID_BENCH_SNAPSHOT_N")); err == nil && v > 0 {
		n = v
	}
	e := newTestChain(b)
	doc := make([]byte, 600)
	for i := range doc {
		doc[i] = 'a' + byte(i%26)
	}
	batch := new(leveldb.Batch)
	for i := range n {
		d := fmt.Sprintf("did:weid:1:0x%040x", i)
		batch.Put(stateKey([]byte("did/latest/"+d)), []byte("1"))
		batch.Put(stateKey([]byte("did/version/"+d+"/1")), doc)
		batch.Put(stateKey([]byte(fmt.Sprintf("nonce/%s/%d", d, 0))), []byte{1})
		if batch.Len() >= 30_000 {
			if err := e.l.db.Write(batch, nil); err != nil {
				b.Fatal(err)
			}
			batch.Reset()
		}
	}
	if err := e.l.db.Write(batch, nil); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		v, err := e.l.View()
		if err != nil {
			b.Fatal(err)
		}
		dir := b.TempDir()
		var files []string
		m, err := v.Export(1, 0, func(i int, c []byte) error {
			f := fmt.Sprintf("%s/chunk-%06d", dir, i)
			files = append(files, f)
			return os.WriteFile(f, c, 0o600)
		})
		v.Release()
		if err != nil {
			b.Fatal(err)
		}
		exported := time.Since(start)
		dst, err := Open(b.TempDir(), testRegistry())
		if err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		r, err := dst.BeginRestore(m)
		if err != nil {
			b.Fatal(err)
		}
		for i, f := range files {
			c, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := r.Apply(i, c); err != nil {
				b.Fatal(err)
			}
		}
		trusted, _ := hex.DecodeString(m.AppHash)
		if err := dst.CheckRestored(r, trusted); err != nil {
			b.Fatal(err)
		}
		restored := time.Since(start)
		dst.Close()
		b.ReportMetric(float64(m.Size)/1e6, "MB-transferred")
		b.ReportMetric(float64(len(m.Chunks)), "chunks")
		b.ReportMetric(exported.Seconds(), "export-s")
		b.ReportMetric(restored.Seconds(), "restore-s")
		b.Logf("state sync of %d DIDs: %d records, %.1f MB in %d chunks of %d MiB; export %v, restore %v", n, m.Records, float64(m.Size)/1e6, len(m.Chunks), m.ChunkSize>>20, exported.Round(time.Millisecond), restored.Round(time.Millisecond))
	}
}
