package node

// Readiness: whether a load balancer should send this node requests. A
// node that can read its ledger is ready under the solo engine; under a
// replicating engine it must also be following the chain, or what it
// answers (a credential's status, a DID's keys) may be stale.

import (
	"net/http"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
)

// Readiness returns the head's height if the node is ready to serve, or a
// 503 node.notReady saying why not: the ledger has no genesis, its storage
// failed, its head cannot be read, or (replicating engines) the node is
// catching up with the chain or has no peers to learn of new blocks from
// (unless it alone holds more than 2/3 of the voting power, so no block
// can be made without it).
func (n *Node) Readiness() (uint64, error) {
	head := n.Ledger.Head()
	if head.Empty {
		return 0, errs.New(http.StatusServiceUnavailable, "node.notReady", "the ledger has no genesis block yet")
	}
	if err := n.Ledger.Failed(); err != nil {
		return 0, errs.New(http.StatusServiceUnavailable, "node.notReady", "the ledger's storage failed and it refuses writes until restarted: %v", err)
	}
	if err := n.Ledger.Halted(); err != nil {
		return 0, err // 503 ledger.halted: upgrade weid
	}
	if _, err := n.Ledger.Block(head.Height); err != nil {
		return 0, errs.New(http.StatusServiceUnavailable, "node.notReady", "the ledger cannot be read: %v", err)
	}
	if c, ok := n.Engine.(chain.ConsensusReporter); ok {
		if why := c.Consensus().Stale(); why != "" {
			return 0, errs.New(http.StatusServiceUnavailable, "node.notReady", "this node may be behind the chain (weid height %d), so its answers may be stale: %s", head.Height, why)
		}
	}
	return head.Height, nil
}
