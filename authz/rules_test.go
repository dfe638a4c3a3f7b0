package authz_test

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"testing"
	"time"

	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did/weid"
	"github.com/weidgo/weid/internal/ledgertest"
	"github.com/weidgo/weid/keys"
)

func rulesLedger(t *testing.T) *ledgertest.Ledger {
	t.Helper()
	return ledgertest.Genesis(t, ledgertest.Registry(weid.Register, authz.Register), time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC))
}

func newValidatorKey(t *testing.T) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// Only admins and committee members schedule or cancel the ledger's rules.
func TestScheduleRules_SignedByGovernors(t *testing.T) {
	e := rulesLedger(t)
	user := e.User(t, keys.Ed25519)
	member := e.User(t, keys.Ed25519)
	e.Must(t, e.Admin.Tx(t, authz.TxAddCommittee, authz.MemberPayload{DID: member.DID}))
	at := e.L.Head().Height + 1 + chain.MinRulesLead
	ledgertest.WantErr(t, e.Submit(t, user.Tx(t, authz.TxScheduleRules, authz.ScheduleRulesPayload{Version: 2, Height: at + 5})), http.StatusForbidden, "tx.unauthorized")
	e.Must(t, member.Tx(t, authz.TxScheduleRules, authz.ScheduleRulesPayload{Version: 2, Height: at + 5}))
	ledgertest.WantErr(t, e.Submit(t, user.Tx(t, authz.TxCancelRules, authz.CancelRulesPayload{Version: 2})), http.StatusForbidden, "tx.unauthorized")
	e.Must(t, e.Admin.Tx(t, authz.TxCancelRules, authz.CancelRulesPayload{Version: 2}))
	if r := e.L.Rules(); r.Next != nil {
		t.Errorf("cancelled, yet %+v is scheduled", r.Next)
	}
	for _, p := range []interface{ Validate() error }{
		&authz.ScheduleRulesPayload{Version: 1, Height: 100}, &authz.ScheduleRulesPayload{Version: 2}, &authz.CancelRulesPayload{},
	} {
		if p.Validate() == nil {
			t.Errorf("%+v validates", p)
		}
	}
}

// gov.setValidatorNode is a type of rules v2: unknown under v1, then it
// records the node id of an existing validator, and only of one.
func TestSetValidatorNode_FromRulesV2(t *testing.T) {
	e := rulesLedger(t)
	key := newValidatorKey(t)
	e.Must(t, e.Admin.Tx(t, authz.TxAddValidator, authz.AddValidatorPayload{PubKey: key, Power: 10}))
	const id = "0123456789abcdef0123456789abcdef01234567"
	set := authz.SetValidatorNodePayload{PubKey: key, NodeID: id}
	ledgertest.WantErr(t, e.Submit(t, e.Admin.Tx(t, authz.TxSetValidatorNode, set)), http.StatusBadRequest, "tx.unknownType")
	at := e.L.Head().Height + 1 + chain.MinRulesLead
	e.Must(t, e.Admin.Tx(t, authz.TxScheduleRules, authz.ScheduleRulesPayload{Version: 2, Height: at}))
	for e.L.Head().Height < at-1 {
		e.User(t, keys.Ed25519)
	}
	user := e.User(t, keys.Ed25519) // the block at the activation height
	ledgertest.WantErr(t, e.Submit(t, user.Tx(t, authz.TxSetValidatorNode, set)), http.StatusForbidden, "tx.unauthorized")
	ledgertest.WantErr(t, e.Submit(t, e.Admin.Tx(t, authz.TxSetValidatorNode, authz.SetValidatorNodePayload{PubKey: newValidatorKey(t), NodeID: id})), http.StatusNotFound, "gov.unknownValidator")
	e.Must(t, e.Admin.Tx(t, authz.TxSetValidatorNode, set))
	pub, _ := authz.ParseValidatorKey(key)
	v, ok, err := authz.GetValidator(e.L, pub)
	if err != nil || !ok || v.NodeID != id || v.Power != 10 {
		t.Fatalf("validator %+v, %v", v, err)
	}
	if (&authz.SetValidatorNodePayload{PubKey: key, NodeID: "ABC"}).Validate() == nil {
		t.Error("a node id that is not 40 lowercase hex digits validates")
	}
}
