package interop_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/server"
	"github.com/weidgo/weid/status"
)

// statusListPackage is the JavaScript Token Status List library the test
// reads weid's tokens with (npm, pinned).
const statusListPackage = "@sd-jwt/jwt-status-list@0.19.0"

// installJS installs statusListPackage into a temporary directory with
// npm and returns it. Without node and npm, or when npm cannot reach its
// registry (CI has no network), the test is skipped, saying why.
func installJS(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the %s interoperability test needs %s: %v", statusListPackage, tool, err)
		}
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "install", "--no-audit", "--no-fund", "--prefix", dir, statusListPackage)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("npm install %s failed (is the npm registry reachable?): %v\n%s", statusListPackage, err, out)
	}
	return dir
}

// checkTokenJS reads the SD-JWT VC's "status" claim and the Status List
// Token it names (fetched from the node) with @sd-jwt/jwt-status-list,
// checks the token's signature with Node's crypto and the issuer's JWK,
// and prints what it found as JSON.
const checkTokenJS = `
const crypto = require('node:crypto');
const { getStatusListFromJWT, getListFromStatusListJWT } = require('@sd-jwt/jwt-status-list');
(async () => {
  const [sdjwt, jwk] = process.argv.slice(2);
  const ref = getStatusListFromJWT(sdjwt.split('~')[0]);
  const res = await fetch(ref.uri, { headers: { Accept: 'application/statuslist+jwt' } });
  const token = await res.text();
  const [h, p, s] = token.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url'));
  const payload = JSON.parse(Buffer.from(p, 'base64url'));
  const key = crypto.createPublicKey({ key: JSON.parse(jwk), format: 'jwk' });
  const input = Buffer.from(h + '.' + p);
  const sig = Buffer.from(s, 'base64url');
  const verified = header.alg === 'EdDSA'
    ? crypto.verify(null, input, key, sig)
    : crypto.verify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, sig);
  const list = getListFromStatusListJWT(token);
  console.log(JSON.stringify({
    contentType: res.headers.get('content-type'), typ: header.typ, verified,
    subMatches: payload.sub === ref.uri, idx: ref.idx, bits: list.getBitsPerStatus(), status: list.getStatus(ref.idx),
  }));
})().catch((e) => { console.error(e); process.exit(1); });
`

type jsVerdict struct {
	ContentType string `json:"contentType"`
	Typ         string `json:"typ"`
	Verified    bool   `json:"verified"`
	SubMatches  bool   `json:"subMatches"`
	Idx         uint64 `json:"idx"`
	Bits        int    `json:"bits"`
	Status      int    `json:"status"`
}

// An SD-JWT VC that weid issues and then revokes is seen as revoked
// (status 0x01 INVALID) by @sd-jwt/jwt-status-list through its Token
// Status List, and as valid before (draft-ietf-oauth-status-list-17).
func TestTokenStatus_SDJWTRevokedSeenByJavaScript(t *testing.T) {
	js := installJS(t)
	script := filepath.Join(js, "check.js")
	if err := os.WriteFile(script, []byte(checkTokenJS), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	reg := prometheus.NewRegistry()
	n, err := node.Open(node.Config{DataDir: dir, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(n, reg))
	t.Cleanup(func() { srv.Close(); n.Close() })
	admin, _ := os.ReadFile(filepath.Join(dir, node.TokenFile))
	do := func(path, token, body string) []byte {
		t.Helper()
		req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(token))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 300 {
			t.Fatalf("POST %s: %d %s", path, resp.StatusCode, b)
		}
		return b
	}
	var acct node.NewAccount
	_ = json.Unmarshal(do("/v1/accounts", string(admin), `{"name":"uni"}`), &acct)
	do("/v1/issuer-instances", acct.Token, `{"name":"sd","issuer":"`+acct.DID+`","format":"dc+sd-jwt","types":["UniversityDegreeCredential"],"disclosable":["/credentialSubject/degree"],"status":["revocation"]}`)
	var issued struct {
		VerifiableCredential struct {
			ID string `json:"id"`
		} `json:"verifiableCredential"`
	}
	_ = json.Unmarshal(do("/issuers/sd/credentials/issue", acct.Token, `{"credential":{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/undefined-terms/v2"],"type":["VerifiableCredential"],"issuer":"`+acct.DID+`","credentialSubject":{"id":"did:example:alice","degree":"Bachelor of Engineering"}}}`), &issued)
	_, sdjwt, _ := strings.Cut(issued.VerifiableCredential.ID, ",")

	// The issuer's public key, for the JavaScript side's signature check.
	res, err := n.Resolver.Resolve(t.Context(), acct.DID, did.Options{})
	if err != nil || res.Document == nil || len(res.Document.VerificationMethod) == 0 {
		t.Fatalf("resolve %s: %v", acct.DID, err)
	}
	pk, err := keys.ParseMultibase(res.Document.VerificationMethod[0].PublicKeyMultibase)
	if err != nil {
		t.Fatal(err)
	}
	jwk, err := jose.PublicJWK(pk)
	if err != nil {
		t.Fatal(err)
	}
	check := func() jsVerdict {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), "node", script, sdjwt, string(jwk))
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("node check.js: %v\n%s", err, stderr.String())
		}
		var v jsVerdict
		if err := json.Unmarshal(stdout.Bytes(), &v); err != nil {
			t.Fatalf("node check.js printed %q: %v", stdout.String(), err)
		}
		if v.ContentType != status.MediaToken || v.Typ != status.TokenType || !v.Verified || !v.SubMatches || v.Bits != 1 {
			t.Fatalf("the JavaScript library read %+v", v)
		}
		return v
	}
	before := check()
	if before.Status != status.TokenValid {
		t.Fatalf("before revocation: status %d", before.Status)
	}
	// Revoke by naming the entry: the node's list is the one the token's
	// uri names.
	uri := tokenURI(t, sdjwt)
	list, ok := status.ListIDFromTokenURL(uri)
	if !ok {
		t.Fatalf("uri %s", uri)
	}
	do("/credentials/status", acct.Token, fmt.Sprintf(`{"credentialStatus":{"type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListCredential":"%s","statusListIndex":"%d"},"status":true}`, status.URL(srv.URL, list), before.Idx))
	if after := check(); after.Status != status.TokenInvalid || after.Idx != before.Idx {
		t.Fatalf("after revocation: %+v", after)
	}
}

// tokenURI returns the status_list uri of an SD-JWT VC's issuer JWT.
func tokenURI(t *testing.T, sdjwt string) string {
	t.Helper()
	issuerJWT, _, _ := strings.Cut(sdjwt, "~")
	j, err := jose.Parse(issuerJWT)
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Status struct {
			StatusList struct {
				URI string `json:"uri"`
			} `json:"status_list"`
		} `json:"status"`
	}
	if err := json.Unmarshal(j.Payload, &c); err != nil {
		t.Fatal(err)
	}
	return c.Status.StatusList.URI
}
