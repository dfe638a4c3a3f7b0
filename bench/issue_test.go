package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/interop"
	"github.com/weidgo/weid/keys"
)

// The credential benchmarks issue and verify one university diploma per
// operation, in each of weid's securing formats, and compare
// Ed25519Signature2020 with aries-framework-go v0.3.2 (compat/aries) on the
// same VC 1.1 diploma in the same run.
//
// Issuance is the credential library call alone — credential.IssueJWT,
// SignDataIntegrity or IssueSDJWT, from the credential's JSON to the
// secured credential — with schema validation off (IssueOptions.State nil):
// no ledger, no custodial keystore, no HTTP. The issuers are did:key DIDs,
// so verification resolves their keys without a ledger (and so has no
// trust registry or schema to check: those checks warn).

// ring is how many distinct diplomas a benchmark cycles through, so that
// no operation sees the very document of the previous one.
const ring = 256

// ariesEnv names an aries-compat binary built beforehand (make bench sets
// it); without it the benchmarks build one.
const ariesEnv = "WEID_ARIES_COMPAT"

// format is one way of securing the diploma.
type format struct {
	name string
	// issue secures diploma i (of ring).
	issue func(i int) ([]byte, error)
	// verify verifies a credential issue made.
	verify func(ctx context.Context, v *credential.Verifier, secured []byte) *credential.Result
}

// issuers are the benchmarks' did:key issuers and the holder of the
// SD-JWT's key binding.
type issuers struct {
	ed, p256 credential.Signer
	holder   string
	resolver *did.Resolver
}

func newIssuers(b testing.TB) *issuers {
	b.Helper()
	return &issuers{
		ed:       didKeySigner(b, keys.Ed25519),
		p256:     didKeySigner(b, keys.P256),
		holder:   didKeySigner(b, keys.Ed25519).DID,
		resolver: did.NewResolver(map[string]did.MethodResolver{"key": did.KeyMethod{}}),
	}
}

// diplomas returns ring distinct diplomas made by mk.
func diplomas(mk func(serial int) []byte) [][]byte {
	docs := make([][]byte, ring)
	for i := range docs {
		docs[i] = mk(i)
	}
	return docs
}

// issuedAt is the issuance time of the vc+jwt and SD-JWT credentials and
// the proofs' created.
var issuedAt = time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC)

// formats returns the securing formats, each over its own ring of
// diplomas: VC 2.0 for every format but Ed25519Signature2020, which signs
// the VC 1.1 diploma aries-compat signs.
func formats(is *issuers) []format {
	v2 := diplomas(func(i int) []byte { return interop.DiplomaV2(is.ed.DID, is.holder, i) })
	v2p := diplomas(func(i int) []byte { return interop.DiplomaV2(is.p256.DID, is.holder, i) })
	v11 := diplomas(func(i int) []byte { return interop.DiplomaV11(is.ed.DID, i) })
	opts := credential.IssueOptions{} // State nil: no schema validation
	di := func(s credential.Signer, docs [][]byte, suite string) format {
		return format{
			name: suite,
			issue: func(i int) ([]byte, error) {
				return credential.SignDataIntegrity(s, docs[i%ring], suite, issuedAt)
			},
			verify: func(ctx context.Context, v *credential.Verifier, secured []byte) *credential.Result {
				return v.VerifyDataIntegrity(ctx, secured, credential.Policy{})
			},
		}
	}
	return []format{
		{
			name: "vc+jwt",
			issue: func(i int) ([]byte, error) {
				tok, err := credential.IssueJWT(is.ed, v2[i%ring], issuedAt, opts)
				return []byte(tok), err
			},
			verify: func(ctx context.Context, v *credential.Verifier, secured []byte) *credential.Result {
				return v.VerifyJWT(ctx, string(secured), credential.Policy{})
			},
		},
		di(is.ed, v2, credential.CryptosuiteEdDSARDFC2022),
		di(is.ed, v2, credential.CryptosuiteEdDSAJCS2022),
		di(is.p256, v2p, credential.CryptosuiteECDSARDFC2019),
		{
			name: "dc+sd-jwt",
			issue: func(i int) ([]byte, error) {
				tok, err := credential.IssueSDJWT(context.Background(), is.ed, v2[i%ring], issuedAt, opts, interop.DiplomaV2Claims, is.resolver)
				return []byte(tok), err
			},
			verify: func(ctx context.Context, v *credential.Verifier, secured []byte) *credential.Result {
				return v.VerifySDJWT(ctx, string(secured), credential.Policy{})
			},
		},
		di(is.ed, v11, credential.ProofTypeEd25519Signature2020),
	}
}

// reportRate reports the benchmark's throughput in credentials/s.
func reportRate(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "credentials/s")
}

// BenchmarkIssue issues diplomas in each format on one goroutine, and
// aries-framework-go's Ed25519Signature2020 issuance of the VC 1.1 diploma
// (Ed25519Signature2020-aries, the baseline of Ed25519Signature2020).
func BenchmarkIssue(b *testing.B) {
	is := newIssuers(b)
	for _, f := range formats(is) {
		b.Run(f.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := f.issue(i); err != nil {
					b.Fatal(err)
				}
				i++
			}
			reportRate(b)
		})
		if f.name == credential.ProofTypeEd25519Signature2020 {
			bin := ariesBinary(b)
			b.Run(f.name+"-aries", func(b *testing.B) { runAries(b, bin, "bench-issue") })
		}
	}
}

// BenchmarkIssueParallel issues diplomas in each format from
// GOMAXPROCS goroutines (b.RunParallel): the machine's issuance throughput.
func BenchmarkIssueParallel(b *testing.B) {
	is := newIssuers(b)
	for _, f := range formats(is) {
		b.Run(f.name, func(b *testing.B) {
			b.ReportAllocs()
			var next atomic.Int64
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := f.issue(int(next.Add(1))); err != nil {
						b.Error(err)
						return
					}
				}
			})
			reportRate(b)
		})
	}
}

// BenchmarkVerify verifies one credential per operation in each format on
// one goroutine (the issuer's did:key resolved each time; no ledger), and
// aries-framework-go's verification of its Ed25519Signature2020 diplomas
// (with the key given, not resolved).
func BenchmarkVerify(b *testing.B) {
	is := newIssuers(b)
	v := &credential.Verifier{
		Resolver: is.resolver,
		Now:      func() time.Time { return issuedAt.Add(24 * time.Hour) },
	}
	ctx := context.Background()
	for _, f := range formats(is) {
		b.Run(f.name, func(b *testing.B) {
			secured := make([][]byte, ring)
			for i := range secured {
				s, err := f.issue(i)
				if err != nil {
					b.Fatal(err)
				}
				secured[i] = s
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if r := f.verify(ctx, v, secured[i%ring]); !r.Verified || r.Err != nil {
					b.Fatalf("not verified: %+v (%v)", r.Checks, r.Err)
				}
				i++
			}
			reportRate(b)
		})
		if f.name == credential.ProofTypeEd25519Signature2020 {
			bin := ariesBinary(b)
			b.Run(f.name+"-aries", func(b *testing.B) { runAries(b, bin, "bench-verify") })
		}
	}
}

// ariesBinary returns the aries-compat program: $WEID_ARIES_COMPAT if set,
// else one built from ../compat/aries into b's temporary directory.
func ariesBinary(b *testing.B) string {
	b.Helper()
	if p := os.Getenv(ariesEnv); p != "" {
		return p
	}
	bin := filepath.Join(b.TempDir(), "aries-compat")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = filepath.Join("..", "compat", "aries")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("build aries-compat (%s unset; needs the Go module proxy on a cold cache): %v\n%s", ariesEnv, err, out)
	}
	return bin
}

// runAries runs aries-compat's benchmark subcommand sub for b.N
// credentials and reports, in place of the benchmark's own ns/op, the
// ns/op aries-compat measured itself (process start-up, context loading
// and its warm-up excluded), and the throughput that makes.
func runAries(b *testing.B, bin, sub string) {
	out, err := exec.Command(bin, sub, "-n", strconv.Itoa(b.N)).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			err = fmt.Errorf("%w: %s", err, ee.Stderr)
		}
		b.Fatalf("aries-compat %s: %v", sub, err)
	}
	// "BenchmarkAries…-2  N  X ns/op  Y B/op  Z allocs/op"
	f := strings.Fields(string(out))
	if len(f) < 4 || f[1] != strconv.Itoa(b.N) || f[3] != "ns/op" {
		b.Fatalf("aries-compat %s printed %q", sub, out)
	}
	ns, err := strconv.ParseFloat(f[2], 64)
	if err != nil || ns <= 0 {
		b.Fatalf("aries-compat %s printed %q", sub, out)
	}
	b.ReportMetric(ns, "ns/op")
	b.ReportMetric(1e9/ns, "credentials/s")
}

// TestFormats checks that every benchmarked credential verifies, so the
// benchmarks measure credentials that are valid, and that the VC 2.0
// diploma has the ten subject claims the benchmarks claim.
func TestFormats(t *testing.T) {
	is := newIssuers(t)
	v := &credential.Verifier{Resolver: is.resolver, Now: func() time.Time { return issuedAt.Add(24 * time.Hour) }}
	for _, f := range formats(is) {
		s, err := f.issue(7)
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		if r := f.verify(t.Context(), v, s); !r.Verified || r.Err != nil {
			t.Errorf("%s: not verified: %+v (%v)", f.name, r.Checks, r.Err)
		}
	}
	var d struct {
		Subject map[string]any `json:"credentialSubject"`
	}
	if err := json.Unmarshal(interop.DiplomaV2(is.ed.DID, is.holder, 0), &d); err != nil || len(d.Subject) != 11 || len(interop.DiplomaV2Claims) != 10 {
		t.Fatalf("diploma subject %v (%v)", d.Subject, err)
	}
}
