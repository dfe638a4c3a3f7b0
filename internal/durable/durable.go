// Package durable writes the files weid keeps outside its databases (the
// keystore's key-encryption key, admin token files, wallets, key files,
// a node's settings, genesis and keys) so that a crash (kill -9), a power loss or
// a full disk never leaves one half-written: each write goes to a
// temporary file in the same directory, is fsynced, and is put in place
// with one atomic link or rename, then the directory is fsynced (POSIX
// rename(2) and link(2) are atomic; the file's data and the directory
// entry are on stable storage only once fsync(2) on each returns).
//
// The temporary files are named "." + the target's name + ".tmp-" + random
// digits: hidden, and never ending in the target's own suffix (".json"), so
// a directory listing that picks files by suffix never reads one. A crash
// can leave one behind; it blocks no later write, and RemoveTemps sweeps
// them.
//
// A file is only as durable as the directory entries leading to it: a
// directory made for such files is made with MkdirAll, which fsyncs each
// new directory and the one holding the topmost of them.
package durable

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// WriteNew creates path holding data, with mode perm (set exactly: the
// umask does not apply). After a crash, a power loss or a failed write path
// is either absent or complete, never short, and once WriteNew returns nil
// the file and its name are on stable storage. An existing path (a
// symbolic link included) is never touched: WriteNew then returns an
// *fs.PathError "open <path>: file exists" matching fs.ErrExist, as an
// exclusive create does. Should only the final sync of the directory fail,
// the (complete) file stays and that error is returned: its name may not
// survive a power loss.
//
// On a file system without hard links (FAT, exFAT, some network file
// systems) it creates path exclusively (O_EXCL) and writes it in place
// instead, fsyncing the file and then the directory as above: an existing
// file is still never touched, and a failed write removes what it
// created, but a crash mid-write can leave path short there.
func WriteNew(path string, data []byte, perm os.FileMode) error {
	tmp, err := writeTemp(path, data, perm)
	if err != nil {
		return err
	}
	err = link(tmp, path)
	os.Remove(tmp)
	var le *os.LinkError
	switch {
	case errors.As(err, &le) && errors.Is(le.Err, fs.ErrExist):
		return &fs.PathError{Op: "open", Path: path, Err: le.Err}
	case errors.As(err, &le) && (errors.Is(le.Err, errors.ErrUnsupported) || errors.Is(le.Err, syscall.EPERM)):
		return writeExcl(path, data, perm)
	case err != nil:
		return targetError(err, path)
	}
	return SyncDir(filepath.Dir(path))
}

// link is os.Link; the tests replace it to take WriteNew down the path of
// a file system without hard links.
var link = os.Link

// Replace writes data to path, with mode perm (set exactly), in place of
// whatever path held: after a crash, a power loss or a failed write path
// holds either its old content or data, never a mix or a short file, and
// once Replace returns nil the new content is on stable storage. A
// symbolic link is followed, even one naming a file that does not exist
// yet: the file it names is written, the link stays. A path that
// names something other than a regular file (a device such as /dev/stdout,
// a named pipe) has no content to keep: data is written to it as
// os.WriteFile would.
func Replace(path string, data []byte, perm os.FileMode) error {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return os.WriteFile(path, data, perm)
	}
	path, err := followLinks(path)
	if err != nil {
		return err
	}
	tmp, err := writeTemp(path, data, perm)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return targetError(err, path)
	}
	return SyncDir(filepath.Dir(path))
}

// Rename moves the file oldpath, written durably beside newpath (WriteNew),
// over newpath with one atomic rename(2) and fsyncs their directory: after
// a crash newpath holds its old content or oldpath's, and once Rename
// returns nil the move is on stable storage. For a file that must be kept
// whole under another name before it takes newpath's place (the admin
// token a rotation writes first to admin.token.next).
func Rename(oldpath, newpath string) error {
	if err := os.Rename(oldpath, newpath); err != nil {
		return err
	}
	return SyncDir(filepath.Dir(newpath))
}

// SyncFile fsyncs the file at path and its directory: for a file another
// library wrote and renamed into place without syncing the directory
// (CometBFT's validator key and state), so that it and its name are on
// stable storage before weid counts on it.
func SyncFile(path string) error {
	if err := syncPath(path); err != nil {
		return err
	}
	return SyncDir(filepath.Dir(path))
}

// MkdirAll makes the directory path and any parents it lacks, as
// os.MkdirAll does (mode perm, before the umask), and fsyncs each
// directory it made and the directory holding the topmost of them, so
// that files written durably into path do not vanish with it after a
// power loss. A path that already exists is left as it is.
func MkdirAll(path string, perm os.FileMode) error {
	made := missingDirs(path)
	if err := os.MkdirAll(path, perm); err != nil || len(made) == 0 {
		return err
	}
	for _, d := range append(made, filepath.Dir(made[len(made)-1])) {
		if err := SyncDir(d); err != nil {
			return err
		}
	}
	return nil
}

// missingDirs returns path and those of its parents that do not exist, path
// first: the directories MkdirAll makes.
func missingDirs(path string) []string {
	var dirs []string
	for p := filepath.Clean(path); filepath.Dir(p) != p; p = filepath.Dir(p) {
		if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
			break
		}
		dirs = append(dirs, p)
	}
	return dirs
}

// SyncDir fsyncs the directory dir, so that the names created, renamed or
// removed in it survive a power loss. A file system that cannot sync a
// directory (EINVAL) is taken to need no sync, as goleveldb does.
func SyncDir(dir string) error { return syncPath(dir) }

// syncPath opens path, fsyncs and closes it; EINVAL from fsync (a file
// system that cannot sync it) is no error.
func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	if err = f.Sync(); errors.Is(err, syscall.EINVAL) {
		err = nil
	}
	return errors.Join(err, f.Close())
}

// RemoveTemps removes the temporary files a crash left beside path (see
// the package comment): partial or whole copies of what was being
// written, which for a secret (the keystore's kek) should not outlive the
// crash. Call it only where nothing else writes path meanwhile: under a
// lock every writer of path holds (the keystore's database lock for its
// kek and the admin token), or where path is written once and that write
// is known to be over. A directory that does not exist holds none.
func RemoveTemps(path string) error {
	dir, base := filepath.Dir(path), filepath.Base(path)
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var errList []error
	for _, e := range ents {
		if IsTemp(e.Name(), base) {
			errList = append(errList, os.Remove(filepath.Join(dir, e.Name())))
		}
	}
	return errors.Join(errList...)
}

// IsTemp reports whether name, a file's base name, is that of a temporary
// file WriteNew or Replace makes beside the file named target (a base name
// too): for a listing that must tell such leftovers from other files.
func IsTemp(name, target string) bool {
	return strings.HasPrefix(name, "."+target+".tmp-")
}

// writeTemp writes data with mode perm to a new temporary file beside
// path, fsynced and closed, and returns its name; on failure it leaves
// nothing behind.
// An error names path, not the temporary file ("open dir/k: no such file
// or directory", "write dir/k: no space left on device"), as a write to
// path itself would.
func writeTemp(path string, data []byte, perm os.FileMode) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err == nil {
		err = fill(f, data, perm)
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			pe.Path = path
		}
		return "", err
	}
	return f.Name(), nil
}

// maxLinks bounds the symbolic links followLinks follows (Linux's own
// bound, MAXSYMLINKS, is 40).
const maxLinks = 40

// followLinks returns the path a chain of symbolic links starting at path
// ends at, whether or not a file is there yet; path itself when it is no
// link.
func followLinks(path string) (string, error) {
	for range maxLinks {
		fi, err := os.Lstat(path)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		target, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(target) {
			// Not filepath.Join: it would take "dir/link/.." away as
			// text, where the kernel goes to the parent of the
			// directory the link names.
			target = filepath.Dir(path) + string(filepath.Separator) + target
		}
		if path, err = physical(target); err != nil {
			return "", err
		}
	}
	return "", &fs.PathError{Op: "open", Path: path, Err: syscall.ELOOP}
}

// targetError returns err, from a link or rename of a temporary file onto
// path, as an *fs.PathError naming path ("rename dir/k: ..."): the file the
// caller asked for, not the temporary one.
func targetError(err error, path string) error {
	var le *os.LinkError
	if errors.As(err, &le) {
		return &fs.PathError{Op: le.Op, Path: path, Err: le.Err}
	}
	return err
}

// physical returns path with the symbolic links and ".." of its directory
// resolved as the kernel resolves them (its last element, which may not
// exist yet, is kept as it is).
func physical(path string) (string, error) {
	i := strings.LastIndexByte(path, filepath.Separator)
	dir, base := path[:i+1], path[i+1:]
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", err
	}
	return filepath.Join(real, base), nil
}

// writeExcl is WriteNew where hard links are not supported: an exclusive
// create written in place, fsynced, then its directory fsynced; on a
// failed write the file is removed (fill).
func writeExcl(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if err := fill(f, data, perm); err != nil {
		return err
	}
	return SyncDir(filepath.Dir(path))
}

// fill writes data to the new file f, sets its mode to perm, fsyncs and
// closes it; if any of that fails it removes the file.
func fill(f *os.File, data []byte, perm os.FileMode) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if err = errors.Join(err, f.Close()); err != nil {
		os.Remove(f.Name())
	}
	return err
}

// CheckWritable reports whether Replace or WriteNew could write path now:
// path is not a directory, and a file can be made (and is removed again)
// in the directory that holds it. A command that does something it cannot
// undo (submits a transaction) and then writes the result to path checks
// first, so that the result is not lost to a path that could never take
// it. A device or named pipe at path passes: Replace writes to it.
func CheckWritable(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return &fs.PathError{Op: "write", Path: path, Err: ErrIsDir}
	} else if err == nil && !fi.Mode().IsRegular() {
		return nil
	}
	real, err := followLinks(path)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(real), "."+filepath.Base(real)+".tmp-*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			pe.Path = path
		}
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}

// ErrIsDir is the error CheckWritable gives (in an *fs.PathError) for a
// path naming a directory: "write adir: is a directory".
var ErrIsDir = syscall.EISDIR
