package chain

// MaxRejections bounds the node-local record of recent rejections that an
// engine's Status reports (GET /v1/txs/{hash}).
const MaxRejections = 100_000

// Rejections remembers why the latest MaxRejections transactions nobody
// waited for were rejected, by hash, forgetting the oldest first: what an
// engine's Status answers for a transaction submitted without waiting. The
// zero value is empty and ready; the engine's lock guards it.
type Rejections struct {
	errs  map[string]error
	order []string
}

// Add remembers that the transaction hash was rejected with err (not nil).
func (r *Rejections) Add(hash string, err error) {
	if r.errs == nil {
		r.errs = map[string]error{}
	}
	if len(r.order) >= MaxRejections {
		delete(r.errs, r.order[0])
		r.order = r.order[1:]
	}
	r.errs[hash] = err
	r.order = append(r.order, hash)
}

// Reason is why the transaction hash was rejected, or nil if no rejection
// of it is remembered.
func (r *Rejections) Reason(hash string) error { return r.errs[hash] }
