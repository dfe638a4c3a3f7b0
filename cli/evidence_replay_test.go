package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/evidence"
	"github.com/weidgo/weid/internal/proxytest"
	"github.com/weidgo/weid/node"
)

// replayingProxy forwards every request to upstream and records each read
// answered 200 (a GET, or a POST /v1/state/proof with its body: many keys
// at one head); once replay names path prefixes, a read of such a path
// that it recorded is answered from the record: old answers, each
// genuinely signed by the anchor, as a node hiding what happened since
// would give.
func replayingProxy(t *testing.T, upstream string) (string, func(prefixes ...string)) {
	t.Helper()
	var mu sync.Mutex
	cache := map[string][]byte{}
	var replayed []string
	px := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent, _ := io.ReadAll(r.Body)
		k := r.Method + " " + r.URL.RequestURI() + " " + string(sent)
		read := r.Method == http.MethodGet || r.Method == http.MethodPost && r.URL.Path == "/v1/state/proof"
		mu.Lock()
		b, ok := cache[k]
		rep := false
		for _, p := range replayed {
			rep = rep || strings.HasPrefix(r.URL.Path, p)
		}
		mu.Unlock()
		if rep && ok {
			w.Header().Set("Content-Type", "application/json")
			w.Write(b)
			return
		}
		req, _ := http.NewRequest(r.Method, upstream+r.URL.RequestURI(), bytes.NewReader(sent))
		req.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if read && resp.StatusCode == http.StatusOK && !rep {
			mu.Lock()
			cache[k] = body
			mu.Unlock()
		}
		for h, v := range resp.Header {
			w.Header()[h] = v
		}
		w.WriteHeader(resp.StatusCode)
		w.Write(body)
	}))
	t.Cleanup(px.Close)
	return px.URL, func(prefixes ...string) {
		mu.Lock()
		defer mu.Unlock()
		replayed = prefixes
	}
}

// TestEvidenceVerify_ReplayedProofsHideNoRevocation is the review's
// reproduction (F1): a proxy replaying the answers it recorded before a
// revocation passes every signature and proof check, so only the
// freshness of the state proofs can refuse it: --max-age bounds them, and
// not the transactions' blocks, so an evidence older than the bound still
// verifies through an honest node.
func TestEvidenceVerify_ReplayedProofsHideNoRevocation(t *testing.T) {
	ts, nodeKey, doc := servedEvidence(t)
	px, replay := replayingProxy(t, ts.URL)
	mustCLI(t, "evidence", "verify", doc, "--node", px, "--node-key", nodeKey)

	const maxAge = 3 * time.Second
	time.Sleep(maxAge + 200*time.Millisecond) // the creation block is now older than --max-age
	h := evidenceHash(t, ts, doc)
	c := ts.AdminClient()
	if _, err := c.EvidenceWrite(context.Background(), client.EvidencePath(h, "revoke", ts.AdminDID), map[string]any{}); err != nil {
		t.Fatal(err)
	}
	out, err := runCLI(t, "evidence", "verify", doc, "--node", ts.URL, "--node-key", nodeKey, "--max-age", maxAge.String())
	if err != nil || !strings.Contains(out, "REVOKED") {
		t.Fatalf("an honest node, the creation older than --max-age: the evidence verifies and shows the revocation: %s %v", out, err)
	}
	replay("/")
	out, err = runCLI(t, "evidence", "verify", doc, "--node", px, "--node-key", nodeKey, "--max-age", maxAge.String())
	t.Logf("replayed, --max-age %s: %v", maxAge, err)
	if err == nil || !strings.Contains(oneLine(err), "--max-age") || !strings.Contains(oneLine(err), "old, more than the "+maxAge.String()+" allowed") {
		t.Fatalf("a replaying proxy with --max-age: want it refused as stale: %s %v", out, err)
	}
}

// TestEvidenceVerify_MixedHeightsRefused: the record is proven at one
// block no lower than its transactions' blocks, and each signer's document
// at one no lower than that, so a node answering part of it from before a
// change is refused, --max-age or not.
func TestEvidenceVerify_MixedHeightsRefused(t *testing.T) {
	ts, nodeKey, doc := servedEvidence(t)
	h := evidenceHash(t, ts, doc)
	px, replay := replayingProxy(t, ts.URL)
	mustCLI(t, "evidence", "verify", doc, "--node", px, "--node-key", nodeKey) // records the answers at the creation's block

	c := ts.AdminClient()
	if _, err := c.EvidenceWrite(context.Background(), client.EvidencePath(h, "revoke", ts.AdminDID), map[string]any{}); err != nil {
		t.Fatal(err)
	}
	replay("/v1/state/proof") // the evidence and its revocation's transaction now, the record's proofs from before
	_, err := runCLI(t, "evidence", "verify", doc, "--node", px, "--node-key", nodeKey)
	t.Logf("record proven below its transactions: %v", err)
	if err == nil || !strings.Contains(oneLine(err), "below") || !strings.Contains(oneLine(err), "transaction") {
		t.Fatalf("a record proven at a block below its transactions': want it refused: %v", err)
	}
	if _, err := c.EvidenceWrite(context.Background(), client.EvidencePath(h, "restore", ts.AdminDID), map[string]any{}); err != nil {
		t.Fatal(err)
	}
	replay("/1.0/identifiers/") // the record now, the signer's document from before
	_, err = runCLI(t, "evidence", "verify", doc, "--node", px, "--node-key", nodeKey)
	t.Logf("document proven below the record: %v", err)
	if err == nil || !strings.Contains(oneLine(err), ts.AdminDID) || !strings.Contains(oneLine(err), "below") {
		t.Fatalf("a signer's document proven at a block below the record's: want it refused: %v", err)
	}
}

// TestEvidenceVerify_LargestEvidenceProven (F3): an evidence of 1,100
// state keys (its record, 75 signatures, 1,024 log lines) — near the
// ledger's largest, 1 + 128 signatures + 1,024 log lines — verifies with
// an anchor, its keys proven in batches at one block; the output says how
// many of the record's transactions were proven and that the record is
// what is anchored.
func TestEvidenceVerify_LargestEvidenceProven(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 212 transactions")
	}
	if got := client.MaxProvenKeys; got < evidence.MaxNamedKeys {
		t.Fatalf("client.MaxProvenKeys %d is below the largest evidence's %d keys", got, evidence.MaxNamedKeys)
	}
	ts, nodeKey, doc := servedEvidence(t)
	ctx := context.Background()
	h := evidenceHash(t, ts, doc)
	c := ts.AdminClient()
	for range 74 {
		d, err := c.CreateCustodialDID(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.EvidenceWrite(ctx, client.EvidencePath(h, "signatures", ""), map[string]any{"signer": d.DID}); err != nil {
			t.Fatal(err)
		}
	}
	for n := 0; n < evidence.MaxLogs; n += evidence.MaxLogsPerTx {
		var logs []string
		for i := n; i < n+evidence.MaxLogsPerTx; i++ {
			logs = append(logs, fmt.Sprintf("line %d", i))
		}
		if _, err := c.EvidenceWrite(ctx, client.EvidencePath(h, "logs", ""), map[string]any{"logs": logs}); err != nil {
			t.Fatal(err)
		}
	}
	var got struct {
		ProofsVerified     int
		RecordTransactions int
		RecordProven       struct{ Keys int }
		Anchored           string
	}
	mustCLIJSON(t, &got, "evidence", "verify", doc, "--node", ts.URL, "--node-key", nodeKey)
	if got.RecordProven.Keys != 1100 || got.RecordTransactions != 139 || got.ProofsVerified != 32 || !strings.Contains(got.Anchored, "record itself") {
		t.Fatalf("a 1,100-key evidence: %+v", got)
	}
	out := mustCLI(t, "evidence", "verify", doc, "--node", ts.URL, "--node-key", nodeKey)
	if !strings.Contains(out, "verified: 32 transaction inclusion proofs and block signatures, of the record's 139 transactions") || !strings.Contains(out, "1100 keys proven against block") {
		t.Fatalf("a 1,100-key evidence, text: %s", out)
	}
}

// TestEvidenceVerify_StateProofsUnavailable (F7): a node that does not
// serve /v1/state/proof (an older weid: 404) is reported as that, not as
// an evidence that differs from the proven state.
func TestEvidenceVerify_StateProofsUnavailable(t *testing.T) {
	ts, nodeKey, doc := servedEvidence(t)
	px := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/state/proof" {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"type":"about:blank","title":"Not Found","status":404,"code":"notFound","detail":"no such route"}`))
			return
		}
		proxytest.Forward(w, r, ts.URL)
	}))
	defer px.Close()
	_, err := runCLI(t, "evidence", "verify", doc, "--node", px.URL, "--node-key", nodeKey)
	t.Logf("no /v1/state/proof: %v", err)
	if err == nil || strings.Contains(oneLine(err), "differs") || !strings.Contains(oneLine(err), "GET /v1/state/proof") || !strings.Contains(oneLine(err), "older than state proofs") {
		t.Fatalf("a node without state proofs: %v", err)
	}
	if _, err := runCLI(t, "evidence", "verify", doc, "--node", ts.URL, "--max-age", "1h"); err == nil || !strings.Contains(oneLine(err), "--max-age") || !strings.Contains(oneLine(err), "--node-key") {
		t.Fatalf("--max-age without an anchor: %v", err)
	}
}

// TestEvidenceVerify_ProvenAtOneBlockWhileTheHeadMoves: an evidence is
// proven in one POST /v1/state/proof, so a head that moves before every
// request does not defeat it; from a node older than the POST (405), an
// evidence of more keys than one GET takes is proven batch by batch,
// every batch at one block: when the head moves between batches the read
// starts again and succeeds; a node whose batches never share a block is
// refused.
func TestEvidenceVerify_ProvenAtOneBlockWhileTheHeadMoves(t *testing.T) {
	ts := serveNode(t, node.Config{})
	nodeKey := ts.NodeKey(t)
	doc := contractFile(t)
	args := []string{"evidence", "create", doc, "--token", ts.Admin, "--node", ts.URL}
	for i := range 20 {
		args = append(args, "--log", fmt.Sprintf("line %d", i))
	}
	if _, err := runCLI(t, args...); err == nil || !strings.Contains(oneLine(err), "at most 16 log lines") {
		t.Fatalf("20 log lines in one transaction: %v", err)
	}
	mustCLI(t, args[:7+2*16]...)
	ctx := context.Background()
	h := evidenceHash(t, ts, doc)
	c := ts.AdminClient()
	if _, err := c.EvidenceWrite(ctx, client.EvidencePath(h, "logs", ""), map[string]any{"logs": []string{"line 16", "line 17"}}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	moves := 0                     // how many more reads of a second batch move the head first
	writes, posts, made := 0, 0, 0 // made: evidences written, never reset (their hashes)
	older := false                 // answer a POST /v1/state/proof 405, as a weid older than it
	px := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if r.Method == http.MethodPost && r.URL.Path == "/v1/state/proof" {
			posts++
			if older {
				mu.Unlock()
				http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
				return
			}
		}
		move := r.URL.Path == "/v1/state/proof" && !strings.Contains(r.URL.RawQuery, "ZXZpZGVuY2UvaC") && moves > 0 // not the batch with the record key
		if move {
			moves--
			writes++
			made++
		}
		n := made
		mu.Unlock()
		if move {
			if _, err := c.EvidenceWrite(ctx, "/v1/evidence", map[string]any{"hash": fmt.Sprintf("%064x", n)}); err != nil {
				t.Error(err)
			}
		}
		proxytest.Forward(w, r, ts.URL)
	}))
	defer px.Close()
	moves = 100
	out, err := runCLI(t, "evidence", "verify", doc, "--node", px.URL, "--node-key", nodeKey)
	if err != nil || !strings.Contains(out, "20 keys proven against block") || posts != 1 || writes != 1 {
		t.Fatalf("the head moved before every request: want one POST at one block: %s %v (%d POSTs, %d writes)", out, err, posts, writes)
	}
	mu.Lock()
	older, moves, writes = true, 1, 0
	mu.Unlock()
	out, err = runCLI(t, "evidence", "verify", doc, "--node", px.URL, "--node-key", nodeKey)
	if err != nil || !strings.Contains(out, "20 keys proven against block") || writes != 1 {
		t.Fatalf("the head moved once between batches: want a second read at one block: %s %v (%d writes)", out, err, writes)
	}
	moves = 100
	_, err = runCLI(t, "evidence", "verify", doc, "--node", px.URL, "--node-key", nodeKey)
	t.Logf("batches never at one block: %v", err)
	if err == nil || !strings.Contains(oneLine(err), "did not prove the 20 keys at one block in 4 tries") {
		t.Fatalf("batches never at one block: %v", err)
	}
}
