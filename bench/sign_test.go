package bench

import (
	"testing"

	"github.com/weidgo/weid/hsm"
	"github.com/weidgo/weid/internal/hsmtest"
	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/keys"
)

// BenchmarkSign signs a 32-byte message (a block hash's size) with a key
// held in memory and with the same kind of key in a SoftHSM2 token
// (PKCS#11, package hsm; skipped without SoftHSM2, saying why). The
// token rows also report how many times slower than memory they are
// (x-memory), measured in the same run. Token signatures include package
// keys' check of each signature the module returns.
func BenchmarkSign(b *testing.B) {
	msg := make([]byte, 32)
	// One token and module for every run of the sub-benchmarks (b.Run calls
	// each several times).
	var m *hsm.Module
	_, noSoftHSM := hsmtest.Available()
	if noSoftHSM == nil {
		var err error
		if m, err = hsm.Open(hsmtest.Token(b)); err != nil {
			b.Fatal(err)
		}
		defer m.Close()
	}
	sign := func(b *testing.B, k *keys.PrivateKey) float64 {
		for b.Loop() {
			if _, err := k.Sign(msg); err != nil {
				b.Fatal(err)
			}
		}
		return float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	}
	for _, typ := range []keys.Type{keys.Ed25519, keys.P256} {
		mem := keytest.New(b, typ)
		var memoryNs float64 // of the last (the reported) run of the memory benchmark
		b.Run(string(typ)+"/memory", func(b *testing.B) { memoryNs = sign(b, mem) })
		var inToken *keys.PrivateKey
		if m != nil {
			var err error
			if inToken, err = m.Generate(typ, "bench"); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(string(typ)+"/softhsm", func(b *testing.B) {
			if inToken == nil {
				b.Skip(noSoftHSM)
			}
			if ns := sign(b, inToken); memoryNs > 0 {
				b.ReportMetric(ns/memoryNs, "x-memory")
			}
		})
	}
}
