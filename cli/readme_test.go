package cli

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestREADME_Walkthrough runs the README's walkthrough verbatim: every sh
// block from "## Five-minute walkthrough" to the end of "## Notarize
// evidence", in one bash (set -euo pipefail), against a node started on a
// free port, with ./bin/weid being this test binary acting as the CLI. As
// the README says, one variable moves it to another port: the script gets
// WEID_LISTEN (the test node's address) and no WEID_NODE. A command that
// fails without the README expecting it (`|| echo …`) fails the test.
func TestREADME_Walkthrough(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node process and runs the README; skipped with -short")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatalf("bash is needed to run the README: %v", err)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	start := strings.Index(text, "## Five-minute walkthrough")
	end := strings.Index(text, "## What is in it")
	if start < 0 || end < start {
		t.Fatal("README: the walkthrough or the section after it is missing")
	}
	var script strings.Builder
	script.WriteString("set -euo pipefail\n")
	blocks := 0
	for rest := text[start:end]; ; {
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
	if blocks < 5 {
		t.Fatalf("README: found %d sh blocks in the walkthrough", blocks)
	}

	dir := t.TempDir()
	for _, v := range []string{"WEID_NODE", "WEID_TOKEN", "WEID_CHAIN_ID", "WEID_KEYSTORE_PASSPHRASE", "WEID_DATA", "WEID_LISTEN", "WEID_WALLET", "WEID_PASSPHRASE"} {
		t.Setenv(v, "")
	}
	base, nodeCmd := startNode(t, filepath.Join(dir, "data"))
	defer stopNode(t, nodeCmd)
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
	body := script.String()
	// The data service of "Authorize and exchange data" listens on a
	// free port too.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	servicePort := l.Addr().String()
	l.Close()
	body = strings.ReplaceAll(body, "127.0.0.1:8081", servicePort)
	cmd := exec.Command("bash", "-c", body)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "WEID_LISTEN="+strings.TrimPrefix(base, "http://"), "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the README walkthrough failed: %v\n%s", err, out)
	}
	for _, want := range []string{"replayed: a challenge is accepted once", "revoked", "tampered", "refused: gpa is above the schema's maximum", "refused: the grant is revoked"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the walkthrough did not print %q:\n%s", want, out)
		}
	}
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
