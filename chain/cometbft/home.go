package cometbft

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/crypto"
	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/internal/durable"
)

// SettingsFile is the name, in a node's home, of its weid settings.
const SettingsFile = "weid-node.json"

// DefaultTimeoutCommit is how long a localnet's validators wait after a
// commit before starting the next height.
const DefaultTimeoutCommit = 100 * time.Millisecond

// The synchrony parameters of Proposer-Based Timestamps (PBTS), which a
// new chain's genesis turns on from its first height (GenesisParams). A
// validator prevotes for a new proposal only if it is timely: received no
// earlier than PBTSPrecision before the proposal's time by the validator's
// own clock, and no later than PBTSMessageDelay + PBTSPrecision after it
// (CometBFT spec, consensus/proposer-based-timestamp). They are CometBFT
// v1.0's defaults, written out so that the genesis weid writes does not
// change with a CometBFT upgrade. Half a second of precision is well above
// what NTP keeps servers within over the internet (tens of milliseconds),
// so a consortium's validators need NTP, not better. 15 s of message delay
// is what CometBFT chose from the proposal delays seen on live networks
// over a day (cometbft#4246, tendermint#7788), with room for bad spells;
// a smaller one would risk rounds lost to a slow link or a loaded 2-core
// machine. The price: a faulty proposer can date its block up to the delay
// plus the precision before the validators' clocks, or the precision after.
const (
	PBTSPrecision    = 505 * time.Millisecond
	PBTSMessageDelay = 15 * time.Second
)

// GenesisParams are the consensus parameters of a new chain: CometBFT's
// defaults with PBTS from height 1, so a block is dated when it was
// proposed. Under CometBFT's default BFT time a block is dated with the
// median of the previous block's precommit times, and as weid makes
// blocks only for transactions, a block after a quiet spell would carry
// the time the block before it was committed. A chain made before PBTS
// keeps the parameters its genesis named until rules v2 take effect, whose
// block turns PBTS on with these synchrony parameters (pbts.go).
func GenesisParams() *cmttypes.ConsensusParams {
	p := cmttypes.DefaultConsensusParams()
	p.Feature.PbtsEnableHeight = 1
	p.Synchrony = cmttypes.SynchronyParams{Precision: PBTSPrecision, MessageDelay: PBTSMessageDelay}
	return p
}

// Settings are the few CometBFT and API settings of a node that weid
// manages, kept in <home>/weid-node.json; everything else is CometBFT's
// default (goleveldb, no empty blocks, no tx indexer: weid indexes its own).
type Settings struct {
	Moniker         string `json:"moniker"`
	P2PListen       string `json:"p2pListen"`           // tcp://127.0.0.1:PORT
	PersistentPeers string `json:"persistentPeers"`     // id@host:port,...
	RPCListen       string `json:"rpcListen,omitempty"` // CometBFT RPC; empty: none
	APIListen       string `json:"apiListen"`           // the weid HTTP API's address
	TimeoutCommit   string `json:"timeoutCommit"`       // a Go duration
	MempoolSize     int    `json:"mempoolSize"`
	// SnapshotInterval and SnapshotKeep set the node's state snapshots
	// (0: the defaults, or the --snapshot-interval flag's).
	SnapshotInterval uint64 `json:"snapshotInterval,omitempty"`
	SnapshotKeep     int    `json:"snapshotKeep,omitempty"`
	// PeerFilter admits as peers only the nodes the ledger names
	// (Config.PeerFilter; false: the --peer-filter flag's).
	PeerFilter bool `json:"peerFilter,omitempty"`
	// StateSync, for a new node, restores the state from a snapshot of its
	// peers instead of replaying the chain (snapshot.go).
	StateSync *StateSyncSettings `json:"stateSync,omitempty"`
}

// LoadSettings reads <home>/weid-node.json.
func LoadSettings(home string) (*Settings, error) {
	b, err := os.ReadFile(filepath.Join(home, SettingsFile))
	if err != nil {
		return nil, err
	}
	var s Settings
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(home, SettingsFile), err)
	}
	return &s, nil
}

// Save writes s to <home>/weid-node.json.
func (s *Settings) Save(home string) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return durable.Replace(filepath.Join(home, SettingsFile), append(b, '\n'), 0o600)
}

// IsHome reports whether dir holds a CometBFT node's home made by
// WriteNetwork.
func IsHome(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, SettingsFile))
	return err == nil
}

// removeHomeTemps removes the temporary files a crash while writing the
// home of c (WriteNetwork, WriteJoiner) left beside its node key, genesis
// and settings. Only for a complete home (IsHome: its settings are written
// last): those files are written once, so nothing writes them any more.
func removeHomeTemps(c *cmtcfg.Config) error {
	var errList []error
	for _, f := range []string{c.NodeKeyFile(), c.GenesisFile(), filepath.Join(c.RootDir, SettingsFile)} {
		errList = append(errList, durable.RemoveTemps(f))
	}
	return errors.Join(errList...)
}

func (s *Settings) cometConfig(home string) *cmtcfg.Config {
	c := cmtcfg.DefaultConfig()
	c.SetRoot(home)
	c.Moniker = s.Moniker
	c.DBBackend = "goleveldb"
	c.P2P.ListenAddress = s.P2PListen
	c.P2P.PersistentPeers = s.PersistentPeers
	c.P2P.AddrBookStrict = false
	c.P2P.AllowDuplicateIP = true
	c.P2P.PexReactor = false
	c.RPC.ListenAddress = s.RPCListen
	if d, err := time.ParseDuration(s.TimeoutCommit); err == nil {
		c.Consensus.TimeoutCommit = d
	}
	c.Consensus.CreateEmptyBlocks = false
	if s.MempoolSize > 0 {
		c.Mempool.Size = s.MempoolSize
	}
	// The cache of transactions seen keeps a gossiped transaction from
	// being checked again when another peer relays it; CometBFT's 10,000
	// is a second of a busy consortium.
	c.Mempool.CacheSize = 100_000
	c.TxIndex.Indexer = "null"
	c.Instrumentation.Prometheus = false
	s.StateSync.apply(c)
	return c
}

// Member is one node of a network to write.
type Member struct {
	Home     string
	Settings Settings
	// Power is the node's voting power; 0 makes an observer, which follows
	// the chain and serves reads but does not vote.
	Power int64
}

// NetNode is what WriteNetwork generated for one member: its CometBFT node
// id and validator key, for the genesis to record.
type NetNode struct {
	Moniker string
	NodeID  string
	PubKey  []byte // Ed25519 validator key
	Power   int64  // 0: an observer
}

// WriteNetwork writes each member's CometBFT files — node key, validator
// key and state, and the shared genesis.json whose app_state genesis makes
// from the generated keys — and its settings, with every other member as a
// persistent peer.
func WriteNetwork(members []Member, cometChainID string, genesis func([]NetNode) (GenesisState, error), genesisTime time.Time) error {
	if len(members) == 0 {
		return errors.New("a network needs at least one node")
	}
	ids := make([]string, len(members))
	nodes := make([]NetNode, len(members))
	var vals []cmttypes.GenesisValidator
	for i, m := range members {
		id, pub, err := writeNodeKeys(m.Settings.cometConfig(m.Home))
		if err != nil {
			return err
		}
		ids[i] = id
		nodes[i] = NetNode{Moniker: m.Settings.Moniker, NodeID: ids[i], PubKey: pub.Bytes(), Power: m.Power}
		if m.Power > 0 {
			vals = append(vals, cmttypes.GenesisValidator{Address: pub.Address(), PubKey: pub, Power: m.Power, Name: m.Settings.Moniker})
		}
	}
	if len(vals) == 0 {
		return errors.New("a network needs at least one validator")
	}
	gs, err := genesis(nodes)
	if err != nil {
		return err
	}
	app, err := chain.MarshalJSON(gs)
	if err != nil {
		return err
	}
	doc := &cmttypes.GenesisDoc{GenesisTime: genesisTime.UTC(), ChainID: cometChainID, InitialHeight: 1,
		ConsensusParams: GenesisParams(), Validators: vals, AppState: app}
	if err := doc.ValidateAndComplete(); err != nil {
		return err
	}
	genDoc, err := cmtjson.MarshalIndent(doc, "", "  ") // as GenesisDoc.SaveAs
	if err != nil {
		return err
	}
	for i, m := range members {
		var peers []string
		for j, o := range members {
			if j != i {
				peers = append(peers, ids[j]+"@"+strings.TrimPrefix(o.Settings.P2PListen, "tcp://"))
			}
		}
		s := m.Settings
		s.PersistentPeers = strings.Join(peers, ",")
		// The genesis before the settings: a directory is a home once its
		// settings are there (IsHome).
		if err := durable.Replace(s.cometConfig(m.Home).GenesisFile(), genDoc, 0o644); err != nil {
			return err
		}
		if err := s.Save(m.Home); err != nil {
			return err
		}
	}
	return nil
}

// writeNodeKeys makes the directories of a new node's home (config c) and
// writes its fresh keys: the node key, whole or not at all (NodeKey.SaveAs
// does not sync), and the validator key and state (CometBFT's FilePV
// writes each synced under a temporary name and renames it, but does not
// sync the directory, so the renames are synced here before the home
// counts on them). It returns the node's
// CometBFT id and validator key.
func writeNodeKeys(c *cmtcfg.Config) (nodeID string, pub crypto.PubKey, err error) {
	for _, d := range []string{filepath.Dir(c.GenesisFile()), c.DBDir()} {
		if err := durable.MkdirAll(d, 0o700); err != nil {
			return "", nil, err
		}
	}
	nk := &p2p.NodeKey{PrivKey: ed25519.GenPrivKey()}
	b, err := cmtjson.Marshal(nk) // as NodeKey.SaveAs
	if err != nil {
		return "", nil, err
	}
	if err := durable.Replace(c.NodeKeyFile(), b, 0o600); err != nil {
		return "", nil, err
	}
	pv, err := privval.GenFilePV(c.PrivValidatorKeyFile(), c.PrivValidatorStateFile(), func() (crypto.PrivKey, error) { return ed25519.GenPrivKey(), nil })
	if err != nil {
		return "", nil, err
	}
	pv.Save()
	for _, f := range []string{c.PrivValidatorKeyFile(), c.PrivValidatorStateFile()} {
		if err := durable.SyncFile(f); err != nil {
			return "", nil, err
		}
	}
	pub, err = pv.GetPubKey()
	return string(nk.ID()), pub, err
}

// FreePorts returns n distinct TCP ports free on 127.0.0.1 at the time of
// the call.
func FreePorts(n int) ([]int, error) {
	ls := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// Identity returns the CometBFT node id and the Ed25519 validator key of
// the node whose home is dir, as a governance transaction names them.
func Identity(home string) (nodeID string, pubKey []byte, err error) {
	c := cmtcfg.DefaultConfig()
	c.SetRoot(home)
	nk, err := p2p.LoadNodeKey(c.NodeKeyFile())
	if err != nil {
		return "", nil, fmt.Errorf("%s: not a CometBFT home: %w", home, err)
	}
	raw, err := os.ReadFile(c.PrivValidatorKeyFile())
	if err != nil {
		return "", nil, err
	}
	var k struct {
		PubKey struct {
			Type  string `json:"type"`
			Value []byte `json:"value"`
		} `json:"pub_key"`
	}
	if err := json.Unmarshal(raw, &k); err != nil {
		return "", nil, fmt.Errorf("%s: %w", c.PrivValidatorKeyFile(), err)
	}
	if k.PubKey.Type != ed25519.PubKeyName || len(k.PubKey.Value) != ed25519.PubKeySize {
		return "", nil, fmt.Errorf("%s: the validator key is not an Ed25519 key", c.PrivValidatorKeyFile())
	}
	return string(nk.ID()), k.PubKey.Value, nil
}
