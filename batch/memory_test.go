package batch

import (
	"context"
	"encoding/json"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/keys"
)

// TestRun_MemoryBounded streams many vc+jwt credentials through Run from a
// generator (nothing of the input is kept) and samples the heap as results
// come out: at most 2×workers+1 chunks are in flight, so the live heap
// stays far under the 256 MiB the issue allows a 1,000,000-credential
// stream, whatever the count. (Not a timed test: it counts bytes.)
func TestRun_MemoryBounded(t *testing.T) {
	n := 20000
	if testing.Short() || raceEnabled {
		n = 3000
	}
	k, _ := keys.Generate(keys.Ed25519)
	d := did.KeyDID(k.Public())
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	payload, _ := json.Marshal(map[string]any{"@context": []string{credential.ContextV2}, "type": []string{"VerifiableCredential"}, "issuer": d,
		"validFrom": "2025-01-01T00:00:00Z", "credentialSubject": map[string]any{"id": "did:example:1"}})
	tok, err := credential.SignJWS(k, d+"#"+k.Public().Multibase(), payload)
	if err != nil {
		t.Fatal(err)
	}
	line, _ := json.Marshal(tok)
	v := &credential.Verifier{Resolver: did.NewResolver(map[string]did.MethodResolver{"key": did.KeyMethod{}}), Now: func() time.Time { return now }}
	i := 0
	src := SourceFunc(func() (Item, error) {
		if i == n {
			return Item{}, io.EOF
		}
		i++
		return Item{Raw: append(json.RawMessage(nil), line...)}, nil
	})
	var peak uint64
	var ms runtime.MemStats
	seen := 0
	sum, err := Run(context.Background(), v.NewBatch(credential.Policy{}), src, Config{}, func(r *Result) error {
		if r.Index != seen || !r.Verified {
			t.Fatalf("result %d: %+v", seen, r)
		}
		seen++
		if seen%1000 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
		return nil
	}, nil)
	if err != nil || sum.Total != n || !sum.AllVerified() {
		t.Fatalf("%+v %v", sum, err)
	}
	t.Logf("%d credentials, peak live heap %d KiB", n, peak>>10)
	if peak > 64<<20 {
		t.Fatalf("live heap reached %d MiB", peak>>20)
	}
}

// raceEnabled is set under the race detector (race_test.go).
var raceEnabled bool
