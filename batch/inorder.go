package batch

// InOrder hands on values that are finished out of order (chunks verified
// in parallel) in the order they were numbered, from 0: Run's chunks, and
// those `weid vc verify-batch --node` spreads over several nodes. The
// zero value is ready; it is for one goroutine.
type InOrder[T any] struct {
	held map[int]T
	next int
}

// Add takes v, numbered seq, and passes to ready, in order, every value
// that is now next: v if its turn has come, then those held for after
// it. It stops at ready's first error and returns it.
func (o *InOrder[T]) Add(seq int, v T, ready func(T) error) error {
	if o.held == nil {
		o.held = map[int]T{}
	}
	o.held[seq] = v
	for {
		v, ok := o.held[o.next]
		if !ok {
			return nil
		}
		delete(o.held, o.next)
		o.next++
		if err := ready(v); err != nil {
			return err
		}
	}
}

// Next is the number of the value due next: how many were handed on.
func (o *InOrder[T]) Next() int { return o.next }
