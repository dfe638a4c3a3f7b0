package eventually

import (
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"
)

// TestNil_ReturnsOnceFSucceeds: f is tried again until it returns nil.
func TestNil_ReturnsOnceFSucceeds(t *testing.T) {
	t.Parallel()
	n := 0
	Nil(t, "the third try", 10*time.Second, func() error {
		if n++; n < 3 {
			return errors.New("not the third")
		}
		return nil
	})
	if n != 3 {
		t.Fatalf("f ran %d times, want 3", n)
	}
}

// TestTrue_FailsAfterTheDeadline: a condition that never holds fails the
// test, naming it, once the deadline has passed.
func TestTrue_FailsAfterTheDeadline(t *testing.T) {
	t.Parallel()
	var r fatalRecorder
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		True(&r, "never", 20*time.Millisecond, func() bool { return false })
	}()
	<-done
	if r.msg != "never: still failing after 20ms: not yet" || time.Since(start) < 20*time.Millisecond {
		t.Fatalf("failed with %q after %v", r.msg, time.Since(start))
	}
}

// fatalRecorder records the message of Fatalf and ends the goroutine, as
// testing.T does.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Helper() {}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
