package node

import (
	"log/slog"
	"net/http"
	"sync"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
)

// checkRules is this node's check of a transaction against the ledger's
// rules before it is submitted, by any route (POST /v1/txs too): what the
// next block would refuse (the ledger halted, a type of a later version:
// chain.Ledger.CheckRules), and a change of rules to a version this binary
// does not know, 409 gov.unknownRules. The ledger itself takes such a
// change (its apply must not depend on the binary, or nodes of different
// binaries would fork), and this node would then halt at its height.
func (n *Node) checkRules(c *chain.Checked) error {
	if err := n.Ledger.CheckRules(c); err != nil {
		return err
	}
	p, ok := c.Payload.(*authz.ScheduleRulesPayload)
	if known := n.Ledger.Registry().KnownRules(); ok && p.Version > known {
		return errs.New(http.StatusConflict, "gov.unknownRules",
			"this weid knows the ledger's rules up to v%d, not v%d: schedule only rules the consortium's binaries know (a node whose weid does not know them halts at height %d)", known, p.Version, p.Height)
	}
	return nil
}

// RulesStatus is the ledger's rules as GET /v1/status shows them: the
// version in force at the head, the newest this binary knows, the change
// scheduled, and why the ledger is halted, if it is.
func (n *Node) RulesStatus() api.RulesStatus {
	h := n.Ledger.Head()
	r := n.Ledger.Rules().At(h.Height)
	s := api.RulesStatus{Version: r.Version, Since: r.Since, Known: n.Ledger.Registry().KnownRules()}
	if r.Next != nil {
		s.Next = &api.RulesChange{Version: r.Next.Version, Height: r.Next.Height}
	}
	if err := n.Ledger.Halted(); err != nil {
		s.Halted = err.Error()
	}
	return s
}

// watchRules returns the commit hook that logs, once, that the ledger
// cannot apply its next block: the rules in force from there on are a
// version this binary does not know.
func (n *Node) watchRules() func(*chain.Block) {
	var once sync.Once
	return func(*chain.Block) {
		if err := n.Ledger.Halted(); err != nil {
			once.Do(func() { slog.Error("the ledger halts", "err", err) })
		}
	}
}
