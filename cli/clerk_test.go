package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Mistakes a clerk makes at the command line, and what the CLI says.

// TestAuthzGrant_OutIsADirectoryRefusedBeforeTheGrantIsRecorded: a grant
// cannot be taken back once it is on the ledger, so an --out that could
// never take its token (a directory, a directory that does not exist) is
// refused before anything is sent, and no grant is recorded.
func TestAuthzGrant_OutIsADirectoryRefusedBeforeTheGrantIsRecorded(t *testing.T) {
	n := startTestNode(t)
	t.Setenv("WEID_PASSPHRASE", "clerk test passphrase")
	alice, aliceKey := n.NewDID(t, "alice")
	bank, _ := n.NewDID(t, "bank")
	adir := t.TempDir()
	grant := func(out string) error {
		_, err := runCLI(t, n.With("authz", "grant", "--key", aliceKey, "--grantee", bank, "--resource", "http://x/",
			"--scope", "degree", "--expires", "72h", "--purpose", "p", "--out", out)...)
		return err
	}
	if err := grant(adir); err == nil || !strings.Contains(err.Error(), adir+": is a directory") {
		t.Errorf("--out a directory: %v", err)
	}
	if err := grant(filepath.Join(adir, "nodir", "g.jwt")); err == nil || !strings.Contains(err.Error(), "no such file or directory") {
		t.Errorf("--out in a missing directory: %v", err)
	}
	if out := mustCLI(t, n.With("authz", "list", "--grantor", alice)...); strings.TrimSpace(out) != "" {
		t.Errorf("a refused grant was recorded: %s", out)
	}
	// A write that fails only once the grant is recorded (/dev/full takes
	// the check, not the token) says so and prints the token.
	if _, err := os.Stat("/dev/full"); err == nil {
		out, err := runCLI(t, n.With("authz", "grant", "--key", aliceKey, "--grantee", bank, "--resource", "http://x/",
			"--scope", "degree", "--purpose", "p", "--out", "/dev/full")...)
		if err == nil || !strings.HasPrefix(err.Error(), "the grant urn:uuid:") || !strings.Contains(err.Error(), " is recorded, but writing /dev/full failed: ") {
			t.Errorf("--out /dev/full: %v", err)
		}
		if !strings.Contains(out, "\ntoken ey") {
			t.Errorf("--out /dev/full printed no token:\n%s", out)
		}
	}
	g := filepath.Join(adir, "g.jwt")
	if err := grant(g); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(g); err != nil || strings.Count(string(b), ".") != 2 {
		t.Errorf("--out file: %q %v", b, err)
	}
}

// TestAuthzGrant_MissingFlagNamesIt: a grant without --purpose (or another
// flag the grant needs) is refused by the CLI naming the flag, not by the
// node naming a JSON member.
func TestAuthzGrant_MissingFlagNamesIt(t *testing.T) {
	_, err := runCLI(t, "authz", "grant", "--token", "x", "--grantee", "did:weid:1:0x1", "--resource", "http://x/", "--scope", "degree", "--node", "http://127.0.0.1:1")
	if err == nil || err.Error() != "--purpose is required: why the grantee may use the data" {
		t.Errorf("without --purpose: %v", err)
	}
	_, err = runCLI(t, "authz", "grant", "--token", "x", "--grantee", "did:weid:1:0x1", "--resource", "http://x/", "--purpose", "p", "--node", "http://127.0.0.1:1")
	if err == nil || !strings.HasPrefix(err.Error(), "--scope is required") {
		t.Errorf("without --scope: %v", err)
	}
}

// TestKeyGenerate_OutIsADirectorySaysSo: --out naming a directory is said
// to be one, with or without --force, and the directory is left alone.
func TestKeyGenerate_OutIsADirectorySaysSo(t *testing.T) {
	t.Setenv("WEID_PASSPHRASE", "key test passphrase")
	adir := t.TempDir()
	for _, force := range [][]string{nil, {"--force"}} {
		_, err := runCLI(t, append([]string{"key", "generate", "--out", adir}, force...)...)
		if err == nil || err.Error() != "--out: write "+adir+": is a directory" {
			t.Errorf("key generate %v --out a directory: %v", force, err)
		}
	}
	if ents, _ := os.ReadDir(adir); len(ents) != 0 {
		t.Errorf("the directory holds %d entries", len(ents))
	}
}

// TestKeyFlag_NotAKeyFileOrNoPassphraseFileSaysSo: --key naming a
// credential, a JSON array or a file cut short says it is not a weid key
// file and how to make one; a --passphrase-file that is not there is named
// as the passphrase file.
func TestKeyFlag_NotAKeyFileOrNoPassphraseFileSaysSo(t *testing.T) {
	t.Setenv("WEID_PASSPHRASE", "clerk test passphrase")
	dir := t.TempDir()
	for name, body := range map[string]string{"arr.json": "[1]", "diploma.json": `{"@context":["https://www.w3.org/ns/credentials/v2"],"credentialSubject":{}}`, "cut.key": `{"version":1,"ty`} {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := runCLI(t, "did", "create", "--key", f, "--node", "http://127.0.0.1:1")
		if err == nil || !strings.HasPrefix(err.Error(), f+" is not a weid key file (") || !strings.HasSuffix(err.Error(), "); make one with weid key generate") {
			t.Errorf("--key %s: %v", name, err)
		}
	}
	_, err := runCLI(t, "did", "create", "--key", filepath.Join(dir, "arr.json"), "--passphrase-file", "/nonexistent", "--node", "http://127.0.0.1:1")
	if err == nil || err.Error() != "passphrase file: open /nonexistent: no such file or directory" {
		t.Errorf("--passphrase-file /nonexistent: %v", err)
	}
}

// TestInputFiles_NamedWhenNoCredentialOrTooLarge: a file that is JSON but
// no credential, or text that is no JWT, is said to be neither; a file
// larger than the node takes is refused naming it, before it is sent.
func TestInputFiles_NamedWhenNoCredentialOrTooLarge(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	null, arr, broken := write("null.json", "null\n"), write("arr.json", "[1]"), write("broken.json", "not a grant\n")
	huge := write("huge.jwt", "eyJ."+strings.Repeat("a", maxInput)+".x")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"vc", "verify", null}, null + " is neither a JSON credential nor a JWT/SD-JWT (it holds the JSON literal null)"},
		{[]string{"vc", "verify", arr}, arr + " is neither a JSON credential nor a JWT/SD-JWT (it holds a JSON array)"},
		{[]string{"authz", "verify", broken}, broken + " is neither a JSON credential nor a JWT/SD-JWT (it holds text)"},
		{[]string{"vc", "verify", huge}, huge + " is larger than 1 MiB (the node takes at most 1 MiB in a request)"},
	} {
		_, err := runCLI(t, append(c.args, "--node", "http://127.0.0.1:1")...)
		if err == nil || err.Error() != c.want {
			t.Errorf("weid %s: %v\nwant %s", strings.Join(c.args, " "), err, c.want)
		}
	}
}

// TestIssuerRecognize_NoSignerNamesTheFlag: an account token (not the
// admin's) without --signer is told to give --signer, not to name a DID in
// the JSON member "signer" the user never typed.
func TestIssuerRecognize_NoSignerNamesTheFlag(t *testing.T) {
	n := startTestNode(t)
	t.Setenv("WEID_PASSPHRASE", "clerk test passphrase")
	_, token := n.University(t, false, "")
	bank, _ := n.NewDID(t, "bank")
	_, err := runCLI(t, n.With("issuer", "recognize", bank, "--name", "Bank", "--token", token)...)
	if err == nil || !strings.Contains(oneLine(err), "give --signer, a DID of the token's account, or use an admin token (request.malformed, HTTP 400)") {
		t.Errorf("issuer recognize without --signer: %v", err)
	}
}

// TestVerifyBatch_CtrlCWritesWholeLinesAndSaysHowFar: SIGINT during
// verify-batch -o ndjson stops it with exit status 130; every line it wrote
// is a whole result, and stderr says how far it got.
func TestVerifyBatch_CtrlCWritesWholeLinesAndSaysHowFar(t *testing.T) {
	n := startTestNode(t)
	in := filepath.Join(n.Dir, "big.ndjson")
	const total = 200000
	if err := os.WriteFile(in, []byte(strings.Repeat("\"eyJhbGciOiJFZERTQSJ9.e30.c2ln\"\n", total)), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := weidCommand(n.With("vc", "verify-batch", in, "-o", "ndjson")...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(stdout)
	first, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("first line: %v", err)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(r)
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Errorf("exit: %v, want status 130; stderr %s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSuffix(first+string(rest), "\n"), "\n")
	for i, l := range lines {
		var v struct{ Index *int }
		if err := json.Unmarshal([]byte(l), &v); err != nil || v.Index == nil {
			t.Fatalf("line %d is no whole result: %q (%v)", i, l, err)
		}
	}
	want := fmt.Sprintf("weid: interrupted after %d of %d credentials\n", len(lines), total)
	if stderr.String() != want {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}
}
