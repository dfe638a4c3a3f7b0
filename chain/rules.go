package chain

import (
	"fmt"
	"net/http"

	"github.com/weidgo/weid/errs"
)

// RulesVersion is the newest version of the ledger's rules this binary
// knows. A version is a set of transaction types and of the rules they are
// applied by; a chain moves from one to the next at a height its
// governance schedules (ScheduleRules), so every node changes rules at the
// same block, and a node whose binary does not know the version in force
// stops there (HaltError) instead of applying blocks by other rules than
// the consortium's.
//
//	1  every rule of the chains made before rules were versioned (a chain
//	   without a chain/rules record is at version 1)
//	2  gov.setValidatorNode: record or correct a validator's CometBFT node id
//	   and, under CometBFT, Proposer-Based Timestamps on a chain still on BFT
//	   time, from the CometBFT height after the block v2 takes effect in
//	   (chain/cometbft/pbts.go)
//
// A new version adds a line here, raises RulesVersion, and gives the types
// it adds Handler.Since (or makes its changed rules read Context.Rules).
const RulesVersion = 2

// RulesSchedule is a payload that schedules a version of the ledger's
// rules at a weid height (authz's gov.scheduleRules): Ledger.CheckRules
// does not admit one this binary does not know.
type RulesSchedule interface {
	ScheduledRules() (version, height uint64)
}

// An Admitted payload has a check of its own at admission, which
// Ledger.CheckRules (the node's API, by any route, and CometBFT's CheckTx)
// makes and blocks do not: a check added once blocks were committed must
// not change what they apply. CheckAdmission runs it on any payload.
type Admitted interface {
	CheckAdmission() error
}

// CheckAdmission is p's admission check, if it has one (Admitted).
func CheckAdmission(p Payload) error {
	if a, ok := p.(Admitted); ok {
		return a.CheckAdmission()
	}
	return nil
}

// MinRulesLead is how far above the block that schedules it a change of
// rules must be: at least this many weid heights, so that the schedule is
// visible (GET /v1/status, the events) before it takes effect and can be
// moved or cancelled.
const MinRulesLead = 10

// KeyRules is the state key of the rules record.
var KeyRules = []byte("chain/rules")

// Rules is the rules record (state key chain/rules): the version in
// force, the height it has been in force since, and at most one scheduled
// change. A chain without the record is at version 1 since its genesis.
type Rules struct {
	Version uint64       `json:"version"`
	Since   uint64       `json:"since"`
	Next    *RulesChange `json:"next,omitempty"`
}

// RulesChange is a scheduled change of rules: Version from Height on.
type RulesChange struct {
	Version uint64 `json:"version"`
	Height  uint64 `json:"height"`
}

// LoadRules reads the rules record of st (version 1 if it has none).
func LoadRules(st Reader) (Rules, error) {
	r := Rules{Version: 1}
	if _, err := GetJSON(st, KeyRules, &r); err != nil {
		return Rules{}, fmt.Errorf("read the ledger's rules record: %w", err)
	}
	return r, nil
}

// At returns the rules in force at height h: the record's, or its
// scheduled change's once h reaches the change's height. The record is
// not rewritten when a change takes effect: the version at a height
// follows from the record and the height alone.
func (r Rules) At(h uint64) Rules {
	if r.Next != nil && h >= r.Next.Height {
		return Rules{Version: r.Next.Version, Since: r.Next.Height}
	}
	return r
}

// HaltError is why a ledger stops applying blocks: the rules in force from
// Height on are Version, which this binary does not know (it knows up to
// Known). It is a 503 ledger.halted.
type HaltError struct {
	Version, Height, Known uint64
}

func (e *HaltError) Error() string {
	return fmt.Sprintf("the ledger's rules v%d take effect at height %d; this weid knows up to v%d: upgrade weid", e.Version, e.Height, e.Known)
}

// Problem returns e as the problem the API answers.
func (e *HaltError) Problem() *errs.Error {
	return errs.New(http.StatusServiceUnavailable, "ledger.halted", "%s", e.Error())
}

// halt returns the halt of a ledger knowing rules up to known at height
// h under record r, or nil.
func (r Rules) halt(h, known uint64) error {
	in := r.At(h)
	if in.Version <= known {
		return nil
	}
	return (&HaltError{Version: in.Version, Height: in.Since, Known: known}).Problem()
}

// ScheduleRules records, in the block ctx applies, that the ledger's rules
// become version from height on, replacing a change scheduled before. It
// is the apply of governance's gov.scheduleRules, and it does not depend
// on the versions this binary knows (that would fork the consortium
// between binaries): version must follow the one in force, and height be
// at least MinRulesLead above the block's.
func ScheduleRules(ctx *Context, version, height uint64) error {
	r, err := LoadRules(ctx.State)
	if err != nil {
		return err
	}
	r = r.At(ctx.Height)
	if version != r.Version+1 {
		return errs.New(http.StatusConflict, "gov.rulesVersion", "version must be %d: the rules in force are v%d, and a change goes one version at a time", r.Version+1, r.Version)
	}
	if height < ctx.Height+MinRulesLead {
		return errs.New(http.StatusConflict, "gov.rulesHeight", "height must be at least %d: this block is at height %d, and a change of rules is scheduled at least %d heights ahead", ctx.Height+MinRulesLead, ctx.Height, MinRulesLead)
	}
	r.Next = &RulesChange{Version: version, Height: height}
	return ctx.State.SetJSON(KeyRules, r)
}

// CancelRules removes, in the block ctx applies, the scheduled change to
// version (gov.cancelRules): 404 gov.noRulesScheduled if none is pending.
func CancelRules(ctx *Context, version uint64) error {
	r, err := LoadRules(ctx.State)
	if err != nil {
		return err
	}
	r = r.At(ctx.Height)
	if r.Next == nil || r.Next.Version != version {
		return errs.New(http.StatusNotFound, "gov.noRulesScheduled", "no change to rules v%d is scheduled (the rules in force are v%d)", version, r.Version)
	}
	r.Next = nil
	return ctx.State.SetJSON(KeyRules, r)
}
