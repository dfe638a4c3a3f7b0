package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/node"
)

func TestStatus_InstanceIssueRevokeSuspendOverHTTP(t *testing.T) {
	tn := startNode(t)
	newAccount := func(name string) node.NewAccount {
		a := tn.account(t, `{"name":"`+name+`"}`)
		return a
	}
	uni, other := newAccount("example-university"), newAccount("other")
	if r := tn.do(t, "POST", "/v1/issuers", tn.token, []byte(`{"did":"`+uni.DID+`","name":"Example University","types":["UniversityDegreeCredential"],"schemas":[2]}`)); r.status != 201 {
		t.Fatalf("recognize: %d %s", r.status, r.body)
	}
	inst := `{"name":"diploma","issuer":"` + uni.DID + `","format":"vc+jwt","schema":2,"types":["UniversityDegreeCredential"],"status":["revocation","suspension"]}`
	if r := tn.do(t, "POST", "/v1/issuer-instances", uni.Token, []byte(inst)); r.status != 201 {
		t.Fatalf("instance: %d %s", r.status, r.body)
	}
	if r := tn.do(t, "POST", "/v1/issuer-instances", uni.Token, []byte(inst)); r.status != 409 {
		t.Fatalf("duplicate instance: %d %s", r.status, r.body)
	}
	if r := tn.do(t, "POST", "/v1/issuer-instances", other.Token, []byte(strings.Replace(inst, `"diploma"`, `"stolen"`, 1))); r.status != 403 {
		t.Fatalf("instance for another account's DID: %d %s", r.status, r.body)
	}
	if r := tn.do(t, "GET", "/v1/issuer-instances/diploma", other.Token, nil); r.status != 404 {
		t.Fatalf("another account's instance: %d %s", r.status, r.body)
	}
	// Names are per account: the other account has its own "diploma".
	if r := tn.do(t, "POST", "/v1/issuer-instances", other.Token, []byte(`{"name":"diploma","issuer":"`+other.DID+`"}`)); r.status != 201 {
		t.Fatalf("other account's own diploma instance: %d %s", r.status, r.body)
	}

	// The instance supplies the type, the schema and the status; the
	// credential names the instance's issuer (VC DM 2.0 §4.7).
	vc := tn.issueDiploma(t, uni)
	verify := func() (int, credential.Result) {
		return tn.verifyVC(t, vc, `{"requireAccreditation":true}`)
	}
	st, res := verify()
	if st != 200 {
		t.Fatalf("verify: %d %+v", st, res)
	}
	checkStatus(t, res, credential.CheckStatus, credential.StatusPassed)
	checkStatus(t, res, credential.CheckSchema, credential.StatusPassed)
	credID, _ := res.Credential["id"].(string)
	if !strings.HasPrefix(credID, "urn:uuid:") {
		t.Fatalf("credential id %q", credID)
	}
	entries, _ := res.Credential["credentialStatus"].([]any)
	if len(entries) != 2 {
		t.Fatalf("credentialStatus %v", res.Credential["credentialStatus"])
	}

	update := func(token, purpose string, set bool) response {
		s := "false"
		if set {
			s = "true"
		}
		return tn.do(t, "POST", "/credentials/status", token, []byte(`{"credentialId":"`+credID+`","credentialStatus":{"type":"BitstringStatusListEntry","statusPurpose":"`+purpose+`"},"status":`+s+`}`))
	}
	// Another account does not see the university's credentials by id,
	// and may not update its list when it names the entry.
	if r := update(other.Token, "revocation", true); r.status != 404 {
		t.Fatalf("another account revokes by id: %d %s", r.status, r.body)
	}
	rev, _ := entries[0].(map[string]any)
	named := fmt.Sprintf(`{"credentialStatus":{"type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListIndex":"%s","statusListCredential":"%s"},"status":true}`, rev["statusListIndex"], rev["statusListCredential"])
	if r := tn.do(t, "POST", "/credentials/status", other.Token, []byte(named)); r.status != 403 {
		t.Fatalf("another account revokes the named entry: %d %s", r.status, r.body)
	}
	// An entry named under another purpose than its list's is a mistake in
	// the request: 400, as W3C VCALM lists for POST /credentials/status.
	mismatched := strings.Replace(named, `"statusPurpose":"revocation"`, `"statusPurpose":"suspension"`, 1)
	wantProblem(t, "entry named under another purpose", tn.do(t, "POST", "/credentials/status", uni.Token, []byte(mismatched)), 400, "status.purposeMismatch")
	// W3C VCALM's UpdateCredentialStatusRequest may carry indexAllocator.
	if r := tn.do(t, "POST", "/credentials/status", uni.Token, []byte(`{"credentialId":"`+credID+`","credentialStatus":{"type":"BitstringStatusListEntry","statusPurpose":"suspension"},"status":true,"indexAllocator":"urn:uuid:4d1b5c0e-8b7e-4c57-9d0e-2f1d6c1a7b3e"}`)); r.status != 200 {
		t.Fatalf("suspend: %d %s", r.status, r.body)
	}
	if st, res = verify(); st != notVerified || res.Errors[0].Name != credential.CheckStatus || !strings.Contains(res.Errors[0].Detail, "suspended") {
		t.Fatalf("suspended: %d %+v", st, res.Errors)
	}
	if r := update(uni.Token, "suspension", false); r.status != 200 {
		t.Fatalf("unsuspend: %d %s", r.status, r.body)
	}
	if st, _ = verify(); st != 200 {
		t.Fatalf("unsuspended: %d", st)
	}
	if r := update(uni.Token, "revocation", true); r.status != 200 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	if st, res = verify(); st != notVerified || !strings.Contains(res.Errors[0].Detail, "revoked") {
		t.Fatalf("revoked: %d %+v", st, res.Errors)
	}
	if r := update(uni.Token, "revocation", false); r.status != 409 || !strings.Contains(string(r.body), "status.irreversible") {
		t.Fatalf("unrevoke: %d %s", r.status, r.body)
	}
	for _, body := range []string{`{}`, `{"credentialId":"urn:x","status":true}`, `{"credentialId":"urn:uuid:none","credentialStatus":{"type":"BitstringStatusListEntry","statusPurpose":"revocation"},"status":true}`, `{"credentialStatus":{"type":"X","statusPurpose":"revocation"},"status":true}`} {
		if r := tn.do(t, "POST", "/credentials/status", uni.Token, []byte(body)); r.status < 400 || r.status >= 500 {
			t.Errorf("%s: %d %s", body, r.status, r.body)
		}
	}

	// The status list credential is served signed by its issuer and
	// verifies like any credential.
	first, _ := entries[0].(map[string]any)
	url, _ := first["statusListCredential"].(string)
	i := strings.Index(url, "/status-lists/")
	r := tn.do(t, "GET", url[i:], "", nil)
	if r.status != 200 {
		t.Fatalf("status list: %d %s", r.status, r.body)
	}
	r = tn.do(t, "POST", "/credentials/verify", "", []byte(`{"verifiableCredential":`+string(r.body)+`}`))
	if r.status != 200 {
		t.Fatalf("status list credential does not verify: %d %s", r.status, r.body)
	}
	if r := tn.do(t, "GET", "/status-lists/nope", "", nil); r.status != 404 {
		t.Fatalf("unknown list: %d %s", r.status, r.body)
	}

	// A list's credential is the same until the list changes: an ETag,
	// 304 when the client has it, a new one after an update.
	second, _ := entries[1].(map[string]any)
	susp, _ := second["statusListCredential"].(string)
	get := func(etag string) (int, string, string) {
		req, _ := http.NewRequest("GET", tn.url+susp[strings.Index(susp, "/status-lists/"):], nil)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("ETag"), string(b)
	}
	st1, etag1, body1 := get("")
	if st1 != 200 || etag1 == "" {
		t.Fatalf("suspension list: %d, ETag %q", st1, etag1)
	}
	if st, etag, body := get(""); st != 200 || etag != etag1 || body != body1 {
		t.Fatalf("the unchanged list differs between two requests: %d %q", st, etag)
	}
	if st, _, body := get(`W/"x", ` + etag1); st != http.StatusNotModified || body != "" {
		t.Fatalf("If-None-Match with its ETag: %d %q", st, body)
	}
	// W3C VCALM's UpdateCredentialStatusRequest may carry indexAllocator.
	if r := tn.do(t, "POST", "/credentials/status", uni.Token, []byte(`{"credentialId":"`+credID+`","credentialStatus":{"type":"BitstringStatusListEntry","statusPurpose":"suspension"},"status":true,"indexAllocator":"urn:uuid:4d1b5c0e-8b7e-4c57-9d0e-2f1d6c1a7b3e"}`)); r.status != 200 {
		t.Fatalf("suspend: %d %s", r.status, r.body)
	}
	st2, etag2, body2 := get(etag1)
	if st2 != 200 || etag2 == etag1 || body2 == body1 {
		t.Fatalf("after an update: %d, ETag %q (was %q)", st2, etag2, etag1)
	}
	if r := tn.do(t, "POST", "/credentials/verify", "", []byte(`{"verifiableCredential":`+body2+`}`)); r.status != 200 {
		t.Fatalf("the updated list credential does not verify: %d %s", r.status, r.body)
	}
}

// TestStatus_ByVCALMCredentialID: a credential issued with W3C VCALM's
// options.credentialId has its status entries found by that name in POST
// /credentials/status, as by its id.
func TestStatus_ByVCALMCredentialID(t *testing.T) {
	tn := startNode(t)
	r := tn.do(t, "POST", "/v1/accounts", tn.token, []byte(`{"name":"uni"}`))
	var uni node.NewAccount
	if err := json.Unmarshal(r.body, &uni); err != nil || r.status != 201 {
		t.Fatalf("account: %d %s", r.status, r.body)
	}
	issue := func(credentialID string) response {
		return tn.do(t, "POST", "/credentials/issue", uni.Token, []byte(`{"credential":{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],`+
			`"issuer":"`+uni.DID+`","credentialSubject":{"id":"did:example:holder"}},"options":{"status":["revocation"],"credentialId":"`+credentialID+`"}}`))
	}
	r = issue("example.com/ad5d541f-db7a-4bff-97e1-d403ce403767")
	var issued struct {
		VerifiableCredential api.EnvelopedCredential `json:"verifiableCredential"`
	}
	if err := json.Unmarshal(r.body, &issued); err != nil || r.status != 201 {
		t.Fatalf("issue: %d %s", r.status, r.body)
	}
	if st, _ := tn.verifyVC(t, issued.VerifiableCredential, ""); st != 200 {
		t.Fatalf("verify: %d", st)
	}
	r = tn.do(t, "POST", "/credentials/status", uni.Token, []byte(`{"credentialId":"example.com/ad5d541f-db7a-4bff-97e1-d403ce403767","credentialStatus":{"type":"BitstringStatusListEntry","statusPurpose":"revocation"},"status":true}`))
	if r.status != 200 {
		t.Fatalf("revoke by credentialId: %d %s", r.status, r.body)
	}
	if st, res := tn.verifyVC(t, issued.VerifiableCredential, ""); st != notVerified || res.Errors[0].Name != credential.CheckStatus {
		t.Fatalf("revoked by credentialId: %d %+v", st, res.Errors)
	}
	wantProblem(t, "credentialId too long", issue(strings.Repeat("x", api.MaxCredentialIDBytes+1)), 400, "credential.invalid")
}

// TestStatus_UnchangedIsAConflict: revoking a revoked credential,
// suspending a suspended one or unsuspending an active one is a 409
// status.unchanged naming the credential and its state, and no transaction
// is written.
func TestStatus_UnchangedIsAConflict(t *testing.T) {
	tn := startNode(t)
	uni := tn.account(t, `{"name":"uni"}`)
	issue := tn.do(t, "POST", "/credentials/issue", uni.Token, []byte(`{"credential":{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],`+
		`"issuer":"`+uni.DID+`","credentialSubject":{"id":"did:example:holder"}},"options":{"status":["revocation","suspension"],"credentialId":"urn:uuid:0b5e4c8a-6f1d-4b2e-9a3c-7d8e9f0a1b2c"}}`))
	if issue.status != http.StatusCreated {
		t.Fatalf("issue: %d %s", issue.status, issue.body)
	}
	update := func(purpose, set string) response {
		return tn.do(t, "POST", "/credentials/status", uni.Token, []byte(`{"credentialId":"urn:uuid:0b5e4c8a-6f1d-4b2e-9a3c-7d8e9f0a1b2c","credentialStatus":{"type":"BitstringStatusListEntry","statusPurpose":"`+purpose+`"},"status":`+set+`}`))
	}
	unchanged := func(name string, r response, state string) {
		t.Helper()
		wantProblem(t, name, r, http.StatusConflict, "status.unchanged")
		if !strings.Contains(string(r.body), "urn:uuid:0b5e4c8a-6f1d-4b2e-9a3c-7d8e9f0a1b2c is "+state) {
			t.Errorf("%s: the problem does not name the credential as %s: %s", name, state, r.body)
		}
	}
	unchanged("unsuspend an active credential", update("suspension", "false"), "not suspended")
	if r := update("suspension", "true"); r.status != http.StatusOK {
		t.Fatalf("suspend: %d %s", r.status, r.body)
	}
	unchanged("suspend a suspended credential", update("suspension", "true"), "already suspended")
	if r := update("revocation", "true"); r.status != http.StatusOK {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	h := tn.n.Ledger.Head().Height
	unchanged("revoke a revoked credential", update("revocation", "true"), "already revoked")
	if got := tn.n.Ledger.Head().Height; got != h {
		t.Fatalf("a refused update wrote a block: height %d, was %d", got, h)
	}
}
