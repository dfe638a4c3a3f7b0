package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/evidence"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
)

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// selfCustody is a DID registered through the API whose key the test
// keeps (self-custody).
type selfCustody struct {
	key *keys.PrivateKey
	did string
}

func (w *selfCustody) vm() string { return w.did + "#key-1" }

func newSelfCustody(t *testing.T, tn *testNode) *selfCustody {
	t.Helper()
	tx, k, d := newDIDTx(t, tn.n.ChainID)
	if _, err := tn.c.CreateDID(context.Background(), tx); err != nil {
		t.Fatal(err)
	}
	return &selfCustody{key: k, did: d}
}

// evTx signs an evidence transaction as w and wraps it as a request body.
func (w *selfCustody) evTx(t *testing.T, tn *testNode, typ string, p any) []byte {
	t.Helper()
	tx, err := node.SignTx(tn.n.ChainID, w.vm(), w.key, typ, p)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(`{"tx":` + string(txBody(t, tx)) + `}`)
}

func (w *selfCustody) sig(t *testing.T, hash string) string {
	t.Helper()
	s, err := evidence.Sign(w.key, w.vm(), hash)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestEvidence_OverHTTP(t *testing.T) {
	tn := startNode(t)
	acct := tn.account(t, `{"name":"notary-backend"}`)
	alice, bob := newSelfCustody(t, tn), newSelfCustody(t, tn)
	h, h2, h3 := sha("contract"), sha("annex 1"), sha("annex 2")

	// Custodial creation: the node signs the tx and the evidence signature
	// with the account's DID key.
	r := tn.do(t, "POST", "/v1/evidence", acct.Token, []byte(`{"signer":"`+acct.DID+`","hash":"`+h+`","logs":["uploaded"],"extras":{"file":"contract.pdf"},"key":"contract-1"}`))
	var rc api.EvidenceReceipt
	if _ = json.Unmarshal(r.body, &rc); r.status != 201 || rc.Status != "committed" || len(rc.Hashes) != 1 || rc.Hashes[0] != h || rc.TxHash == "" {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	wantProblem(t, "duplicate", tn.do(t, "POST", "/v1/evidence", acct.Token, []byte(`{"signer":"`+acct.DID+`","hash":"`+h+`"}`)), 409, "evidence.exists")
	wantProblem(t, "no token", tn.do(t, "POST", "/v1/evidence", "", []byte(`{"hash":"`+h2+`"}`)), 401, "auth.required")
	wantProblem(t, "bad hash", tn.do(t, "POST", "/v1/evidence", acct.Token, []byte(`{"signer":"`+acct.DID+`","hash":"`+strings.ToUpper(h2)+`"}`)), 400, "evidence.invalidHash")

	// Alice signs with her own key; Bob's signature is relayed by Alice.
	r = tn.do(t, "POST", "/v1/evidence/"+h+"/signatures", "", alice.evTx(t, tn, evidence.TxSign, evidence.SignPayload{Hash: h, Signer: alice.vm(), Signature: alice.sig(t, h)}))
	if r.status != 201 {
		t.Fatalf("alice signs: %d %s", r.status, r.body)
	}
	r = tn.do(t, "POST", "/v1/evidence/"+h+"/signatures", "", alice.evTx(t, tn, evidence.TxSign, evidence.SignPayload{Hash: h, Signer: bob.vm(), Signature: bob.sig(t, h)}))
	if r.status != 201 {
		t.Fatalf("relayed: %d %s", r.status, r.body)
	}
	// A forged signature: Alice's presented as Bob's on another hash.
	wantProblem(t, "forged", tn.do(t, "POST", "/v1/evidence", "", alice.evTx(t, tn, evidence.TxCreate, evidence.CreatePayload{Hash: h2, Signer: bob.vm(), Signature: alice.sig(t, h2)})),
		400, "evidence.badSignature")
	wantProblem(t, "path mismatch", tn.do(t, "POST", "/v1/evidence/"+h2+"/signatures", "", alice.evTx(t, tn, evidence.TxSign, evidence.SignPayload{Hash: h, Signer: alice.vm(), Signature: alice.sig(t, h)})),
		400, "tx.wrongEndpoint")
	wantProblem(t, "already signed", tn.do(t, "POST", "/v1/evidence/"+h+"/signatures", "", bob.evTx(t, tn, evidence.TxSign, evidence.SignPayload{Hash: h, Signer: bob.vm(), Signature: bob.sig(t, h)})),
		409, "evidence.alreadySigned")

	// Revocation: only Bob revokes Bob's signature.
	wantProblem(t, "account revokes bob", tn.do(t, "POST", "/v1/evidence/"+h+"/signatures/"+bob.did+"/revoke", acct.Token, []byte(`{"signer":"`+acct.DID+`"}`)),
		403, "evidence.notSigner")
	wantProblem(t, "alice revokes bob", tn.do(t, "POST", "/v1/evidence/"+h+"/signatures/"+bob.did+"/revoke", "", alice.evTx(t, tn, evidence.TxRevoke, evidence.RevokePayload{Hash: h, DID: bob.did})),
		403, "evidence.notSigner")
	if r = tn.do(t, "POST", "/v1/evidence/"+h+"/signatures/"+bob.did+"/revoke", "", bob.evTx(t, tn, evidence.TxRevoke, evidence.RevokePayload{Hash: h, DID: bob.did, Logs: []string{"withdrawn"}})); r.status != 201 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	// The account revokes and restores its own signature custodially.
	for _, op := range []string{"revoke", "restore"} {
		if r = tn.do(t, "POST", "/v1/evidence/"+h+"/signatures/"+acct.DID+"/"+op, acct.Token, nil); r.status != 201 {
			t.Fatalf("custodial %s: %d %s", op, r.status, r.body)
		}
	}
	if r = tn.do(t, "POST", "/v1/evidence/"+h+"/logs", acct.Token, []byte(`{"signer":"`+acct.DID+`","logs":["archived"]}`)); r.status != 201 {
		t.Fatalf("logs: %d %s", r.status, r.body)
	}

	// The evidence, with a proof for each transaction that recorded it.
	var er api.EvidenceResponse
	r = tn.do(t, "GET", "/v1/evidence/"+h, "", nil)
	if err := json.Unmarshal(r.body, &er); err != nil || r.status != 200 {
		t.Fatalf("get: %d %s", r.status, r.body)
	}
	ev := er.Evidence
	if ev.Key != "contract-1" || ev.Creator != acct.DID || len(ev.Signatures) != 3 || len(ev.Logs) != 3 {
		t.Fatalf("evidence: %s", r.body)
	}
	if s := ev.Signatures[2]; s.DID != bob.did || s.Submitter != alice.did || !s.Revoked {
		t.Fatalf("bob's signature: %+v", s)
	}
	if s := ev.Signatures[0]; s.DID != acct.DID || s.Revoked || len(s.Changes) != 2 {
		t.Fatalf("account's signature: %+v", s)
	}
	if len(er.Proofs) != len(ev.TxHashes()) || len(er.Proofs) != 7 {
		t.Fatalf("%d proofs for %d transactions", len(er.Proofs), len(ev.TxHashes()))
	}
	for _, p := range er.Proofs {
		if err := chain.Standard.VerifyTx(p); err != nil {
			t.Fatalf("proof of %s: %v", p.Hash, err)
		}
	}
	var byKey api.EvidenceResponse
	r = tn.do(t, "GET", "/v1/evidence?key=contract-1", "", nil)
	if _ = json.Unmarshal(r.body, &byKey); r.status != 200 || byKey.Evidence.Hash != h {
		t.Fatalf("by key: %d %s", r.status, r.body)
	}
	wantProblem(t, "unknown key", tn.do(t, "GET", "/v1/evidence?key=nope", "", nil), 404, "evidence.notFound")
	wantProblem(t, "no key", tn.do(t, "GET", "/v1/evidence", "", nil), 400, "request.badQuery")
	wantProblem(t, "two keys", tn.do(t, "GET", "/v1/evidence?key=contract-1&key=nope", "", nil), 400, "request.badQuery")
	wantProblem(t, "a mistyped parameter", tn.do(t, "GET", "/v1/evidence?kye=contract-1", "", nil), 400, "request.badQuery")
	wantProblem(t, "unknown hash", tn.do(t, "GET", "/v1/evidence/"+h3, "", nil), 404, "evidence.notFound")
	wantProblem(t, "bad hash in path", tn.do(t, "GET", "/v1/evidence/xyz", "", nil), 400, "evidence.invalidHash")

	// Batches are all or nothing.
	r = tn.do(t, "POST", "/v1/evidence/batch", acct.Token, []byte(`{"signer":"`+acct.DID+`","items":[{"op":"create","hash":"`+h2+`"},{"op":"create","hash":"`+h+`"}]}`))
	wantProblem(t, "batch with a duplicate", r, 409, "evidence.exists")
	wantProblem(t, "after the failed batch", tn.do(t, "GET", "/v1/evidence/"+h2, "", nil), 404, "evidence.notFound")
	r = tn.do(t, "POST", "/v1/evidence/batch", acct.Token, []byte(`{"signer":"`+acct.DID+`","items":[{"op":"create","hash":"`+h2+`","key":"annex-1"},{"op":"create","hash":"`+h3+`"}]}`))
	if _ = json.Unmarshal(r.body, &rc); r.status != 201 || len(rc.Hashes) != 2 {
		t.Fatalf("batch: %d %s", r.status, r.body)
	}
	// A self-signed batch: Bob signs both annexes, Alice relays.
	r = tn.do(t, "POST", "/v1/evidence/batch", "", alice.evTx(t, tn, evidence.TxBatch, evidence.BatchPayload{Items: []evidence.BatchItem{
		{Op: evidence.OpSign, Hash: h2, Signer: bob.vm(), Signature: bob.sig(t, h2)},
		{Op: evidence.OpSign, Hash: h3, Signer: bob.vm(), Signature: bob.sig(t, h3)},
	}}))
	if r.status != 201 {
		t.Fatalf("signed batch: %d %s", r.status, r.body)
	}
	// The client SDK reads it back.
	res, err := tn.c.EvidenceByKey(context.Background(), "annex-1")
	if err != nil || res.Evidence.Hash != h2 || len(res.Evidence.Signatures) != 2 {
		t.Fatalf("client: %v %+v", err, res)
	}

	// Async submission of a signed tx.
	h4 := sha("async")
	r = tn.do(t, "POST", "/v1/evidence?async=true", "", alice.evTx(t, tn, evidence.TxCreate, evidence.CreatePayload{Hash: h4, Signer: alice.vm(), Signature: alice.sig(t, h4)}))
	if _ = json.Unmarshal(r.body, &rc); r.status != 202 || rc.Status != "pending" {
		t.Fatalf("async: %d %s", r.status, r.body)
	}
}

// The endpoints under /v1/evidence/{hash} take the hash (and the signature's
// DID) from the path: a signed transaction must name the same, and the
// creation fields are refused there.
func TestEvidence_PathEndpointsTakeWhatThePathNames(t *testing.T) {
	tn := startNode(t)
	alice, bob := newSelfCustody(t, tn), newSelfCustody(t, tn)
	h, h2 := sha("contract"), sha("annex")
	sigs := "/v1/evidence/" + h + "/signatures/"
	for _, tc := range []struct {
		name, path string
		body       []byte
		status     int
		code       string
	}{
		{"revoke of another DID's signature", sigs + bob.did + "/revoke", alice.evTx(t, tn, evidence.TxRevoke, evidence.RevokePayload{Hash: h, DID: alice.did}), 400, "tx.wrongEndpoint"},
		{"restore on another hash", sigs + alice.did + "/restore", alice.evTx(t, tn, evidence.TxRestore, evidence.RevokePayload{Hash: h2, DID: alice.did}), 400, "tx.wrongEndpoint"},
		{"logs on another hash", "/v1/evidence/" + h + "/logs", alice.evTx(t, tn, evidence.TxLog, evidence.LogPayload{Hash: h2, Logs: []string{"x"}}), 400, "tx.wrongEndpoint"},
		{"a create at the logs endpoint", "/v1/evidence/" + h + "/logs", alice.evTx(t, tn, evidence.TxCreate, evidence.CreatePayload{Hash: h, Signer: alice.vm(), Signature: alice.sig(t, h)}), 400, "tx.wrongEndpoint"},
		{"creation fields on a path", sigs[:len(sigs)-1], []byte(`{"hash":"` + h + `"}`), 400, "request.malformed"},
		{"not a did:weid in the path", sigs + "did:key:z6Mk/revoke", []byte(`{}`), 400, "evidence.invalidDid"},
		{"bad hash in the path", "/v1/evidence/XYZ/logs", []byte(`{}`), 400, "evidence.invalidHash"},
		{"bad async", "/v1/evidence?async=1x", alice.evTx(t, tn, evidence.TxCreate, evidence.CreatePayload{Hash: h, Signer: alice.vm(), Signature: alice.sig(t, h)}), 400, "request.badQuery"},
	} {
		wantProblem(t, tc.name, tn.do(t, "POST", tc.path, "", tc.body), tc.status, tc.code)
	}
	wantProblem(t, "nothing recorded", tn.do(t, "GET", "/v1/evidence/"+h, "", nil), 404, "evidence.notFound")
}

// TestAsync_CustodialWritesWaitForTheirBlock: ?async=true applies to the
// signed-tx form only, on every write endpoint that also takes a custodial
// body (as /openapi.json's async parameter says): a custodial write with
// it still waits for its block and answers 201 committed.
func TestAsync_CustodialWritesWaitForTheirBlock(t *testing.T) {
	tn := startNode(t)
	acct := tn.account(t, `{"name":"notary-backend"}`)
	r := tn.do(t, "POST", "/v1/evidence?async=true", acct.Token, []byte(`{"signer":"`+acct.DID+`","hash":"`+sha("async")+`"}`))
	var rc api.EvidenceReceipt
	if _ = json.Unmarshal(r.body, &rc); r.status != 201 || rc.Status != api.StatusCommitted || rc.Height == 0 {
		t.Errorf("custodial evidence with ?async=true: %d %s, want 201 committed", r.status, r.body)
	}
	r = tn.do(t, "POST", "/v1/schemas?async=true", tn.token, []byte(`{"schema":{"type":"object"}}`))
	var sr api.SchemaResponse
	if _ = json.Unmarshal(r.body, &sr); r.status != 201 || sr.Status != api.StatusCommitted || sr.Version != 1 {
		t.Errorf("custodial schema with ?async=true: %d %s, want 201 committed", r.status, r.body)
	}
}
