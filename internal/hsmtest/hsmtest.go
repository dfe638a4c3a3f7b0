// Package hsmtest gives tests a fresh SoftHSM2 token (hsm.Config) to keep
// keys in, or skips them, saying why, where SoftHSM2 is not installed
// (scripts/install-softhsm.sh installs it).
package hsmtest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weidgo/weid/hsm"
)

// PIN is the user PIN of every test token.
const PIN = "weid-test-pin"

// PoolSize is how many tokens a test process can have: SoftHSM2 sees only
// the tokens that exist when it is initialized, and stays initialized
// while any test has a module open, so the tokens are made up front.
const PoolSize = 12

var (
	setupOnce sync.Once
	setupErr  error
	poolMu    sync.Mutex
	pool      []string
)

// setup points SoftHSM2 (SOFTHSM2_CONF, read when the module is
// initialized) at a new token directory under the temporary directory and
// initializes PoolSize tokens there with softhsm2-util. Directories that
// earlier test processes left a day ago or more are removed.
func setup() error {
	setupOnce.Do(func() {
		old, _ := filepath.Glob(filepath.Join(os.TempDir(), "weid-softhsm-*"))
		for _, d := range old {
			if fi, err := os.Stat(d); err == nil && time.Since(fi.ModTime()) > 24*time.Hour {
				_ = os.RemoveAll(d)
			}
		}
		dir, err := os.MkdirTemp("", "weid-softhsm-")
		if err != nil {
			setupErr = err
			return
		}
		tokens := filepath.Join(dir, "tokens")
		if setupErr = os.MkdirAll(tokens, 0o700); setupErr != nil {
			return
		}
		conf := filepath.Join(dir, "softhsm2.conf")
		body := "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n"
		if setupErr = os.WriteFile(conf, []byte(body), 0o600); setupErr != nil {
			return
		}
		if setupErr = os.Setenv("SOFTHSM2_CONF", conf); setupErr != nil {
			return
		}
		var rnd [4]byte
		_, _ = rand.Read(rnd[:])
		for i := range PoolSize {
			label := fmt.Sprintf("weid-test-%s-%d", hex.EncodeToString(rnd[:]), i)
			out, err := exec.Command("softhsm2-util", "--init-token", "--free", "--label", label, "--pin", PIN, "--so-pin", "weid-test-so").CombinedOutput()
			if err != nil {
				setupErr = fmt.Errorf("softhsm2-util --init-token: %v: %s", err, out)
				return
			}
			pool = append(pool, label)
		}
	})
	return setupErr
}

// Available returns SoftHSM2's module path, or why it cannot be used.
func Available() (string, error) {
	if _, err := os.Stat(hsm.DefaultModule); err != nil {
		return "", fmt.Errorf("SoftHSM2 is not installed (%s: %v); scripts/install-softhsm.sh installs it", hsm.DefaultModule, err)
	}
	if _, err := exec.LookPath("softhsm2-util"); err != nil {
		return "", fmt.Errorf("softhsm2-util is not installed: %v", err)
	}
	return hsm.DefaultModule, nil
}

// Token returns the configuration (PIN in a file) of a fresh SoftHSM2
// token of its own, deleted when the test ends. Without SoftHSM2 the test
// is skipped.
func Token(t testing.TB) hsm.Config {
	t.Helper()
	module, err := Available()
	if err != nil {
		t.Skip(err)
	}
	if err := setup(); err != nil {
		t.Fatal(err)
	}
	poolMu.Lock()
	if len(pool) == 0 {
		poolMu.Unlock()
		t.Fatalf("the %d SoftHSM2 test tokens of this process are all taken; raise hsmtest.PoolSize", PoolSize)
	}
	label := pool[0]
	pool = pool[1:]
	poolMu.Unlock()
	t.Cleanup(func() {
		if out, err := exec.Command("softhsm2-util", "--delete-token", "--token", label).CombinedOutput(); err != nil && !strings.Contains(string(out), "not found") {
			t.Logf("softhsm2-util --delete-token: %v: %s", err, out)
		}
	})
	pinFile := filepath.Join(t.TempDir(), "pin")
	if err := os.WriteFile(pinFile, []byte(PIN+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return hsm.Config{Module: module, Token: label, PINFile: pinFile}
}
