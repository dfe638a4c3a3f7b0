//go:build linux

package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// openPTY opens a pseudo-terminal pair (/dev/ptmx, pts(4)): what the
// child reads from the second is a terminal to it, and what the test
// writes to the first is what the user types.
func openPTY() (master, tty *os.File, err error) {
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		return nil, nil, err
	}
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		m.Close()
		return nil, nil, fmt.Errorf("unlock pty: %w", e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		m.Close()
		return nil, nil, fmt.Errorf("pty number: %w", e)
	}
	t, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		return nil, nil, err
	}
	return m, t, nil
}

// runOnTerminal runs the weid CLI as a child whose standard input is a
// terminal on which input is typed, and returns its stdout and stderr.
func runOnTerminal(t *testing.T, input string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	m, tty, err := openPTY()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer m.Close()
	cmd := weidCommand(args...)
	var o, e bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, &o, &e
	if err := cmd.Start(); err != nil {
		tty.Close()
		t.Fatal(err)
	}
	tty.Close()
	// The terminal echoes what is typed: drain it.
	go func() { _, _ = io.Copy(io.Discard, m) }()
	if _, err := m.Write([]byte(input)); err != nil {
		t.Fatal(err)
	}
	err = waitExit(cmd, time.Minute)
	return o.String(), e.String(), err
}
