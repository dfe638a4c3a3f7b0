package node

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/weidgo/weid/keystore"
)

// CopyMemberKeys gives the keystore of a new member's home the keys every
// node of a consortium holds: the weid block key (the validators build
// byte-identical blocks with it) and the admin account's signing keys
// with their DIDs, read from the keystore of an existing member's home
// from (on this machine: "weid localnet join"; a real consortium hands the
// block key over in its own key ceremony). from may belong to a running
// node: its keystore is then read from a copy. It writes a new admin API
// token to <home>/admin.token.
func CopyMemberKeys(from, home string, passphrase []byte) error {
	src, cleanup, err := openKeystoreCopy(filepath.Join(from, "keystore"), passphrase)
	if err != nil {
		return fmt.Errorf("read %s's keystore: %w", from, err)
	}
	defer cleanup()
	block, _, err := src.Key(nodeKeyID)
	if err != nil {
		return fmt.Errorf("%s's block key: %w", from, err)
	}
	dids, err := src.SignerDIDs(AdminOwner)
	if err != nil {
		return err
	}
	dst, err := keystore.Open(filepath.Join(home, "keystore"), passphrase)
	if err != nil {
		return err
	}
	err = dst.PutKey(nodeKeyID, AdminOwner, block)
	for _, d := range dids {
		if err != nil {
			break
		}
		var vm string
		if vm, err = src.Signer(d); err != nil {
			break
		}
		k, _, kerr := src.Key(vm)
		if kerr != nil {
			err = kerr
			break
		}
		err = errors.Join(dst.PutKey(vm, AdminOwner, k), dst.SetSigner(d, vm))
	}
	if err == nil {
		err = writeAdminToken(dst, home)
	}
	return errors.Join(err, dst.Close())
}

// openKeystoreCopy opens the keystore in dir, or, if a running node holds
// it, a copy of its files.
func openKeystoreCopy(dir string, passphrase []byte) (*keystore.Store, func(), error) {
	if ks, err := keystore.Open(dir, passphrase); err == nil {
		return ks, func() { ks.Close() }, nil
	}
	tmp, err := os.MkdirTemp("", "weid-keystore-")
	if err != nil {
		return nil, nil, err
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(tmp, rel), 0o700)
		}
		if d.Name() == "LOCK" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(tmp, rel), b, 0o600)
	})
	if err != nil {
		os.RemoveAll(tmp)
		return nil, nil, err
	}
	ks, err := keystore.Open(tmp, passphrase)
	if err != nil {
		os.RemoveAll(tmp)
		return nil, nil, err
	}
	return ks, func() { ks.Close(); os.RemoveAll(tmp) }, nil
}
