package cometbft_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	cmted "github.com/cometbft/cometbft/crypto/ed25519"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/chain/cometbft"
	"github.com/weidgo/weid/node"
)

// Node ids as CometBFT spells them: 40 lowercase hex digits.
const (
	validatorNode = "1111111111111111111111111111111111111111"
	observerNode  = "2222222222222222222222222222222222222222"
	strangerNode  = "3333333333333333333333333333333333333333"
)

// peerNet is a register naming two validators' nodes and one observer, and
// CometBFT's set of those two validators.
type peerNet struct {
	reg  cometbft.Register
	set  []*cmttypes.Validator
	logs []string
}

func newPeerNet() *peerNet {
	n := &peerNet{}
	for _, id := range []string{validatorNode, "4444444444444444444444444444444444444444"} {
		pub := cmted.GenPrivKey().PubKey()
		n.reg.Validators = append(n.reg.Validators, chain.ValidatorChange{PubKey: pub.Bytes(), Power: 10, NodeID: id})
		n.set = append(n.set, cmttypes.NewValidator(pub, 10))
	}
	n.reg.Observers = []string{observerNode}
	return n
}

// gate gives a n's register and set; syncing says whether the node catches up.
func (n *peerNet) gate(a *cometbft.App, syncing bool) {
	a.SetPeerGate(func() (cometbft.Register, error) { return n.reg, nil },
		func() ([]*cmttypes.Validator, error) { return n.set, nil },
		func() bool { return syncing },
		func(msg string, kv ...any) { n.logs = append(n.logs, fmt.Sprint(append([]any{msg}, kv...)...)) })
}

func filterQuery(t *testing.T, a *cometbft.App, path string) *abci.QueryResponse {
	t.Helper()
	res, err := a.Query(context.Background(), &abci.QueryRequest{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestQuery_PeerFilterAdmitsOnlyTheNodesTheLedgerNames(t *testing.T) {
	a, l, _ := newFixture(t).app(t)
	n := newPeerNet()
	n.gate(a, false)
	head := l.Head()
	for _, c := range []struct {
		path string
		code uint32
	}{
		{"/p2p/filter/id/" + validatorNode, abci.CodeTypeOK},
		{"/p2p/filter/id/" + observerNode, abci.CodeTypeOK},
		{"/p2p/filter/id/" + strangerNode, http.StatusForbidden},
		{"/p2p/filter/addr/203.0.113.7:26656", abci.CodeTypeOK}, // by identity, not address
	} {
		res := filterQuery(t, a, c.path)
		if res.Code != c.code {
			t.Errorf("%s: code %d (%s), want %d", c.path, res.Code, res.Log, c.code)
		}
	}
	res := filterQuery(t, a, "/p2p/filter/id/"+strangerNode)
	want := "node " + strangerNode + " is neither a validator nor a registered observer on this ledger"
	if res.Log != want {
		t.Errorf("refusal log %q, want %q", res.Log, want)
	}
	if len(n.logs) != 1 || !strings.Contains(n.logs[0], want) {
		t.Errorf("logged %q, want the refusal once (twice refused within a minute)", n.logs)
	}
	if l.Head() != head {
		t.Errorf("the queries changed the ledger: %+v, was %+v", l.Head(), head)
	}
}

func TestQuery_PeerFilterAdmitsEveryNodeBeforeTheLedgerNamesAny(t *testing.T) {
	stranger := "/p2p/filter/id/" + strangerNode
	t.Run("empty ledger", func(t *testing.T) { // joining by state sync
		l, err := chain.Open(t.TempDir(), node.NewRegistry())
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		a := cometbft.NewApp(l, newFixture(t).block)
		newPeerNet().gate(a, false)
		if res := filterQuery(t, a, stranger); res.Code != abci.CodeTypeOK {
			t.Errorf("code %d (%s), want OK", res.Code, res.Log)
		}
	})
	t.Run("catching up", func(t *testing.T) { // block sync: its register may be old
		a, _, _ := newFixture(t).app(t)
		newPeerNet().gate(a, true)
		if res := filterQuery(t, a, stranger); res.Code != abci.CodeTypeOK {
			t.Errorf("code %d (%s), want OK", res.Code, res.Log)
		}
	})
	t.Run("register names no node", func(t *testing.T) {
		a, _, _ := newFixture(t).app(t)
		n := newPeerNet()
		n.reg = cometbft.Register{}
		n.gate(a, false)
		if res := filterQuery(t, a, stranger); res.Code != abci.CodeTypeOK {
			t.Errorf("code %d (%s), want OK", res.Code, res.Log)
		}
	})
}

// A validator admitted by key alone, or one of a chain older than the
// register, has no node id the filter could know its node by: refusing
// unknown nodes could cut it off and stop the chain.
func TestQuery_PeerFilterAdmitsEveryNodeWhileAValidatorHasNoNodeID(t *testing.T) {
	for name, drop := range map[string]func(n *peerNet){
		"admitted without node id": func(n *peerNet) { n.reg.Validators[1].NodeID = "" },
		"not in the register":      func(n *peerNet) { n.reg.Validators = n.reg.Validators[:1] },
	} {
		t.Run(name, func(t *testing.T) {
			a, _, _ := newFixture(t).app(t)
			n := newPeerNet()
			drop(n)
			n.gate(a, false)
			if res := filterQuery(t, a, "/p2p/filter/id/"+strangerNode); res.Code != abci.CodeTypeOK {
				t.Errorf("code %d (%s), want OK", res.Code, res.Log)
			}
			if len(n.logs) != 1 || !strings.Contains(n.logs[0], "weid validator set-node") {
				t.Errorf("logged %q, want a note naming weid validator set-node", n.logs)
			}
		})
	}
}

func TestQuery_PeerFilterRefusesMalformedPaths(t *testing.T) {
	a, _, _ := newFixture(t).app(t)
	newPeerNet().gate(a, false)
	for _, p := range []string{
		"/p2p/filter/id/",
		"/p2p/filter/id/" + strings.ToUpper(strangerNode[:39]) + "A",
		"/p2p/filter/id/" + strangerNode + "/x",
		"/p2p/filter/id/zz",
		"/p2p/filter/pubkey/" + strangerNode,
		"/p2p/filter/",
	} {
		if res := filterQuery(t, a, p); res.Code != http.StatusBadRequest {
			t.Errorf("%s: code %d (%s), want 400", p, res.Code, res.Log)
		}
	}
}
