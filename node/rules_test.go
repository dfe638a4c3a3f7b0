package node

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
)

// rulesNode is a solo node with a helper that signs as its admin and
// submits through the raw interface (POST /v1/txs).
type rulesNode struct {
	*Node
	admin *keys.PrivateKey
	dir   string
}

func openRulesNode(t *testing.T) *rulesNode {
	t.Helper()
	dir := t.TempDir()
	n := openTest(t, dir)
	t.Cleanup(func() { n.Close() })
	k, _, err := n.Keystore.Key(n.AdminDID + "#" + did.FirstKeyFragment)
	if err != nil {
		t.Fatal(err)
	}
	return &rulesNode{n, k, dir}
}

func (n *rulesNode) submit(t *testing.T, typ string, p chain.Payload) (chain.Receipt, error) {
	t.Helper()
	tx, err := SignTx(n.ChainID, n.AdminDID+"#"+did.FirstKeyFragment, n.admin, typ, p)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(tx)
	return n.SubmitRaw(context.Background(), raw, false)
}

// A new chain starts at the newest rules its binary knows.
func TestRules_NewChainStartsAtTheNewestVersion(t *testing.T) {
	n := openRulesNode(t)
	if s := n.ChainStatus().Rules; s.Version != chain.RulesVersion || s.Known != chain.RulesVersion || s.Next != nil || s.Halted != "" {
		t.Fatalf("rules %+v", s)
	}
}

// A change to rules this binary does not know is refused before it is
// submitted (409 gov.unknownRules, by any route); one it knows is
// scheduled and shown; a binary that does not know it halts at its height:
// writes refused, /readyz 503, the status saying why, no block made.
func TestRules_ScheduleAdmitStatusAndHalt(t *testing.T) {
	n := openRulesNode(t)
	at := n.Head().Height + 1 + chain.MinRulesLead
	_, err := n.submit(t, authz.TxScheduleRules, &authz.ScheduleRulesPayload{Version: 3, Height: at})
	if e, ok := errs.As(err); !ok || e.Status != 409 || e.Code != "gov.unknownRules" || !strings.Contains(e.Detail, "up to v2, not v3") {
		t.Fatalf("schedule of v3 by a v2 binary: %v", err)
	}
	n.Ledger.Registry().SetKnownRules(3) // a binary that knows v3
	if _, err := n.submit(t, authz.TxScheduleRules, &authz.ScheduleRulesPayload{Version: 3, Height: at}); err != nil {
		t.Fatal(err)
	}
	if s := n.ChainStatus().Rules; s.Next == nil || s.Next.Version != 3 || s.Next.Height != at || s.Version != 2 || s.Known != 3 {
		t.Fatalf("status after the schedule: %+v", s.Next)
	}
	n.Ledger.Registry().SetKnownRules(2) // the binary that does not
	// A DID a block up to the height before the change.
	for n.Head().Height < at-1 {
		k, _ := keys.Generate(keys.Ed25519)
		d := did.WeidDID(n.ChainID, k.Public())
		tx, _ := SignTx(n.ChainID, d+"#"+did.FirstKeyFragment, k, did.TxCreate, &did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()})
		if _, err := n.Submit(context.Background(), tx, false); err != nil {
			t.Fatal(err)
		}
	}
	head := n.Head()
	msg := "the ledger's rules v3 take effect at height " + itoa(at) + "; this weid knows up to v2: upgrade weid"
	if _, err := n.Readiness(); errs.Code(err) != "ledger.halted" || !strings.Contains(err.Error(), msg) {
		t.Errorf("readiness: %v", err)
	}
	if s := n.ChainStatus().Rules; !strings.Contains(s.Halted, msg) {
		t.Errorf("status: %+v", s)
	}
	_, err = n.submit(t, authz.TxAddCommittee, &authz.MemberPayload{DID: n.AdminDID})
	if e, ok := errs.As(err); !ok || e.Status != 503 || e.Code != "ledger.halted" {
		t.Errorf("a write at the halt: %v", err)
	}
	if n.Head() != head {
		t.Errorf("the head moved: %+v", n.Head())
	}
	// Restarted with the same weid, it is still halted.
	n.Close()
	again := openTest(t, n.dir)
	defer again.Close()
	if _, err := again.Readiness(); errs.Code(err) != "ledger.halted" || again.Head() != head {
		t.Errorf("restarted: %v, head %+v", err, again.Head())
	}
}

// gov.setValidatorNode (rules v2) feeds the register the CometBFT engine
// reads to tell a connected validator (cometbft.Config.Register).
func TestSetValidatorNode_FeedsTheRegister(t *testing.T) {
	n := openRulesNode(t)
	key := newValidatorKey(t)
	if _, err := n.submit(t, authz.TxAddValidator, &authz.AddValidatorPayload{PubKey: key, Power: 10}); err != nil {
		t.Fatal(err)
	}
	const id = "0123456789abcdef0123456789abcdef01234567"
	if _, err := n.submit(t, authz.TxSetValidatorNode, &authz.SetValidatorNodePayload{PubKey: key, NodeID: id}); err != nil {
		t.Fatal(err)
	}
	reg, err := register(n.Ledger)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := authz.ParseValidatorKey(key)
	if len(reg.Validators) != 1 || string(reg.Validators[0].PubKey) != string(pub) || reg.Validators[0].NodeID != id {
		t.Fatalf("register %+v", reg.Validators)
	}
}

func itoa(u uint64) string {
	b, _ := json.Marshal(u)
	return string(b)
}
