package cometbft

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cometbft/cometbft/p2p"
	cmttypes "github.com/cometbft/cometbft/types"
)

// Peer admission (Config.PeerFilter, "weid node start --peer-filter"):
// with CometBFT's filter_peers on, CometBFT asks the application, through
// Query, about every raw connection (/p2p/filter/addr/<ip:port>) and
// every peer it adds, inbound and outbound (/p2p/filter/id/<node id>),
// and refuses the peer on any code but OK (v1.0.1 node/setup.go
// createTransport). weid filters by identity, which CometBFT's secret
// connection authenticates, not by address: every address is admitted,
// and a node id only if the committed state names it (admitNode).
const (
	filterAddrPath = "/p2p/filter/addr/"
	filterIDPath   = "/p2p/filter/id/"
)

// peerCheckPeriod is how often, besides after each block, the engine drops
// the connected peers the ledger no longer names (dropUnnamed).
const peerCheckPeriod = 10 * time.Second

// refusalLogEvery is how often at most a refusal of one node id is logged:
// CometBFT redials a persistent peer it lost, and the engine every
// redialPeriod one it could not reach.
const refusalLogEvery = time.Minute

// peerGate is what the peer filter reads besides the ledger; the engine
// sets it on its App once its node runs (App.Query admits every peer
// before).
type peerGate struct {
	register func() (Register, error)              // the ledger's register (Config.Register)
	set      func() ([]*cmttypes.Validator, error) // CometBFT's current validator set
	syncing  func() bool                           // the node catches up (block sync): admit every peer
	log      func(msg string, keyvals ...any)      // at every log level but none
	mu       sync.Mutex                            // guards logged
	logged   map[string]time.Time                  // when a note about a node id was last logged
}

// admitNode reports whether the node id may be a peer of a node whose
// committed state records reg and whose CometBFT validator set is set, and
// a note saying why not, or why a node the ledger does not name is let in:
//   - a node the register names — a validator's recorded node id, or a
//     registered observer — is admitted;
//   - while the register names no node at all (a chain older than the
//     register, or one whose genesis named none) every node is, or the
//     consortium could not reach its own validators;
//   - while some validator of the set the ledger records (ledgerSet) has
//     no recorded node id (admitted by key alone), every node is too: that
//     validator's node cannot be told from a stranger's, and refusing it
//     could stop the chain (a third of the power is enough), which would
//     also stop the "weid validator set-node" that names it. The note says
//     which validators to name. Start refuses to start the filter on such
//     a chain (unnamedValidators); this covers one admitted later;
//   - any other node is refused.
func admitNode(id string, reg Register, set []*cmttypes.Validator) (ok bool, note string) {
	nodes := reg.nodes()
	if _, ok := nodes[id]; ok || slices.Contains(reg.Observers, id) {
		return true, ""
	}
	if len(nodes) == 0 && len(reg.Observers) == 0 {
		return true, ""
	}
	if un := unnamedValidators(set, reg); len(un) > 0 {
		return true, fmt.Sprintf("admitting node %s, which is neither a validator nor a registered observer on this ledger, because validators %s have no recorded node id and their nodes cannot be told from others; record them with \"weid validator set-node\"", id, strings.Join(un, ", "))
	}
	return false, fmt.Sprintf("node %s is neither a validator nor a registered observer on this ledger", id)
}

// unnamedValidators returns the keys (base64, as "weid validator set-node"
// takes them) of the validators of the set the ledger records (ledgerSet:
// its register and the validators of CometBFT's set it does not record)
// for which it records no node id.
func unnamedValidators(set []*cmttypes.Validator, reg Register) []string {
	named := map[string]bool{}
	for _, a := range reg.nodes() {
		named[strings.ToUpper(a)] = true
	}
	var out []string
	for _, v := range ledgerSet(set, reg) {
		if v.VotingPower > 0 && !named[v.Address.String()] {
			out = append(out, base64.StdEncoding.EncodeToString(v.PubKey.Bytes()))
		}
	}
	return out
}

// validNodeID reports whether id is spelled as a CometBFT node id: 40
// lowercase hex digits (the hex of 20 bytes, p2p.IDByteLength).
func validNodeID(id string) bool {
	b, err := hex.DecodeString(id)
	return err == nil && len(b) == p2p.IDByteLength && strings.ToLower(id) == id
}

// filterQuery answers CometBFT's peer filter queries (path under /p2p/filter/)
// with an ABCI code: OK, or the HTTP status of the refusal and why. It
// reads only the committed state and changes nothing.
func (a *App) filterQuery(path string) (code uint32, log string) {
	if strings.HasPrefix(path, filterAddrPath) {
		return 0, "" // by identity, not address
	}
	id, ok := strings.CutPrefix(path, filterIDPath)
	if !ok {
		return http.StatusBadRequest, fmt.Sprintf("unknown peer filter query %q (have %s<ip:port>, %s<node id>)", path, filterAddrPath, filterIDPath)
	}
	if !validNodeID(id) {
		return http.StatusBadRequest, fmt.Sprintf("%q is not a CometBFT node id (40 lowercase hex digits)", id)
	}
	g := a.gate.Load()
	if g == nil || a.l.Head().Empty || g.syncing() {
		return 0, "" // no register yet, or an old one: a joiner must reach the consortium
	}
	reg, err := g.register()
	if err != nil {
		return http.StatusInternalServerError, "the ledger's node register is unreadable: " + err.Error()
	}
	set, err := g.set()
	if err != nil {
		return http.StatusInternalServerError, "the validator set is unknown: " + err.Error()
	}
	ok, note := admitNode(id, reg, set)
	if note != "" {
		g.note(id, note)
	}
	if !ok {
		return http.StatusForbidden, note
	}
	return 0, ""
}

// note logs msg about the node id, at most once per refusalLogEvery.
func (g *peerGate) note(id, msg string) {
	g.mu.Lock()
	now := time.Now()
	if last, ok := g.logged[id]; ok && now.Sub(last) < refusalLogEvery {
		g.mu.Unlock()
		return
	}
	if len(g.logged) >= 1000 {
		clear(g.logged)
	}
	g.logged[id] = now
	g.mu.Unlock()
	g.log("peer filter: "+msg, "node", id)
}

// startPeerFilter turns on the engine's side of the peer filter: it
// refuses (the error) a node whose ledger records a validator without a
// node id — the filter would admit everyone there (admitNode) —, gives the
// App its gate, and starts dropUnnamed. The check reads this node's own
// ledger, even while the node catches up (a multi-validator node starts in
// block sync): a node that was down while the missing node id was recorded
// is refused until it has caught up without the filter, which the error
// offers.
func (e *Engine) startPeerFilter(log func(string, ...any)) error {
	g := &peerGate{register: e.register, set: e.validators, log: log, logged: map[string]time.Time{},
		syncing: func() bool { return e.node.ConsensusReactor().WaitSync() }}
	if g.register == nil {
		g.register = func() (Register, error) { return Register{}, nil }
	}
	if !e.app.l.Head().Empty {
		reg, err := g.register()
		if err != nil {
			return fmt.Errorf("peer filter: the ledger's node register is unreadable: %w", err)
		}
		// In block sync from height 0 CometBFT holds no set yet: the
		// register alone is judged.
		set, err := g.set()
		if err != nil && !g.syncing() {
			return fmt.Errorf("peer filter: the validator set is unknown: %w", err)
		}
		if un := unnamedValidators(set, reg); len(un) > 0 {
			return fmt.Errorf("peer filter: the ledger records no node id for validators %s, so their nodes could not be told from strangers'; record each with \"weid validator set-node KEY --node-id ID\" (rules v2, see \"weid rules\"), or start without the filter (--peer-filter=false where weid-node.json sets peerFilter)", strings.Join(un, ", "))
		}
	}
	e.app.gate.Store(g)
	e.bg.Add(1)
	go e.dropUnnamed(g)
	return nil
}

// dropUnnamed disconnects, after each block and every peerCheckPeriod,
// the connected peers the filter would refuse now: CometBFT filters a peer
// only when it adds it, so an observer removed from the register, or a
// stranger let in while the node caught up, would stay connected.
func (e *Engine) dropUnnamed(g *peerGate) {
	defer e.bg.Done()
	t := time.NewTicker(peerCheckPeriod)
	defer t.Stop()
	for {
		e.dropPeers(g)
		select {
		case <-e.stop:
			return
		case <-e.peerKick:
		case <-t.C:
		}
	}
}

// dropPeers stops each connected peer admitNode refuses, unless it proves
// (its attestation, attest.go) that it runs a validator of CometBFT's
// current set: a validator removed at height h still signs blocks until
// h+2, and its node must stay connected until then.
func (e *Engine) dropPeers(g *peerGate) {
	if e.app.l.Head().Empty || g.syncing() {
		return
	}
	reg, err := g.register()
	if err != nil {
		return
	}
	set, err := g.set()
	if err != nil {
		return
	}
	byAddr, _ := byAddress(set)
	sw := e.node.Switch()
	for _, p := range sw.Peers().Copy() {
		id := string(p.ID())
		ok, note := admitNode(id, reg, set)
		if ok {
			continue
		}
		ni, _ := p.NodeInfo().(p2p.DefaultNodeInfo)
		if a, _ := e.attest.validator(peer{id: id, moniker: ni.Moniker}, byAddr); a != "" {
			continue
		}
		g.log("peer filter: "+note+": disconnecting it", "node", id) // once per connection: not rate-limited
		sw.StopPeerForError(p, note)
	}
}
