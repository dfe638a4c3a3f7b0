package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
)

// TestAPI_ValidUntil: a transaction past its validUntil is 400 tx.expired,
// one more than a day ahead or with a malformed validUntil 400
// tx.malformed, and none of them writes anything; node.SignTx's default
// (now + 10 minutes) commits, and so does an explicit height.
func TestAPI_ValidUntil(t *testing.T) {
	tn := startNode(t)
	sign := func(validUntil string) (*chain.Tx, string) {
		k, _ := keys.Generate(keys.Ed25519)
		d := did.WeidDID(tn.n.ChainID, k.Public())
		tx, err := node.SignTxUntil(tn.n.ChainID, d+"#key-1", k, did.TxCreate, &did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()}, validUntil)
		if err != nil {
			t.Fatal(err)
		}
		return tx, d
	}
	head := tn.n.Ledger.Head().Height
	for _, tc := range []struct {
		name, validUntil, code string
	}{
		{"a time passed", time.Now().Add(-time.Minute).UTC().Format(time.RFC3339), "tx.expired"},
		{"a height passed", "1", "tx.expired"},
		{"more than a day ahead", time.Now().Add(25 * time.Hour).UTC().Format(time.RFC3339), "tx.malformed"},
	} {
		if tc.name == "a height passed" && head < 1 {
			// Make block 1, so that validUntil 1 is behind the next block.
			tx, _ := sign("")
			if r := tn.do(t, "POST", "/v1/txs", "", txBody(t, tx)); r.status != http.StatusCreated {
				t.Fatalf("setup: %d %s", r.status, r.body)
			}
		}
		tx, d := sign(tc.validUntil)
		for _, path := range []string{"/v1/txs", "/v1/dids"} {
			body := txBody(t, tx)
			if path == "/v1/dids" {
				body, _ = json.Marshal(map[string]json.RawMessage{"tx": body})
			}
			wantProblem(t, tc.name+" "+path, tn.do(t, "POST", path, "", body), http.StatusBadRequest, tc.code)
		}
		if r := tn.do(t, "GET", "/1.0/identifiers/"+d, "", nil); r.status != http.StatusNotFound {
			t.Errorf("%s: the DID was written: %d", tc.name, r.status)
		}
	}
	// Malformed: not a height or an RFC 3339 time, empty, not a string.
	tx, _ := sign("")
	raw := string(txBody(t, tx))
	for _, member := range []string{`"validUntil":"tomorrow"`, `"validUntil":""`, `"validUntil":7`, `"validUntil":"2026-12-05"`} {
		bad := strings.Replace(raw, `"payload":`, member+`,"payload":`, 1)
		wantProblem(t, member, tn.do(t, "POST", "/v1/txs", "", []byte(bad)), http.StatusBadRequest, "tx.malformed")
	}
	// The defaults and an explicit height commit.
	k, _ := keys.Generate(keys.Ed25519)
	d := did.WeidDID(tn.n.ChainID, k.Public())
	def, err := node.SignTx(tn.n.ChainID, d+"#key-1", k, did.TxCreate, &did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()})
	if err != nil {
		t.Fatal(err)
	}
	if until, err := time.Parse(time.RFC3339, def.ValidUntil); err != nil || until.Sub(time.Now()) > 11*time.Minute || until.Sub(time.Now()) < 9*time.Minute {
		t.Fatalf("node.SignTx's validUntil %q", def.ValidUntil)
	}
	byHeight, _ := sign("1000")
	for _, tx := range []*chain.Tx{def, byHeight} {
		r := tn.do(t, "POST", "/v1/txs", "", txBody(t, tx))
		var rc api.Receipt
		if r.status != http.StatusCreated || json.Unmarshal(r.body, &rc) != nil || rc.TxHash != tx.Hash() {
			t.Fatalf("validUntil %q: %d %s", tx.ValidUntil, r.status, r.body)
		}
	}
}
