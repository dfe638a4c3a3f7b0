package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"net/http/httptest"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/server"
)

// BenchmarkResolveProof measures did:weid resolution with ?proof=true over
// HTTP on loopback (64 concurrent clients) and reports the answer's size.
func BenchmarkResolveProof(b *testing.B) {
	n := openNode(b, chain.SoloConfig{})
	dids := seed(b, n, 10000)
	srv := httptest.NewServer(server.New(n, nil))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	p, err := n.ResolveProven(context.Background(), dids[0], "")
	if err != nil {
		b.Fatal(err)
	}
	raw, _ := json.Marshal(p)
	sp, _ := json.Marshal(p.StateProof)
	conns := make(chan *rawClient, clients)
	for i := 0; i < clients; i++ {
		c, err := dialRaw(addr)
		if err != nil {
			b.Fatal(err)
		}
		defer c.close()
		conns <- c
	}
	var i atomic.Int64
	b.SetParallelism(clients / 2)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		c := <-conns
		defer func() { conns <- c }()
		for pb.Next() {
			d := dids[int(i.Add(1))%len(dids)]
			code, err := c.get(addr, "/1.0/identifiers/"+url.PathEscape(d)+"?proof=true")
			if err != nil || code != 200 {
				panic(fmt.Sprint(code, err))
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "resolutions/s")
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
