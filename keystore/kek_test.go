package keystore_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/syndtr/goleveldb/leveldb"

	"github.com/weidgo/weid/keystore"
)

// openClose opens the keystore in dir and closes it again.
func openClose(t *testing.T, dir string) error {
	t.Helper()
	s, err := keystore.Open(dir, nil)
	if err == nil {
		s.Close()
	}
	return err
}

// readKEK reads dir/kek and fails unless it is a 32-byte key.
func readKEK(t *testing.T, dir string) []byte {
	t.Helper()
	kek, err := os.ReadFile(filepath.Join(dir, "kek"))
	if err != nil {
		t.Fatal(err)
	}
	if len(kek) != 32 {
		t.Fatalf("kek is %d bytes", len(kek))
	}
	return kek
}

// TestOpen_KEKAfterACrashAtFirstStart: a first start killed at any point
// of writing the kek leaves either no kek (its meta already says "file":
// the next start makes one) or a whole one, plus perhaps a partial
// temporary file, which stops nothing and the start removes: never the
// short kek that used to fail every later start.
func TestOpen_KEKAfterACrashAtFirstStart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// The state of a kill after the meta was written, in the middle of
	// writing the kek's temporary file.
	db, err := leveldb.OpenFile(filepath.Join(dir, "db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(db.Put([]byte("meta"), []byte(`{"kdf":"file"}`), nil), db.Close()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".kek.tmp-123456"), []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := openClose(t, dir); err != nil {
		t.Fatalf("the start after the crash: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".kek.tmp-123456")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the crash's copy of the kek is still there (%v)", err)
	}
	kek := readKEK(t, dir)
	if err := openClose(t, dir); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readKEK(t, dir), kek) {
		t.Error("a later start replaced the kek")
	}
}

// TestOpen_ShortKEKIsRefused: a short kek (written by an earlier version
// that crashed) is still named as such.
func TestOpen_ShortKEKIsRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := openClose(t, dir); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "kek")
	if err := os.WriteFile(path, []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := openClose(t, dir)
	if want := "keystore: " + path + " is not a 32-byte key"; err == nil || err.Error() != want {
		t.Fatalf("open with a short kek: %v, want %q", err, want)
	}
}

// TestWriteSecretFile_RemovesACrashsCopies: the temporary files a crash
// left while writing a secret file (copies of the secret) go when it is
// written again, and the file is written whole; another file's stay.
func TestWriteSecretFile_RemovesACrashsCopies(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "admin.token")
	for _, name := range []string{".admin.token.tmp-1", ".admin.token.tmp-22", ".weid-node.json.tmp-3"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("weid_tok"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := keystore.WriteSecretFile(path, []byte("weid_token\n")); err != nil {
		t.Fatal(err)
	}
	hidden, err := filepath.Glob(filepath.Join(dir, ".*"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.Join(dir, ".weid-node.json.tmp-3")}; !slices.Equal(hidden, want) {
		t.Errorf("the hidden files left are %v, want %v", hidden, want)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "weid_token\n" {
		t.Errorf("admin.token holds %q (%v)", b, err)
	}
}
