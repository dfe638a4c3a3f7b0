package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/internal/hsmtest"
	"github.com/weidgo/weid/keys"
)

// TestNode_PKCS11: a node started with a PKCS#11 token (SoftHSM2) keeps its
// keys there and creates accounts with new and imported keys; a module
// path that is not a module, or a wrong PIN, is one clear line and writes
// nothing.
func TestNode_PKCS11(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node process; skipped with -short (make test runs it)")
	}
	token := hsmtest.Token(t) // sets SOFTHSM2_CONF, which the children inherit
	dir := t.TempDir()
	wrongPIN := filepath.Join(dir, "wrong-pin")
	os.WriteFile(wrongPIN, []byte("0000\n"), 0o600)
	for _, tc := range []struct {
		name  string
		flags []string
		says  string
	}{
		{"not a module", []string{"--pkcs11-module", "/etc/hostname", "--pkcs11-token", token.Token, "--pkcs11-pin-file", token.PINFile}, "weid: PKCS#11: /etc/hostname is not a PKCS#11 module"},
		{"wrong PIN", []string{"--pkcs11-module", token.Module, "--pkcs11-token", token.Token, "--pkcs11-pin-file", wrongPIN}, "wrong PIN"},
		{"no such token", []string{"--pkcs11", "pkcs11:token=nope?module-path=" + token.Module + "&pin-source=file:" + token.PINFile}, `no token labelled "nope"`},
	} {
		data := filepath.Join(dir, "bad-"+strings.ReplaceAll(tc.name, " ", "-"))
		_, stderr, code := runChild(t, append([]string{"node", "init", "--data", data}, tc.flags...)...)
		if code == 0 || !strings.Contains(stderr, tc.says) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("%s: exit %d, stderr %q; want one line saying %q", tc.name, code, stderr, tc.says)
		}
		if _, err := os.Stat(data); !os.IsNotExist(err) {
			t.Errorf("%s: the failed init wrote %s", tc.name, data)
		}
	}

	data := filepath.Join(dir, "data")
	url, cmd := startNode(t, data, "--pkcs11", "pkcs11:token="+token.Token+"?module-path="+token.Module+"&pin-source=file:"+token.PINFile)
	adminTok, err := os.ReadFile(filepath.Join(data, "admin.token"))
	if err != nil {
		t.Fatal(err)
	}
	admin := []string{"--node", url, "--token", strings.TrimSpace(string(adminTok))}
	var made struct{ DID string }
	mustCLIJSON(t, &made, append([]string{"account", "create", "--name", "uni", "--key-type", "P-256"}, admin...)...)

	// An institution's encrypted secp256k1 PEM, opened on the client.
	pass := filepath.Join(dir, "pass")
	os.WriteFile(pass, []byte("correct-horse\n"), 0o600)
	k, err := keys.ParsePrivateKey(mustReadFile(t, "../keys/testdata/import/p256-encrypted.pem"), []byte("correct-horse"))
	if err != nil {
		t.Fatal(err)
	}
	var imported struct{ DID, DIDKey string }
	mustCLIJSON(t, &imported, append([]string{"account", "create", "--name", "bank", "--import-key", "../keys/testdata/import/p256-encrypted.pem", "--passphrase-file", pass, "--did-key"}, admin...)...)
	if imported.DID != did.WeidDID("1", k.Public()) || imported.DIDKey != did.KeyDID(k.Public()) {
		t.Fatalf("imported account %+v is not the key's", imported)
	}
	_, err = runCLI(t, append([]string{"account", "create", "--name", "bank2", "--import-key", "../keys/testdata/import/p256-public.pem"}, admin...)...)
	if err == nil || !strings.Contains(err.Error(), "public key only") {
		t.Fatalf("a public key imported: %v", err)
	}
	stopNode(t, cmd)
}

func mustReadFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
