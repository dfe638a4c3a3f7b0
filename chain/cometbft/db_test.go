package cometbft

import (
	"testing"

	dbm "github.com/cometbft/cometbft-db"
)

// After Close, a stopSafeDB answers reads as a missing key instead of the
// error the block store panics on (see stopSafeDBProvider).
func TestStopSafeDB_ReadAfterClose(t *testing.T) {
	d := &stopSafeDB{DB: dbm.NewMemDB()}
	if err := d.Set([]byte("k"), []byte("v")); err != nil {
		t.Fatal(err)
	}
	if v, err := d.Get([]byte("k")); err != nil || string(v) != "v" {
		t.Fatalf("Get before Close = %q, %v", v, err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if v, err := d.Get([]byte("k")); err != nil || v != nil {
		t.Fatalf("Get after Close = %q, %v; want nil, nil", v, err)
	}
	if ok, err := d.Has([]byte("k")); err != nil || ok {
		t.Fatalf("Has after Close = %v, %v; want false, nil", ok, err)
	}
}
