package node

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/crashtest"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/keystore"
)

// adminTokenFile returns the token dir's admin.token holds, failing the
// test unless it is mode 0600.
func adminTokenFile(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, TokenFile)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("admin.token mode %v, want 0600", fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// wantAdmin fails the test unless tok authenticates as the admin.
func wantAdmin(t *testing.T, n *Node, what, tok string) {
	t.Helper()
	if a, err := n.Keystore.Authenticate(tok); err != nil || !a.Admin || a.Name != AdminOwner {
		t.Fatalf("%s does not authenticate as the admin: %+v, %v", what, a, err)
	}
}

// wantRevoked fails the test unless tok authenticates as nobody.
func wantRevoked(t *testing.T, n *Node, what, tok string) {
	t.Helper()
	if a, err := n.Keystore.Authenticate(tok); !errors.Is(err, keystore.ErrNotFound) {
		t.Fatalf("%s still authenticates: %+v, %v", what, a, err)
	}
}

// wantNoSideFile fails the test if dir holds admin.token.next or a
// temporary copy of it.
func wantNoSideFile(t *testing.T, dir string) {
	t.Helper()
	for _, name := range crashtest.Names(t, dir) {
		if strings.Contains(name, NextTokenFile) {
			t.Errorf("%s is left in the data directory", name)
		}
	}
}

// TestRotateAdminToken_RevokesTheOldAndRewritesAdminToken: "admin" to
// ReplaceAccountToken makes a new admin token, which authenticates as the
// admin and is what admin.token holds (also after a restart); the old one
// is revoked; no institution account can take the name.
func TestRotateAdminToken_RevokesTheOldAndRewritesAdminToken(t *testing.T) {
	dir := t.TempDir()
	n := openTest(t, dir)
	old := adminTokenFile(t, dir)
	wantAdmin(t, n, "the genesis token", old)
	acct := mustCreateAccount(t, n, "city-university", keys.Ed25519, false)

	nt, err := n.ReplaceAccountToken(AdminOwner)
	if err != nil {
		t.Fatal(err)
	}
	if nt.Name != AdminOwner || nt.Token == "" || nt.Token == old {
		t.Fatalf("rotation answered %+v", nt)
	}
	wantAdmin(t, n, "the new token", nt.Token)
	wantRevoked(t, n, "the old admin token", old)
	if got := adminTokenFile(t, dir); got != nt.Token {
		t.Fatalf("admin.token holds %q, want the new token %q", got, nt.Token)
	}
	wantNoSideFile(t, dir)
	if a, err := n.Keystore.Authenticate(acct.Token); err != nil || a.Name != "city-university" {
		t.Fatalf("an account's token after the admin's rotation: %+v, %v", a, err)
	}
	if _, err := n.CreateAccount(context.Background(), AdminOwner, keys.Ed25519, false); errs.Code(err) != "account.invalidName" {
		t.Fatalf("an account named admin: %v, want account.invalidName", err)
	}
	n.Close()

	n = openTest(t, dir)
	defer n.Close()
	if got := adminTokenFile(t, dir); got != nt.Token {
		t.Fatalf("after a restart admin.token holds %q, want %q", got, nt.Token)
	}
	wantAdmin(t, n, "the new token after a restart", nt.Token)
	wantRevoked(t, n, "the old admin token after a restart", old)
}

// TestRotateAdminToken_CrashWindowsAreSettledAtStart stops a rotation
// after each of its steps, as a crash would, and checks what the next start
// leaves: admin.token holding the one valid admin token, and no side file.
func TestRotateAdminToken_CrashWindowsAreSettledAtStart(t *testing.T) {
	for _, tc := range []struct {
		name string
		// crash does part of a rotation on n's data directory dir and
		// returns the token admin.token must hold after the next start.
		crash func(t *testing.T, n *Node, dir, old string) string
	}{
		{"a temporary copy of the side file", func(t *testing.T, n *Node, dir, old string) string {
			writeFile(t, filepath.Join(dir, "."+NextTokenFile+".tmp-123"), "weid_half")
			return old
		}},
		{"the side file, not the keystore", func(t *testing.T, n *Node, dir, old string) string {
			tok, _ := keystore.RandomToken()
			writeFile(t, filepath.Join(dir, NextTokenFile), tok+"\n")
			return old
		}},
		{"a side file holding nothing", func(t *testing.T, n *Node, dir, old string) string {
			writeFile(t, filepath.Join(dir, NextTokenFile), "")
			return old
		}},
		{"a side file holding an account's token", func(t *testing.T, n *Node, dir, old string) string {
			writeFile(t, filepath.Join(dir, NextTokenFile), mustCreateAccount(t, n, "city-bank", keys.Ed25519, false).Token+"\n")
			return old
		}},
		{"the side file and the keystore, not the rename", func(t *testing.T, n *Node, dir, old string) string {
			tok, _ := keystore.RandomToken()
			if err := keystore.WriteSecretFile(filepath.Join(dir, NextTokenFile), []byte(tok+"\n")); err != nil {
				t.Fatal(err)
			}
			if err := n.Keystore.ReplaceTokensWith(adminAccount, tok); err != nil {
				t.Fatal(err)
			}
			return tok
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			n := openTest(t, dir)
			old := adminTokenFile(t, dir)
			want := tc.crash(t, n, dir, old)
			n.Close()

			n = openTest(t, dir)
			defer n.Close()
			if got := adminTokenFile(t, dir); got != want {
				t.Fatalf("after the start admin.token holds %q, want %q", got, want)
			}
			wantAdmin(t, n, "admin.token's token", want)
			if want != old {
				wantRevoked(t, n, "the old admin token", old)
			}
			wantNoSideFile(t, dir)
			// The next rotation is not blocked by what the crash left.
			nt, err := n.RotateAdminToken()
			if err != nil {
				t.Fatal(err)
			}
			if got := adminTokenFile(t, dir); got != nt {
				t.Fatalf("after a rotation admin.token holds %q, want %q", got, nt)
			}
		})
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestRotateAdminToken_ConcurrentRotationsLeaveOneToken: rotations at once
// each answer a token, exactly one of which works afterwards, and it is
// the one admin.token holds.
func TestRotateAdminToken_ConcurrentRotationsLeaveOneToken(t *testing.T) {
	dir := t.TempDir()
	n := openTest(t, dir)
	defer n.Close()
	const rotations = 8
	toks := make([]string, rotations)
	errc := make([]error, rotations)
	var wg sync.WaitGroup
	for i := range rotations {
		wg.Go(func() {
			var a *api.AccountToken
			a, errc[i] = n.ReplaceAccountToken(AdminOwner)
			if a != nil {
				toks[i] = a.Token
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errc...); err != nil {
		t.Fatal(err)
	}
	var valid []string
	for _, tok := range toks {
		if _, err := n.Keystore.Authenticate(tok); err == nil {
			valid = append(valid, tok)
		}
	}
	if len(valid) != 1 {
		t.Fatalf("%d of %d rotated tokens authenticate, want 1", len(valid), rotations)
	}
	if got := adminTokenFile(t, dir); got != valid[0] {
		t.Fatalf("admin.token holds %q, the valid token is %q", got, valid[0])
	}
	wantNoSideFile(t, dir)
}

// crashChildEnv makes the test binary, re-executed by
// TestCrash_KilledRotationLeavesAValidAdminToken, the process it kills:
// its value is the node's data directory.
const crashChildEnv = "WEID_NODE_ADMIN_TOKEN_CRASH_DIR"

// TestCrash_KilledRotationLeavesAValidAdminToken SIGKILLs a process that
// rotates its node's admin token in a loop, at random moments, and checks
// after each kill that the next start leaves admin.token holding a token
// that authenticates as the admin, and no side file.
func TestCrash_KilledRotationLeavesAValidAdminToken(t *testing.T) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		crashRotator(dir)
		return
	}
	if testing.Short() {
		t.Skip("kills five processes")
	}
	dir := t.TempDir()
	openTest(t, dir).Close()
	seen := map[string]bool{}
	for round := range 5 {
		crashtest.KillWriter(t, "TestCrash_KilledRotationLeavesAValidAdminToken", crashChildEnv, dir, 20*time.Millisecond)
		t.Logf("round %d: the kill left %v", round+1, crashtest.Names(t, dir))
		n := openTest(t, dir)
		tok := adminTokenFile(t, dir)
		wantAdmin(t, n, fmt.Sprintf("round %d: admin.token's token", round+1), tok)
		wantNoSideFile(t, dir)
		n.Close()
		seen[tok] = true
	}
	if len(seen) < 2 {
		t.Errorf("admin.token held %d distinct tokens over the rounds: the rotations did not run", len(seen))
	}
}

// crashRotator opens the node in dir and rotates its admin token until it
// is killed, printing a line after each rotation.
func crashRotator(dir string) {
	n, err := Open(Config{DataDir: dir})
	if err != nil {
		panic(err)
	}
	for i := 0; ; i++ {
		if _, err := n.RotateAdminToken(); err != nil {
			panic(err)
		}
		fmt.Println(i)
	}
}
