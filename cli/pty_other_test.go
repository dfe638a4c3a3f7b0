//go:build !linux

package cli

import "testing"

// runOnTerminal needs Linux's pseudo-terminals; elsewhere the test skips.
func runOnTerminal(t *testing.T, input string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	t.Skip("the terminal tests open a Linux pseudo-terminal")
	return "", "", nil
}
