package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/node"
)

// startImpatientNode starts a node under the cometbft engine whose
// CommitWait no block can meet: every write is answered before its block.
func startImpatientNode(t *testing.T) *testNode {
	t.Helper()
	return startNodeWith(t, node.Config{Engine: "cometbft", CometLogLevel: "none", CommitWait: time.Nanosecond})
}

// TestAPI_CommitWaitAnswers202WithLocation: under the cometbft engine a
// write waits for its block at most the node's CommitWait; when that bound
// passes first the API answers 202 with the hash and a Location, and
// polling that Location reports the transaction pending, then committed.
func TestAPI_CommitWaitAnswers202WithLocation(t *testing.T) {
	tn := startImpatientNode(t)
	n := tn.n
	for _, path := range []string{"/v1/txs", "/v1/dids"} {
		tx, _, _ := newDIDTx(t, n.ChainID)
		body := txBody(t, tx)
		if path == "/v1/dids" {
			body, _ = json.Marshal(map[string]json.RawMessage{"tx": body})
		}
		req, _ := http.NewRequest("POST", tn.url+path, bytes.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var rc api.Receipt
		_ = json.NewDecoder(resp.Body).Decode(&rc)
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted || rc.TxHash != tx.Hash() || rc.Status != api.StatusPending {
			t.Fatalf("%s: %d %+v, want 202 pending", path, resp.StatusCode, rc)
		}
		if loc := resp.Header.Get("Location"); loc != "/v1/txs/"+tx.Hash() {
			t.Fatalf("%s: Location %q", path, loc)
		}
		committed := false
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && !committed; time.Sleep(20 * time.Millisecond) {
			got, err := tn.c.Tx(context.Background(), rc.TxHash)
			if err != nil {
				t.Fatal(err)
			}
			switch got.Status {
			case api.StatusCommitted:
				committed = true
			case api.StatusPending:
			default:
				t.Fatalf("%s: polled status %q", path, got.Status)
			}
		}
		if !committed {
			t.Fatalf("%s: never committed", path)
		}
	}
}

// TestAPI_PendingWriteSaysWhatItWrote: a write answered 202 because its
// block did not come within the node's CommitWait still carries what the
// node knew before the commit: the DID of a signed or custodial creation,
// the DID a custodial update changed, a new account with its token (shown
// once) and DID, the hashes of an evidence write — never a bare receipt
// that leaves the caller without the DID the node generated.
func TestAPI_PendingWriteSaysWhatItWrote(t *testing.T) {
	tn := startImpatientNode(t)
	n := tn.n
	pending := func(name string, r response, into any) {
		t.Helper()
		if r.status != http.StatusAccepted {
			t.Fatalf("%s: %d %s, want 202", name, r.status, r.body)
		}
		var rc api.Receipt
		if err := json.Unmarshal(r.body, &rc); err != nil || rc.Status != api.StatusPending || rc.TxHash == "" {
			t.Fatalf("%s: %s, want a pending receipt", name, r.body)
		}
		if err := json.Unmarshal(r.body, into); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		tn.waitCommitted(t, rc.TxHash)
	}

	tx, _, d := newDIDTx(t, n.ChainID)
	var created api.DIDResponse
	pending("signed DID", tn.do(t, "POST", "/v1/dids", "", []byte(`{"tx":`+string(txBody(t, tx))+`}`)), &created)
	if created.DID != d {
		t.Errorf("signed DID: did %q, want %s", created.DID, d)
	}
	var custodial api.DIDResponse
	pending("custodial DID", tn.do(t, "POST", "/v1/dids", tn.token, []byte(`{"keyType":"Ed25519"}`)), &custodial)
	if !strings.HasPrefix(custodial.DID, "did:weid:"+n.ChainID+":0x") {
		t.Fatalf("custodial DID: did %q, want the DID the node generated", custodial.DID)
	}
	var updated api.DIDResponse
	pending("custodial update", tn.do(t, "POST", "/v1/dids/"+custodial.DID+"/services", tn.token,
		[]byte(`{"service":{"id":"`+custodial.DID+`#home","type":"LinkedDomains","serviceEndpoint":"https://example.com"}}`)), &updated)
	if updated.DID != custodial.DID {
		t.Errorf("custodial update: did %q, want %s", updated.DID, custodial.DID)
	}
	var acct struct {
		api.NewAccount
		Status string `json:"status"`
	}
	pending("account", tn.do(t, "POST", "/v1/accounts", tn.token, []byte(`{"name":"acme"}`)), &acct)
	if acct.Token == "" || !strings.HasPrefix(acct.DID, "did:weid:") || acct.Name != "acme" {
		t.Fatalf("account: %+v, want its name, token and DID", acct)
	}
	h := strings.Repeat("ab", 32)
	var ev api.EvidenceReceipt
	pending("evidence", tn.do(t, "POST", "/v1/evidence", acct.Token, []byte(`{"signer":"`+acct.DID+`","hash":"`+h+`"}`)), &ev)
	if len(ev.Hashes) != 1 || ev.Hashes[0] != h {
		t.Errorf("evidence: hashes %v, want [%s]", ev.Hashes, h)
	}

	// W3C VCALM lists no 202 for issuing or for a status update. An
	// issuance whose new status list is not committed in time is refused
	// with 503 (retry), never a bare receipt in place of the credential;
	// the retry uses that list once it is committed.
	issue := `{"credential":{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"],"type":["VerifiableCredential","UniversityDegreeCredential"],` +
		`"issuer":"` + acct.DID + `","credentialSchema":{"id":"https://node.example/v1/schemas/2","type":"JsonSchema"},"credentialSubject":` + goodClaims + `},"options":{"format":"eddsa-jcs-2022","status":["revocation"]}}`
	first := tn.do(t, "POST", "/credentials/issue", acct.Token, []byte(issue))
	wantProblem(t, "issue, list pending", first, http.StatusServiceUnavailable, "ledger.unavailable")
	var r response
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if r = tn.do(t, "POST", "/credentials/issue", acct.Token, []byte(issue)); r.status != http.StatusServiceUnavailable {
			break
		}
	}
	var issued struct {
		VerifiableCredential struct{ ID string } `json:"verifiableCredential"`
	}
	if err := json.Unmarshal(r.body, &issued); err != nil || r.status != http.StatusCreated {
		t.Fatalf("issue once the list is committed: %d %s", r.status, r.body)
	}
	// A status update the block did not come for in time is not VCALM's
	// 200 ("updated"): 503 status.pending naming the list and the transaction.
	r = tn.do(t, "POST", "/credentials/status", acct.Token, []byte(`{"credentialId":"`+issued.VerifiableCredential.ID+`","credentialStatus":{"type":"BitstringStatusListEntry","statusPurpose":"revocation"},"status":true}`))
	var p Problem
	_ = json.Unmarshal(r.body, &p)
	hash := regexp.MustCompile(`transaction ([0-9a-f]{64})`).FindStringSubmatch(p.Detail)
	list := regexp.MustCompile(`status list (\S+) was sent`).FindStringSubmatch(p.Detail)
	if r.status != http.StatusServiceUnavailable || p.Code != "status.pending" || hash == nil || list == nil {
		t.Fatalf("status update: %d %s, want 503 status.pending naming the list and the transaction", r.status, r.body)
	}
	if !strings.Contains(string(first.body), list[1]) {
		t.Errorf("the credential is in list %s, not in the one the first issuance made: %s", list[1], first.body)
	}
	tn.waitCommitted(t, hash[1])
}

// waitCommitted polls GET /v1/txs/{hash} until the transaction is
// committed, failing the test if it is rejected or takes 30 s.
func (tn *testNode) waitCommitted(t *testing.T, hash string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		got, err := tn.c.Tx(context.Background(), hash)
		if err != nil {
			t.Fatal(err)
		}
		switch got.Status {
		case api.StatusCommitted:
			return
		case api.StatusPending:
		default:
			t.Fatalf("tx %s: status %q", hash, got.Status)
		}
	}
	t.Fatalf("tx %s never committed", hash)
}
