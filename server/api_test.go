package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
)

type testNode struct {
	n     *node.Node
	dir   string // the node's data directory
	url   string
	token string
	c     *client.Client
}

func startNode(t *testing.T) *testNode {
	t.Helper()
	return startNodeWith(t, node.Config{})
}

// startNodeWith starts a node configured by cfg in a new data directory,
// with a metrics registry of its own, and serves its API.
func startNodeWith(t *testing.T, cfg node.Config) *testNode {
	t.Helper()
	dir := t.TempDir()
	reg := prometheus.NewRegistry()
	cfg.DataDir, cfg.Registerer = dir, reg
	n, err := node.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(n, reg))
	t.Cleanup(func() { srv.Close(); n.Close() })
	tok, _ := os.ReadFile(filepath.Join(dir, node.TokenFile))
	return &testNode{n: n, dir: dir, url: srv.URL, token: strings.TrimSpace(string(tok)), c: client.New(srv.URL)}
}

type response struct {
	status int
	ctype  string
	body   []byte
}

func (tn *testNode) do(t *testing.T, method, path, token string, body []byte) response {
	t.Helper()
	req, _ := http.NewRequest(method, tn.url+path, bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return send(t, req)
}

// send sends req and reads the whole answer.
func send(t *testing.T, req *http.Request) response {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header.Get("Content-Type"), b}
}

// wantProblem checks an RFC 9457 problem with the given status and code.
func wantProblem(t *testing.T, name string, r response, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Errorf("%s: status %d, want %d: %s", name, r.status, status, r.body)
		return
	}
	if r.ctype != "application/problem+json" {
		t.Errorf("%s: content type %q, want application/problem+json", name, r.ctype)
	}
	var p Problem
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Errorf("%s: body is not a problem: %v", name, err)
		return
	}
	if p.Code != code || p.Status != status || p.Type != ProblemTypeBase+code || p.Detail == "" || p.Title == "" {
		t.Errorf("%s: problem %+v, want code %s", name, p, code)
	}
}

func newDIDTx(t *testing.T, chainID string) (*chain.Tx, *keys.PrivateKey, string) {
	t.Helper()
	k, _ := keys.Generate(keys.Ed25519)
	d := did.WeidDID(chainID, k.Public())
	tx, err := node.SignTx(chainID, d+"#key-1", k, did.TxCreate, &did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()})
	if err != nil {
		t.Fatal(err)
	}
	return tx, k, d
}

// account creates an account with the admin token (POST /v1/accounts)
// from the JSON request body and fails the test unless it is created.
func (tn *testNode) account(t *testing.T, body string) api.NewAccount {
	t.Helper()
	r := tn.do(t, "POST", "/v1/accounts", tn.token, []byte(body))
	var a api.NewAccount
	if err := json.Unmarshal(r.body, &a); err != nil || r.status != 201 {
		t.Fatalf("account %s: %d %s", body, r.status, r.body)
	}
	return a
}

// newDID creates a did:weid through POST /v1/txs (its own signed
// transaction) and returns it.
func (tn *testNode) newDID(t *testing.T) string {
	t.Helper()
	tx, _, d := newDIDTx(t, tn.n.ChainID)
	if r := tn.do(t, "POST", "/v1/txs", "", txBody(t, tx)); r.status != 201 {
		t.Fatalf("submit: %d %s", r.status, r.body)
	}
	return d
}

func txBody(t *testing.T, tx *chain.Tx) []byte {
	b, err := chain.MarshalJSON(tx)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAPI_BadInputGetsProblemsAndWritesNothing(t *testing.T) {
	tn := startNode(t)
	head := tn.n.Ledger.Head()
	tx, _, _ := newDIDTx(t, tn.n.ChainID)
	other, _, _ := newDIDTx(t, tn.n.ChainID)
	badSig := *tx
	badSig.Signature = other.Signature
	wrongType := strings.Replace(string(txBody(t, tx)), `"nonce":`, `"nonce":"`, 1)
	wrongType = strings.Replace(wrongType, `,"payload"`, `","payload"`, 1)
	unknown := *tx
	unknown.Type = "did.teleport"

	cases := []struct {
		name, method, path, token string
		body                      []byte
		status                    int
		code                      string
	}{
		{"malformed JSON", "POST", "/v1/txs", "", []byte(`{"chainId":`), 400, "tx.malformed"},
		{"wrong types", "POST", "/v1/txs", "", []byte(wrongType), 400, "tx.malformed"},
		{"empty body", "POST", "/v1/txs", "", nil, 400, "tx.malformed"},
		{"unknown type", "POST", "/v1/txs", "", txBody(t, &unknown), 400, "tx.unknownType"},
		{"bad signature", "POST", "/v1/txs", "", txBody(t, &badSig), 400, "tx.badSignature"},
		{"tx over 64 KiB", "POST", "/v1/txs", "", []byte(`{"payload":"` + strings.Repeat("a", chain.MaxTxBytes) + `"}`), 413, "tx.tooLarge"},
		{"body over 1 MiB", "POST", "/v1/txs", "", bytes.Repeat([]byte("a"), MaxBodyBytes+1), 413, "request.tooLarge"},
		{"bad async", "POST", "/v1/txs?async=maybe", "", txBody(t, tx), 400, "request.badQuery"},
		{"create without token", "POST", "/v1/dids", "", []byte(`{}`), 401, "auth.required"},
		{"create with a bad token", "POST", "/v1/dids", "weid_nope", []byte(`{}`), 401, "auth.invalidToken"},
		{"unknown key type", "POST", "/v1/dids", tn.token, []byte(`{"keyType":"RSA"}`), 400, "did.invalidKeyType"},
		{"unknown member", "POST", "/v1/dids", tn.token, []byte(`{"keyTyp":"P-256"}`), 400, "request.malformed"},
		{"create tx on the update endpoint", "POST", "/v1/dids/" + tx.SignerDID() + "/services", "", []byte(`{"tx":` + string(txBody(t, tx)) + `}`), 400, "tx.wrongEndpoint"},
		{"invalid DID in an update path", "POST", "/v1/dids/did:weid:1:0xZZ/deactivate", tn.token, nil, 400, "did.invalid"},
		{"custodial update of a DID the node does not hold", "POST", "/v1/dids/" + tx.SignerDID() + "/deactivate", tn.token, nil, 403, "auth.notCustodian"},
		{"bad tx hash", "GET", "/v1/txs/xyz", "", nil, 400, "tx.badHash"},
		{"unknown tx", "GET", "/v1/txs/" + strings.Repeat("ab", 32), "", nil, 404, "tx.notFound"},
		{"bad height", "GET", "/v1/blocks/-1", "", nil, 400, "block.badHeight"},
		{"missing block", "GET", "/v1/blocks/99999", "", nil, 404, "block.notFound"},
		{"unknown route", "GET", "/v1/nothing", "", nil, 404, "route.notFound"},
		{"wrong method", "DELETE", "/v1/status", "", nil, 405, "route.methodNotAllowed"},
		{"invalid DID", "GET", "/1.0/identifiers/did:weid:1:0x12", "", nil, 400, "did.invalidDid"},
		{"not a DID", "GET", "/1.0/identifiers/hello", "", nil, 400, "did.invalidDid"},
		{"unknown DID", "GET", "/1.0/identifiers/did:weid:1:0x" + strings.Repeat("0", 40), "", nil, 404, "did.notFound"},
		{"unsupported method", "GET", "/1.0/identifiers/did:example:123", "", nil, 501, "did.methodNotSupported"},
		{"did:web is off unless allowed", "GET", "/1.0/identifiers/did:web:example.com", "", nil, 501, "did.methodNotSupported"},
		{"bad versionTime", "GET", "/1.0/identifiers/" + tn.n.AdminDID + "?versionTime=yesterday", "", nil, 400, "did.invalidOptions"},
		{"bad versionId", "GET", "/1.0/identifiers/" + tn.n.AdminDID + "?versionId=x", "", nil, 400, "did.invalidOptions"},
	}
	for _, c := range cases {
		wantProblem(t, c.name, tn.do(t, c.method, c.path, c.token, c.body), c.status, c.code)
	}
	if got := tn.n.Ledger.Head(); got != head {
		t.Fatalf("bad input moved the head from %d to %d", head.Height, got.Height)
	}
	// The resolution binding's problems also carry the DID Resolution error.
	r := tn.do(t, "GET", "/1.0/identifiers/did:weid:1:0x"+strings.Repeat("0", 40), "", nil)
	var res struct {
		Meta struct{ Error string } `json:"didResolutionMetadata"`
	}
	if json.Unmarshal(r.body, &res); res.Meta.Error != "notFound" {
		t.Fatalf("didResolutionMetadata.error = %q, want notFound", res.Meta.Error)
	}
}

func TestAPI_DIDLifecycleOverHTTP(t *testing.T) {
	tn := startNode(t)
	ctx := context.Background()
	tx, k, d := newDIDTx(t, tn.n.ChainID)
	created, err := tn.c.CreateDID(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	if created.DID != d || created.DIDDocument == nil || created.Height == 0 {
		t.Fatalf("create: %+v", created)
	}
	if _, err := tn.c.CreateDID(ctx, tx); err == nil || err.(*client.Error).Code != "tx.replay" {
		t.Fatalf("replayed create: %v", err)
	}
	// Percent-encoded in one segment, as DID Resolution allows.
	r := tn.do(t, "GET", "/1.0/identifiers/"+url.QueryEscape(d), "", nil)
	if r.status != 200 || r.ctype != did.MediaResolution {
		t.Fatalf("resolve encoded: %d %s %s", r.status, r.ctype, r.body)
	}
	svc := did.Service{ID: d + "#home", Type: "LinkedDomains", ServiceEndpoint: json.RawMessage(`"https://alice.example/?a=<b>&c"`)}
	up, _ := node.SignTx(tn.n.ChainID, d+"#key-1", k, did.TxAddService, &did.AddServicePayload{DID: d, Service: svc})
	res, err := tn.c.UpdateDID(ctx, up)
	if err != nil {
		t.Fatal(err)
	}
	// A transaction whose payload needs HTML-significant characters keeps its
	// hash through storage and JSON responses.
	txr, err := tn.c.Tx(ctx, res.TxHash)
	if err != nil {
		t.Fatal(err)
	}
	if err := chain.Standard.VerifyTx(&txr.TxWithProof); err != nil {
		t.Fatalf("inclusion proof: %v", err)
	}
	// A pre-signed delete must name the same id as the path.
	rm, _ := node.SignTx(tn.n.ChainID, d+"#key-1", k, did.TxRemoveService, &did.RemoveServicePayload{DID: d, ID: "home"})
	body, _ := json.Marshal(map[string]any{"tx": rm})
	wantProblem(t, "id mismatch", tn.do(t, "DELETE", "/v1/dids/"+d+"/services/other", "", body), 400, "tx.wrongEndpoint")
	if r := tn.do(t, "DELETE", "/v1/dids/"+d+"/services/home", "", body); r.status != 200 {
		t.Fatalf("remove service: %d %s", r.status, r.body)
	}
	deact, _ := node.SignTx(tn.n.ChainID, d+"#key-1", k, did.TxDeactivate, &did.DeactivatePayload{DID: d})
	if _, err := tn.c.UpdateDID(ctx, deact); err != nil {
		t.Fatal(err)
	}
	r = tn.do(t, "GET", "/1.0/identifiers/"+d, "", nil)
	var gone did.ResolutionResult
	_ = json.Unmarshal(r.body, &gone)
	if r.status != http.StatusGone || !gone.DocumentMetadata.Deactivated || len(gone.Document.VerificationMethod) != 0 {
		t.Fatalf("deactivated: %d %s", r.status, r.body)
	}
	// Asked for the document alone, a deactivated DID answers it with 410
	// (DID Resolution v1.0 §12.1).
	if r := sendAccept(t, tn.url+"/1.0/identifiers/"+d, did.MediaDIDLD); r.status != http.StatusGone || r.ctype != did.MediaDIDLD || !strings.Contains(string(r.body), `"id":"`+d+`"`) || strings.Contains(string(r.body), "didDocumentMetadata") {
		t.Fatalf("deactivated, document alone: %d %s %s", r.status, r.ctype, r.body)
	}
	// A deactivated DID signs nothing more.
	again, _ := node.SignTx(tn.n.ChainID, d+"#key-1", k, did.TxAddService, &did.AddServicePayload{DID: d, Service: svc})
	body, _ = json.Marshal(map[string]any{"tx": again})
	wantProblem(t, "update after deactivation", tn.do(t, "POST", "/v1/dids/"+d+"/services", "", body), 410, "did.deactivated")
	// Version 2 still has the service.
	v2, err := tn.c.Resolve(ctx, d, did.Options{VersionID: "2"})
	if err != nil || len(v2.Document.Service) != 1 {
		t.Fatalf("version 2: %v %+v", err, v2)
	}
}

func TestAPI_CustodialDIDs(t *testing.T) {
	tn := startNode(t)
	c := client.New(tn.url)
	c.Token = tn.token
	ctx := context.Background()
	for _, kt := range []string{"Ed25519", "P-256", "secp256k1"} {
		r, err := c.CreateCustodialDID(ctx, kt)
		if err != nil {
			t.Fatalf("%s: %v", kt, err)
		}
		body := []byte(`{"service":{"id":"#api","type":"Api","serviceEndpoint":"https://bank.example/api"}}`)
		if resp := tn.do(t, "POST", "/v1/dids/"+r.DID+"/services", tn.token, body); resp.status != 200 {
			t.Fatalf("%s add service: %d %s", kt, resp.status, resp.body)
		}
		if resp := tn.do(t, "POST", "/v1/dids/"+r.DID+"/rotate", tn.token, []byte(`{"newId":"key-2"}`)); resp.status != 200 {
			t.Fatalf("%s rotate: %d %s", kt, resp.status, resp.body)
		}
		// After rotation the node signs with the new key.
		if resp := tn.do(t, "DELETE", "/v1/dids/"+r.DID+"/services/api", tn.token, nil); resp.status != 200 {
			t.Fatalf("%s remove service after rotation: %d %s", kt, resp.status, resp.body)
		}
		res, err := c.Resolve(ctx, r.DID, did.Options{})
		if err != nil || res.Document.VerificationMethod[0].ID != r.DID+"#key-2" {
			t.Fatalf("%s: %v %+v", kt, err, res)
		}
	}
}

// TestAPI_CompromisedKeys: a custodial rotation can declare the old key
// compromised; the DID's metadata lists it, and reporting a key still in
// the document, or one declared already, is a 409 that writes nothing.
func TestAPI_CompromisedKeys(t *testing.T) {
	tn := startNode(t)
	c := client.New(tn.url)
	c.Token = tn.token
	ctx := context.Background()
	r, err := c.CreateCustodialDID(ctx, "Ed25519")
	if err != nil {
		t.Fatal(err)
	}
	before, err := c.Resolve(ctx, r.DID, did.Options{})
	if err != nil {
		t.Fatal(err)
	}
	oldMB := before.Document.VerificationMethod[0].PublicKeyMultibase
	if resp := tn.do(t, "POST", "/v1/dids/"+r.DID+"/rotate", tn.token, []byte(`{"newId":"key-2","compromised":true}`)); resp.status != 200 {
		t.Fatalf("rotate: %d %s", resp.status, resp.body)
	}
	after, err := c.Resolve(ctx, r.DID, did.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ck := after.DocumentMetadata.CompromisedKeys
	if len(ck) != 1 || ck[0].PublicKeyMultibase != oldMB || ck[0].ID != r.DID+"#key-1" {
		t.Fatalf("compromisedKeys = %+v", ck)
	}
	current := after.Document.VerificationMethod[0].PublicKeyMultibase
	for _, tc := range []struct{ mb, code string }{{oldMB, "did.keyCompromised"}, {current, "did.keyInUse"}} {
		resp := tn.do(t, "POST", "/v1/dids/"+r.DID+"/compromised-keys", tn.token, []byte(`{"publicKeyMultibase":"`+tc.mb+`"}`))
		wantProblem(t, tc.code, resp, http.StatusConflict, tc.code)
	}
	wantProblem(t, "no key", tn.do(t, "POST", "/v1/dids/"+r.DID+"/compromised-keys", tn.token, []byte(`{}`)), http.StatusBadRequest, "request.malformed")
	if got, _ := c.Resolve(ctx, r.DID, did.Options{}); got.DocumentMetadata.VersionID != after.DocumentMetadata.VersionID {
		t.Fatalf("refused reports wrote version %s", got.DocumentMetadata.VersionID)
	}
}

func TestAPI_AsyncSubmitCanBePolled(t *testing.T) {
	tn := startNode(t)
	tx, _, _ := newDIDTx(t, tn.n.ChainID)
	r := tn.do(t, "POST", "/v1/txs?async=true", "", txBody(t, tx))
	if r.status != http.StatusAccepted {
		t.Fatalf("async: %d %s", r.status, r.body)
	}
	var rc api.Receipt
	_ = json.Unmarshal(r.body, &rc)
	// Poll as a client would, until it commits (bounded generously: a
	// loaded machine may take a while to fsync the block).
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		got, err := tn.c.Tx(context.Background(), rc.TxHash)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status == "committed" {
			return
		}
		if got.Status != "pending" {
			t.Fatalf("status %q", got.Status)
		}
	}
	t.Fatal("async tx never committed")
}

func TestAPI_HealthReadyMetricsStatus(t *testing.T) {
	tn := startNode(t)
	for _, p := range []string{"/healthz", "/readyz", "/v1/status", "/v1/blocks/latest", "/v1/blocks/0"} {
		if r := tn.do(t, "GET", p, "", nil); r.status != 200 {
			t.Errorf("%s: %d %s", p, r.status, r.body)
		}
	}
	r := tn.do(t, "GET", "/metrics", "", nil)
	for _, m := range []string{"weid_ledger_height", "weid_http_requests_total", "weid_ledger_txs_committed_total"} {
		if !bytes.Contains(r.body, []byte(m)) {
			t.Errorf("/metrics lacks %s", m)
		}
	}
	st, err := tn.c.Status(context.Background())
	if err != nil || st.ChainID != "1" || st.Engine != "solo" || st.AdminDID != tn.n.AdminDID {
		t.Fatalf("status %+v %v", st, err)
	}
}

// A storage failure fails the write with 503 and leaves the node consistent.
func TestAPI_StorageFailureIs503(t *testing.T) {
	tn := startNode(t)
	head := tn.n.Ledger.Head()
	tx, _, _ := newDIDTx(t, tn.n.ChainID)
	tn.n.Ledger.Close() // the disk goes away
	r := tn.do(t, "POST", "/v1/txs", "", txBody(t, tx))
	wantProblem(t, "write on a broken disk", r, 503, "ledger.unavailable")
	if tn.n.Ledger.Head() != head {
		t.Fatal("the head moved")
	}
}
