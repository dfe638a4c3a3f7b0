package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/keys"
)

// runWithStderr runs the CLI in-process as Main does and returns what it
// wrote on stdout and on stderr, and its error.
func runWithStderr(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	root := NewRoot()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	_, err := root.ExecuteContextC(ctx)
	return out.String(), errOut.String(), err
}

// TestCLI_PendingDIDWritePrintsTheDID: a node that answers a DID write 202
// (its block did not come within the node's commit wait) still gets the
// DID printed on the first line, as for a committed write, so that
// DID=$(weid did create … | head -n1) holds it; stderr says the write is
// pending, with its hash and how to follow it; the exit status is 0. A
// node that leaves the DID out of its 202 (before the fix) gets the DID
// the CLI signed for.
func TestCLI_PendingDIDWritePrintsTheDID(t *testing.T) {
	t.Setenv("WEID_PASSPHRASE", "pending test passphrase")
	const hash = "4249aa0000000000000000000000000000000000000000000000000000000042"
	k, err := keys.Generate(keys.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "k.key")
	mustCLI(t, "key", "generate", "--out", keyFile)
	signed, _, err := loadKey(keyFile, "")
	if err != nil {
		t.Fatal(err)
	}
	signedDID := did.WeidDID("1", signed.Public())
	custodialDID := did.WeidDID("1", k.Public())
	var answerDID string // what the node puts in its 202 for the signed creation
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == "GET" && r.URL.Path == "/v1/status":
			_ = json.NewEncoder(w).Encode(api.StatusResponse{ChainID: "1"})
		case r.Method == "POST" && r.URL.Path == "/v1/dids":
			var body map[string]json.RawMessage
			_ = json.NewDecoder(r.Body).Decode(&body)
			d := answerDID
			if body["tx"] == nil {
				d = custodialDID
			}
			w.Header().Set("Location", "/v1/txs/"+hash)
			w.WriteHeader(http.StatusAccepted)
			_ = json.NewEncoder(w).Encode(api.DIDResponse{DID: d, TxHash: hash, Status: api.StatusPending})
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	for _, tc := range []struct {
		name, answer, want string
		args               []string
	}{
		{"signed, the node names the DID", signedDID, signedDID, []string{"did", "create", "--key", keyFile}},
		{"signed, a node that leaves it out", "", signedDID, []string{"did", "create", "--key", keyFile}},
		{"custodial", "", custodialDID, []string{"did", "create", "--custodial", "--token", "t"}},
	} {
		answerDID = tc.answer
		out, errOut, err := runWithStderr(t, append(tc.args, "--node", srv.URL)...)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if lines[0] != tc.want {
			t.Errorf("%s: first line %q, want the DID %s (stdout %q)", tc.name, lines[0], tc.want, out)
		}
		if strings.Contains(out, "height 0") {
			t.Errorf("%s: stdout %q says height 0 for a pending write", tc.name, out)
		}
		if !strings.Contains(errOut, "pending") || !strings.Contains(errOut, "weid tx show "+hash) {
			t.Errorf("%s: stderr %q, want it to say the write is pending and how to follow it", tc.name, errOut)
		}
		jout, _, err := runWithStderr(t, append(tc.args, "--node", srv.URL, "-o", "json")...)
		var res struct{ DID, Status string }
		if err != nil || json.Unmarshal([]byte(jout), &res) != nil || res.DID != tc.want || res.Status != api.StatusPending {
			t.Errorf("%s: -o json %s (%v), want did %s, status pending", tc.name, jout, err, tc.want)
		}
	}
}
