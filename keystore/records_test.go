package keystore_test

import (
	"errors"
	"testing"

	"github.com/weidgo/weid/keystore"
)

func TestRecords(t *testing.T) {
	dir := t.TempDir()
	s, err := keystore.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	type rec struct{ A int }
	if err := s.CreateRecord("issuer/a", rec{1}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateRecord("issuer/a", rec{2}); !errors.Is(err, keystore.ErrExists) {
		t.Fatalf("second create: %v", err)
	}
	_ = s.PutRecord("issuer/b", rec{3}, false)
	_ = s.PutRecord("other/c", rec{4}, true)
	var got rec
	if err := s.GetRecord("issuer/a", &got); err != nil || got.A != 1 {
		t.Fatalf("get: %v %+v", err, got)
	}
	if err := s.GetRecord("issuer/z", &got); !errors.Is(err, keystore.ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
	var keys []string
	_ = s.Records("issuer/", func(k string, _ []byte) error { keys = append(keys, k); return nil })
	if len(keys) != 2 || keys[0] != "a" || keys[1] != "b" {
		t.Fatalf("records %v", keys)
	}
	ns := s.Namespace("alloc/")
	if v, err := ns.Get([]byte("x")); v != nil || err != nil {
		t.Fatalf("absent: %v %v", v, err)
	}
	_ = ns.PutSync([]byte("x"), []byte("1"))
	_ = s.Close()
	s, err = keystore.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, _ := s.Namespace("alloc/").Get([]byte("x")); string(v) != "1" {
		t.Fatalf("after reopen: %q", v)
	}
}
