package server

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strconv"
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
// weid that does not know them warns in the status (rules.warning) and
// stays ready until their height, then halts: /readyz and writes 503
// ledger.halted, the status saying why.
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
	// Until the height it warns, and stays ready.
	if s := tn.rules(t); !strings.Contains(s.Warning, "rules v3 are scheduled for height "+strconv.FormatUint(at, 10)+"; this weid knows up to v2: upgrade weid before then") {
		t.Errorf("status before the halt: %+v", s)
	}
	if r := tn.do(t, "GET", "/readyz", "", nil); r.status != 200 {
		t.Errorf("readyz before the halt: %d %s", r.status, r.body)
	}
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
	// rules.halted is the sentence; the code is readyz's and the writes'.
	if s := tn.rules(t); strings.Contains(s.Halted, "ledger.halted") {
		t.Errorf("rules.halted names the problem code: %q", s.Halted)
	}
}

// TestRules_NonGovernorIsToldWhatOnlyGovernorsDo: a schedule or a cancel
// signed by a DID that is neither an admin nor a committee member is 403
// tx.unauthorized saying what it tried: a cancel is not a schedule.
func TestRules_NonGovernorIsToldWhatOnlyGovernorsDo(t *testing.T) {
	tn := startNode(t)
	tn.n.Ledger.Registry().SetKnownRules(chain.RulesVersion + 1)
	create, k, d := newDIDTx(t, tn.n.ChainID)
	if r := tn.do(t, "POST", "/v1/txs", "", txBody(t, create)); r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	at := tn.n.Head().Height + 1 + chain.MinRulesLead
	for _, c := range []struct {
		typ  string
		p    chain.Payload
		want string
	}{
		{authz.TxScheduleRules, &authz.ScheduleRulesPayload{Version: chain.RulesVersion + 1, Height: at}, "only they schedule the ledger's rules"},
		{authz.TxCancelRules, &authz.CancelRulesPayload{Version: chain.RulesVersion + 1}, "only they cancel a scheduled change of the ledger's rules"},
	} {
		tx, err := node.SignTx(tn.n.ChainID, d+"#key-1", k, c.typ, c.p)
		if err != nil {
			t.Fatal(err)
		}
		r := tn.do(t, "POST", "/v1/txs", "", txBody(t, tx))
		wantProblem(t, c.typ, r, 403, "tx.unauthorized")
		if !strings.Contains(string(r.body), c.want) {
			t.Errorf("%s by a non-governor: %s, want %q", c.typ, r.body, c.want)
		}
	}
}

// The rules and a validator's node id are written with the admin token
// too (the node signs as the admin DID, whose key only its keystore
// holds): POST /v1/rules schedules, DELETE /v1/rules/{version} cancels,
// PUT /v1/validators/{key}/node sets the node id; each refuses bad input
// naming it, and a signed transaction must be about what the path names.
func TestRules_CustodialRoutes(t *testing.T) {
	tn := startNode(t)
	tn.n.Ledger.Registry().SetKnownRules(chain.RulesVersion + 1)
	v := uint64(chain.RulesVersion + 1)
	at := tn.n.Head().Height + 1 + chain.MinRulesLead
	body := `{"version":` + strconv.FormatUint(v, 10) + `,"height":` + strconv.FormatUint(at, 10) + `}`
	wantProblem(t, "no token", tn.do(t, "POST", "/v1/rules", "", []byte(body)), 401, "auth.required")
	wantProblem(t, "version 1", tn.do(t, "POST", "/v1/rules", tn.token, []byte(`{"version":1,"height":99}`)), 400, "gov.invalidRules")
	wantProblem(t, "too soon", tn.do(t, "POST", "/v1/rules", tn.token, []byte(`{"version":3,"height":1}`)), 409, "gov.rulesHeight")
	wantProblem(t, "unknown field", tn.do(t, "POST", "/v1/rules", tn.token, []byte(`{"ver":3}`)), 400, "request.malformed")
	if r := tn.do(t, "POST", "/v1/rules", tn.token, []byte(body)); r.status != 200 {
		t.Fatalf("schedule: %d %s", r.status, r.body)
	}
	if s := tn.rules(t); s.Next == nil || *s.Next != (api.RulesChange{Version: v, Height: at}) {
		t.Fatalf("rules after the schedule: %+v", s)
	}
	wantProblem(t, "bad version in the path", tn.do(t, "DELETE", "/v1/rules/x", tn.token, []byte(`{}`)), 400, "gov.invalidRules")
	wantProblem(t, "another version", tn.do(t, "DELETE", "/v1/rules/"+strconv.FormatUint(v+1, 10), tn.token, []byte(`{}`)), 404, "gov.noRulesScheduled")
	signed := []byte(`{"tx":` + string(tn.adminTx(t, authz.TxCancelRules, &authz.CancelRulesPayload{Version: v + 1})) + `}`)
	wantProblem(t, "signed, another version", tn.do(t, "DELETE", "/v1/rules/"+strconv.FormatUint(v, 10), "", signed), 400, "tx.wrongEndpoint")
	if r := tn.do(t, "DELETE", "/v1/rules/"+strconv.FormatUint(v, 10), tn.token, []byte(`{}`)); r.status != 200 {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	if s := tn.rules(t); s.Next != nil {
		t.Fatalf("rules after the cancel: %+v", s)
	}

	pub := newValidatorKey(t)
	key := base64.StdEncoding.EncodeToString(pub)
	if r := tn.do(t, "POST", "/v1/validators", tn.token, []byte(`{"pubKey":"`+key+`"}`)); r.status != 201 {
		t.Fatalf("add validator: %d %s", r.status, r.body)
	}
	const id = "0123456789abcdef0123456789abcdef01234567"
	path := "/v1/validators/" + hex.EncodeToString(pub) + "/node"
	wantProblem(t, "bad node id", tn.do(t, "PUT", path, tn.token, []byte(`{"nodeId":"XY"}`)), 400, "gov.invalidNodeId")
	wantProblem(t, "bad key", tn.do(t, "PUT", "/v1/validators/nope/node", tn.token, []byte(`{"nodeId":"`+id+`"}`)), 400, "gov.invalidValidatorKey")
	wantProblem(t, "unknown validator", tn.do(t, "PUT", "/v1/validators/"+hex.EncodeToString(newValidatorKey(t))+"/node", tn.token, []byte(`{"nodeId":"`+id+`"}`)), 404, "gov.unknownValidator")
	other := []byte(`{"tx":` + string(tn.adminTx(t, authz.TxSetValidatorNode, &authz.SetValidatorNodePayload{PubKey: base64.StdEncoding.EncodeToString(newValidatorKey(t)), NodeID: id})) + `}`)
	wantProblem(t, "signed, another validator", tn.do(t, "PUT", path, "", other), 400, "tx.wrongEndpoint")
	if r := tn.do(t, "PUT", path, tn.token, []byte(`{"nodeId":"`+id+`"}`)); r.status != 200 {
		t.Fatalf("set node: %d %s", r.status, r.body)
	}
	if v, _, _ := tn.n.Validator(key); v == nil || v.NodeID != id {
		t.Fatalf("validator %+v", v)
	}
}

// TestRules_HeightBeyondExactJSONNumbers: a transaction's signed bytes
// are RFC 8785 JSON, whose numbers are IEEE doubles, so a height above
// 2^53−1 would be committed rounded (9007199254740993 as
// 9007199254740992) or not at all (18446744073709551615 read back as
// 18446744073709552000): the node refuses it, by any route, with a 400
// gov.invalidRules naming height, and schedules nothing.
func TestRules_HeightBeyondExactJSONNumbers(t *testing.T) {
	tn := startNode(t)
	tn.n.Ledger.Registry().SetKnownRules(chain.RulesVersion + 1)
	v := strconv.FormatUint(chain.RulesVersion+1, 10)
	for _, h := range []string{"9007199254740992", "9007199254740993", "18446744073709551615"} {
		r := tn.do(t, "POST", "/v1/rules", tn.token, []byte(`{"version":`+v+`,"height":`+h+`}`))
		wantProblem(t, "custodial height "+h, r, 400, "gov.invalidRules")
		if !strings.Contains(string(r.body), "height") || !strings.Contains(string(r.body), h) || !strings.Contains(string(r.body), "9007199254740991") {
			t.Errorf("custodial height %s: the refusal names height, its value and the bound: %s", h, r.body)
		}
	}
	sched := &authz.ScheduleRulesPayload{Version: chain.RulesVersion + 1, Height: 1 << 53}
	wantProblem(t, "signed height 2^53", tn.do(t, "POST", "/v1/txs", "", tn.adminTx(t, authz.TxScheduleRules, sched)), 400, "gov.invalidRules")
	if s := tn.rules(t); s.Next != nil {
		t.Fatalf("a refused schedule was recorded: %+v", s)
	}
	if r := tn.do(t, "POST", "/v1/rules", tn.token, []byte(`{"version":`+v+`,"height":9007199254740991}`)); r.status != 200 {
		t.Fatalf("schedule at 2^53−1: %d %s", r.status, r.body)
	}
	if s := tn.rules(t); s.Next == nil || s.Next.Height != 1<<53-1 {
		t.Fatalf("rules after the schedule at 2^53−1: %+v", s)
	}
}
