package node

import (
	"fmt"
	"log/slog"
	"sync"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
)

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
	s.Warning = rulesWarning(s)
	return s
}

// rulesWarning says, before a halt, that the change of rules scheduled in
// s is to a version this binary does not know: the node goes on (and
// stays ready) until its height, then halts, unless its weid is upgraded
// first. "" if there is nothing to warn of, or the ledger halted already.
func rulesWarning(s api.RulesStatus) string {
	if s.Next == nil || s.Next.Version <= s.Known || s.Halted != "" {
		return ""
	}
	return fmt.Sprintf("rules v%d are scheduled for height %d; this weid knows up to v%d: upgrade weid before then, or it halts at %d",
		s.Next.Version, s.Next.Height, s.Known, s.Next.Height)
}

// watchRules returns the commit hook that logs, once, that the ledger
// cannot apply its next block: the rules in force from there on are a
// version this binary does not know; and before that, once per change
// scheduled (at start, and when the block that schedules it commits), a
// warning that it will (rulesWarning).
func (n *Node) watchRules() func(*chain.Block) {
	var once sync.Once
	var mu sync.Mutex
	warned := ""
	return func(*chain.Block) {
		if err := n.Ledger.Halted(); err != nil {
			once.Do(func() { slog.Error("the ledger halts", "err", err) })
			return
		}
		w := n.RulesStatus().Warning
		mu.Lock()
		defer mu.Unlock()
		if w != "" && w != warned {
			slog.Warn(w)
		}
		warned = w
	}
}
