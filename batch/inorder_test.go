package batch

import (
	"errors"
	"slices"
	"testing"
)

// TestInOrder_HandsOnInNumberOrderAndStopsAtAnError: values added in any
// order come out in number order, each once; an error stops the hand-on.
func TestInOrder_HandsOnInNumberOrderAndStopsAtAnError(t *testing.T) {
	var o InOrder[string]
	var got []string
	ready := func(v string) error { got = append(got, v); return nil }
	for _, seq := range []int{2, 0, 3, 1, 4} {
		if err := o.Add(seq, string(rune('a'+seq)), ready); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(got, []string{"a", "b", "c", "d", "e"}) || o.Next() != 5 {
		t.Fatalf("got %v, next %d", got, o.Next())
	}
	stop := errors.New("stop")
	var again InOrder[int]
	_ = again.Add(1, 1, func(int) error { return nil })
	n := 0
	if err := again.Add(0, 0, func(int) error { n++; return stop }); err != stop || n != 1 || again.Next() != 1 {
		t.Fatalf("after an error: %v, %d handed on, next %d", err, n, again.Next())
	}
}
