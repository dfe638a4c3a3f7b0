package batch

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"
)

// FuzzNDJSON checks that the stream reader never panics, yields only
// valid JSON items or item errors, and never holds a line over
// MaxLineBytes.
func FuzzNDJSON(f *testing.F) {
	f.Add([]byte("\"a.b.c\"\n{\"proof\":{}}\n\n42\n{bad\n"))
	f.Add([]byte("\"x~y~\"\r\n  \n"))
	f.Add(bytes.Repeat([]byte("a"), 1000))
	f.Fuzz(func(t *testing.T, data []byte) {
		src := NewNDJSON(bytes.NewReader(data))
		for range len(data) + 2 {
			it, err := src.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			it = it.Check()
			if it.Err == nil && (len(it.Raw) == 0 || len(it.Raw) > MaxLineBytes || !json.Valid(it.Raw)) {
				t.Fatalf("item of %d bytes", len(it.Raw))
			}
		}
		t.Fatal("more items than lines")
	})
}
