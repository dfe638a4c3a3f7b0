package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/client"
)

// proofKeys returns chain/init, did/latest/<d> and absent keys up to n in
// all, the largest evidence's shape (evidence.MaxNamedKeys is 1,153).
func proofKeys(d string, n int) [][]byte {
	keys := [][]byte{chain.KeyChainInit, []byte("did/latest/" + d)}
	for i := len(keys); i < n; i++ {
		keys = append(keys, fmt.Appendf(nil, "evidence/l/%064x/%d", i, i))
	}
	return keys
}

func keys64Body(t *testing.T, keys [][]byte) []byte {
	t.Helper()
	req := api.StateProofRequest{}
	for _, k := range keys {
		req.Keys64 = append(req.Keys64, base64.RawURLEncoding.EncodeToString(k))
	}
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestStateProof_PostProvesManyKeysAtTheHead(t *testing.T) {
	tn := startNode(t)
	d := tn.newDID(t)
	keys := proofKeys(d, 130)
	keys = append(keys, []byte{0x00, 0xff, 'x'}) // binary, absent
	r := tn.do(t, "POST", "/v1/state/proof", "", keys64Body(t, keys))
	if r.status != http.StatusOK {
		t.Fatalf("POST: %d %s", r.status, r.body)
	}
	var p api.StateProofs
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Verify(soloAnchor(t, tn)); err != nil {
		t.Fatal(err)
	}
	if len(p.Proofs) != len(keys) || p.Header.Height != tn.n.Ledger.Head().Height {
		t.Fatalf("%d proofs at block %d, want %d at the head", len(p.Proofs), p.Header.Height, len(keys))
	}
	for i, k := range keys {
		v, err := p.Value(k)
		if err != nil || (v != nil) != (i < 2) {
			t.Fatalf("key %q: %q, %v", k, v, err)
		}
	}
}

func TestStateProof_PostBadBodiesNameWhatIsWrong(t *testing.T) {
	tn := startNode(t)
	many := make([][]byte, api.MaxStateProofBodyKeys+1)
	for i := range many {
		many[i] = fmt.Appendf(nil, "k/%d", i)
	}
	long := keys64Body(t, [][]byte{bytes.Repeat([]byte("k"), 1025)})
	huge := append([]byte(`{"keys64":["`), bytes.Repeat([]byte("a"), 1<<20)...)
	huge = append(huge, `"]}`...)
	for _, c := range []struct {
		name, body, code, detail string
		status                   int
	}{
		{"no member", `{}`, "state.badKey", "keys64", 400},
		{"empty list", `{"keys64":[]}`, "state.badKey", "keys64", 400},
		{"not base64url", `{"keys64":["Y2hhaW4vaW5pdA","***"]}`, "state.badKey", "keys64[1]", 400},
		{"padded", `{"keys64":["YQ=="]}`, "state.badKey", "keys64[0]", 400},
		{"empty key", `{"keys64":[""]}`, "state.badKey", "keys64[0]", 400},
		{"key too long", string(long), "state.badKey", "1024", 400},
		{"too many", string(keys64Body(t, many)), "state.badKey", "2048", 400},
		{"unknown member", `{"keys64":["YQ"],"key":"a"}`, "request.malformed", `"key"`, 400},
		{"not a list", `{"keys64":"YQ"}`, "request.malformed", "keys64", 400},
		{"null", `null`, "request.malformed", "null", 400},
		{"too large", string(huge), "request.tooLarge", "1048576", 413},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := tn.do(t, "POST", "/v1/state/proof", "", []byte(c.body))
			var pr api.Problem
			if r.status != c.status || r.ctype != "application/problem+json" || json.Unmarshal(r.body, &pr) != nil ||
				pr.Code != c.code || !strings.Contains(pr.Detail, c.detail) {
				t.Fatalf("%d %s %.300s, want %d %s naming %s", r.status, r.ctype, r.body, c.status, c.code, c.detail)
			}
		})
	}
}

// proofCounter serves the node and counts the state proof requests by
// method; moving commits a DID after each (the head moves between
// requests), refusePost answers a POST with refusePost (an older weid).
type proofCounter struct {
	next       http.Handler
	gets, post atomic.Int32
	moving     bool
	refusePost int
	commit     func()
}

func (p *proofCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/state/proof" {
		p.next.ServeHTTP(w, r)
		return
	}
	if r.Method == http.MethodPost {
		p.post.Add(1)
		if p.refusePost != 0 {
			http.Error(w, "no such route", p.refusePost)
			return
		}
	} else {
		p.gets.Add(1)
	}
	p.next.ServeHTTP(w, r)
	if p.moving {
		p.commit()
	}
}

func startCounter(t *testing.T, tn *testNode, moving bool, refusePost int) (*proofCounter, *client.Client) {
	t.Helper()
	pc := &proofCounter{next: New(tn.n, prometheus.NewRegistry()), moving: moving, refusePost: refusePost}
	pc.commit = func() {
		tx, _, _ := newDIDTx(t, tn.n.ChainID)
		rec := httptest.NewRecorder()
		pc.next.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/txs", bytes.NewReader(txBody(t, tx))))
		if rec.Code != http.StatusCreated {
			t.Errorf("commit a DID: %d %s", rec.Code, rec.Body)
		}
	}
	srv := httptest.NewServer(pc)
	t.Cleanup(srv.Close)
	return pc, client.New(srv.URL)
}

// TestProveSnapshot_LargestEvidenceInOneRequestWhileTheHeadMoves: the
// 1,153 keys of the largest evidence are proven by one POST, so a chain
// whose head moves between requests no longer defeats ProveSnapshot.
func TestProveSnapshot_LargestEvidenceInOneRequestWhileTheHeadMoves(t *testing.T) {
	tn := startNode(t)
	d := tn.newDID(t)
	keys := proofKeys(d, 1153)
	pc, c := startCounter(t, tn, true, 0)
	s, err := c.ProveSnapshot(context.Background(), soloAnchor(t, tn), keys, 0)
	if err != nil {
		t.Fatal(err)
	}
	if pc.post.Load() != 1 || pc.gets.Load() != 0 {
		t.Fatalf("%d POSTs and %d GETs, want one POST", pc.post.Load(), pc.gets.Load())
	}
	if v, ok, err := s.Get([]byte("did/latest/" + d)); err != nil || !ok || len(v) != 8 {
		t.Fatalf("did/latest: %x %v %v", v, ok, err)
	}
	if _, ok, err := s.Get(keys[1152]); err != nil || ok || s.Summary().Keys != 1153 {
		t.Fatalf("absent key: %v %v, %d keys", ok, err, s.Summary().Keys)
	}
}

// TestProveSnapshot_OlderNodeFallsBackToGetBatches: a node without the
// POST (404 or 405) is read with GET batches, every answer at one header.
func TestProveSnapshot_OlderNodeFallsBackToGetBatches(t *testing.T) {
	tn := startNode(t)
	d := tn.newDID(t)
	keys := proofKeys(d, 1153)
	a := soloAnchor(t, tn)
	for _, st := range []int{http.StatusNotFound, http.StatusMethodNotAllowed} {
		pc, c := startCounter(t, tn, false, st)
		s, err := c.ProveSnapshot(context.Background(), a, keys, 0)
		if err != nil {
			t.Fatalf("%d: %v", st, err)
		}
		if want := (1153 + api.MaxStateProofKeys - 1) / api.MaxStateProofKeys; pc.post.Load() != 1 || int(pc.gets.Load()) != want || s.Summary().Keys != 1153 {
			t.Fatalf("%d: %d POSTs and %d GETs (want 1 and %d), %d keys", st, pc.post.Load(), pc.gets.Load(), want, s.Summary().Keys)
		}
	}
	// The fallback still refuses answers at different headers.
	_, c := startCounter(t, tn, true, http.StatusNotFound)
	if _, err := c.ProveSnapshot(context.Background(), a, keys, 0); err == nil || !strings.Contains(err.Error(), "one block") {
		t.Fatalf("moving head over GET batches: %v", err)
	}
}

// TestStateProof_PostValuesAreBounded: 2,048 keys of a 50 KB value (one
// key named 2,048 times) would make one answer of 100 MB; the node stops
// at api.MaxStateProofValues and says from which key to ask again.
func TestStateProof_PostValuesAreBounded(t *testing.T) {
	tn := startNode(t)
	k := bigSchemaKey(t, tn)
	keys := make([][]byte, api.MaxStateProofBodyKeys)
	for i := range keys {
		keys[i] = k
	}
	r := tn.do(t, "POST", "/v1/state/proof", "", keys64Body(t, keys))
	var pr api.Problem
	if r.status != http.StatusUnprocessableEntity || json.Unmarshal(r.body, &pr) != nil || pr.Code != "state.answerTooLarge" || !strings.Contains(pr.Detail, "16777216 bytes") || !strings.Contains(pr.Detail, "keys64[") {
		t.Fatalf("2,048 values of 50 KB: %d %s", r.status, r.body)
	}
	if r = tn.do(t, "POST", "/v1/state/proof", "", keys64Body(t, keys[:300])); r.status != http.StatusOK {
		t.Fatalf("300 values of 50 KB: %d %.300s", r.status, r.body)
	}
}

// TestProveSnapshot_AnswerTooLargeIsAskedInParts: keys whose values exceed
// what one answer carries (api.MaxStateProofValues) were refused by the
// POST with nothing for the client to do, though GETs proved them (review);
// the client asks for fewer keys a request, every answer still at one
// header.
func TestProveSnapshot_AnswerTooLargeIsAskedInParts(t *testing.T) {
	tn := startNode(t)
	k := bigSchemaKey(t, tn)
	keys := [][]byte{chain.KeyChainInit}
	for len(keys) < 400 { // 20 MB of values
		keys = append(keys, k)
	}
	s, err := tn.c.ProveSnapshot(context.Background(), soloAnchor(t, tn), keys, 0)
	if err != nil {
		t.Fatalf("400 values of 50 KB: %v", err)
	}
	if v, _, err := s.Get(k); err != nil || len(v) < 50<<10 {
		t.Fatalf("the proven value: %d bytes, %v", len(v), err)
	}
}

// bigSchemaKey registers a schema of 50 KB on tn and returns the state key
// of its version 1.
func bigSchemaKey(t *testing.T, tn *testNode) []byte {
	t.Helper()
	big := `{"type":"object","description":"` + strings.Repeat("x", 50<<10) + `"}`
	r := tn.do(t, "POST", "/v1/schemas", tn.token, []byte(`{"name":"Big","schema":`+big+`}`))
	sr := decodeAs[api.SchemaResponse](t, r, http.StatusCreated, "register a 50 KB schema")
	k := binary.BigEndian.AppendUint64([]byte("schema/version/"), sr.ID)
	return binary.BigEndian.AppendUint64(append(k, '/'), 1)
}
