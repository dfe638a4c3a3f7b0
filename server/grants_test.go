package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/grants"
)

// TestGrants_CustodialLifecycle: with account tokens the node makes, signs
// and records a grant as the grantor, records an access receipt as the
// data holder and revokes as the grantor (by default); the receipts read
// back; each mistake is a named problem.
func TestGrants_CustodialLifecycle(t *testing.T) {
	tn := startNode(t)
	acct := func(name string) (tok, d string) {
		t.Helper()
		r := tn.do(t, "POST", "/v1/accounts", tn.token, []byte(`{"name":"`+name+`"}`))
		var a struct{ Token, DID string }
		if r.status != http.StatusCreated || json.Unmarshal(r.body, &a) != nil {
			t.Fatalf("create account %s: %d %s", name, r.status, r.body)
		}
		return a.Token, a.DID
	}
	aliceTok, alice := acct("alice-custody")
	_, bank := acct("bank")
	uniTok, uni := acct("university")
	exp := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	grant := func(signer, scope, expires string) []byte {
		return []byte(`{"signer":"` + signer + `","grantee":"` + bank + `","resource":"https://uni.example/v1/exchange/transcripts","scope":` + scope +
			`,"purpose":"mortgage","expires":"` + expires + `"}`)
	}

	wantProblem(t, "no token", tn.do(t, "POST", "/v1/grants", "", grant(alice, `["degree"]`, exp)), http.StatusUnauthorized, "auth.required")
	wantProblem(t, "bad expiry", tn.do(t, "POST", "/v1/grants", aliceTok, grant(alice, `["degree"]`, "tomorrow")), http.StatusBadRequest, "grant.invalid")
	wantProblem(t, "another account's DID", tn.do(t, "POST", "/v1/grants", uniTok, grant(alice, `["degree"]`, exp)), http.StatusForbidden, "auth.notOwner")
	wantProblem(t, "no signer", tn.do(t, "POST", "/v1/grants", aliceTok, grant("", `["degree"]`, exp)), http.StatusBadRequest, "request.malformed")
	wantProblem(t, "empty scope", tn.do(t, "POST", "/v1/grants", aliceTok, grant(alice, `[]`, exp)), http.StatusBadRequest, "grant.invalid")
	wantProblem(t, "unknown member", tn.do(t, "POST", "/v1/grants", aliceTok, []byte(`{"signer":"`+alice+`","grantees":"x"}`)), http.StatusBadRequest, "request.malformed")

	r := tn.do(t, "POST", "/v1/grants", aliceTok, grant(alice, `["degree","awardedDate"]`, exp))
	var rc struct{ ID, Hash, Grant, TxHash, Status string }
	if r.status != http.StatusCreated || json.Unmarshal(r.body, &rc) != nil || rc.Status != "committed" || rc.TxHash == "" {
		t.Fatalf("custodial grant: %d %s", r.status, r.body)
	}
	g, err := grants.Parse(rc.Grant)
	if err != nil || g.ID != rc.ID || g.Hash != rc.Hash || g.Grantor != alice || g.Grantee != bank {
		t.Fatalf("the grant the node made: %+v %v", g, err)
	}
	// The admin's grants are the admin DID's.
	r = tn.do(t, "POST", "/v1/grants", tn.token, grant("", `["degree"]`, exp))
	var ar struct{ Grant string }
	_ = json.Unmarshal(r.body, &ar)
	if ag, err := grants.Parse(ar.Grant); r.status != http.StatusCreated || err != nil || ag.Grantor != tn.n.AdminDID {
		t.Fatalf("admin's grant: %d %s", r.status, r.body)
	}

	// Reads.
	var v struct{ ID, State, Grantor string }
	if r := tn.do(t, "GET", "/v1/grants/"+rc.ID, "", nil); r.status != http.StatusOK || json.Unmarshal(r.body, &v) != nil || v.State != grants.StatusActive || v.Grantor != alice {
		t.Fatalf("get: %d %s", r.status, r.body)
	}
	for _, q := range []string{"?grantor=" + alice, "?hash=" + rc.Hash} {
		var l struct{ Grants []struct{ ID string } }
		if r := tn.do(t, "GET", "/v1/grants"+q, "", nil); r.status != http.StatusOK || json.Unmarshal(r.body, &l) != nil || len(l.Grants) != 1 || l.Grants[0].ID != rc.ID {
			t.Fatalf("list %s: %d %s", q, r.status, r.body)
		}
	}
	// The bank has two grants: a page of one continues.
	var page struct {
		Grants []struct{ ID string }
		Next   string
	}
	if r := tn.do(t, "GET", "/v1/grants?grantee="+bank+"&limit=1", "", nil); r.status != http.StatusOK || json.Unmarshal(r.body, &page) != nil || len(page.Grants) != 1 || page.Next != page.Grants[0].ID {
		t.Fatalf("a page of the grantee's grants: %d %s", r.status, r.body)
	}
	after := page.Next
	page.Next = ""
	if r := tn.do(t, "GET", "/v1/grants?grantee="+bank+"&after="+after, "", nil); r.status != http.StatusOK || json.Unmarshal(r.body, &page) != nil || len(page.Grants) != 1 || page.Next != "" || page.Grants[0].ID == after {
		t.Fatalf("the next page: %d %s", r.status, r.body)
	}
	wantProblem(t, "both parties", tn.do(t, "GET", "/v1/grants?grantor="+alice+"&grantee="+bank, "", nil), http.StatusBadRequest, "grant.invalidQuery")
	wantProblem(t, "no party", tn.do(t, "GET", "/v1/grants", "", nil), http.StatusBadRequest, "grant.invalidQuery")
	wantProblem(t, "a mistyped parameter", tn.do(t, "GET", "/v1/grants?grantor="+alice+"&limt=5", "", nil), http.StatusBadRequest, "request.badQuery")
	wantProblem(t, "two grantors", tn.do(t, "GET", "/v1/grants?grantor="+alice+"&grantor="+bank, "", nil), http.StatusBadRequest, "request.badQuery")
	wantProblem(t, "bad limit", tn.do(t, "GET", "/v1/grants?grantor="+alice+"&limit=0", "", nil), http.StatusBadRequest, "request.badQuery")
	wantProblem(t, "invalid id", tn.do(t, "GET", "/v1/grants/x", "", nil), http.StatusBadRequest, "grant.invalidId")
	wantProblem(t, "unknown id", tn.do(t, "GET", "/v1/grants/urn:uuid:00000000-0000-4000-8000-000000000000", "", nil), http.StatusNotFound, "grant.notFound")

	// The data holder records an access receipt.
	access := []byte(`{"signer":"` + uni + `","claims":["degree"],"request":"` + strings.Repeat("ab", 32) + `"}`)
	if r := tn.do(t, "POST", "/v1/grants/"+rc.ID+"/accesses", uniTok, access); r.status != http.StatusCreated {
		t.Fatalf("access: %d %s", r.status, r.body)
	}
	var al struct {
		Accesses []struct{ Holder string }
	}
	if r := tn.do(t, "GET", "/v1/grants/"+rc.ID+"/accesses", "", nil); r.status != http.StatusOK || json.Unmarshal(r.body, &al) != nil || len(al.Accesses) != 1 || al.Accesses[0].Holder != uni {
		t.Fatalf("accesses: %d %s", r.status, r.body)
	}
	wantProblem(t, "negative from", tn.do(t, "GET", "/v1/grants/"+rc.ID+"/accesses?from=-1", "", nil), http.StatusBadRequest, "request.badQuery")
	wantProblem(t, "a mistyped accesses parameter", tn.do(t, "GET", "/v1/grants/"+rc.ID+"/accesses?form=1", "", nil), http.StatusBadRequest, "request.badQuery")
	// A second receipt: pages of one, the first saying where the next starts.
	second := []byte(`{"signer":"` + uni + `","claims":["degree"],"request":"` + strings.Repeat("cd", 32) + `"}`)
	if r := tn.do(t, "POST", "/v1/grants/"+rc.ID+"/accesses", uniTok, second); r.status != http.StatusCreated {
		t.Fatalf("second access: %d %s", r.status, r.body)
	}
	var pg api.AccessList
	if r := tn.do(t, "GET", "/v1/grants/"+rc.ID+"/accesses?limit=1", "", nil); r.status != http.StatusOK || json.Unmarshal(r.body, &pg) != nil || len(pg.Accesses) != 1 || pg.Next != 1 {
		t.Fatalf("first page of accesses: %d %s", r.status, r.body)
	}
	pg = api.AccessList{}
	if r := tn.do(t, "GET", "/v1/grants/"+rc.ID+"/accesses?limit=1&from=1", "", nil); r.status != http.StatusOK || json.Unmarshal(r.body, &pg) != nil || len(pg.Accesses) != 1 || pg.Next != 0 || pg.Accesses[0].Seq != 1 {
		t.Fatalf("last page of accesses: %d %s", r.status, r.body)
	}

	// Revocation: the grantor by default; the bank may not sign as Alice.
	wantProblem(t, "revoke unknown", tn.do(t, "POST", "/v1/grants/urn:uuid:00000000-0000-4000-8000-000000000000/revoke", aliceTok, []byte(`{}`)), http.StatusNotFound, "grant.notFound")
	wantProblem(t, "revoke as another", tn.do(t, "POST", "/v1/grants/"+rc.ID+"/revoke", uniTok, []byte(`{}`)), http.StatusForbidden, "auth.notOwner")
	if r := tn.do(t, "POST", "/v1/grants/"+rc.ID+"/revoke", aliceTok, []byte(`{}`)); r.status != http.StatusCreated {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	if r := tn.do(t, "GET", "/v1/grants/"+rc.ID, "", nil); r.status != http.StatusOK || json.Unmarshal(r.body, &v) != nil || v.State != grants.StatusRevoked {
		t.Fatalf("after revocation: %d %s", r.status, r.body)
	}
	wantProblem(t, "access after revocation", tn.do(t, "POST", "/v1/grants/"+rc.ID+"/accesses", uniTok, access), http.StatusForbidden, "grant.revoked")
}

// TestGrants_GranteeNotOnTheLedger: a grant to a did:weid this ledger does
// not have (a typo in the grantee) is refused, custodial or signed, with a
// problem naming the DID, and nothing is recorded; a did:key grantee is
// not checked.
func TestGrants_GranteeNotOnTheLedger(t *testing.T) {
	w := newExchangeWorld(t)
	tn := w.tn
	alice := tn.account(t, `{"name":"alice-typo","didKey":true}`)
	ghost := "did:weid:" + tn.n.ChainID + ":0x" + strings.Repeat("0", 40)
	exp := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	grant := func(grantee string) []byte {
		return []byte(`{"signer":"` + alice.DID + `","grantee":"` + grantee + `","resource":"https://uni.example/v1/exchange/transcripts","scope":["degree"],"purpose":"mortgage","expires":"` + exp + `"}`)
	}
	typo := func(name string, r response) {
		t.Helper()
		wantProblem(t, name, r, http.StatusBadRequest, "grant.unknownGrantee")
		if !strings.Contains(string(r.body), ghost+" is not on this ledger") {
			t.Errorf("%s: the problem does not name the grantee: %s", name, r.body)
		}
	}
	typo("custodial", tn.do(t, "POST", "/v1/grants", alice.Token, grant(ghost)))
	g, err := grants.Parse(w.grant(t, w.resource, []string{"degree"}, time.Now(), time.Now().Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	g.Grantee = ghost
	tok, err := g.Sign(w.alice.key, w.alice.vm(), tn.url)
	if err != nil {
		t.Fatal(err)
	}
	typo("signed", w.record(t, w.alice, tok))
	var l struct{ Grants []struct{ ID string } }
	if r := tn.do(t, "GET", "/v1/grants?grantee="+ghost, "", nil); r.status != http.StatusOK || json.Unmarshal(r.body, &l) != nil || len(l.Grants) != 0 {
		t.Fatalf("a refused grant was recorded: %d %s", r.status, r.body)
	}
	if r := tn.do(t, "POST", "/v1/grants", alice.Token, grant(alice.DIDKey)); r.status != http.StatusCreated {
		t.Fatalf("grant to a did:key: %d %s", r.status, r.body)
	}
}
