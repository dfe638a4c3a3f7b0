package batch

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"
)

// TestRun_FlushesWhatIsReadyBeforeWaiting: with fewer results than fill a
// write, Run still flushes those emitted once nothing more is ready, before
// the source delivers its next item (a slow stream gets its results as they
// complete); the rest follow, in order, and the last ones are flushed too.
func TestRun_FlushesWhatIsReadyBeforeWaiting(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	n := 0
	src := SourceFunc(func() (Item, error) {
		n++
		switch {
		case n == 4:
			<-release // the source waits, as a client between lines
		case n > 6:
			return Item{}, io.EOF
		}
		return Item{Err: errors.New("not a credential")}, nil // needs no verifier
	})
	var emitted []int
	flushedAt := []int{}
	done := make(chan error, 1)
	go func() {
		_, err := Run(context.Background(), nil, src, Config{Workers: 2}, func(r *Result) error {
			emitted = append(emitted, r.Index)
			return nil
		}, func() error {
			flushedAt = append(flushedAt, len(emitted))
			if len(emitted) == 3 {
				close(release)
			}
			return nil
		})
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the first three results were never flushed while the source waited")
	}
	if len(emitted) != 6 || flushedAt[len(flushedAt)-1] != 6 {
		t.Fatalf("emitted %v, flushed after %v", emitted, flushedAt)
	}
	for i, idx := range emitted {
		if idx != i {
			t.Fatalf("emitted %v", emitted)
		}
	}
}
