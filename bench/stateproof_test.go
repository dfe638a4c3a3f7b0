package bench

import (
	"context"
	"encoding/json"
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
// resolution (header hash and signature, two tree proofs, the record
// against the document) on one core.
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
	b.Run("resolution", func(b *testing.B) {
		start := time.Now()
		for i := 0; i < b.N; i++ {
			var r api.ProvenResolution
			if err := json.Unmarshal(raw, &r); err != nil {
				b.Fatal(err)
			}
			if _, err := client.VerifyResolution(&r, dids[0], "", a); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "verifications/s")
	})
	// The tree proofs alone, as a client checks them once it trusts the
	// header (many reads at one block share one header check).
	b.Run("tree-proofs", func(b *testing.B) {
		start := time.Now()
		for i := 0; i < b.N; i++ {
			for _, sp := range p.StateProof.Proofs {
				k, _ := sp.KeyBytes()
				if _, err := sp.Verify(k, p.StateProof.Header.AppHash, sp.Hash); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "verifications/s")
	})
}
