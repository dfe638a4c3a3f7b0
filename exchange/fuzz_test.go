package exchange

import (
	"context"
	"testing"

	"github.com/weidgo/weid/errs"
)

// FuzzRelease: whatever body and proof a grantee sends, the service
// answers or refuses with a named 4xx (the ledger here never fails), and
// releases nothing it should not: only a request the seed's grantee signed
// is answered, once.
func FuzzRelease(f *testing.F) {
	w := newWorld(f)
	seed := w.request(f, w.bank, w.grant, nil, nil)
	f.Add(seed.Body, seed.Proof)
	f.Add([]byte(`{"grant":"a.b.c"}`), seed.Proof)
	f.Add([]byte(`{}`), "")
	f.Fuzz(func(t *testing.T, body []byte, proof string) {
		req := seed
		req.Body, req.Proof = body, proof
		_, err := w.svc.Release(context.Background(), req)
		if err == nil {
			return
		}
		if e, ok := errs.As(err); !ok || e.Status < 400 || e.Status > 499 {
			t.Fatalf("refused with %v, not a named 4xx", err)
		}
	})
}
