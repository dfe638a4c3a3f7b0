//go:build unix

package wallet

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lock takes the wallet's write lock (an exclusive flock(2) of LockFile),
// waiting for another writer to finish, and returns its release.
func (w *Wallet) lock() (func(), error) {
	p := filepath.Join(w.Dir, LockFile)
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock the wallet: %w", err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock the wallet: %s: %w", p, err)
	}
	// Closing the file releases the lock.
	return func() { f.Close() }, nil
}
