package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/node"
)

// TestAPI_CommitWaitAnswers202WithLocation: under the cometbft engine a
// write waits for its block at most the node's CommitWait; when that bound
// passes first the API answers 202 with the hash and a Location, and
// polling that Location reports the transaction pending, then committed.
func TestAPI_CommitWaitAnswers202WithLocation(t *testing.T) {
	dir := t.TempDir()
	reg := prometheus.NewRegistry()
	// A bound no block can meet.
	n, err := node.Open(node.Config{DataDir: dir, Engine: "cometbft", CometLogLevel: "none", CommitWait: time.Nanosecond, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(n, reg))
	t.Cleanup(func() { srv.Close(); n.Close() })
	tn := &testNode{n: n, url: srv.URL, c: client.New(srv.URL)}
	for _, path := range []string{"/v1/txs", "/v1/dids"} {
		tx, _, _ := newDIDTx(t, n.ChainID)
		body := txBody(t, tx)
		if path == "/v1/dids" {
			body, _ = json.Marshal(map[string]json.RawMessage{"tx": body})
		}
		req, _ := http.NewRequest("POST", srv.URL+path, bytes.NewReader(body))
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
