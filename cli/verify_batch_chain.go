package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/chain/cometbft"
	"github.com/weidgo/weid/client"
)

// chainIdentity is the chain a node serves: its genesis block, by hash
// (which covers the chain id, the time, the block key and the admins
// chain.init names), and the chain id the genesis header carries.
type chainIdentity struct {
	chainID, genesis string
}

// nodeChain reads node c's genesis block (c is node n, 1-based, of the
// --node list) and checks that it hashes to its
// hash and is signed by the block key its chain.init names; with an anchor
// (af), that the anchor vouches for it (vouchBlock). An error reading the
// block is unread (the node may be down); any other, bad (the node serves
// a chain it should not be verifying for).
func nodeChain(ctx context.Context, n int, c *client.Client, af *anchorFlags) (id chainIdentity, unread, bad error) {
	node := strconv.Itoa(n)
	b, err := c.Block(ctx, 0)
	if err != nil {
		return id, err, nil
	}
	suite, _, err := chain.GenesisCrypto(b.Txs)
	if err == nil && b.Header.Height != 0 {
		err = fmt.Errorf("block 0 is at height %d", b.Header.Height)
	}
	if err == nil {
		err = suite.VerifyBlock(b)
	}
	if err != nil {
		return id, nil, errors.New(say("cli.usage.badGenesis", "node", node, "url", c.BaseURL, "why", err.Error()))
	}
	if af.given() {
		if _, err := vouchBlock(ctx, c, af, b, func() (cometbft.ValidatorSet, error) { return recordedSet(ctx, c, &b.Header) }); err != nil {
			return id, nil, errors.New(say("cli.usage.untrustedChain", "node", node, "url", c.BaseURL, "why", strings.TrimPrefix(err.Error(), "not vouched for by your trust anchor: ")))
		}
	}
	return chainIdentity{chainID: b.Header.ChainID, genesis: b.Hash}, nil, nil
}

// oneChainNodes reads every node's genesis block at once (each within
// timeout; nodeChain) and refuses to start, naming the odd node, when the
// nodes are not all one chain — the one most of them serve, the first
// node's on a tie — or, with an anchor, when one is not the chain the
// anchor names: verify-batch spreads one policy over one ledger, and a
// node of another chain (the same chain id, another genesis) would answer
// from another registry and other revocations. A node whose genesis block
// cannot be read is left out (logf is told): whether it is of the chain is
// unknown. With one node and no anchor there is nothing to compare.
func oneChainNodes(ctx context.Context, nodes []*client.Client, af *anchorFlags, timeout time.Duration, logf func(format string, args ...any)) ([]*client.Client, error) {
	if len(nodes) == 1 && !af.given() {
		return nodes, nil
	}
	if af.given() { // the anchor's own mistakes once, not once per node
		if _, err := af.following(nil); err != nil {
			return nil, err
		}
	}
	ids := make([]chainIdentity, len(nodes))
	unread := make([]error, len(nodes))
	bad := make([]error, len(nodes))
	var wg sync.WaitGroup
	for i, cl := range nodes {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			ids[i], unread[i], bad[i] = nodeChain(cctx, i+1, cl, af)
		})
	}
	wg.Wait()
	count := map[chainIdentity]int{}
	for i := range nodes {
		if bad[i] != nil {
			return nil, bad[i]
		}
		if unread[i] == nil {
			count[ids[i]]++
		}
	}
	ref := -1 // the first node of the chain most nodes serve
	for i := range nodes {
		if unread[i] == nil && (ref < 0 || count[ids[i]] > count[ids[ref]]) {
			ref = i
		}
	}
	return sameChain(nodes, ids, unread, ref, logf)
}

// sameChain keeps the nodes whose genesis was read, refusing the first of
// another chain than node ref's (none was read: ref < 0).
func sameChain(nodes []*client.Client, ids []chainIdentity, unread []error, ref int, logf func(format string, args ...any)) ([]*client.Client, error) {
	var kept []*client.Client
	var failed []string
	for i, cl := range nodes {
		switch {
		case unread[i] != nil:
			failed = append(failed, fmt.Sprintf("%s: reading its genesis block: %v", cl.BaseURL, unread[i]))
			if logf != nil && ref >= 0 {
				logf("node %d (%s) left out: its genesis block could not be read (%v), so whether it is of the chain is not known", i+1, cl.BaseURL, unread[i])
			}
		case ids[i] != ids[ref]:
			return nil, errors.New(say("cli.usage.otherChain", "node", strconv.Itoa(i+1), "url", cl.BaseURL, "genesis", ids[i].genesis, "chain", ids[i].chainID,
				"ref", strconv.Itoa(ref+1), "refUrl", nodes[ref].BaseURL, "refGenesis", ids[ref].genesis, "refChain", ids[ref].chainID))
		default:
			kept = append(kept, cl)
		}
	}
	if len(kept) == 0 {
		return nil, fmt.Errorf("every node failed: %s", strings.Join(failed, "; "))
	}
	return kept, nil
}
