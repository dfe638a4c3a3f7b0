package server

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/node"
)

// adminTx signs a transaction as the node's genesis admin.
func (tn *testNode) adminTx(t *testing.T, typ string, p chain.Payload) []byte {
	t.Helper()
	vm := tn.n.AdminDID + "#" + did.FirstKeyFragment
	k, _, err := tn.n.Keystore.Key(vm)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := node.SignTx(tn.n.ChainID, vm, k, typ, p)
	if err != nil {
		t.Fatal(err)
	}
	return txBody(t, tx)
}

func (tn *testNode) rules(t *testing.T) api.RulesStatus {
	t.Helper()
	var s api.StatusResponse
	if r := tn.do(t, "GET", "/v1/status", "", nil); r.status != 200 || json.Unmarshal(r.body, &s) != nil {
		t.Fatalf("status: %d %s", r.status, r.body)
	}
	return s.Rules
}

// The ledger's rules over HTTP: /v1/status shows them; POST /v1/txs
// refuses a schedule of rules this weid does not know (409
// gov.unknownRules) and takes one it knows, which the status shows; a
// weid that does not know them halts at their height: /readyz and writes
// 503 ledger.halted, the status saying why.
func TestRules_OverHTTP(t *testing.T) {
	tn := startNode(t)
	if s := tn.rules(t); s.Version != chain.RulesVersion || s.Known != chain.RulesVersion || s.Next != nil {
		t.Fatalf("rules of a new chain: %+v", s)
	}
	// The type of rules v2 is there on a new chain.
	pub := newValidatorKey(t)
	key := base64.StdEncoding.EncodeToString(pub)
	if r := tn.do(t, "POST", "/v1/txs", "", tn.adminTx(t, authz.TxAddValidator, &authz.AddValidatorPayload{PubKey: key, Power: 10})); r.status != 201 {
		t.Fatalf("add validator: %d %s", r.status, r.body)
	}
	const id = "0123456789abcdef0123456789abcdef01234567"
	if r := tn.do(t, "POST", "/v1/txs", "", tn.adminTx(t, authz.TxSetValidatorNode, &authz.SetValidatorNodePayload{PubKey: key, NodeID: id})); r.status != 201 {
		t.Fatalf("set the validator's node id: %d %s", r.status, r.body)
	}
	if v, _, _ := tn.n.Validator(key); v == nil || v.NodeID != id {
		t.Fatalf("validator %+v", v)
	}

	v := uint64(chain.RulesVersion + 1)
	at := tn.n.Head().Height + 1 + chain.MinRulesLead
	sched := &authz.ScheduleRulesPayload{Version: v, Height: at}
	r := tn.do(t, "POST", "/v1/txs", "", tn.adminTx(t, authz.TxScheduleRules, sched))
	wantProblem(t, "unknown rules", r, 409, "gov.unknownRules")
	if !strings.Contains(string(r.body), "not v3") {
		t.Errorf("the refusal names the version: %s", r.body)
	}
	tn.n.Ledger.Registry().SetKnownRules(v) // a weid that knows v3
	if r := tn.do(t, "POST", "/v1/txs", "", tn.adminTx(t, authz.TxScheduleRules, sched)); r.status != 201 {
		t.Fatalf("schedule: %d %s", r.status, r.body)
	}
	if s := tn.rules(t); s.Next == nil || *s.Next != (api.RulesChange{Version: v, Height: at}) || s.Known != v {
		t.Fatalf("rules after the schedule: %+v", s)
	}
	tn.n.Ledger.Registry().SetKnownRules(chain.RulesVersion) // one that does not
	for tn.n.Head().Height < at-1 {
		tn.newDID(t)
	}
	msg := "the ledger's rules v3 take effect at height"
	if r := tn.do(t, "GET", "/readyz", "", nil); !strings.Contains(string(r.body), msg) {
		t.Errorf("readyz: %s", r.body)
	} else {
		wantProblem(t, "readyz", r, 503, "ledger.halted")
	}
	tx, _, _ := newDIDTx(t, tn.n.ChainID)
	wantProblem(t, "a write", tn.do(t, "POST", "/v1/txs", "", txBody(t, tx)), 503, "ledger.halted")
	if s := tn.rules(t); !strings.Contains(s.Halted, msg) || !strings.HasSuffix(s.Halted, "upgrade weid") {
		t.Errorf("status: %+v", s)
	}
}
