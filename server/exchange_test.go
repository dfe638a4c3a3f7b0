package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/exchange"
	"github.com/weidgo/weid/grants"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
)

// exchangeWorld is a node, a university's data service (the data holder,
// whose DID the node keeps) serving "transcripts" from a directory, a
// citizen (Alice), a bank and an intruder (Eve), each with a did:weid DID
// and its own key.
type exchangeWorld struct {
	tn               *testNode
	xURL, resource   string
	uni              string
	alice, bank, eve *selfCustody
}

// secret claim values that must never appear in an error.
const (
	secretDegree = "Bachelor of Engineering"
	secretGPA    = "3.71"
)

func newExchangeWorld(t *testing.T) *exchangeWorld {
	t.Helper()
	return newExchangeWorldWith(t, nil)
}

// newExchangeWorldWith is newExchangeWorld whose service reads the ledger
// through wrap(the node's ledger), if wrap is set.
func newExchangeWorldWith(t *testing.T, wrap func(exchange.Ledger) exchange.Ledger) *exchangeWorld {
	t.Helper()
	tn := startNode(t)
	acct := tn.account(t, `{"name":"university-data-service"}`)
	w := &exchangeWorld{tn: tn, uni: acct.DID, alice: newSelfCustody(t, tn), bank: newSelfCustody(t, tn), eve: newSelfCustody(t, tn)}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "transcripts"), 0o700); err != nil {
		t.Fatal(err)
	}
	data := `{"holderName":"Alice Chen","degree":"` + secretDegree + `","awardedDate":"2026-07-01","gpa":` + secretGPA + `}`
	if err := os.WriteFile(filepath.Join(dir, "transcripts", w.alice.did+".json"), []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	hc := client.New(tn.url)
	hc.Token = acct.Token
	var l exchange.Ledger = exchange.NodeLedger{Client: hc, Holder: acct.DID}
	if wrap != nil {
		l = wrap(l)
	}
	xs := httptest.NewServer(NewExchange(exchange.New(exchange.Config{Ledger: l, Provider: grants.DirProvider{Dir: dir}})))
	t.Cleanup(xs.Close)
	w.xURL = xs.URL
	w.resource = xs.URL + "/v1/exchange/transcripts"
	return w
}

// grant makes a grant from Alice to the bank, signed by Alice.
func (w *exchangeWorld) grant(t *testing.T, resource string, scope []string, nb, exp time.Time) string {
	t.Helper()
	id, err := grants.NewID()
	if err != nil {
		t.Fatal(err)
	}
	g := grants.Grant{ID: id, Grantor: w.alice.did, Grantee: w.bank.did, Resource: resource, Scope: scope,
		Purpose: "mortgage application", NotBefore: nb.UTC().Truncate(time.Second), Expires: exp.UTC().Truncate(time.Second)}
	tok, err := g.Sign(w.alice.key, w.alice.vm(), w.tn.url)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// record records a grant's receipt with a transaction signed by by.
func (w *exchangeWorld) record(t *testing.T, by *selfCustody, tok string) response {
	t.Helper()
	tx, err := node.SignTx(w.tn.n.ChainID, by.vm(), by.key, grants.TxRecord, &grants.RecordPayload{Grant: tok})
	if err != nil {
		t.Fatal(err)
	}
	return w.tn.do(t, "POST", "/v1/grants", "", []byte(`{"tx":`+string(txBody(t, tx))+`}`))
}

func (w *exchangeWorld) nonce(t *testing.T, resource string) string {
	t.Helper()
	n, err := exchange.FetchNonce(context.Background(), http.DefaultClient, resource)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// post sends an exchange request with a proof signed by k as kid.
func (w *exchangeWorld) post(t *testing.T, url string, body []byte, proof string) response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if proof != "" {
		req.Header.Set(grants.ProofHeader, proof)
	}
	return send(t, req)
}

func proof(t *testing.T, k *keys.PrivateKey, kid, url string, body []byte, nonce string) string {
	t.Helper()
	p, err := grants.SignProof(k, kid, http.MethodPost, url, body, nonce, time.Now(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func body(t *testing.T, grant string, claims ...string) []byte {
	t.Helper()
	b, _ := json.Marshal(api.ExchangeRequest{Grant: grant, Claims: claims})
	return b
}

func wantXProblem(t *testing.T, what string, r response, status int, code string) {
	t.Helper()
	var p Problem
	if r.status != status || json.Unmarshal(r.body, &p) != nil || p.Code != code {
		t.Fatalf("%s: got %d %s, want %d %s", what, r.status, r.body, status, code)
	}
	if strings.Contains(string(r.body), secretDegree) || strings.Contains(string(r.body), secretGPA) {
		t.Fatalf("%s: the problem carries protected data: %s", what, r.body)
	}
}

// TestExchange_EndToEnd is the done-when over HTTP: a citizen
// grants a bank access to two claims held by a university's data service;
// the bank fetches and decrypts them; every receipt is on the ledger; a
// replayed request is refused; after the citizen revokes, the fetch is
// refused. And each bad case is refused with its named reason.
func TestExchange_EndToEnd(t *testing.T) {
	w := newExchangeWorld(t)
	ctx := context.Background()
	now := time.Now()
	scope := []string{"degree", "awardedDate"}
	tok := w.grant(t, w.resource, scope, now.Add(-time.Minute), now.Add(time.Hour))
	g, err := grants.Parse(tok)
	if err != nil {
		t.Fatal(err)
	}

	// Only the grantor records the receipt.
	wantXProblem(t, "recorded by the bank", w.record(t, w.bank, tok), http.StatusForbidden, "grant.notGrantor")
	r := w.record(t, w.alice, tok)
	if r.status != http.StatusCreated {
		t.Fatalf("record: %d %s", r.status, r.body)
	}
	var gr api.GrantReceipt
	_ = json.Unmarshal(r.body, &gr)
	if gr.ID != g.ID || gr.Hash != g.Hash || gr.TxHash == "" {
		t.Fatalf("receipt %+v, want id %s hash %s", gr, g.ID, g.Hash)
	}
	wantXProblem(t, "recorded twice", w.record(t, w.alice, tok), http.StatusConflict, "grant.exists")

	// The grant is a credential every weid verifier checks.
	vr := w.tn.do(t, "POST", "/credentials/verify", "", []byte(`{"verifiableCredential":"`+tok+`"}`))
	if vr.status != http.StatusOK {
		t.Fatalf("verify the grant as a credential: %d %s", vr.status, vr.body)
	}

	// Listed by grantor and by grantee.
	for by, d := range map[string]string{"grantor": w.alice.did, "grantee": w.bank.did} {
		q := api.GrantQuery{Grantor: d}
		if by == "grantee" {
			q = api.GrantQuery{Grantee: d}
		}
		list, err := w.tn.c.Grants(ctx, q)
		if err != nil || len(list.Grants) != 1 || list.Grants[0].ID != g.ID || list.Grants[0].State != grants.StatusActive {
			t.Fatalf("list by %s: %+v %v", by, list, err)
		}
	}

	// The bank fetches and decrypts exactly the two claims.
	data, err := exchange.Fetch(ctx, nil, w.resource, tok, nil, w.bank.key, w.bank.vm())
	if err != nil {
		t.Fatal(err)
	}
	if len(data.Claims) != 2 || data.Claims["degree"] != secretDegree || data.Claims["awardedDate"] != "2026-07-01" {
		t.Fatalf("claims %v", data.Claims)
	}
	acc, err := w.tn.c.Accesses(ctx, g.ID, 0)
	if err != nil || len(acc.Accesses) != 1 || acc.Accesses[0].Holder != w.uni || acc.Accesses[0].TxHash != data.AccessReceipt || !slices.Equal(acc.Accesses[0].Claims, scope) {
		t.Fatalf("access receipts %+v %v (answer's receipt %s)", acc, err, data.AccessReceipt)
	}

	// A replayed request (same nonce, proof and body) is refused.
	n := w.nonce(t, w.resource)
	b := body(t, tok, "degree")
	p := proof(t, w.bank.key, w.bank.vm(), w.resource, b, n)
	if r := w.post(t, w.resource, b, p); r.status != http.StatusOK || r.ctype != grants.MediaTypeJWE {
		t.Fatalf("first request: %d %s", r.status, r.body)
	}
	wantXProblem(t, "replay", w.post(t, w.resource, b, p), http.StatusConflict, "exchange.replayed")

	// The response is encrypted to the grantee: the intruder cannot read it.
	n = w.nonce(t, w.resource)
	b = body(t, tok)
	r = w.post(t, w.resource, b, proof(t, w.bank.key, w.bank.vm(), w.resource, b, n))
	if bytes.Contains(r.body, []byte(secretDegree)) {
		t.Fatal("the response is in the clear")
	}
	if _, err := grants.Decrypt(w.eve.key, string(r.body)); err == nil {
		t.Fatal("another key decrypts the response")
	}

	bad := func(what string, claims []string, sign func(b []byte, n string) string, status int, code string) {
		t.Helper()
		n := w.nonce(t, w.resource)
		b := body(t, tok, claims...)
		wantXProblem(t, what, w.post(t, w.resource, b, sign(b, n)), status, code)
	}
	bankSigns := func(b []byte, n string) string { return proof(t, w.bank.key, w.bank.vm(), w.resource, b, n) }
	bad("out of scope", []string{"gpa"}, bankSigns, http.StatusForbidden, "grant.outOfScope")
	bad("eve as herself", nil, func(b []byte, n string) string { return proof(t, w.eve.key, w.eve.vm(), w.resource, b, n) },
		http.StatusForbidden, "exchange.wrongGrantee")
	bad("eve's key as the bank", nil, func(b []byte, n string) string { return proof(t, w.eve.key, w.bank.vm(), w.resource, b, n) },
		http.StatusUnauthorized, "exchange.badProof")
	bad("forged proof signature", nil, func(b []byte, n string) string {
		p := bankSigns(b, n)
		return p[:len(p)-4] + "AAAA"
	}, http.StatusUnauthorized, "exchange.badProof")
	bad("unknown nonce", nil, func(b []byte, _ string) string { return bankSigns(b, "never-issued") }, http.StatusUnauthorized, "exchange.unknownNonce")
	bad("proof for another body", nil, func(_ []byte, n string) string { return bankSigns([]byte(`{}`), n) }, http.StatusBadRequest, "exchange.proofMismatch")
	bad("no proof", nil, func([]byte, string) string { return "" }, http.StatusUnauthorized, "exchange.proofRequired")

	// Unknown resources.
	_, err = exchange.FetchNonce(ctx, http.DefaultClient, w.xURL+"/v1/exchange/payslips")
	if e, ok := err.(*client.Error); !ok || e.Status != http.StatusNotFound || e.Code != "exchange.unknownResource" {
		t.Fatalf("unknown resource: %v", err)
	}

	// A grant never recorded, an altered grant, a grant for another
	// resource, an expired grant.
	try := func(what, grant string, status int, code string) {
		t.Helper()
		n := w.nonce(t, w.resource)
		b := body(t, grant)
		wantXProblem(t, what, w.post(t, w.resource, b, bankSigns(b, n)), status, code)
	}
	try("unrecorded", w.grant(t, w.resource, scope, now.Add(-time.Minute), now.Add(time.Hour)), http.StatusNotFound, "grant.notFound")
	parts := strings.Split(tok, ".")
	try("forged grant signature", parts[0]+"."+parts[1]+"."+strings.Repeat("A", len(parts[2])), http.StatusForbidden, "grant.hashMismatch")
	other := w.grant(t, w.xURL+"/v1/exchange/payslips", scope, now.Add(-time.Minute), now.Add(time.Hour))
	if r := w.record(t, w.alice, other); r.status != http.StatusCreated {
		t.Fatalf("record: %d %s", r.status, r.body)
	}
	try("another resource", other, http.StatusForbidden, "grant.wrongResource")
	expired := w.grant(t, w.resource, scope, now.Add(-2*time.Hour), now.Add(-time.Hour))
	if r := w.record(t, w.alice, expired); r.status != http.StatusCreated {
		t.Fatalf("record: %d %s", r.status, r.body)
	}
	try("expired", expired, http.StatusForbidden, "grant.expired")

	// A grant signed by someone else in the grantor's name is refused by the
	// ledger.
	last := "0" // another id than g's (whose last hex digit may be 0)
	if strings.HasSuffix(g.ID, "0") {
		last = "1"
	}
	forged := grants.Grant{ID: g.ID[:len(g.ID)-1] + last, Grantor: w.alice.did, Grantee: w.eve.did, Resource: w.resource, Scope: scope,
		Purpose: "x", NotBefore: g.NotBefore, Expires: g.Expires}
	ftok, err := forged.Sign(w.eve.key, w.alice.vm(), w.tn.url)
	if err != nil {
		t.Fatal(err)
	}
	wantXProblem(t, "forged grant", w.record(t, w.alice, ftok), http.StatusBadRequest, "grant.badSignature")

	// Only the grantor revokes; then the fetch is refused.
	rtx := func(by *selfCustody) []byte {
		tx, err := node.SignTx(w.tn.n.ChainID, by.vm(), by.key, grants.TxRevoke, &grants.RevokePayload{ID: g.ID})
		if err != nil {
			t.Fatal(err)
		}
		return []byte(`{"tx":` + string(txBody(t, tx)) + `}`)
	}
	wantXProblem(t, "revoked by the bank", w.tn.do(t, "POST", client.GrantPath(g.ID, "revoke"), "", rtx(w.bank)), http.StatusForbidden, "grant.notGrantor")
	if r := w.tn.do(t, "POST", client.GrantPath(g.ID, "revoke"), "", rtx(w.alice)); r.status != http.StatusCreated {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	try("revoked", tok, http.StatusForbidden, "grant.revoked")
	v, err := w.tn.c.Grant(ctx, g.ID)
	if err != nil || v.State != grants.StatusRevoked || v.Revoked == nil || v.AccessCount != 3 {
		t.Fatalf("receipt after revocation: %+v %v", v, err)
	}
}
