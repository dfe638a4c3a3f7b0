package server

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
)

func signedBody(t *testing.T, n *node.Node, from string, k *keys.PrivateKey, typ string, p any) []byte {
	t.Helper()
	tx, err := node.SignTx(n.ChainID, from, k, typ, p)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := chain.MarshalJSON(map[string]any{"tx": tx})
	return b
}

func TestGovernance_TrustRegistryOverHTTP(t *testing.T) {
	tn := startNode(t)
	// Two institutions with client-held keys, and a committee member.
	uniTx, _, uni := newDIDTx(t, tn.n.ChainID)
	memTx, memKey, member := newDIDTx(t, tn.n.ChainID)
	bankTx, bankKey, bank := newDIDTx(t, tn.n.ChainID)
	for _, tx := range []*chain.Tx{uniTx, memTx, bankTx} {
		if r := tn.do(t, "POST", "/v1/txs", "", txBody(t, tx)); r.status != 201 {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
	}

	// Nobody but a governor recognizes issuers: the bank tries to anoint itself.
	self := signedBody(t, tn.n, bank+"#key-1", bankKey, authz.TxRecognize, &authz.RecognizePayload{DID: bank, Name: "Bank"})
	wantProblem(t, "self-recognition", tn.do(t, "POST", "/v1/issuers", "", self), 403, "tx.unauthorized")
	// A token without a governing signer cannot either.
	wantProblem(t, "no token", tn.do(t, "POST", "/v1/issuers", "", []byte(`{"did":"`+uni+`","name":"U"}`)), 401, "auth.required")

	// The admin (custodial, through its token) recognizes the university.
	body, _ := json.Marshal(map[string]any{"did": uni, "name": "Example University", "description": "A university", "types": []string{"UniversityDegreeCredential"}, "schemas": []uint64{2}})
	r := tn.do(t, "POST", "/v1/issuers", tn.token, body)
	if r.status != 201 {
		t.Fatalf("recognize: %d %s", r.status, r.body)
	}
	var gr api.GovResponse
	_ = json.Unmarshal(r.body, &gr)
	if gr.Issuer == nil || gr.Issuer.Name != "Example University" || gr.Issuer.RecognizedBy != tn.n.AdminDID {
		t.Fatalf("recognize response %s", r.body)
	}
	wantProblem(t, "twice", tn.do(t, "POST", "/v1/issuers", tn.token, body), 409, "issuer.exists")
	dupName, _ := json.Marshal(map[string]any{"did": bank, "name": "example university "[:18]})
	wantProblem(t, "name taken", tn.do(t, "POST", "/v1/issuers", tn.token, dupName), 409, "issuer.nameTaken")
	wantProblem(t, "bad name", tn.do(t, "POST", "/v1/issuers", tn.token, []byte(`{"did":"`+bank+`","name":" padded "}`)), 400, "issuer.invalidName")
	wantProblem(t, "unknown did:weid", tn.do(t, "POST", "/v1/issuers", tn.token, []byte(`{"did":"did:weid:1:0x`+"00000000000000000000000000000000000000aa"+`","name":"Ghost"}`)), 404, "did.notFound")

	// Queries: by DID with accreditation, by name, by page.
	var ir api.IssuerResponse
	r = tn.do(t, "GET", "/v1/issuers/"+url.PathEscape(uni)+"?type=UniversityDegreeCredential&schema=2", "", nil)
	if _ = json.Unmarshal(r.body, &ir); r.status != 200 || ir.Accredited == nil || !*ir.Accredited {
		t.Fatalf("accredited: %d %s", r.status, r.body)
	}
	r = tn.do(t, "GET", "/v1/issuers/"+uni+"?type=DriversLicence", "", nil)
	if _ = json.Unmarshal(r.body, &ir); ir.Accredited == nil || *ir.Accredited {
		t.Fatalf("not accredited for another type: %s", r.body)
	}
	wantProblem(t, "not an issuer", tn.do(t, "GET", "/v1/issuers/"+bank, "", nil), 404, "issuer.notFound")
	var list api.IssuerList
	r = tn.do(t, "GET", "/v1/issuers?name=EXAMPLE%20UNIVERSITY", "", nil)
	if _ = json.Unmarshal(r.body, &list); len(list.Issuers) != 1 || list.Issuers[0].DID != uni {
		t.Fatalf("by name: %s", r.body)
	}

	// The admin adds a committee member, who then recognizes the bank with
	// its own locally held key.
	r = tn.do(t, "POST", "/v1/committee", tn.token, []byte(`{"did":"`+member+`"}`))
	if r.status != 201 {
		t.Fatalf("add member: %d %s", r.status, r.body)
	}
	byMember := signedBody(t, tn.n, member+"#key-1", memKey, authz.TxRecognize, &authz.RecognizePayload{DID: bank, Name: "Example Bank"})
	if r = tn.do(t, "POST", "/v1/issuers", "", byMember); r.status != 201 {
		t.Fatalf("member recognizes: %d %s", r.status, r.body)
	}
	// A committee member may not change the committee.
	grow := signedBody(t, tn.n, member+"#key-1", memKey, authz.TxAddCommittee, &authz.MemberPayload{DID: uni})
	wantProblem(t, "member adds member", tn.do(t, "POST", "/v1/committee", "", grow), 403, "tx.unauthorized")
	r = tn.do(t, "GET", "/v1/issuers?limit=1", "", nil)
	if _ = json.Unmarshal(r.body, &list); len(list.Issuers) != 1 || list.Next == "" {
		t.Fatalf("page 1: %s", r.body)
	}
	r = tn.do(t, "GET", "/v1/issuers?limit=1&after="+url.QueryEscape(list.Next), "", nil)
	var page2 api.IssuerList
	if _ = json.Unmarshal(r.body, &page2); len(page2.Issuers) != 1 || page2.Issuers[0].DID == list.Issuers[0].DID || page2.Next != "" {
		t.Fatalf("page 2: %s", r.body)
	}

	// Removed from the committee, the member can recognize no one.
	if r = tn.do(t, "DELETE", "/v1/committee/"+member, tn.token, nil); r.status != 200 {
		t.Fatalf("remove member: %d %s", r.status, r.body)
	}
	late := signedBody(t, tn.n, member+"#key-1", memKey, authz.TxDerecognize, &authz.DerecognizePayload{DID: bank})
	wantProblem(t, "former member", tn.do(t, "DELETE", "/v1/issuers/"+bank, "", late), 403, "tx.unauthorized")
	if r = tn.do(t, "DELETE", "/v1/issuers/"+bank, tn.token, nil); r.status != 200 {
		t.Fatalf("derecognize: %d %s", r.status, r.body)
	}
	wantProblem(t, "derecognized", tn.do(t, "GET", "/v1/issuers/"+bank, "", nil), 404, "issuer.notFound")
	// Its name is free again.
	again, _ := json.Marshal(map[string]any{"did": bank, "name": "Example Bank"})
	if r = tn.do(t, "POST", "/v1/issuers", tn.token, again); r.status != 201 {
		t.Fatalf("name reuse: %d %s", r.status, r.body)
	}
	if _, err := tn.n.Ledger.AuditStore(); err != nil {
		t.Fatalf("audit: %v", err)
	}
}

// A signed governance transaction sent to a path that names a DID, key or
// node id must be about that one: it is refused before anything else (the
// signature does not matter here), and a transaction of another type is
// refused at every endpoint.
func TestGovernance_SignedTxMustMatchItsEndpoint(t *testing.T) {
	tn := startNode(t)
	_, _, uni := newDIDTx(t, tn.n.ChainID)
	_, _, bank := newDIDTx(t, tn.n.ChainID)
	anyKey, _ := keys.Generate(keys.Ed25519)
	admin := tn.n.AdminDID + "#key-1"
	id, otherID := strings.Repeat("0a", 20), strings.Repeat("0b", 20)
	for _, tc := range []struct {
		name, method, path, typ string
		p                       any
	}{
		{"committee removal of another DID", "DELETE", "/v1/committee/" + uni, authz.TxRemoveCommittee, &authz.MemberPayload{DID: bank}},
		{"derecognition of another DID", "DELETE", "/v1/issuers/" + url.PathEscape(uni), authz.TxDerecognize, &authz.DerecognizePayload{DID: bank}},
		{"removal of another observer", "DELETE", "/v1/observers/" + id, authz.TxRemoveObserver, &authz.RemoveObserverPayload{NodeID: otherID}},
		{"another type", "POST", "/v1/committee", authz.TxDerecognize, &authz.DerecognizePayload{DID: bank}},
		{"a removal at the admission endpoint", "POST", "/v1/observers", authz.TxRemoveObserver, &authz.RemoveObserverPayload{NodeID: id}},
	} {
		wantProblem(t, tc.name, tn.do(t, tc.method, tc.path, "", signedBody(t, tn.n, admin, anyKey, tc.typ, tc.p)), 400, "tx.wrongEndpoint")
	}
	if tn.n.Ledger.Head().Height != 0 {
		t.Fatal("a refused transaction was committed")
	}
}

// Empty registers are empty lists, as openapi.json requires, not null.
func TestGovernance_EmptyRegistersAreEmptyLists(t *testing.T) {
	tn := startNode(t)
	for path, want := range map[string]string{
		"/v1/committee": `{"members":[]}`,
		"/v1/observers": `{"observers":[]}`,
		"/v1/issuers":   `{"issuers":[]}`,
	} {
		if r := tn.do(t, "GET", path, "", nil); r.status != 200 || strings.TrimSpace(string(r.body)) != want {
			t.Errorf("GET %s: %d %s, want %s", path, r.status, r.body, want)
		}
	}
}
