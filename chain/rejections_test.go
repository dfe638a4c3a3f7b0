package chain

import (
	"errors"
	"strconv"
	"testing"
)

// TestRejections_ForgetsTheOldestFirst: the last MaxRejections rejections
// are remembered with their reasons; one more forgets the oldest.
func TestRejections_ForgetsTheOldestFirst(t *testing.T) {
	var r Rejections
	if r.Reason("x") != nil {
		t.Fatal("the zero value remembers a rejection")
	}
	bad := errors.New("bad")
	for i := range MaxRejections + 1 {
		r.Add(strconv.Itoa(i), bad)
	}
	if r.Reason("0") != nil {
		t.Error("the oldest rejection is still remembered")
	}
	if r.Reason("1") != bad || r.Reason(strconv.Itoa(MaxRejections)) != bad {
		t.Error("a recent rejection is forgotten")
	}
}
