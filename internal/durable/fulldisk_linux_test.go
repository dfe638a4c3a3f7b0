package durable

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestFullDisk_LeavesNoShortFile stands a file size limit (RLIMIT_FSIZE:
// writes beyond it fail with EFBIG, as on a full disk; Go ignores SIGXFSZ)
// in for a full disk: WriteNew leaves no file, Replace the old content,
// and neither leaves a temporary file. Not parallel: the limit is the
// process's.
func TestFullDisk_LeavesNoShortFile(t *testing.T) {
	dir := t.TempDir()
	old := []byte("the old settings\n")
	if err := os.WriteFile(filepath.Join(dir, "replaced"), old, 0o600); err != nil {
		t.Fatal(err)
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Skipf("cannot read the file-size limit (RLIMIT_FSIZE) that stands in for a full disk: %v", err)
	}
	small := lim
	small.Cur = 1024
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &small); err != nil {
		t.Skipf("cannot lower the file-size limit (RLIMIT_FSIZE) that stands in for a full disk: %v", err)
	}
	big := bytes.Repeat([]byte("k"), 4096)
	errNew := WriteNew(filepath.Join(dir, "kek"), big, 0o600)
	errReplace := Replace(filepath.Join(dir, "replaced"), big, 0o600)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(errNew, syscall.EFBIG) || !errors.Is(errReplace, syscall.EFBIG) {
		t.Fatalf("writes beyond the limit: WriteNew %v, Replace %v; want EFBIG", errNew, errReplace)
	}
	if _, err := os.Stat(filepath.Join(dir, "kek")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a failed WriteNew left its file: %v", err)
	}
	checkSoleFile(t, filepath.Join(dir, "replaced"), old, 0o600)
}

// TestFullDisk_WithoutHardLinksLeavesNoFile: where WriteNew writes in
// place (no hard links), a disk that fills up during that write leaves no
// short file. The file-size limit stands in for the full disk again, set
// once the temporary file is written (link is called). Not parallel.
func TestFullDisk_WithoutHardLinksLeavesNoFile(t *testing.T) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Skipf("cannot read the file-size limit (RLIMIT_FSIZE) that stands in for a full disk: %v", err)
	}
	small := lim
	small.Cur = 1024
	var setErr error
	withoutLinks(t, syscall.EPERM, func(string) { setErr = syscall.Setrlimit(syscall.RLIMIT_FSIZE, &small) })
	path := filepath.Join(t.TempDir(), "kek")
	err := WriteNew(path, bytes.Repeat([]byte("k"), 4096), 0o600)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Fatal(err)
	}
	if setErr != nil {
		t.Skipf("cannot lower the file-size limit (RLIMIT_FSIZE) that stands in for a full disk: %v", setErr)
	}
	var pe *fs.PathError
	if !errors.Is(err, syscall.EFBIG) || !errors.As(err, &pe) || pe.Path != path {
		t.Fatalf("a write beyond the limit: %v; want EFBIG naming %s", err, path)
	}
	checkNoFiles(t, filepath.Dir(path))
}
