package node

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
)

// A node does not start with the peer filter on a ledger recording a
// validator without a node id: the filter could not tell that validator's
// node from a stranger's. It starts once the node id is recorded.
func TestNode_PeerFilterNeedsEveryValidatorsNodeID(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{DataDir: dir, Engine: "cometbft", CometLogLevel: "none", PeerFilter: true}
	n, err := Open(cfg) // a new single-validator chain: its genesis records the node id
	if err != nil {
		t.Fatal(err)
	}
	admin, _, err := n.Keystore.Key(n.AdminDID + "#" + did.FirstKeyFragment)
	if err != nil {
		t.Fatal(err)
	}
	submit := func(n *Node, typ string, p chain.Payload) {
		t.Helper()
		tx, err := SignTx(n.ChainID, n.AdminDID+"#"+did.FirstKeyFragment, admin, typ, p)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(tx)
		if _, err := n.SubmitRaw(context.Background(), raw, false); err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
	}
	key := newValidatorKey(t)
	submit(n, authz.TxAddValidator, &authz.AddValidatorPayload{PubKey: key, Power: 1}) // by key alone
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(cfg); err == nil || !strings.Contains(err.Error(), key) || !strings.Contains(err.Error(), "weid validator set-node") {
		t.Fatalf("opened with a validator without node id: %v", err)
	}
	cfg.PeerFilter = false
	if n, err = Open(cfg); err != nil {
		t.Fatal(err)
	}
	submit(n, authz.TxSetValidatorNode, &authz.SetValidatorNodePayload{PubKey: key, NodeID: "0123456789abcdef0123456789abcdef01234567"})
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	cfg.PeerFilter = true
	if n, err = Open(cfg); err != nil {
		t.Fatalf("with every validator's node id recorded: %v", err)
	}
	n.Close()
}
