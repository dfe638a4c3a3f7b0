package node

import (
	"log/slog"
	"sync"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
)

// checkRules is this node's check of a transaction against the ledger's
// rules before it is submitted, by any route (POST /v1/txs too), as
// CometBFT's CheckTx makes it: chain.Ledger.CheckRules (what the next
// block would refuse, and a change of rules to a version this binary does
// not know, 409 gov.unknownRules).
func (n *Node) checkRules(c *chain.Checked) error {
	if err := checkExact(c.Payload); err != nil {
		return err
	}
	return n.Ledger.CheckRules(c)
}

// checkExact refuses a payload whose numbers JSON cannot carry exactly
// (authz.ScheduleRulesPayload.CheckHeight): Write checks a custodial
// payload with it before signing, as the caller gave it, and checkRules
// every transaction as received (a signed one's is as it was signed).
func checkExact(p chain.Payload) error {
	if s, ok := p.(*authz.ScheduleRulesPayload); ok {
		return s.CheckHeight()
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
		if e, ok := errs.As(err); ok { // the sentence, not "ledger.halted: …"
			s.Halted = e.Detail
		}
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
