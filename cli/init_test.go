package cli

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// TestNodeInit_WithAdminKeyFile: "weid node init" founds a chain with the
// given chain id and admin key, writes the admin token, refuses a second
// init, and a node started on it serves that chain.
func TestNodeInit_WithAdminKeyFile(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node process; skipped with -short (make test runs it)")
	}
	t.Setenv("WEID_PASSPHRASE", "init test passphrase")
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "admin.key")
	data := filepath.Join(dir, "data")
	var key struct{ DID string }
	mustCLIJSON(t, &key, "key", "generate", "--out", keyFile, "--chain-id", "city-7", "-o", "json")
	var out struct {
		ChainID, AdminDid, AdminToken string
	}
	mustCLIJSON(t, &out, "node", "init", "--data", data, "--chain-id", "city-7", "--admin-key", keyFile, "-o", "json")
	if out.ChainID != "city-7" || out.AdminDid != key.DID {
		t.Fatalf("init: %+v, want admin %s on city-7", out, key.DID)
	}
	fi, err := os.Stat(out.AdminToken)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("admin token %s: %v %v", out.AdminToken, err, fi)
	}
	if _, err := runCLI(t, "node", "init", "--data", data); err == nil {
		t.Fatal("a second init on the same data succeeded")
	}
	url, cmd := startNode(t, data)
	resp, err := http.Get(url + "/v1/status")
	if err != nil {
		t.Fatal(err)
	}
	var st struct{ ChainID, AdminDid string }
	_ = json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if st.ChainID != "city-7" || st.AdminDid != key.DID {
		t.Fatalf("status %+v", st)
	}
	stopNode(t, cmd)
}
