package chain

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/syndtr/goleveldb/leveldb"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
)

// flakySigner is a block key held outside the process (as in a PKCS#11
// token) whose module can be made to fail.
type flakySigner struct {
	k      *keys.PrivateKey
	down   atomic.Bool
	failed chan struct{} // told of each signature refused
}

func (f *flakySigner) SignRaw(msg []byte) ([]byte, error) {
	if f.down.Load() {
		select {
		case f.failed <- struct{}{}:
		default:
		}
		return nil, errs.Wrap(http.StatusServiceUnavailable, "keys.unavailable", errors.New("the token was removed"))
	}
	return f.k.Sign(msg)
}

// TestSoloBlockSigningFailure: when the block key cannot sign, the block's
// submitters get the signer's 503, nothing is written, the ledger stays
// writable, and the same transactions commit once the key signs again —
// also for a block prepared while the block before it was being written.
func TestSoloBlockSigningFailure(t *testing.T) {
	t.Parallel()
	mem, _ := keys.Generate(keys.Ed25519)
	fs := &flakySigner{k: mem, failed: make(chan struct{}, 1)}
	nodeKey, err := keys.NewExternalKey(mem.Public(), fs)
	if err != nil {
		t.Fatal(err)
	}
	e := newTestChainWith(t, nodeKey, newSigner(t, keys.Ed25519))
	s := NewSolo(e.l, nodeKey, SoloConfig{Window: -1, MaxTxs: 1}) // one tx a block: the next is prepared during the write
	defer s.Close()
	sg := newSigner(t, keys.P256)
	ctx := context.Background()
	head := e.l.Head()

	fs.down.Store(true)
	failed := mustCheck(t, e.reg, sg.put(t, "a", "1", false))
	_, err = s.Submit(ctx, failed)
	<-fs.failed
	if e, ok := errs.As(err); !ok || e.Status != http.StatusServiceUnavailable || e.Code != "keys.unavailable" {
		t.Fatalf("Submit with the block key down = %v", err)
	}
	if got := e.l.Head(); got != head || e.l.Failed() != nil {
		t.Fatalf("head %+v → %+v, failed %v", head, got, e.l.Failed())
	}
	fs.down.Store(false)
	if r, err := s.Submit(ctx, failed); err != nil || r.Height != head.Height+1 {
		t.Fatalf("the same transaction once the key signs: %+v %v", r, err)
	}

	// Block N is being written when block N+1's signature fails: N commits,
	// N+1's submitter gets the 503.
	orig := e.l.write
	release := make(chan struct{})
	writing := make(chan struct{}, 1)
	e.l.write = func(b *leveldb.Batch) error {
		writing <- struct{}{}
		<-release
		return orig(b)
	}
	first := mustCheck(t, e.reg, sg.put(t, "b", "2", false))
	second := mustCheck(t, e.reg, sg.put(t, "c", "3", false))
	firstDone, secondDone := make(chan error, 1), make(chan error, 1)
	go func() { _, err := s.Submit(ctx, first); firstDone <- err }()
	<-writing
	fs.down.Store(true)
	go func() { _, err := s.Submit(ctx, second); secondDone <- err }()
	<-fs.failed // block N+1 was prepared on N, still being written, and not signed
	close(release)
	if err := <-firstDone; err != nil {
		t.Fatalf("the block being written: %v", err)
	}
	if err := <-secondDone; errs.Code(err) != "keys.unavailable" {
		t.Fatalf("the block prepared during a write, key down: %v", err)
	}
	e.l.write = orig
	fs.down.Store(false)
	if r, err := s.Submit(ctx, second); err != nil || r.Height != head.Height+3 {
		t.Fatalf("the failed transaction again: %+v %v", r, err)
	}
	if _, err := e.l.AuditStore(); err != nil {
		t.Fatal(err)
	}
}
