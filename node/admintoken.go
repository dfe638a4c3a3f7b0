package node

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/weidgo/weid/internal/durable"
	"github.com/weidgo/weid/keystore"
)

// NextTokenFile is where a rotation of the admin token writes the new token
// before the keystore takes it (RotateAdminToken): <data>/admin.token.next.
const NextTokenFile = TokenFile + ".next"

// adminAccount is the account of the admin tokens.
var adminAccount = keystore.Account{Name: AdminOwner, Admin: true}

// writeAdminToken makes a new admin token in ks and writes it to dir's
// admin.token, after revoking the admin tokens ks had and removing the file:
// a genesis or a home's set-up that crashed before it was complete may have
// left both, and only the token written here may be valid.
func writeAdminToken(ks *keystore.Store, dir string) error {
	if err := ks.RevokeTokens(AdminOwner); err != nil {
		return err
	}
	tok, err := ks.NewToken(adminAccount)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, TokenFile)
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return keystore.WriteSecretFile(path, []byte(tok+"\n"))
}

// RotateAdminToken gives the node a new admin token (a token that leaked),
// revokes every other admin token of this node in the same synced keystore
// write, writes the new one to <data>/admin.token and returns it.
//
// The keystore and the file are two writes, made in an order that a crash
// anywhere leaves recoverable, with a valid admin token on disk:
//  1. the new token is written durably to admin.token.next (mode 0600);
//     the keystore does not know it yet and admin.token still works;
//  2. the keystore revokes the admin tokens and stores the new one in one
//     synced batch: from here only admin.token.next holds a valid token;
//  3. admin.token.next is renamed over admin.token and the directory
//     fsynced.
//
// A crash between 1 and 3 leaves admin.token.next, which the next start
// settles (settleAdminToken): it replaces admin.token if the keystore took
// its token (2 happened), else it is removed. Rotations are serialized, so
// two at once leave one valid token, the one admin.token holds.
func (n *Node) RotateAdminToken() (string, error) {
	n.adminTokenMu.Lock()
	defer n.adminTokenMu.Unlock()
	// A rotation that failed after step 1 may have left its side file.
	if err := settleAdminToken(n.Keystore, n.dataDir); err != nil {
		return "", err
	}
	tok, err := keystore.RandomToken()
	if err != nil {
		return "", err
	}
	next := filepath.Join(n.dataDir, NextTokenFile)
	if err := keystore.WriteSecretFile(next, []byte(tok+"\n")); err != nil {
		return "", err
	}
	if err := n.Keystore.ReplaceTokensWith(adminAccount, tok); err != nil {
		// Whether the batch reached the disk, the keystore says.
		return "", errors.Join(err, settleAdminToken(n.Keystore, n.dataDir))
	}
	if err := durable.Rename(next, filepath.Join(n.dataDir, TokenFile)); err != nil {
		if _, serr := os.Stat(next); serr == nil {
			return "", fmt.Errorf("the new admin token is in %s until the node's next start or rotation puts it in %s: %w", next, TokenFile, err)
		}
		return "", err
	}
	return tok, nil
}

// settleAdminToken finishes or undoes a rotation of the admin token that a
// crash or a failure interrupted (RotateAdminToken): dir's admin.token.next
// replaces admin.token if its token authenticates as the admin, else it is
// removed, as are the temporary copies of it a crash left. The caller holds
// the keystore open, whose lock keeps every other process out, and no
// rotation runs.
func settleAdminToken(ks *keystore.Store, dir string) error {
	next := filepath.Join(dir, NextTokenFile)
	if err := durable.RemoveTemps(next); err != nil {
		return err
	}
	b, err := os.ReadFile(next)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	a, err := ks.Authenticate(strings.TrimSpace(string(b)))
	switch {
	case err == nil && a.Admin && a.Name == AdminOwner:
		return durable.Rename(next, filepath.Join(dir, TokenFile))
	case err != nil && !errors.Is(err, keystore.ErrNotFound):
		return err // perhaps the only valid token: keep it
	}
	return os.Remove(next)
}
