package chain

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// BenchmarkStateProofSize builds the state tree of a chain with many DIDs
// (three keys each, as did.create writes: did/latest, did/version, nonce)
// and reports the size of the two proofs a proven resolution carries, the
// tree's memory, the build time and the time of one proof. 100,000 DIDs;
// WEID_STATE_DIDS=1000000 for the million (about a minute, ~1 GB).
func BenchmarkStateProofSize(b *testing.B) {
	n := 100000
	if v, err := strconv.Atoi(os.Getenv("WEID_STATE_DIDS")); err == nil && v > 0 {
		n = v
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	var tree *smtNode
	const block = 4096
	cs := make([]change, 0, 3*block)
	record := make([]byte, 600)
	id := func(i int) string { return fmt.Sprintf("did:weid:1:0x%040x", i) }
	for i := 0; i < n; i++ {
		d := id(i)
		cs = append(cs,
			change{key: []byte("did/latest/" + d), value: binary.BigEndian.AppendUint64(nil, 1)},
			change{key: binary.BigEndian.AppendUint64([]byte("did/version/"+d+"/"), 1), value: append([]byte(d), record...)},
			change{key: []byte("nonce/" + d + "/" + strconv.Itoa(i)), value: []byte{}})
		if len(cs) == cap(cs) || i == n-1 {
			tree = Standard.smtUpdate(tree, cs)
			cs = cs[:0]
		}
	}
	build := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	d := id(n / 2)
	k1, k2 := []byte("did/latest/"+d), binary.BigEndian.AppendUint64([]byte("did/version/"+d+"/"), 1)
	b.ResetTimer()
	var size, depth int
	for i := 0; i < b.N; i++ {
		p1, err := Standard.smtProve(tree, k1, binary.BigEndian.AppendUint64(nil, 1))
		if err != nil {
			b.Fatal(err)
		}
		p2, err := Standard.smtProve(tree, k2, append([]byte(d), record...))
		if err != nil {
			b.Fatal(err)
		}
		// The proofs without their values (the record is the answer's
		// document, not the proof's overhead).
		p1.Value, p2.Value = "", ""
		r1, _ := json.Marshal(p1)
		r2, _ := json.Marshal(p2)
		size, depth = len(r1)+len(r2), len(p2.Siblings)
	}
	b.StopTimer()
	// Average and largest over 1,000 DIDs (depth varies: ~log2(keys)+1.3
	// on average).
	total, largest := 0, 0
	for j := 0; j < 1000; j++ {
		d := id(j * (n / 1000))
		sz := 0
		for _, kv := range [][2][]byte{
			{[]byte("did/latest/" + d), binary.BigEndian.AppendUint64(nil, 1)},
			{binary.BigEndian.AppendUint64([]byte("did/version/"+d+"/"), 1), append([]byte(d), record...)},
		} {
			p, err := Standard.smtProve(tree, kv[0], kv[1])
			if err != nil {
				b.Fatal(err)
			}
			p.Value = ""
			raw, _ := json.Marshal(p)
			sz += len(raw)
		}
		total += sz
		largest = max(largest, sz)
	}
	b.ReportMetric(float64(total)/1000, "avg-proof-bytes/2-keys")
	b.ReportMetric(float64(largest), "max-proof-bytes/2-keys")
	r := tree.root()
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(1<<20), "tree-MiB")
	b.ReportMetric(build.Seconds(), "build-s")
	b.Logf("%d DIDs (%d keys): root %s, two proofs %d bytes without values (average %d, largest %d over 1,000 DIDs), depth %d, built in %s", n, smtCount(tree), hex.EncodeToString(r[:8]), size, total/1000, largest, depth, build.Round(time.Millisecond))
}
