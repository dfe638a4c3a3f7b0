package server

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/node"
)

func TestAccounts_TokensActOnlyForTheirOwnDIDs(t *testing.T) {
	tn := startNode(t)
	r := tn.do(t, "POST", "/v1/accounts", tn.token, []byte(`{"name":"city-university","keyType":"P-256","didKey":true}`))
	if r.status != 201 {
		t.Fatalf("create account: %d %s", r.status, r.body)
	}
	var uni api.NewAccount
	_ = json.Unmarshal(r.body, &uni)
	if uni.Token == "" || uni.DID == "" || uni.DIDKey == "" {
		t.Fatalf("account: %s", r.body)
	}
	for _, d := range []string{uni.DID, uni.DIDKey} {
		if rr := tn.do(t, "GET", "/1.0/identifiers/"+d, "", nil); rr.status != 200 {
			t.Fatalf("resolve %s: %d %s", d, rr.status, rr.body)
		}
	}
	r = tn.do(t, "POST", "/v1/accounts", tn.token, []byte(`{"name":"bank"}`))
	var bank api.NewAccount
	_ = json.Unmarshal(r.body, &bank)

	// The university's token updates the university's DID, not the bank's.
	svc := []byte(`{"service":{"id":"#certs","type":"CredentialRegistry","serviceEndpoint":"https://uni.example/certs"}}`)
	if rr := tn.do(t, "POST", "/v1/dids/"+uni.DID+"/services", uni.Token, svc); rr.status != 200 {
		t.Fatalf("own DID: %d %s", rr.status, rr.body)
	}
	wantProblem(t, "another account's DID", tn.do(t, "POST", "/v1/dids/"+bank.DID+"/services", uni.Token, svc), 403, "auth.notOwner")
	// Nor may it sign governance as the admin.
	wantProblem(t, "governance as admin", tn.do(t, "POST", "/v1/issuers", uni.Token, []byte(`{"did":"`+uni.DID+`","name":"U","signer":"`+tn.n.AdminDID+`"}`)), 403, "auth.notOwner")
	// Its own DID is no governor: the ledger refuses.
	wantProblem(t, "self-recognition", tn.do(t, "POST", "/v1/issuers", uni.Token, []byte(`{"did":"`+uni.DID+`","name":"U","signer":"`+uni.DID+`"}`)), 403, "tx.unauthorized")

	wantProblem(t, "non-admin creates accounts", tn.do(t, "POST", "/v1/accounts", uni.Token, []byte(`{"name":"x"}`)), 403, "auth.adminOnly")
	wantProblem(t, "duplicate", tn.do(t, "POST", "/v1/accounts", tn.token, []byte(`{"name":"bank"}`)), 409, "account.exists")
	wantProblem(t, "bad name", tn.do(t, "POST", "/v1/accounts", tn.token, []byte(`{"name":"Bank Of Everything"}`)), 400, "account.invalidName")
	wantProblem(t, "admin name", tn.do(t, "POST", "/v1/accounts", tn.token, []byte(`{"name":"admin"}`)), 400, "account.invalidName")
	wantProblem(t, "no token", tn.do(t, "GET", "/v1/accounts", "", nil), 401, "auth.required")
	r = tn.do(t, "GET", "/v1/accounts", tn.token, nil)
	var list struct{ Accounts []struct{ Name string } }
	if _ = json.Unmarshal(r.body, &list); len(list.Accounts) != 2 {
		t.Fatalf("accounts: %s", r.body)
	}
}

// TestAccounts_ReplaceToken: an account's leaked token is replaced — the
// new one acts for the account's DIDs, every old one is refused, the DIDs
// are unchanged; only the admin may. Named "admin", the node's admin token
// is rotated: the new one works and is in admin.token, the old is refused.
func TestAccounts_ReplaceToken(t *testing.T) {
	tn := startNode(t)
	r := tn.do(t, "POST", "/v1/accounts", tn.token, []byte(`{"name":"city-university"}`))
	var uni api.NewAccount
	if _ = json.Unmarshal(r.body, &uni); r.status != 201 || uni.Token == "" {
		t.Fatalf("create account: %d %s", r.status, r.body)
	}
	wantProblem(t, "an account's own token", tn.do(t, "POST", "/v1/accounts/city-university/token", uni.Token, nil), 403, "auth.adminOnly")
	r = tn.do(t, "POST", "/v1/accounts/city-university/token", tn.token, nil)
	var nt api.AccountToken
	if _ = json.Unmarshal(r.body, &nt); r.status != 201 || nt.Name != "city-university" || nt.Token == "" || nt.Token == uni.Token {
		t.Fatalf("replace token: %d %s", r.status, r.body)
	}
	svc := []byte(`{"service":{"id":"#certs","type":"CredentialRegistry","serviceEndpoint":"https://uni.example/certs"}}`)
	wantProblem(t, "the replaced token", tn.do(t, "POST", "/v1/dids/"+uni.DID+"/services", uni.Token, svc), 401, "auth.invalidToken")
	if rr := tn.do(t, "POST", "/v1/dids/"+uni.DID+"/services", nt.Token, svc); rr.status != 200 {
		t.Fatalf("the new token on the account's DID: %d %s", rr.status, rr.body)
	}
	r = tn.do(t, "GET", "/v1/accounts", tn.token, nil)
	var list api.AccountList
	if _ = json.Unmarshal(r.body, &list); len(list.Accounts) != 1 || len(list.Accounts[0].DIDs) != 1 || list.Accounts[0].DIDs[0] != uni.DID {
		t.Fatalf("accounts after the new token: %s", r.body)
	}
	wantProblem(t, "no such account", tn.do(t, "POST", "/v1/accounts/nobody/token", tn.token, nil), 404, "account.notFound")
	if rr := tn.do(t, "GET", "/v1/accounts", tn.token, nil); rr.status != 200 {
		t.Fatalf("the admin token after an account's was replaced: %d %s", rr.status, rr.body)
	}

	r = tn.do(t, "POST", "/v1/accounts/admin/token", tn.token, nil)
	var admin api.AccountToken
	if _ = json.Unmarshal(r.body, &admin); r.status != 201 || admin.Name != "admin" || admin.Token == "" || admin.Token == tn.token {
		t.Fatalf("rotate the admin token: %d %s", r.status, r.body)
	}
	if b, err := os.ReadFile(filepath.Join(tn.dir, node.TokenFile)); err != nil || strings.TrimSpace(string(b)) != admin.Token {
		t.Fatalf("admin.token after the rotation: %q, %v; want the new token", b, err)
	}
	wantProblem(t, "the rotated admin token", tn.do(t, "GET", "/v1/accounts", tn.token, nil), 401, "auth.invalidToken")
	if rr := tn.do(t, "GET", "/v1/accounts", admin.Token, nil); rr.status != 200 {
		t.Fatalf("the new admin token: %d %s", rr.status, rr.body)
	}
	if a, err := tn.n.Keystore.Authenticate(nt.Token); err != nil || a.Name != "city-university" {
		t.Fatalf("the account's token after the admin's rotation: %+v, %v", a, err)
	}
}
