package main

import (
	"crypto/ed25519"
	"fmt"
	"io"
	"runtime"
	"time"
)

// benchSeed is the fixed Ed25519 seed of the benchmark issuer, so runs sign
// the same documents.
var benchSeed = [ed25519.SeedSize]byte{0: 0xbe, 1: 0x0c, 31: 0x01}

// benchCreated is the proof creation time in benchmarks.
var benchCreated = time.Date(2024, 6, 28, 9, 0, 0, 0, time.UTC)

// benchIssuer returns the benchmark issuer's key, DID and verification method.
func benchIssuer() (ed25519.PrivateKey, string, string) {
	priv := ed25519.NewKeyFromSeed(benchSeed[:])
	did, vm := didKey(priv.Public().(ed25519.PublicKey))
	return priv, did, vm
}

// benchIssue signs n distinct diplomas and reports the mean cost of one
// Issuer.Sign (parse + validate + canonicalize + sign + marshal).
func benchIssue(w io.Writer, n int, loader *strictLoader) error {
	priv, did, vm := benchIssuer()
	iss := NewIssuer(priv, vm, loader)
	docs := make([][]byte, n)
	for i := range docs {
		docs[i] = diploma(did, i)
	}
	if _, err := iss.Sign(diploma(did, n), benchCreated); err != nil { // warm up
		return err
	}
	return measure(w, "BenchmarkAriesIssueEd25519Signature2020", n, func(i int) error {
		_, err := iss.Sign(docs[i], benchCreated)
		return err
	})
}

// benchVerify signs n distinct diplomas (untimed), then reports the mean
// cost of one Verifier.Verify (parse + validate + canonicalize + verify).
func benchVerify(w io.Writer, n int, loader *strictLoader) error {
	priv, did, vm := benchIssuer()
	iss := NewIssuer(priv, vm, loader)
	ver := NewKeyVerifier(priv.Public().(ed25519.PublicKey), loader)
	docs := make([][]byte, n+1)
	for i := range docs {
		signed, err := iss.Sign(diploma(did, i), benchCreated)
		if err != nil {
			return err
		}
		docs[i] = signed
	}
	if err := ver.Verify(docs[n]); err != nil { // warm up
		return err
	}
	return measure(w, "BenchmarkAriesVerifyEd25519Signature2020", n, func(i int) error {
		return ver.Verify(docs[i])
	})
}

// measure runs op for i in [0, n) and prints one line in the format of
// `go test -bench -benchmem`, so the main module's benchmark table can read
// it next to its own results.
func measure(w io.Writer, name string, n int, op func(i int) error) error {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	for i := 0; i < n; i++ {
		if err := op(i); err != nil {
			return fmt.Errorf("%s: op %d: %w", name, i, err)
		}
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)

	// go test appends -GOMAXPROCS to the name unless it is 1.
	if procs := runtime.GOMAXPROCS(0); procs != 1 {
		name = fmt.Sprintf("%s-%d", name, procs)
	}
	_, err := fmt.Fprintf(w, "%s\t%8d\t%10d ns/op\t%8d B/op\t%8d allocs/op\n", name, n,
		elapsed.Nanoseconds()/int64(n),
		(after.TotalAlloc-before.TotalAlloc)/uint64(n),
		(after.Mallocs-before.Mallocs)/uint64(n))
	return err
}
