//go:build !unix

package wallet

// lock is a no-op where flock(2) is not: writers of one wallet are not
// serialized there.
func (w *Wallet) lock() (func(), error) { return func() {}, nil }
