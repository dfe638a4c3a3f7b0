package node

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
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

// logTo makes slog's default logger write text into the returned buffer
// until the test ends (the tests that use it do not run in parallel).
func logTo(t *testing.T) *syncBuffer {
	t.Helper()
	var b syncBuffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&b, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })
	return &b
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A node whose weid does not know the version of a scheduled change says
// so before the halt: a warning in its log when the schedule commits and
// at every start, and in /v1/status (rules.warning), while it stays ready
// until the height; a node that knows the version says nothing.
func TestRules_WarnsBeforeAHalt(t *testing.T) {
	log := logTo(t)
	n := openRulesNode(t)
	n.Ledger.Registry().SetKnownRules(3) // a node that knows v3 schedules it
	at := n.Head().Height + 1 + 50
	if _, err := n.submit(t, authz.TxScheduleRules, &authz.ScheduleRulesPayload{Version: 3, Height: at}); err != nil {
		t.Fatal(err)
	}
	want := "rules v3 are scheduled for height " + itoa(at) + "; this weid knows up to v3"
	if s := n.ChainStatus().Rules; s.Warning != "" || strings.Contains(log.String(), "are scheduled for height") {
		t.Fatalf("a weid that knows v3 warns: %q\n%s", s.Warning, log)
	}
	n.Close()
	// The same ledger under a weid that knows up to v2.
	n.Node = openTest(t, n.dir)
	want = "rules v3 are scheduled for height " + itoa(at) + "; this weid knows up to v2: upgrade weid before then, or it halts at " + itoa(at)
	if !strings.Contains(log.String(), want) {
		t.Errorf("no warning at start:\n%s", log)
	}
	if s := n.ChainStatus().Rules; s.Warning != want || s.Halted != "" {
		t.Errorf("status: %+v, want the warning %q", s, want)
	}
	if _, err := n.Readiness(); err != nil {
		t.Errorf("readiness before the halt: %v", err)
	}
	// Scheduled again (a peer's block: the schedule commits here), it
	// warns of the new height, once.
	n.Ledger.Registry().SetKnownRules(3)
	if _, err := n.submit(t, authz.TxScheduleRules, &authz.ScheduleRulesPayload{Version: 3, Height: at + 5}); err != nil {
		t.Fatal(err)
	}
	n.Ledger.Registry().SetKnownRules(2)
	k, _ := keys.Generate(keys.Ed25519) // a block after it
	d := did.WeidDID(n.ChainID, k.Public())
	tx, _ := SignTx(n.ChainID, d+"#"+did.FirstKeyFragment, k, did.TxCreate, &did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()})
	if _, err := n.Submit(context.Background(), tx, false); err != nil {
		t.Fatal(err)
	}
	moved := "rules v3 are scheduled for height " + itoa(at+5) + "; this weid knows up to v2"
	if got := strings.Count(log.String(), moved); got != 1 {
		t.Errorf("the warning for height %d is logged %d times, want once:\n%s", at+5, got, log)
	}
	n.Close()
}

func itoa(u uint64) string {
	b, _ := json.Marshal(u)
	return string(b)
}
