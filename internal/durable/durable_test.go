package durable

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/weidgo/weid/internal/crashtest"
)

// checkFile fails unless path holds want with mode perm.
func checkFile(t *testing.T, path string, want []byte, perm os.FileMode) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s holds %q, want %q", path, got, want)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != perm {
		t.Errorf("%s has mode %v, want %v", path, fi.Mode().Perm(), perm)
	}
}

// checkSoleFile is checkFile, and fails unless path is all its directory
// holds: no temporary file was left beside it.
func checkSoleFile(t *testing.T, path string, want []byte, perm os.FileMode) {
	t.Helper()
	checkFile(t, path, want, perm)
	if names := crashtest.Names(t, filepath.Dir(path)); !slices.Equal(names, []string{filepath.Base(path)}) {
		t.Errorf("the directory holds %v, want only %s", names, filepath.Base(path))
	}
}

func TestWriteNew_WritesTheWholeFileWithItsModeAndNoTemp(t *testing.T) {
	t.Parallel()
	for _, perm := range []os.FileMode{0o600, 0o644} {
		dir := t.TempDir()
		path := filepath.Join(dir, "kek")
		data := bytes.Repeat([]byte{7}, 32)
		if err := WriteNew(path, data, perm); err != nil {
			t.Fatal(err)
		}
		checkSoleFile(t, path, data, perm)
	}
}

func TestWriteNew_ExistingFileIsUntouchedAndErrExist(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "token")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := WriteNew(path, []byte("new"), 0o600)
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("WriteNew over an existing file: %v, want fs.ErrExist", err)
	}
	// The message of an exclusive create, as callers printed before.
	if want := "open " + path + ": file exists"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	checkSoleFile(t, path, []byte("old"), 0o600)
}

func TestWriteNew_RefusesAnExistingSymlink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "key")
	if err := os.Symlink(filepath.Join(dir, "nowhere"), path); err != nil {
		t.Skipf("this file system cannot make symbolic links, so there is no link to refuse: %v", err)
	}
	if err := WriteNew(path, []byte("k"), 0o600); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("WriteNew over a dangling symlink: %v, want fs.ErrExist", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "nowhere")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("WriteNew wrote through the symlink: %v", err)
	}
}

// TestLeftoverTempDoesNotBlock: a temporary file a crash left, even one
// with the name the next write might pick, stops neither function.
func TestLeftoverTempDoesNotBlock(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"a.json", "b.json"} {
		for _, left := range []string{".tmp-", "1234567", "999"} {
			if err := os.WriteFile(filepath.Join(dir, "."+name+".tmp-"+left), []byte("partial"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := WriteNew(filepath.Join(dir, "a.json"), []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Replace(filepath.Join(dir, "b.json"), []byte("[]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	checkFile(t, filepath.Join(dir, "a.json"), []byte("{}\n"), 0o600)
	checkFile(t, filepath.Join(dir, "b.json"), []byte("[]\n"), 0o600)
}

// TestTempNamesAreHiddenAndKeepNoSuffix: a listing that picks files by
// their suffix (the wallet's credentials, "*.json") never picks a
// temporary file, and IsTemp knows it for its target's.
func TestTempNamesAreHiddenAndKeepNoSuffix(t *testing.T) {
	t.Parallel()
	tmp, err := writeTemp(filepath.Join(t.TempDir(), "abc.json"), []byte("x"), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Base(tmp)
	if name[0] != '.' || filepath.Ext(name) == ".json" {
		t.Errorf("temporary file %q: want a hidden name not ending in .json", name)
	}
	if !IsTemp(name, "abc.json") || IsTemp(name, "abc") || IsTemp("abc.json", "abc.json") {
		t.Errorf("IsTemp does not tell %q, the temporary file of abc.json, from others", name)
	}
}

func TestReplace_SwapsContentAndSetsMode(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "weid-node.json")
	if err := Replace(path, []byte("first, and longer than the second\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	checkFile(t, path, []byte("first, and longer than the second\n"), 0o600)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Replace(path, []byte("second\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	checkSoleFile(t, path, []byte("second\n"), 0o600)
}

// TestReplace_FollowsSymlink: as os.WriteFile did, a symlink's target is
// what is written, whether it exists or not yet (a dangling link, made
// before the file: the target lies in a subdirectory, so a relative link
// is read against the link's own directory); the link stays.
func TestReplace_FollowsSymlink(t *testing.T) {
	t.Parallel()
	for name, existing := range map[string]bool{"existing target": true, "dangling": false} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			target, link := filepath.Join(dir, "sub", "real.jwt"), filepath.Join(dir, "grant.jwt")
			if err := os.Mkdir(filepath.Dir(target), 0o700); err != nil {
				t.Fatal(err)
			}
			if existing {
				if err := os.WriteFile(target, []byte("old"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Symlink(filepath.Join("sub", "real.jwt"), link); err != nil {
				t.Skipf("this file system cannot make symbolic links, so there is no link to follow: %v", err)
			}
			if err := Replace(link, []byte("new"), 0o600); err != nil {
				t.Fatal(err)
			}
			checkFile(t, target, []byte("new"), 0o600)
			if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
				t.Errorf("%s is no longer a symlink (%v)", link, err)
			}
		})
	}
}

// TestErrorsNameTheTarget: a failed write names the file asked for, not
// the temporary file beside it.
func TestErrorsNameTheTarget(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "missing", "weid.key")
	for name, write := range map[string]func(string, []byte, os.FileMode) error{"WriteNew": WriteNew, "Replace": Replace} {
		err := write(path, []byte("k"), 0o600)
		var pe *fs.PathError
		if !errors.As(err, &pe) || pe.Path != path || !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: %v, want an error naming %s", name, err, path)
		}
	}
}

// TestReplace_WritesToADevice: a device (--out /dev/stdout) is written
// to, not replaced.
func TestReplace_WritesToADevice(t *testing.T) {
	t.Parallel()
	fi, err := os.Stat(os.DevNull)
	if err != nil || fi.Mode().IsRegular() {
		t.Skip("this system has no /dev/null character device to write to")
	}
	if err := Replace(os.DevNull, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if fi2, err := os.Stat(os.DevNull); err != nil || fi2.Mode() != fi.Mode() {
		t.Fatalf("%s changed: %v, %v", os.DevNull, fi2, err)
	}
}

// TestRemoveTemps: the temporary files of path go; the file itself, and
// another file's temporaries, stay; a missing directory has none to remove.
func TestRemoveTemps(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"kek", ".kek.tmp-1", ".kek.tmp-22", ".kek2.tmp-3", ".wallet.json.tmp-4"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := RemoveTemps(filepath.Join(dir, "kek")); err != nil {
		t.Fatal(err)
	}
	names := crashtest.Names(t, dir)
	if want := []string{".kek2.tmp-3", ".wallet.json.tmp-4", "kek"}; !slices.Equal(names, want) {
		t.Errorf("left %v, want %v", names, want)
	}
	if err := RemoveTemps(filepath.Join(dir, "missing", "kek")); err != nil {
		t.Errorf("RemoveTemps in a directory that does not exist: %v", err)
	}
}

// TestMkdirAll_MakesTheMissingDirectories: the directories path lacks are
// made with mode perm, and they are the ones MkdirAll fsyncs (with the
// directory holding the topmost); an existing path is no error and makes
// nothing.
func TestMkdirAll_MakesTheMissingDirectories(t *testing.T) {
	t.Parallel()
	top := t.TempDir()
	path := filepath.Join(top, "data", "keystore", "sub")
	want := []string{path, filepath.Join(top, "data", "keystore"), filepath.Join(top, "data")}
	if got := missingDirs(path); !slices.Equal(got, want) {
		t.Errorf("missingDirs(%s) = %v, want %v", path, got, want)
	}
	if err := MkdirAll(path, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, d := range want {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v, %v; want a directory of mode 0700", d, fi, err)
		}
	}
	if got := missingDirs(path); len(got) != 0 {
		t.Errorf("missingDirs of an existing directory = %v, want none", got)
	}
	if err := MkdirAll(path, 0o700); err != nil {
		t.Errorf("MkdirAll of an existing directory: %v", err)
	}
}

// TestMkdirAll_FileInTheWay: a file where a directory should be is an
// error naming it, as os.MkdirAll's is.
func TestMkdirAll_FileInTheWay(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "wallet")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	err := MkdirAll(filepath.Join(file, "credentials"), 0o700)
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != file {
		t.Errorf("MkdirAll through a file: %v, want an error naming %s", err, file)
	}
}

// TestReplace_RelativeLinkInALinkedDirectory: a relative link's ".." is
// taken from the directory the link really is in, as the kernel takes it,
// not from the path's text (d/sub is a link to other/real, in which f links
// to ../g: d/sub/f names other/g, not d/g).
func TestReplace_RelativeLinkInALinkedDirectory(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	real := filepath.Join(root, "other", "real")
	for _, d := range []string{real, filepath.Join(root, "d")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	named := filepath.Join(root, "other", "g")
	if err := os.WriteFile(named, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, filepath.Join(root, "d", "sub")); err != nil {
		t.Skipf("this file system cannot make symbolic links, so there is no link to follow: %v", err)
	}
	if err := os.Symlink(filepath.Join("..", "g"), filepath.Join(real, "f")); err != nil {
		t.Fatal(err)
	}
	if err := Replace(filepath.Join(root, "d", "sub", "f"), []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	checkFile(t, named, []byte("new"), 0o600)
	if _, err := os.Lstat(filepath.Join(root, "d", "g")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a file was written at d/g, beside the link's path instead of where it points (%v)", err)
	}
}

// TestCheckWritable_RefusesADirectoryAndAMissingDirectory: a path that is a
// directory, or lies in a directory that does not exist, cannot take a
// file; a new file beside others and an existing file can, and the check
// leaves nothing behind.
func TestCheckWritable_RefusesADirectoryAndAMissingDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := CheckWritable(dir); err == nil || err.Error() != "write "+dir+": is a directory" {
		t.Errorf("a directory: %v", err)
	}
	missing := filepath.Join(dir, "nodir", "grant.jwt")
	if err := CheckWritable(missing); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("a missing directory: %v", err)
	}
	file := filepath.Join(dir, "grant.jwt")
	if err := CheckWritable(file); err != nil {
		t.Errorf("a new file: %v", err)
	}
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := CheckWritable(file); err != nil {
		t.Errorf("an existing file: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("the directory holds %d entries, want the one file", len(ents))
	}
}
