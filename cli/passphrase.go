package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"
)

// passphrase returns the key file passphrase: from --passphrase-file, from
// WEID_PASSPHRASE, or typed at the terminal (twice when confirm is set).
func passphrase(file string, confirm bool) ([]byte, error) {
	if file != "" {
		b, err := readFile(file)
		if err != nil {
			return nil, fmt.Errorf("passphrase file: %w", err)
		}
		p := strings.TrimRight(string(b), "\r\n")
		if p == "" {
			return nil, errors.New(say("cli.passphrase.fileEmpty", "file", file))
		}
		return []byte(p), nil
	}
	if p := os.Getenv("WEID_PASSPHRASE"); p != "" {
		return []byte(p), nil
	}
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return nil, errors.New(say("cli.passphrase.none"))
	}
	fmt.Fprint(os.Stderr, say("cli.passphrase.prompt"))
	p, err := term.ReadPassword(fd)
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return nil, err
	}
	if len(p) == 0 {
		return nil, errors.New(say("cli.passphrase.empty"))
	}
	if confirm {
		fmt.Fprint(os.Stderr, say("cli.passphrase.repeat"))
		q, err := term.ReadPassword(fd)
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return nil, err
		}
		if string(p) != string(q) {
			return nil, errors.New(say("cli.passphrase.differ"))
		}
	}
	return p, nil
}
