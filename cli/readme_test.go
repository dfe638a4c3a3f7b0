package cli

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestREADME_Walkthrough runs the README's walkthrough verbatim: every sh
// block from "## Five-minute walkthrough" to the end of "## Notarize
// evidence", in one bash (set -euo pipefail), against a node started on a
// free port, with ./bin/weid being this test binary acting as the CLI. As
// the README says, one variable moves it to another port: the script gets
// WEID_LISTEN (the test node's address) and no WEID_NODE. A command that
// fails without the README expecting it (`|| echo …`) fails the test. The
// README says to run it from the repository root, so the directory holds
// the root's Go packages' directories (occupiedAsTheRoot): a command that
// writes where one of them is (weid wallet init --wallet wallet) fails here
// as it does there.
func TestREADME_Walkthrough(t *testing.T) {
	dir := t.TempDir()
	occupiedAsTheRoot(t, dir)
	script := readmeScript(t, "## Five-minute walkthrough", "## What is in it", 5)
	base, nodeCmd := startNode(t, filepath.Join(dir, "data"))
	defer stopNode(t, nodeCmd)
	body := script
	// The data service of "Authorize and exchange data" listens on a
	// free port too.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	servicePort := l.Addr().String()
	l.Close()
	body = strings.ReplaceAll(body, "127.0.0.1:8081", servicePort)
	out := runReadme(t, "README walkthrough", dir, body,
		[]string{"replayed: a challenge is accepted once", "revoked", "“撤销状态”检查未通过：已被签发者撤销", "revoked, said in Chinese", "tampered", "refused: gpa is above the schema's maximum", "refused: the grant is revoked"},
		"WEID_LISTEN="+strings.TrimPrefix(base, "http://"))
	revokedRow := false
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Fields(l)
		revokedRow = revokedRow || len(f) > 3 && f[2] == "vc+jwt" && strings.Contains(l, " revoked ")
	}
	if !revokedRow {
		t.Errorf("wallet list after the revocation shows no revoked vc+jwt diploma:\n%s", out)
	}
	t.Logf("README walkthrough output:\n%s", out)
}

// occupiedAsTheRoot makes in dir a non-empty directory for each directory
// of the repository root that holds Go files (wallet, cli, did, …): what a
// fresh clone has where the README's commands write.
func occupiedAsTheRoot(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if goFiles, _ := filepath.Glob(filepath.Join("..", e.Name(), "*.go")); !e.IsDir() || len(goFiles) == 0 {
			continue
		}
		if err := os.MkdirAll(filepath.Join(dir, e.Name()), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name(), "doc.go"), []byte("package "+e.Name()+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readmeScript returns the sh blocks of the README from the heading from
// up to the next heading at its level (or up to the text to, when given),
// as one "set -euo pipefail" script; it fails the test when the section or
// fewer than min blocks are found. It clears the WEID_ variables of the
// test's environment, for the node the test starts next and the script.
// With -short it skips the test, which starts a node process.
func readmeScript(t *testing.T, from, to string, min int) string {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a node process and runs the README; skipped with -short")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatalf("bash is needed to run the README: %v", err)
	}
	// The script and the node see the environment a new user has.
	for _, v := range []string{"WEID_NODE", "WEID_TOKEN", "WEID_CHAIN_ID", "WEID_KEYSTORE_PASSPHRASE", "WEID_DATA", "WEID_LISTEN", "WEID_WALLET", "WEID_PASSPHRASE", "WEID_CRYPTO"} {
		t.Setenv(v, "")
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	start := strings.Index(text, from)
	if start < 0 {
		t.Fatalf("README: the section %q is missing", from)
	}
	end := strings.Index(text[start+len(from):], "\n## ")
	if to != "" {
		end = strings.Index(text[start:], to)
	} else if end >= 0 {
		end += len(from)
	}
	if end < 0 {
		t.Fatalf("README: nothing follows the section %q", from)
	}
	var script strings.Builder
	script.WriteString("set -euo pipefail\n")
	blocks := 0
	for rest := text[start : start+end]; ; {
		i := strings.Index(rest, "```sh\n")
		if i < 0 {
			break
		}
		rest = rest[i+len("```sh\n"):]
		j := strings.Index(rest, "```\n")
		if j < 0 {
			t.Fatal("README: an sh block is not closed")
		}
		script.WriteString(rest[:j])
		rest = rest[j:]
		blocks++
	}
	if blocks < min {
		t.Fatalf("README: found %d sh blocks in %q", blocks, from)
	}
	return script.String()
}

// runReadme runs script in dir (readmeShell) with env and returns its
// output; it fails the test, naming the walkthrough, when the script fails
// or does not print every one of want.
func runReadme(t *testing.T, name, dir, script string, want []string, env ...string) []byte {
	t.Helper()
	out, err := readmeShell(t, dir, script, env...).CombinedOutput()
	if err != nil {
		t.Fatalf("the %s failed: %v%s\n%s", name, err, sigpipeHint(err), out)
	}
	for _, w := range want {
		if !strings.Contains(string(out), w) {
			t.Errorf("the walkthrough did not print %q:\n%s", w, out)
		}
	}
	return out
}

// sigpipeHint explains exit status 141 (128 + SIGPIPE). The README's
// commands run under "set -o pipefail", where a writer killed because its
// reader is gone fails the script: "weid status | head -n1" does, at
// random, once weid writes its report in more than one write and head
// has exited after the first line. A README command must not pipe a
// command's output into a reader that stops early unless that command
// writes what it prints at once (as "weid did create" does its DID and
// transaction).
func sigpipeHint(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 128+int(syscall.SIGPIPE) {
		return " (128 + SIGPIPE: under pipefail, a command was writing into a pipe whose reader had exited, as in \"weid … | head -n1\")"
	}
	return ""
}

// readmeShell returns a bash running script in dir as a user would: HOME=dir, and
// ./bin/weid being this test binary acting as the CLI; env adds variables.
func readmeShell(t *testing.T, dir, script string, env ...string) *exec.Cmd {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	self, err := filepath.Abs(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	wrapper := "#!/bin/sh\n" + mainEnv + "=1 exec '" + self + "' \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, "bin", "weid"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "-c", script)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "HOME="+dir), env...)
	return cmd
}
