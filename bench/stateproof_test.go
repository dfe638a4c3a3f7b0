package bench

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/client"
)

// BenchmarkResolveProof measures did:weid resolution with ?proof=true over
// HTTP on loopback (64 concurrent clients) and reports the answer's size.
func BenchmarkResolveProof(b *testing.B) {
	n := openNode(b, chain.SoloConfig{})
	dids := seed(b, n, 10000)
	addr, conns := serveRaw(b, n)
	p, err := n.ResolveProven(context.Background(), dids[0], "")
	if err != nil {
		b.Fatal(err)
	}
	raw, _ := json.Marshal(p)
	sp, _ := json.Marshal(p.StateProof)
	resolveHTTP(b, addr, conns, dids, "?proof=true")
	b.ReportMetric(float64(len(raw)), "answer-bytes")
	b.ReportMetric(float64(len(sp)), "stateProof-bytes")
}

// BenchmarkVerifyStateProof measures the client's check of a proven
// resolution on one core, from the answer's bytes: "resolution" decodes it
// and checks the header hash and signature, the two tree proofs and the
// record against the document; "resolution-header-cached" is the same with
// the anchor's HeaderCache, as a client reading many DIDs at one block
// checks the header once (after the first read only the decode, the two
// tree proofs and the record comparison remain).
func BenchmarkVerifyStateProof(b *testing.B) {
	n := openNode(b, chain.SoloConfig{})
	dids := seed(b, n, 10000)
	p, err := n.ResolveProven(context.Background(), dids[0], "")
	if err != nil {
		b.Fatal(err)
	}
	raw, _ := json.Marshal(p)
	init, err := chain.InitRecord(n.Ledger)
	if err != nil {
		b.Fatal(err)
	}
	a := api.StateAnchor{NodeKey: init.NodeKey}
	// withCache is a as a client checking many reads at one block holds it.
	withCache := func() api.StateAnchor { c := a; c.Headers = api.NewHeaderCache(); return c }
	fromBytes := func(a func() api.StateAnchor) func(b *testing.B) {
		return func(b *testing.B) {
			a := a()
			verifications(b, func() {
				var r api.ProvenResolution
				if err := json.Unmarshal(raw, &r); err != nil {
					b.Fatal(err)
				}
				if _, err := client.VerifyResolution(&r, dids[0], "", a); err != nil {
					b.Fatal(err)
				}
			})
		}
	}
	b.Run("resolution", fromBytes(func() api.StateAnchor { return a }))
	b.Run("resolution-header-cached", fromBytes(withCache))
	// The checks alone on a decoded answer, header cached: what is left
	// once the answer's JSON is decoded (the decode is most of the rows
	// above).
	b.Run("decoded-header-cached", func(b *testing.B) {
		a := withCache()
		var r api.ProvenResolution
		if err := json.Unmarshal(raw, &r); err != nil {
			b.Fatal(err)
		}
		verifications(b, func() {
			if _, err := client.VerifyResolution(&r, dids[0], "", a); err != nil {
				b.Fatal(err)
			}
		})
	})
	// The tree proofs alone, as a client checks them once it trusts the
	// header (many reads at one block share one header check).
	b.Run("tree-proofs", func(b *testing.B) {
		verifications(b, func() {
			for _, sp := range p.StateProof.Proofs {
				k, _ := sp.KeyBytes()
				if _, err := sp.Verify(k, p.StateProof.Header.AppHash, sp.Hash); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// verifications runs verify b.N times and reports verifications/s.
func verifications(b *testing.B, verify func()) {
	start := time.Now()
	for i := 0; i < b.N; i++ {
		verify()
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "verifications/s")
}

// BenchmarkStateProofSize reports the size of what a proven resolution
// adds to the answer in a state of 1,000,000 DIDs (WEID_STATE_DIDS to
// change it), three keys each as did.create writes them (did/latest,
// did/version, nonce: 3,000,000 keys): the two proofs (did/latest/<did>
// and the record), as JSON without the record's value (that is the
// answer's document), averaged over 1,000 DIDs and the largest, and one
// key's proof. The state is built once (about a minute and 1 GB).
func BenchmarkStateProofSize(b *testing.B) {
	n := 1000000
	if v, err := strconv.Atoi(os.Getenv("WEID_STATE_DIDS")); err == nil && v > 0 {
		n = v
	}
	sizes := proofSizes(b, n)
	for i := 0; i < b.N; i++ {
		_ = sizes.avg
	}
	b.ReportMetric(float64(n), "DIDs")
	b.ReportMetric(sizes.avg, "avg-bytes/resolution")
	b.ReportMetric(float64(sizes.max), "max-bytes/resolution")
	b.ReportMetric(sizes.avg1, "avg-bytes/key")
	b.ReportMetric(sizes.depth, "avg-depth")
	b.ReportMetric(sizes.build.Seconds(), "build-s")
}

type stateProofSizes struct {
	avg, avg1, depth float64
	max              int
	build            time.Duration
}

var proofSizesOnce = map[int]*stateProofSizes{}

// proofSizes builds the state of n DIDs once per n and measures the
// proofs of 1,000 of them.
func proofSizes(b *testing.B, n int) *stateProofSizes {
	if s := proofSizesOnce[n]; s != nil {
		return s
	}
	id := func(i int) string { return fmt.Sprintf("did:weid:1:0x%040x", i) }
	record := make([]byte, 600)
	var keys [][]byte
	for j := 0; j < 1000; j++ {
		d := id(j * (n / 1000))
		keys = append(keys, []byte("did/latest/"+d), binary.BigEndian.AppendUint64([]byte("did/version/"+d+"/"), 1))
	}
	start := time.Now()
	_, proofs, err := chain.Standard.ProveState(func(yield func(k, v []byte) bool) {
		for i := 0; i < n; i++ {
			d := id(i)
			if !yield([]byte("did/latest/"+d), binary.BigEndian.AppendUint64(nil, 1)) ||
				!yield(binary.BigEndian.AppendUint64([]byte("did/version/"+d+"/"), 1), append([]byte(d), record...)) ||
				!yield([]byte("nonce/"+d+"/"+strconv.Itoa(i)), []byte{}) {
				return
			}
		}
	}, keys...)
	if err != nil {
		b.Fatal(err)
	}
	s := &stateProofSizes{build: time.Since(start)}
	total, depth := 0, 0
	for j := 0; j < len(proofs); j += 2 {
		sz := 0
		for _, p := range proofs[j : j+2] {
			if !p.Exists {
				b.Fatalf("no proof of existence for %s", p.Key)
			}
			p.Value = "" // the answer's document, not the proof's overhead
			sz += len(p.AppendJSON(nil))
			depth += len(p.Siblings)
		}
		total += sz
		s.max = max(s.max, sz)
	}
	s.avg = float64(total) / float64(len(proofs)/2)
	s.avg1 = float64(total) / float64(len(proofs))
	s.depth = float64(depth) / float64(len(proofs))
	b.Logf("%d DIDs (%d keys): a proven resolution's two proofs without the value average %.0f bytes (largest %d) over 1,000 DIDs, one key's %.0f, average depth %.1f; built in %s", n, 3*n, s.avg, s.max, s.avg1, s.depth, s.build.Round(time.Millisecond))
	proofSizesOnce[n] = s
	return s
}
