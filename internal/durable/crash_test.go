package durable

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/internal/crashtest"
)

// crashChildEnv makes the test binary, re-executed by
// TestCrash_KillDashNineLeavesNoPartialFile, the writer it kills: its value
// is the directory to write in.
const crashChildEnv = "WEID_DURABLE_CRASH_DIR"

// crashFileSize is the size of every file the writer writes: large enough
// that a kill often lands in the middle of a write(2), which Linux ends
// short on a fatal signal.
const crashFileSize = 1 << 20

// crashContent is the content of the i-th write: a header naming i, then
// one byte repeated, so a file can be checked whole.
func crashContent(i int) []byte {
	head := fmt.Sprintf("%08d\n", i)
	return append([]byte(head), bytes.Repeat([]byte{'a' + byte(i%26)}, crashFileSize-len(head))...)
}

// checkComplete fails unless b is crashContent of some write.
func checkComplete(t *testing.T, path string, b []byte) {
	t.Helper()
	i, err := strconv.Atoi(string(b[:min(8, len(b))]))
	if err != nil || !bytes.Equal(b, crashContent(i)) {
		t.Errorf("%s is partial: %d bytes, starting %q", path, len(b), b[:min(16, len(b))])
	}
}

// TestCrash_KillDashNineLeavesNoPartialFile SIGKILLs a process that writes
// files in a loop — each a new one with WriteNew and then, with Replace,
// the same file over and over — ten times at random moments, and checks
// that every file is absent or complete and the replaced file holds one
// whole write, then that the next writes are not blocked by what the kills
// left. (os.WriteFile in their place fails it in most runs.)
func TestCrash_KillDashNineLeavesNoPartialFile(t *testing.T) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		crashWriter(dir)
		return
	}
	dir := t.TempDir()
	const rounds = 10
	for round := range rounds {
		crashtest.KillWriter(t, "TestCrash_KillDashNineLeavesNoPartialFile", crashChildEnv, dir, 4*time.Millisecond)
		var files, temps int
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), ".") {
				temps++ // what a kill between create and rename leaves
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			checkComplete(t, e.Name(), b)
			files++
		}
		t.Logf("round %d: %d complete files, %d temporary files left", round+1, files, temps)
		if files == 0 {
			t.Fatalf("round %d: the writer wrote nothing before the kill", round+1)
		}
	}
	// The next writer is not blocked by the leftovers.
	if err := WriteNew(filepath.Join(dir, "after"), crashContent(1), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Replace(filepath.Join(dir, "replaced"), crashContent(2), 0o600); err != nil {
		t.Fatal(err)
	}
}

// crashWriter writes until it is killed, printing a line after each
// write: new-<n> with WriteNew, then replaced with Replace.
func crashWriter(dir string) {
	start := time.Now().UnixNano()
	for i := 0; ; i++ {
		if err := WriteNew(filepath.Join(dir, fmt.Sprintf("new-%d-%d", start, i)), crashContent(i), 0o600); err != nil {
			panic(err)
		}
		if err := Replace(filepath.Join(dir, "replaced"), crashContent(i), 0o600); err != nil {
			panic(err)
		}
		fmt.Println(i)
	}
}
