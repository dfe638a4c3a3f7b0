package durable

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/weidgo/weid/internal/crashtest"
)

// withoutLinks makes WriteNew meet a file system without hard links for
// the rest of the test: link fails with errno, after calling before (if
// any) with the target's path. Tests that use it are not parallel: link is
// the package's.
func withoutLinks(t *testing.T, errno syscall.Errno, before func(path string)) {
	t.Helper()
	saved := link
	t.Cleanup(func() { link = saved })
	link = func(oldname, newname string) error {
		if before != nil {
			before(newname)
		}
		return &os.LinkError{Op: "link", Old: oldname, New: newname, Err: errno}
	}
}

// TestWriteNew_WithoutHardLinksWritesInPlace: where link(2) fails as on
// FAT (EPERM) or a file system that has no links at all (ENOTSUP), WriteNew
// still writes the whole file with its mode, leaves no temporary file, and
// never touches an existing file.
func TestWriteNew_WithoutHardLinksWritesInPlace(t *testing.T) {
	for _, errno := range []syscall.Errno{syscall.EPERM, syscall.ENOTSUP} {
		t.Run(errno.Error(), func(t *testing.T) {
			withoutLinks(t, errno, nil)
			dir := t.TempDir()
			path := filepath.Join(dir, "holder.key")
			if err := WriteNew(path, []byte("the key\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			checkSoleFile(t, path, []byte("the key\n"), 0o600)
			err := WriteNew(path, []byte("another key\n"), 0o644)
			if want := "open " + path + ": file exists"; !errors.Is(err, fs.ErrExist) || err.Error() != want {
				t.Errorf("WriteNew over an existing file: %v, want %q", err, want)
			}
			checkSoleFile(t, path, []byte("the key\n"), 0o600)
		})
	}
}

// TestWriteNew_WithoutHardLinksIsExclusive: a file that appears between
// the temporary file and the in-place write (another writer of the same
// name) is not overwritten: the create is exclusive (O_EXCL).
func TestWriteNew_WithoutHardLinksIsExclusive(t *testing.T) {
	withoutLinks(t, syscall.EPERM, func(path string) {
		if err := os.WriteFile(path, []byte("theirs"), 0o600); err != nil {
			t.Fatal(err)
		}
	})
	path := filepath.Join(t.TempDir(), "wallet.json")
	err := WriteNew(path, []byte("ours"), 0o600)
	if want := "open " + path + ": file exists"; !errors.Is(err, fs.ErrExist) || err.Error() != want {
		t.Errorf("WriteNew racing another writer: %v, want %q", err, want)
	}
	checkSoleFile(t, path, []byte("theirs"), 0o600)
}

// TestWriteNew_LinkErrorsNameTheTarget: a failed link or in-place create
// reports the file asked for, not the temporary file, and leaves nothing
// behind.
func TestWriteNew_LinkErrorsNameTheTarget(t *testing.T) {
	t.Run("link fails", func(t *testing.T) {
		withoutLinks(t, syscall.EMLINK, nil)
		path := filepath.Join(t.TempDir(), "admin.token")
		err := WriteNew(path, []byte("tok\n"), 0o600)
		if want := "link " + path + ": too many links"; !errors.Is(err, syscall.EMLINK) || err.Error() != want {
			t.Errorf("WriteNew: %v, want %q", err, want)
		}
		checkNoFiles(t, filepath.Dir(path))
	})
	t.Run("in-place create fails", func(t *testing.T) {
		// The directory goes between the temporary file and the create.
		withoutLinks(t, syscall.EPERM, func(path string) {
			if err := os.RemoveAll(filepath.Dir(path)); err != nil {
				t.Fatal(err)
			}
		})
		path := filepath.Join(t.TempDir(), "sub", "admin.token")
		if err := os.Mkdir(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		err := WriteNew(path, []byte("tok\n"), 0o600)
		var pe *fs.PathError
		if !errors.As(err, &pe) || pe.Path != path || !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("WriteNew: %v, want an error naming %s", err, path)
		}
	})
}

// checkNoFiles fails unless dir is empty.
func checkNoFiles(t *testing.T, dir string) {
	t.Helper()
	if names := crashtest.Names(t, dir); len(names) > 0 {
		t.Errorf("%s holds %v, want nothing", dir, names)
	}
}
