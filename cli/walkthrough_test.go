package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/did"
)

// runCLI runs the weid CLI in-process (Run) and returns what it printed on
// stdout. Run reads the environment's defaults, so t.Setenv must come before.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return Run(ctx, args...)
}

// mustCLI runs the CLI in-process and fails the test on an error.
func mustCLI(t *testing.T, args ...string) string {
	t.Helper()
	out, err := runCLI(t, args...)
	if err != nil {
		t.Fatalf("weid %s: %s", strings.Join(args, " "), oneLine(err))
	}
	return out
}

// mustCLIJSON runs the CLI in-process with -o json and decodes its output.
func mustCLIJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	out := mustCLI(t, append(args, "-o", "json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("weid %s -o json printed %q: %v", strings.Join(args, " "), out, err)
	}
}

// runChild runs the weid CLI as a child process, for its exit code and its
// stderr as a user sees them.
func runChild(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := weidCommand(args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("weid %s: %v", strings.Join(args, " "), err)
	}
	return o.String(), e.String(), code
}

// httpResolve resolves d over the DID Resolution binding.
func httpResolve(t *testing.T, base, d, versionID string) (int, *did.ResolutionResult) {
	t.Helper()
	u := base + "/1.0/identifiers/" + url.PathEscape(d)
	if versionID != "" {
		u += "?versionId=" + url.QueryEscape(versionID)
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var res did.ResolutionResult
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		t.Fatalf("GET %s: HTTP %d, body does not decode: %v", u, resp.StatusCode, err)
	}
	return resp.StatusCode, &res
}

func hasMethod(doc *did.Document, id string) bool {
	return doc != nil && slices.ContainsFunc(doc.VerificationMethod, func(m did.VerificationMethod) bool { return m.ID == id })
}

func hasService(doc *did.Document, id string) bool {
	return doc != nil && slices.ContainsFunc(doc.Service, func(s did.Service) bool { return s.ID == id })
}

// TestWalkthrough_CLI runs the README's five-minute walkthrough through the
// weid command line against a node process: keys, a DID's whole life, a
// transaction proof, a restart that keeps everything, and an offline audit.
func TestWalkthrough_CLI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts node processes; skipped with -short")
	}
	start := time.Now()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	aliceKey := filepath.Join(dir, "alice.key")
	alice2Key := filepath.Join(dir, "alice2.key")
	t.Setenv("WEID_PASSPHRASE", "correct horse battery staple")
	for _, v := range []string{"WEID_NODE", "WEID_TOKEN", "WEID_CHAIN_ID", "WEID_KEYSTORE_PASSPHRASE", "WEID_DATA", "WEID_LISTEN"} {
		t.Setenv(v, "") // the environment of whoever runs the tests must not leak in
	}

	base, nodeCmd := startNode(t, data)
	nodeFlag := []string{"--node", base}
	withNode := func(args ...string) []string { return append(args, nodeFlag...) }

	// weid key generate --out alice.key
	var gen struct{ File, Type, DID, PublicKeyMultibase string }
	mustCLIJSON(t, &gen, "key", "generate", "--out", aliceKey)
	if gen.File != aliceKey || gen.Type != "Ed25519" || !strings.HasPrefix(gen.DID, "did:weid:1:") {
		t.Fatalf("key generate: %+v", gen)
	}
	if _, err := runCLI(t, "key", "generate", "--out", aliceKey); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("key generate over an existing file: %v, want an error", err)
	}

	// weid did create --key alice.key
	var created client.DIDResult
	mustCLIJSON(t, &created, withNode("did", "create", "--key", aliceKey)...)
	d := created.DID
	if d != gen.DID || created.Status != "committed" || len(created.TxHash) != 64 || created.Height == 0 {
		t.Fatalf("did create: %+v (key file DID %s)", created, gen.DID)
	}
	key1, key2, home := d+"#key-1", d+"#key-2", d+"#home"
	if _, err := runCLI(t, withNode("did", "create", "--key", aliceKey)...); err == nil {
		t.Fatal("creating the same DID twice succeeded")
	} else {
		t.Logf("second did create: %s", oneLine(err))
	}

	// Resolve over HTTP.
	st, res := httpResolve(t, base, d, "")
	if st != http.StatusOK || !hasMethod(res.Document, key1) || res.DocumentMetadata.VersionID != "1" {
		t.Fatalf("resolve after create: HTTP %d, %+v", st, res)
	}

	// TX=$(weid did update DID --key alice.key --add-service ... | awk '/^tx /{print $2}')
	out := mustCLI(t, withNode("did", "update", d, "--key", aliceKey, "--add-service", "home,LinkedDomains,https://alice.example")...)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2 || lines[0] != d || !strings.HasPrefix(lines[1], "tx ") {
		t.Fatalf("did update printed %q, want the DID then a tx line (the README parses them)", out)
	}
	serviceTx := strings.Fields(lines[1])[1]
	if st, res = httpResolve(t, base, d, ""); st != http.StatusOK || !hasService(res.Document, home) {
		t.Fatalf("resolve after add-service: HTTP %d, %+v", st, res.Document)
	}

	// weid key generate --out alice2.key; rotate to it.
	mustCLI(t, "key", "generate", "--out", alice2Key)
	mustCLI(t, withNode("did", "update", d, "--key", aliceKey, "--rotate-to", alice2Key, "--key-id", "key-2")...)
	if st, res = httpResolve(t, base, d, ""); st != http.StatusOK || !hasMethod(res.Document, key2) || hasMethod(res.Document, key1) {
		t.Fatalf("resolve after rotation: HTTP %d, %+v", st, res.Document)
	}
	// The old key no longer signs for the DID.
	if _, err := runCLI(t, withNode("did", "update", d, "--key", aliceKey, "--remove-service", "home")...); err == nil || !strings.Contains(err.Error(), "not an authentication key") {
		t.Fatalf("update signed by the rotated-out key: %v, want an error", err)
	}

	// weid did resolve DID --version-id 1 shows #key-1.
	var v1 did.ResolutionResult
	if err := json.Unmarshal([]byte(mustCLI(t, withNode("did", "resolve", d, "--version-id", "1")...)), &v1); err != nil {
		t.Fatal(err)
	}
	if !hasMethod(v1.Document, key1) || hasMethod(v1.Document, key2) || v1.DocumentMetadata.VersionID != "1" || v1.DocumentMetadata.NextVersionID != "2" {
		t.Fatalf("did resolve --version-id 1: %+v", v1)
	}

	// weid did resolve DID: the latest, with #key-2 and the service.
	var latest did.ResolutionResult
	if err := json.Unmarshal([]byte(mustCLI(t, withNode("did", "resolve", d)...)), &latest); err != nil {
		t.Fatal(err)
	}
	if !hasMethod(latest.Document, key2) || hasMethod(latest.Document, key1) || !hasService(latest.Document, home) || latest.DocumentMetadata.VersionID != "3" {
		t.Fatalf("did resolve (latest): %+v", latest)
	}

	// weid tx prove $TX (the add-service transaction), then the create's.
	if out := mustCLI(t, withNode("tx", "prove", serviceTx)...); !strings.HasPrefix(out, "verified: tx "+serviceTx+" ") {
		t.Fatalf("tx prove printed %q", out)
	}

	// weid ledger verify --remote, against the running node.
	var remote struct {
		ChainID string `json:"chainId"`
		Blocks  uint64 `json:"blocks"`
		Txs     uint64 `json:"txs"`
	}
	mustCLIJSON(t, &remote, withNode("ledger", "verify", "--remote")...)
	if remote.ChainID != "1" || remote.Blocks != 4 || remote.Txs != 8 { // genesis (did.create, chain.init, 3 system schemas), create, add-service, rotate
		t.Fatalf("ledger verify --remote: %+v", remote)
	}

	// weid did deactivate DID --key alice2.key; resolution says 410.
	mustCLI(t, withNode("did", "deactivate", d, "--key", alice2Key)...)
	if st, res = httpResolve(t, base, d, ""); st != http.StatusGone || !res.DocumentMetadata.Deactivated || len(res.Document.VerificationMethod) != 0 {
		t.Fatalf("resolve after deactivate: HTTP %d, %+v", st, res.DocumentMetadata)
	}
	var gone did.ResolutionResult
	if err := json.Unmarshal([]byte(mustCLI(t, withNode("did", "resolve", d)...)), &gone); err != nil || !gone.DocumentMetadata.Deactivated {
		t.Fatalf("did resolve of a deactivated DID: %v, %+v", err, gone.DocumentMetadata)
	}

	// weid tx prove HASH for the create transaction.
	proveCreate := func() {
		t.Helper()
		var proof struct {
			Verified bool   `json:"verified"`
			TxHash   string `json:"txHash"`
			Height   uint64 `json:"height"`
		}
		mustCLIJSON(t, &proof, withNode("tx", "prove", created.TxHash)...)
		if !proof.Verified || proof.TxHash != created.TxHash || proof.Height != created.Height {
			t.Fatalf("tx prove: %+v, want tx %s at %d verified", proof, created.TxHash, created.Height)
		}
	}
	proveCreate()
	if out := mustCLI(t, withNode("tx", "prove", created.TxHash)...); !strings.HasPrefix(out, "verified: tx "+created.TxHash) {
		t.Fatalf("tx prove printed %q", out)
	}

	// Error behaviour, as a user sees it: a non-zero exit and one line on stderr.
	expectCLIError(t, "resolve not-a-did", "", withNode("did", "resolve", "not-a-did")...)
	expectCLIError(t, "create without --key", "--key is required", withNode("did", "create")...)
	expectCLIError(t, "bad --output", "--output must be text or json", withNode("did", "resolve", d, "-o", "yaml")...)

	// Stop the node with SIGINT, restart it on the same data: all still there.
	stopNode(t, nodeCmd)
	base, nodeCmd = startNode(t, data)
	nodeFlag = []string{"--node", base}
	checkVersions := func() {
		t.Helper()
		want := []struct {
			status              int
			key1, key2, service bool
		}{
			{http.StatusOK, true, false, false},    // 1: created
			{http.StatusOK, true, false, true},     // 2: service added
			{http.StatusOK, false, true, true},     // 3: key rotated
			{http.StatusGone, false, false, false}, // 4: deactivated: no keys, no services
		}
		for i, w := range want {
			v := strconv.Itoa(i + 1)
			st, res := httpResolve(t, base, d, v)
			if st != w.status || res.DocumentMetadata.VersionID != v || res.DocumentMetadata.Deactivated != (i == 3) ||
				hasMethod(res.Document, key1) != w.key1 || hasMethod(res.Document, key2) != w.key2 || hasService(res.Document, home) != w.service {
				t.Errorf("after restart, version %s: HTTP %d, document %+v, metadata %+v", v, st, res.Document, res.DocumentMetadata)
			}
		}
		if st, _ := httpResolve(t, base, d, "5"); st != http.StatusNotFound {
			t.Errorf("version 5: HTTP %d, want 404", st)
		}
	}
	checkVersions()
	proveCreate()
	if st, _ := httpResolve(t, base, d, ""); st != http.StatusGone {
		t.Errorf("after restart: HTTP %d, want 410", st)
	}
	stopNode(t, nodeCmd)

	// weid ledger verify --data DIR on the stopped node exits 0.
	stdout, stderr, code := runChild(t, "ledger", "verify", "--data", data)
	if code != 0 || !strings.HasPrefix(stdout, "ledger OK: chain 1, ") || stderr != "" {
		t.Fatalf("weid ledger verify --data: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	t.Logf("%s(%v)", stdout, time.Since(start).Round(time.Millisecond))
}

// expectCLIError runs the CLI as a child and checks that it fails with a
// single "weid: ..." line on stderr (containing want) and nothing on stdout;
// it returns that stderr.
func expectCLIError(t *testing.T, what, want string, args ...string) (stderr string) {
	t.Helper()
	stdout, stderr, code := runChild(t, args...)
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	if code == 0 || len(lines) != 1 || !strings.HasPrefix(lines[0], "weid: ") || !strings.HasSuffix(stderr, "\n") ||
		!strings.Contains(lines[0], want) || stdout != "" {
		t.Errorf("%s: exit %d, stdout %q, stderr %q; want a non-zero exit and one line on stderr containing %q", what, code, stdout, stderr, want)
	}
	t.Logf("%s: exit %d: %s", what, code, strings.TrimSpace(stderr))
	return stderr
}
