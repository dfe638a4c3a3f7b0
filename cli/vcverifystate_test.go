package cli

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weidgo/weid/internal/proxytest"
	"github.com/weidgo/weid/node"
)

// stateLiar is a proxy in front of an honest node that changes the value
// of every state proof whose key starts with prefix (GET /v1/state/proof),
// as a node lying about that part of the ledger would; it returns its URL.
func stateLiar(t *testing.T, honest, prefix string, lie func([]byte) []byte) string {
	t.Helper()
	return proxytest.Rewriting(t, honest, func(path string, m map[string]any) {
		if path != "/v1/state/proof" {
			return
		}
		for _, p := range m["proofs"].([]any) {
			p := p.(map[string]any)
			key, _ := base64.RawURLEncoding.DecodeString(p["key"].(string))
			if !bytes.HasPrefix(key, []byte(prefix)) {
				continue
			}
			val, _ := base64.RawURLEncoding.DecodeString(p["value"].(string))
			if v := lie(val); v == nil {
				delete(p, "value")
				p["exists"] = false
			} else {
				p["value"] = base64.RawURLEncoding.EncodeToString(v)
			}
		}
	})
}

// issueRevocable makes an account at the node, recognizes it as an
// authority issuer, and issues it a vc+jwt credential with a revocation
// entry; it returns the file holding the token and the credential's id.
func issueRevocable(t *testing.T, url, admin, dir string) (jwtFile, account string) {
	t.Helper()
	var acct struct{ DID, Token string }
	mustCLIJSON(t, &acct, "account", "create", "--name", "uni", "--token", admin, "--node", url)
	mustCLI(t, "issuer", "recognize", acct.DID, "--name", "Example University", "--type", "TrainingCertificate", "--token", admin, "--node", url)
	cred := filepath.Join(dir, "cred.json")
	os.WriteFile(cred, []byte(`{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/undefined-terms/v2"],"id":"urn:uuid:8f9b7c1e-3d1a-4c6e-9a43-1f0e2d3c4b5a","type":["VerifiableCredential","TrainingCertificate"],"issuer":"`+acct.DID+`","credentialSubject":{"id":"did:example:alice","course":"First aid"}}`), 0o600)
	jwt := strings.TrimSpace(mustCLI(t, "vc", "issue", cred, "--status", "revocation", "--token", acct.Token, "--node", url))
	jwtFile = filepath.Join(dir, "cred.jwt")
	os.WriteFile(jwtFile, []byte(jwt), 0o600)
	return jwtFile, acct.Token
}

// clearBits is a liar's status list: every bit cleared (nothing revoked).
func clearBits(v []byte) []byte { return make([]byte, len(v)) }

// TestVCVerifyState_Solo: weid vc verify --verify-state verifies a
// credential against an honest solo node with every ledger read proven
// (and names the block), catches its revocation, and refuses, naming the
// key, a node that hides the revocation, or lies about the issuer's
// registry entry or DID document.
func TestVCVerifyState_Solo(t *testing.T) {
	ts := serveNode(t, node.Config{})
	nodeKey := ts.NodeKey(t)
	jwtFile, acctToken := issueRevocable(t, ts.URL, ts.Admin, t.TempDir())
	verify := func(url string) (string, error) {
		return runCLI(t, "vc", "verify", jwtFile, "--require-accreditation", "--verify-state", "--node", url, "--node-key", nodeKey)
	}

	out, err := verify(ts.URL)
	if err != nil || !strings.Contains(out, "verified: true") || !strings.Contains(out, "proven against block") || !strings.Contains(out, "node key "+nodeKey) {
		t.Fatalf("honest node: %s %v", out, err)
	}
	var res struct {
		Verified   bool
		StateProof struct {
			Height   uint64
			SignedBy string
			Keys     int
		}
	}
	mustCLIJSON(t, &res, "vc", "verify", jwtFile, "--verify-state", "--node", ts.URL, "--node-key", nodeKey)
	if !res.Verified || res.StateProof.Height == 0 || res.StateProof.Keys < 4 {
		t.Fatalf("-o json: %+v", res)
	}

	mustCLI(t, "vc", "revoke", "urn:uuid:8f9b7c1e-3d1a-4c6e-9a43-1f0e2d3c4b5a", "--token", acctToken, "--node", ts.URL)
	if out, err := verify(ts.URL); err == nil || !strings.Contains(out, "revoked") {
		t.Fatalf("revoked, honest node: %s %v", out, err)
	}

	liars := []struct {
		name, prefix string
		lie          func([]byte) []byte
	}{
		{"hides the revocation", "status/bits/", clearBits},
		{"says the bits were never written", "status/bits/", func([]byte) []byte { return nil }},
		{"changes the issuer's registry entry", "issuer/did/", func(v []byte) []byte {
			return bytes.Replace(v, []byte("Example University"), []byte("Example Universiti"), 1)
		}},
		{"changes the issuer's DID document", "did/version/", func(v []byte) []byte { return bytes.Replace(v, []byte(`"version"`), []byte(`"versio "`), 1) }},
	}
	for _, l := range liars {
		liar := stateLiar(t, ts.URL, l.prefix, l.lie)
		out, err := verify(liar)
		t.Logf("a node that %s: %v", l.name, err)
		if err == nil || !strings.Contains(oneLine(err), "state proof invalid") || !strings.Contains(oneLine(err), l.prefix) {
			t.Errorf("a node that %s: %s %v", l.name, out, err)
		}
	}
	if _, err := runCLI(t, "vc", "verify", jwtFile, "--verify-state", "--node", ts.URL); err == nil || !strings.Contains(oneLine(err), "trust anchor") {
		t.Fatalf("no anchor: %v", err)
	}
}

// TestVCVerifyState_CometBFT: the same against a one-validator CometBFT
// node, the anchor its genesis validator set.
func TestVCVerifyState_CometBFT(t *testing.T) {
	ts := serveNode(t, node.Config{Engine: "cometbft", CometLogLevel: "none"})
	genesis := ts.Genesis(t)
	jwtFile, acctToken := issueRevocable(t, ts.URL, ts.Admin, t.TempDir())
	verify := func(url string) (string, error) {
		return runCLI(t, "vc", "verify", jwtFile, "--verify-state", "--node", url, "--trusted-validators", genesis)
	}
	out, err := verify(ts.URL)
	if err != nil || !strings.Contains(out, "verified: true") || !strings.Contains(out, "signed by 1 of 1 validators") {
		t.Fatalf("honest node: %s %v", out, err)
	}
	mustCLI(t, "vc", "revoke", "urn:uuid:8f9b7c1e-3d1a-4c6e-9a43-1f0e2d3c4b5a", "--token", acctToken, "--node", ts.URL)
	// The revocation's block must be carried by a later CometBFT header
	// before it can be proven: the node waits for it (node.ProveState).
	if out, err := verify(ts.URL); err == nil || !strings.Contains(out, "revoked") {
		t.Fatalf("revoked, honest node: %s %v", out, err)
	}
	liar := stateLiar(t, ts.URL, "status/bits/", clearBits)
	if out, err := verify(liar); err == nil || !strings.Contains(oneLine(err), "state proof invalid") {
		t.Fatalf("a node that hides the revocation: %s %v", out, err)
	}
}
