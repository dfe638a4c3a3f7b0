package chain

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
)

// Test types of the rules' tests: "test.v2" is test.put existing only from
// rules v2; "test.schedule" and "test.cancel" schedule and cancel changes
// of rules as governance's gov.scheduleRules and gov.cancelRules do (their
// signers are governance's business, tested in authz).
const (
	typeV2       = "test.v2"
	typeSchedule = "test.schedule"
	typeCancel   = "test.cancel"
)

type schedulePayload struct {
	Version uint64 `json:"version"`
	Height  uint64 `json:"height"`
	Pub     string `json:"pub"`
}

func (p *schedulePayload) Validate() error { return nil }

// seenRules records the Context.Rules test.v2 was applied under.
var seenRules = map[string]uint64{}

func rulesRegistry(known uint64) *Registry {
	r := testRegistry()
	v2 := putHandler(typeV2)
	v2.Since = 2
	apply := v2.Apply
	v2.Apply = func(ctx *Context, p Payload) error {
		seenRules[p.(*putPayload).Key] = ctx.Rules
		return apply(ctx, p)
	}
	r.Register(v2)
	signer := func(_ Reader, _ *Tx, p Payload) (keys.PublicKey, error) {
		return keys.ParseMultibase(p.(*schedulePayload).Pub)
	}
	r.Register(Handler{Type: typeSchedule, NewPayload: func() Payload { return new(schedulePayload) }, SignerKey: signer,
		Apply: func(ctx *Context, p Payload) error {
			sp := p.(*schedulePayload)
			return ScheduleRules(ctx, sp.Version, sp.Height)
		}})
	r.Register(Handler{Type: typeCancel, NewPayload: func() Payload { return new(schedulePayload) }, SignerKey: signer,
		Apply: func(ctx *Context, p Payload) error { return CancelRules(ctx, p.(*schedulePayload).Version) }})
	r.SetKnownRules(known)
	return r
}

// newRulesChain is newTestChain over rulesRegistry(known), its chain.init
// naming rules (0: none, as before rules were versioned).
func newRulesChain(t *testing.T, known, rules uint64) *testChainEnv {
	t.Helper()
	admin := newSigner(t, keys.Ed25519)
	e := &testChainEnv{dir: t.TempDir(), reg: rulesRegistry(known), node: newSigner(t, keys.Ed25519).key, admin: admin, now: genesisTime}
	l, err := Open(e.dir, e.reg)
	if err != nil {
		t.Fatal(err)
	}
	e.l = l
	t.Cleanup(func() { e.l.Close() })
	init := admin.txNonce(t, TypeChainInit, 0, InitPayload{NodeKey: e.node.Public().Multibase(), Admins: []string{admin.did()}, Rules: rules})
	if b, res := e.commit(t, init); b == nil || res[0].Err != nil {
		t.Fatalf("genesis: %+v", res)
	}
	return e
}

func (s *signer) schedule(t *testing.T, typ string, version, height uint64) *Tx {
	return s.tx(t, typ, schedulePayload{Version: version, Height: height, Pub: s.key.Public().Multibase()})
}

func (s *signer) v2(t *testing.T, key string) *Tx {
	return s.tx(t, typeV2, putPayload{Key: key, Value: "x", Pub: s.key.Public().Multibase()})
}

// commitOne commits tx alone and returns its result.
func (e *testChainEnv) commitOne(t *testing.T, tx *Tx) Result {
	t.Helper()
	_, res := e.commit(t, tx)
	return res[0]
}

// fillTo commits test.put blocks until the head is at height h.
func (e *testChainEnv) fillTo(t *testing.T, s *signer, h uint64) {
	t.Helper()
	for e.l.Head().Height < h {
		if r := e.commitOne(t, s.put(t, "fill", "x", false)); r.Err != nil {
			t.Fatal(r.Err)
		}
	}
}

// A chain made before rules were versioned has no rules record: its
// genesis and blocks are byte for byte what they were, and so is its app
// hash (the constant was computed by the binary before this change).
func TestRules_ChainWithoutRecordIsUnchanged(t *testing.T) {
	seed := bytes.Repeat([]byte{7}, 32)
	node, _ := keys.PrivateKeyFromSeed(keys.Ed25519, seed)
	seed[0] = 8
	ak, _ := keys.PrivateKeyFromSeed(keys.Ed25519, seed)
	e := newTestChainWith(t, node, &signer{key: ak})
	e.commit(t, e.admin.txNonce(t, typePut, 5, putPayload{Key: "k", Value: "v", Pub: ak.Public().Multibase()}))
	const appHash, hash = "2f90cec9e23617e668387dc062513cfb199f666c691509bf416b0989033a4559", "87e061525251e260ed556516c7720d7f85c718952ad58a53ec5ac0eae525befb"
	if h := e.l.Head(); h.AppHash != appHash || h.Hash != hash {
		t.Errorf("app hash %s, block %s; before rules were versioned: %s, %s", h.AppHash, h.Hash, appHash, hash)
	}
	if _, ok := getState(t, e.l, KeyRules); ok {
		t.Error("a chain.init without rules wrote a rules record")
	}
	if r := e.l.Rules(); r.At(2).Version != 1 || r.Next != nil {
		t.Errorf("rules %+v, want version 1 and nothing scheduled", r)
	}
}

// A type of rules v2 is refused under v1 as an unknown type is (in its
// block, byte for byte; at a node's admission, saying it needs v2), and
// accepted from the scheduled height on, not one block before.
func TestRules_TypeExistsFromItsVersion(t *testing.T) {
	e := newRulesChain(t, 2, 0)
	unknown := testRegistry() // a binary without the type
	tx := e.admin.v2(t, "early")
	_, old := unknown.CheckTx(testChain, tx)
	r := e.commitOne(t, tx)
	if r.Err == nil || errs.Code(r.Err) != errs.Code(old) || status(r.Err) != status(old) || r.Err.Error() != old.Error() {
		t.Fatalf("test.v2 under v1: %v, want what a binary without the type answers: %v", r.Err, old)
	}
	// A node refusing it before submission says why: the same code and
	// status, naming the version the type needs and the one in force.
	if err := e.l.CheckRules(mustCheck(t, e.reg, e.admin.v2(t, "early"))); errs.Code(err) != "tx.unknownType" || status(err) != http.StatusBadRequest ||
		!strings.Contains(err.Error(), `test.v2 exists from rules v2; this ledger is at v1 (weid rules show; README "Upgrading the consortium's rules")`) {
		t.Errorf("CheckRules under v1: %v, want tx.unknownType saying the type needs rules v2", err)
	}
	at := e.l.Head().Height + 1 + MinRulesLead
	if r := e.commitOne(t, e.admin.schedule(t, typeSchedule, 2, at)); r.Err != nil {
		t.Fatal(r.Err)
	}
	if n := e.l.Rules().Next; n == nil || *n != (RulesChange{Version: 2, Height: at}) {
		t.Fatalf("scheduled %+v, want v2 at %d", n, at)
	}
	e.fillTo(t, e.admin, at-2)
	if r := e.commitOne(t, e.admin.v2(t, "before")); errs.Code(r.Err) != "tx.unknownType" || e.l.Head().Height != at-2 {
		t.Fatalf("test.v2 at height %d, one before v2: %v", at-1, r.Err)
	}
	e.fillTo(t, e.admin, at-1)
	if err := e.l.CheckRules(mustCheck(t, e.reg, e.admin.v2(t, "x"))); err != nil {
		t.Errorf("CheckRules for the block at %d: %v", at, err)
	}
	if r := e.commitOne(t, e.admin.v2(t, "at")); r.Err != nil || r.Height != at {
		t.Fatalf("test.v2 at height %d: %+v", at, r)
	}
	if seenRules["at"] != 2 {
		t.Errorf("Context.Rules %d at the activation height, want 2", seenRules["at"])
	}
	if got := e.l.Rules().At(at); got.Version != 2 || got.Since != at {
		t.Errorf("rules at %d: %+v", at, got)
	}
	if _, _, err := Audit(e.l.Block, e.l.Head().Height, rulesRegistry(2)); err != nil {
		t.Errorf("audit: %v", err)
	}
}

func TestRules_ScheduleRefusals(t *testing.T) {
	e := newRulesChain(t, 2, 0)
	next := e.l.Head().Height + 1
	for _, c := range []struct {
		name            string
		typ             string
		version, height uint64
		code            string
		status          int
		detailMentions  string
	}{
		{"version skipped", typeSchedule, 3, next + 50, "gov.rulesVersion", http.StatusConflict, "version must be 2"},
		{"version in force", typeSchedule, 1, next + 50, "gov.rulesVersion", http.StatusConflict, "v1"},
		{"height too close", typeSchedule, 2, next + MinRulesLead - 1, "gov.rulesHeight", http.StatusConflict, "at least"},
		{"nothing to cancel", typeCancel, 2, 0, "gov.noRulesScheduled", http.StatusNotFound, "v2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.commitOne(t, e.admin.schedule(t, c.typ, c.version, c.height))
			if errs.Code(r.Err) != c.code || status(r.Err) != c.status || !strings.Contains(r.Err.Error(), c.detailMentions) {
				t.Errorf("got %v, want %d %s mentioning %q", r.Err, c.status, c.code, c.detailMentions)
			}
		})
	}
	// A second schedule replaces the first; a cancel removes it.
	h := e.l.Head().Height
	for _, at := range []uint64{h + 40, h + 20} {
		if r := e.commitOne(t, e.admin.schedule(t, typeSchedule, 2, at)); r.Err != nil {
			t.Fatal(r.Err)
		}
		if n := e.l.Rules().Next; n == nil || n.Height != at {
			t.Fatalf("scheduled %+v, want height %d", n, at)
		}
	}
	if r := e.commitOne(t, e.admin.schedule(t, typeCancel, 2, 0)); r.Err != nil {
		t.Fatal(r.Err)
	}
	if n := e.l.Rules().Next; n != nil {
		t.Errorf("after the cancel: %+v scheduled", n)
	}
}

// A ledger whose binary knows only v1 applies the schedule of v2 as every
// node does, then halts at its height: nothing of that block is written,
// it says why, after a restart too, and the same data opened by a binary
// that knows v2 goes on.
func TestRules_UnknownVersionHaltsAtItsHeight(t *testing.T) {
	e := newRulesChain(t, 1, 0)
	at := e.l.Head().Height + 1 + MinRulesLead
	if r := e.commitOne(t, e.admin.schedule(t, typeSchedule, 2, at)); r.Err != nil {
		t.Fatalf("the schedule's apply must not depend on the versions the binary knows: %v", r.Err)
	}
	e.fillTo(t, e.admin, at-1)
	head := e.l.Head()
	msg := "the ledger's rules v2 take effect at height " + itoa(at) + "; this weid knows up to v1: upgrade weid"
	if err := e.l.Halted(); err == nil || !strings.Contains(err.Error(), msg) {
		t.Fatalf("Halted: %v, want %q", err, msg)
	}
	_, _, err := e.l.Commit([]*Checked{mustCheck(t, e.reg, e.admin.put(t, "k", "v", false))}, e.node, e.now)
	if errs.Code(err) != "ledger.halted" || status(err) != http.StatusServiceUnavailable || !strings.Contains(err.Error(), msg) {
		t.Fatalf("commit at the halt: %v", err)
	}
	if e.l.Head() != head {
		t.Fatalf("the head moved: %+v", e.l.Head())
	}
	if _, ok := getState(t, e.l, putKey("k")); ok {
		t.Fatal("the halted block wrote its state")
	}
	if err := e.l.CheckRules(mustCheck(t, e.reg, e.admin.put(t, "k", "v", false))); errs.Code(err) != "ledger.halted" {
		t.Errorf("CheckRules at the halt: %v", err)
	}
	// The solo engine refuses every write and makes no block.
	solo := NewSolo(e.l, e.node, SoloConfig{})
	_, err = solo.Submit(context.Background(), mustCheck(t, e.reg, e.admin.put(t, "k", "v", false)))
	solo.Close()
	if errs.Code(err) != "ledger.halted" || e.l.Head() != head {
		t.Fatalf("solo at the halt: %v, head %+v", err, e.l.Head())
	}
	e.reopen(t)
	if err := e.l.Halted(); err == nil {
		t.Fatal("reopened: not halted")
	}
	// An upgraded binary goes on from the same data.
	e.l.Close()
	e.reg = rulesRegistry(2)
	l, err := Open(e.dir, e.reg)
	if err != nil {
		t.Fatal(err)
	}
	e.l = l
	if r := e.commitOne(t, e.admin.v2(t, "upgraded")); r.Err != nil || r.Height != at {
		t.Fatalf("upgraded: %+v", r)
	}
	// Its audit by a binary that knows only v1 stops there, saying why.
	if _, _, err := Audit(e.l.Block, e.l.Head().Height, rulesRegistry(1)); err == nil || !strings.Contains(err.Error(), msg) {
		t.Errorf("audit by a v1 binary: %v", err)
	}
}

// A new chain names its version in chain.init and is in it from height 1.
func TestRules_GenesisNamesItsVersion(t *testing.T) {
	e := newRulesChain(t, 2, 2)
	if r := e.l.Rules(); r.Version != 2 || r.Since != 0 || r.Next != nil {
		t.Fatalf("rules %+v", r)
	}
	if r := e.commitOne(t, e.admin.v2(t, "k")); r.Err != nil {
		t.Fatal(r.Err)
	}
	// A chain started at a version this binary does not know halts at once.
	v1 := newRulesChain(t, 1, 2)
	if err := v1.l.Halted(); err == nil || !strings.Contains(err.Error(), "rules v2 take effect at height 0; this weid knows up to v1") {
		t.Errorf("Halted: %v", err)
	}
}

func itoa(u uint64) string { return strconv.FormatUint(u, 10) }

func status(err error) int {
	if e, ok := errs.As(err); ok {
		return e.Status
	}
	return 0
}

// TestRules_WipeForgetsTheRecord: a wiped ledger (an aborted restore) is
// empty, its rules those of a chain without a record (v1, nothing
// scheduled), not the record of the state it wiped.
func TestRules_WipeForgetsTheRecord(t *testing.T) {
	e := newRulesChain(t, 1, 0)
	at := e.l.Head().Height + 1 + MinRulesLead
	if r := e.commitOne(t, e.admin.schedule(t, typeSchedule, 2, at)); r.Err != nil {
		t.Fatal(r.Err)
	}
	if e.l.Rules().Next == nil {
		t.Fatal("the schedule is not in the ledger's rules")
	}
	if err := e.l.wipe(); err != nil {
		t.Fatal(err)
	}
	if r := e.l.Rules(); r.Version != 1 || r.Next != nil {
		t.Fatalf("rules after a wipe: %+v", r)
	}
}
