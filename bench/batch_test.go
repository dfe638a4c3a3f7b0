package bench

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weidgo/weid/batch"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/interop"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
)

// BenchmarkVerifyBatch measures batch verification on one corpus of
// distinct diplomas per format ($WEID_BATCH_N, default 100,000; the
// eddsa-rdfc-2022 corpus is a tenth of it, its issuance alone costing
// about a millisecond each). One operation is one pass over the corpus;
// ns/op and credentials/s are per credential.
//
//   - floor/…: bare Ed25519 checks of the vc+jwt corpus's signatures:
//     crypto/ed25519 on one core and on all cores, and batch verification
//     (keys.Ed25519Batch, 64 per batch, ZIP-215) on all cores.
//   - weid/…: batch.Run with credential.Batch — every named check, the
//     verdict of the single verifier — on all cores.
//   - weid/vc+jwt-aries: aries-framework-go v0.3.2 verifying its own
//     EdDSA vc+jwt VC 1.1 diplomas (aries-compat bench-verify-jwt), and
//     weid/Ed25519Signature2020-aries its own Ed25519Signature2020 ones,
//     one process per core (a tenth of the corpus each).
//
// After the rows it prints each weid row's ratio to the batch floor, and
// to the aries row of its kind.
func BenchmarkVerifyBatch(b *testing.B) {
	n := envInt("WEID_BATCH_N", 100000)
	is := newIssuers(b)
	v := &credential.Verifier{Resolver: is.resolver, Now: func() time.Time { return issuedAt.Add(24 * time.Hour) }}
	byName := map[string]format{}
	for _, f := range formats(is) {
		byName[f.name] = f
	}
	corpus := func(f format, count int) []json.RawMessage {
		out := make([]json.RawMessage, count)
		mustSpread(b, count, func(i int) error {
			s, err := f.issue(i)
			if err != nil {
				return err
			}
			if s[0] != '{' {
				s, _ = json.Marshal(string(s))
			}
			out[i] = s
			return nil
		})
		return out
	}
	jwts := corpus(byName["vc+jwt"], n)
	rates := map[string]float64{}
	report := func(b *testing.B, count int, name string) {
		ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N*count)
		b.ReportMetric(ns, "ns/op")
		b.ReportMetric(1e9/ns, "credentials/s")
		rates[name] = 1e9 / ns
	}

	// The floor: the vc+jwt corpus's signatures, parsed beforehand.
	type sig struct {
		msg, sig []byte
	}
	sigs := make([]sig, n)
	for i, raw := range jwts {
		var tok string
		_ = json.Unmarshal(raw, &tok)
		j, err := jose.Parse(tok)
		if err != nil {
			b.Fatal(err)
		}
		dot := strings.LastIndexByte(tok, '.')
		sigs[i] = sig{[]byte(tok[:dot]), j.Signature}
	}
	pub := is.ed.Key.Public().Ed25519Key()
	parallel := func(work func(lo, hi int)) { chunks(n, 1024, work) }
	b.Run("floor/stdlib-1-core", func(b *testing.B) {
		for b.Loop() {
			for _, s := range sigs {
				if !ed25519.Verify(pub, s.msg, s.sig) {
					b.Fatal("bad signature")
				}
			}
		}
		report(b, n, "floor/stdlib-1-core")
	})
	b.Run("floor/stdlib-all-cores", func(b *testing.B) {
		for b.Loop() {
			parallel(func(lo, hi int) {
				for _, s := range sigs[lo:hi] {
					if !ed25519.Verify(pub, s.msg, s.sig) {
						panic("bad signature")
					}
				}
			})
		}
		report(b, n, "floor/stdlib-all-cores")
	})
	b.Run("floor/batch-all-cores", func(b *testing.B) {
		k := keys.ExpandEd25519(pub)
		for b.Loop() {
			parallel(func(lo, hi int) {
				bt := keys.NewEd25519Batch(batch.DefaultChunk)
				for c := lo; c < hi; c += batch.DefaultChunk {
					bt.Reset()
					for _, s := range sigs[c:min(c+batch.DefaultChunk, hi)] {
						bt.Add(k, s.msg, s.sig)
					}
					if ok, _ := bt.Verify(nil); !ok {
						panic("bad batch")
					}
				}
			})
		}
		report(b, n, "floor/batch-all-cores")
	})

	// Each corpus is built inside its sub-benchmark, so that -bench can
	// select one format without issuing the others.
	run := func(name string, mk func() []json.RawMessage) {
		b.Run("weid/"+name, func(b *testing.B) {
			creds := mk()
			b.ResetTimer()
			verifyBatchLoop(b, v, creds)
			report(b, len(creds), "weid/"+name)
		})
	}
	run("vc+jwt", func() []json.RawMessage { return jwts })
	for _, f := range []struct {
		name string
		n    int
	}{
		{credential.CryptosuiteEdDSAJCS2022, n},
		{"dc+sd-jwt", n},
		{credential.CryptosuiteEdDSARDFC2022, max(n/10, 1)},
		{credential.ProofTypeEd25519Signature2020, max(n/10, 1)},
	} {
		run(f.name, func() []json.RawMessage { return corpus(byName[f.name], f.n) })
	}
	bin := ariesBinary(b)
	b.Run("weid/vc+jwt-aries", func(b *testing.B) {
		rates["aries/vc+jwt"] = runAriesParallel(b, bin, "bench-verify-jwt", max(n/10, 1))
	})
	b.Run("weid/"+credential.ProofTypeEd25519Signature2020+"-aries", func(b *testing.B) {
		rates["aries/"+credential.ProofTypeEd25519Signature2020] = runAriesParallel(b, bin, "bench-verify", max(n/10, 1))
	})

	floor := rates["floor/batch-all-cores"]
	fmt.Println()
	fmt.Println("batch verification vs the batch-signature floor (same run):")
	for _, name := range []string{"vc+jwt", credential.CryptosuiteEdDSAJCS2022, "dc+sd-jwt", credential.CryptosuiteEdDSARDFC2022, credential.ProofTypeEd25519Signature2020} {
		if r, ok := rates["weid/"+name]; ok && floor > 0 {
			fmt.Printf("  %-22s %8.0f credentials/s  %.2f× the floor (%.0f/s)\n", name, r, r/floor, floor)
		}
	}
	// The aries baselines: its vc+jwt verification for weid's vc+jwt and
	// eddsa-jcs-2022 (aries has no Data Integrity suite; its JWT path is
	// its cheapest), its Ed25519Signature2020 verification for the RDF
	// canonicalizing suites.
	fmt.Println("batch verification vs aries-framework-go v0.3.2 on all cores (same run):")
	for _, c := range []struct{ weid, aries string }{
		{"vc+jwt", "vc+jwt"},
		{credential.CryptosuiteEdDSAJCS2022, "vc+jwt"},
		{credential.CryptosuiteEdDSARDFC2022, credential.ProofTypeEd25519Signature2020},
		{credential.ProofTypeEd25519Signature2020, credential.ProofTypeEd25519Signature2020},
	} {
		r, ok := rates["weid/"+c.weid]
		a := rates["aries/"+c.aries]
		if ok && a > 0 {
			fmt.Printf("  %-22s %8.0f credentials/s  %.1f× aries %s (%.0f/s)\n", c.weid, r, r/a, c.aries, a)
		}
	}
}

// runAriesParallel runs one aries-compat process per core (subcommand sub:
// bench-verify or bench-verify-jwt), each verifying n diplomas, and
// reports and returns the combined throughput from the ns/op each process
// measured itself.
func runAriesParallel(b *testing.B, bin, sub string, n int) float64 {
	procs := runtime.GOMAXPROCS(0)
	rates := make([]float64, procs)
	errs := make([]error, procs)
	var wg sync.WaitGroup
	for p := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := exec.Command(bin, sub, "-n", strconv.Itoa(n)).Output()
			if err != nil {
				errs[p] = err
				return
			}
			f := strings.Fields(string(out))
			if len(f) < 4 || f[3] != "ns/op" {
				errs[p] = fmt.Errorf("aries-compat printed %q", out)
				return
			}
			ns, err := strconv.ParseFloat(f[2], 64)
			if err != nil || ns <= 0 {
				errs[p] = fmt.Errorf("aries-compat printed %q", out)
				return
			}
			rates[p] = 1e9 / ns
		}()
	}
	wg.Wait()
	total := 0.0
	for p := range procs {
		if errs[p] != nil {
			b.Fatalf("aries-compat: %v", errs[p])
		}
		total += rates[p]
	}
	b.ReportMetric(1e9/total, "ns/op")
	b.ReportMetric(total, "credentials/s")
	_ = interop.DiplomaV2Claims
	return total
}
