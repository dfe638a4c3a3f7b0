package events_test

import (
	"encoding/json"
	"testing"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/events"
)

// The governance of the ledger's rules yields its events: a change
// scheduled or cancelled, and a validator's node id recorded.
func TestDerive_RulesAndValidatorNode(t *testing.T) {
	tx := func(typ string, p any) *chain.Tx {
		raw, _ := json.Marshal(p)
		return &chain.Tx{ChainID: "1", Type: typ, From: "did:weid:1:0x4c224659e24ccbc2e6114472ec59f650d3800332#key-1", Payload: raw}
	}
	const key, id = "q3vNYMi0y7vYk2pQe3n0mN6iC2xJw4vW5Zq0a1b2c3d=", "0123456789abcdef0123456789abcdef01234567"
	b := &chain.Block{Header: chain.Header{Height: 4, Time: "2026-12-07T00:00:00Z"}, Hash: "ab", Txs: []*chain.Tx{
		tx(authz.TxScheduleRules, authz.ScheduleRulesPayload{Version: 2, Height: 40}),
		tx(authz.TxCancelRules, authz.CancelRulesPayload{Version: 2}),
		tx(authz.TxSetValidatorNode, authz.SetValidatorNodePayload{PubKey: key, NodeID: id}),
	}}
	evs, err := events.Derive(b, nil, func(*chain.Tx) string { return "00" })
	if err != nil {
		t.Fatal(err)
	}
	want := []api.Event{
		{Type: api.EventRulesScheduled, RulesVersion: 2, RulesHeight: 40},
		{Type: api.EventRulesCancelled, RulesVersion: 2},
		{Type: api.EventValidatorNodeSet, Node: key, NodeID: id},
	}
	for i, w := range want {
		e := evs[i]
		if e.Type != w.Type || e.RulesVersion != w.RulesVersion || e.RulesHeight != w.RulesHeight || e.Node != w.Node || e.NodeID != w.NodeID {
			t.Errorf("event %d: %+v, want %+v", i, e, w)
		}
	}
}
