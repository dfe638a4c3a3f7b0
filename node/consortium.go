package node

import (
	"encoding/base64"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/chain/cometbft"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/internal/durable"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/keystore"
	"github.com/weidgo/weid/schemas"
)

// GenesisTxs returns the transactions of a chain's genesis block, signed by
// the admin: the admin's did.create, chain.init naming nodeKey as the block
// key and the admin as the consortium admin, and the registration of the
// system schemas (ids below 1000).
func GenesisTxs(chainID string, admin *keys.PrivateKey, nodeKey keys.PublicKey) ([]*chain.Tx, error) {
	return genesisTxs(chainID, admin, nodeKey, "")
}

// genesisTxs is GenesisTxs with chain.init's crypto suite ("" or
// "standard", or "gm").
func genesisTxs(chainID string, admin *keys.PrivateKey, nodeKey keys.PublicKey, crypto string) ([]*chain.Tx, error) {
	if crypto == chain.CryptoStandard {
		crypto = "" // today's genesis, byte for byte
	}
	adminDID := did.WeidDID(chainID, admin.Public())
	adminVM := adminDID + "#" + did.FirstKeyFragment
	create, err := signGenesisTx(chainID, adminVM, admin, did.TxCreate, &did.CreatePayload{DID: adminDID, PublicKeyMultibase: admin.Public().Multibase()})
	if err != nil {
		return nil, err
	}
	init, err := signGenesisTx(chainID, adminVM, admin, chain.TypeChainInit, &chain.InitPayload{NodeKey: nodeKey.Multibase(), Admins: []string{adminDID}, Crypto: crypto,
		Rules: chain.RulesVersion})
	if err != nil {
		return nil, err
	}
	txs := []*chain.Tx{create, init}
	for _, sys := range schemas.SystemSchemas() {
		tx, err := signGenesisTx(chainID, adminVM, admin, schemas.TxRegister, sys.Payload())
		if err != nil {
			return nil, err
		}
		txs = append(txs, tx)
	}
	return txs, nil
}

// ConsortiumGenesisTxs returns GenesisTxs followed by the admin's
// gov.addValidator of each validator and gov.addObserver of each observer
// (power 0) of nodes, so that the ledger records the genesis validator set
// (and governance can later remove them) and the observers.
func ConsortiumGenesisTxs(chainID string, admin *keys.PrivateKey, nodeKey keys.PublicKey, nodes []cometbft.NetNode) ([]*chain.Tx, error) {
	return consortiumGenesisTxs(chainID, admin, nodeKey, nodes, "")
}

func consortiumGenesisTxs(chainID string, admin *keys.PrivateKey, nodeKey keys.PublicKey, nodes []cometbft.NetNode, crypto string) ([]*chain.Tx, error) {
	txs, err := genesisTxs(chainID, admin, nodeKey, crypto)
	if err != nil {
		return nil, err
	}
	adminDID := did.WeidDID(chainID, admin.Public())
	vm := adminDID + "#" + did.FirstKeyFragment
	for _, n := range nodes {
		var p chain.Payload = &authz.AddObserverPayload{NodeID: n.NodeID, Name: n.Moniker, MemberDID: adminDID}
		typ := authz.TxAddObserver
		if n.Power > 0 {
			p = &authz.AddValidatorPayload{PubKey: base64.StdEncoding.EncodeToString(n.PubKey), Power: n.Power, Name: n.Moniker, MemberDID: adminDID, NodeID: n.NodeID}
			typ = authz.TxAddValidator
		}
		tx, err := signGenesisTx(chainID, vm, admin, typ, p)
		if err != nil {
			return nil, err
		}
		txs = append(txs, tx)
	}
	return txs, nil
}

// ConsortiumConfig describes a CometBFT network of weid nodes on one
// machine (loopback ports), for trials.
type ConsortiumConfig struct {
	// Homes are the nodes' directories; the first Validators are
	// validators (voting power 10 each), the rest observers.
	Homes      []string
	Validators int
	// ChainID is the weid chain id (default "1"); the CometBFT chain id is
	// "weid-" + ChainID.
	ChainID string
	// TimeoutCommit is CometBFT's timeout_commit (default
	// cometbft.DefaultTimeoutCommit).
	TimeoutCommit time.Duration
	// KeystorePassphrase seals every node's keystore (default: a random
	// key-encryption key per node).
	KeystorePassphrase []byte
	// AdminKey is the consortium admin's key; generated if nil.
	AdminKey *keys.PrivateKey
	// Crypto is the chain's crypto suite: "standard" (default) or "gm"
	// (SM3 hashes, SM2 block and admin keys; CometBFT's own keys stay
	// Ed25519).
	Crypto string
	// SnapshotInterval, if not 0, is written into every node's settings:
	// a state snapshot every that many CometBFT heights (0: the nodes'
	// default, cometbft.DefaultSnapshotInterval).
	SnapshotInterval uint64
	// PeerFilter, if set, is written into every node's settings: each
	// admits as peers only the nodes the ledger names (the genesis names
	// them all).
	PeerFilter bool
}

// ConsortiumNode is one node written by InitConsortium.
type ConsortiumNode struct {
	Home      string `json:"home"`
	API       string `json:"api"` // http://127.0.0.1:PORT
	P2P       string `json:"p2p"`
	RPC       string `json:"rpc"` // CometBFT RPC (light clients of nodes that join by state sync)
	Validator bool   `json:"validator"`
}

// InitConsortium writes the homes of a CometBFT network sharing one weid
// genesis: CometBFT's keys, genesis and settings (cometbft.WriteNetwork)
// and each node's keystore, which holds the weid block key (shared by the
// validators, so every node builds byte-identical weid blocks) and the
// consortium admin's key, with an admin API token per node in
// <home>/admin.token. Ports are free loopback ports picked now.
func InitConsortium(cfg ConsortiumConfig) (adminDID string, nodes []ConsortiumNode, err error) {
	if len(cfg.Homes) == 0 || cfg.Validators < 1 || cfg.Validators > len(cfg.Homes) {
		return "", nil, fmt.Errorf("a consortium needs 1 to %d validators", len(cfg.Homes))
	}
	if cfg.ChainID == "" {
		cfg.ChainID = "1"
	}
	if cfg.TimeoutCommit == 0 {
		cfg.TimeoutCommit = cometbft.DefaultTimeoutCommit
	}
	for _, h := range cfg.Homes {
		if cometbft.IsHome(h) {
			return "", nil, fmt.Errorf("%s: %w", h, ErrInitialized)
		}
		if err := durable.MkdirAll(h, 0o700); err != nil {
			return "", nil, err
		}
	}
	kt, err := genesisKeyType(cfg.Crypto, cfg.AdminKey)
	if err != nil {
		return "", nil, err
	}
	block, err := keys.Generate(kt)
	if err != nil {
		return "", nil, err
	}
	admin := cfg.AdminKey
	if admin == nil {
		if admin, err = keys.Generate(kt); err != nil {
			return "", nil, err
		}
	}
	adminDID = did.WeidDID(cfg.ChainID, admin.Public())
	adminVM := adminDID + "#" + did.FirstKeyFragment
	ports, err := cometbft.FreePorts(3 * len(cfg.Homes))
	if err != nil {
		return "", nil, err
	}
	members := make([]cometbft.Member, len(cfg.Homes))
	for i, h := range cfg.Homes {
		ks, err := keystore.Open(filepath.Join(h, "keystore"), cfg.KeystorePassphrase)
		if err != nil {
			return "", nil, err
		}
		err = errors.Join(ks.PutKey(nodeKeyID, AdminOwner, block), ks.PutKey(adminVM, AdminOwner, admin), ks.SetSigner(adminDID, adminVM))
		if err == nil {
			err = writeAdminToken(ks, h)
		}
		if err = errors.Join(err, ks.Close()); err != nil {
			return "", nil, err
		}
		power := int64(0)
		if i < cfg.Validators {
			power = 10
		}
		s := cometbft.Settings{Moniker: fmt.Sprintf("node%d", i), P2PListen: fmt.Sprintf("tcp://127.0.0.1:%d", ports[3*i]),
			APIListen: fmt.Sprintf("127.0.0.1:%d", ports[3*i+1]), TimeoutCommit: cfg.TimeoutCommit.String(),
			RPCListen: fmt.Sprintf("tcp://127.0.0.1:%d", ports[3*i+2]), SnapshotInterval: cfg.SnapshotInterval, PeerFilter: cfg.PeerFilter}
		members[i] = cometbft.Member{Home: h, Settings: s, Power: power}
		nodes = append(nodes, ConsortiumNode{Home: h, API: "http://" + s.APIListen, P2P: s.P2PListen, RPC: s.RPCListen, Validator: power > 0})
	}
	genesis := func(ns []cometbft.NetNode) (cometbft.GenesisState, error) {
		txs, err := consortiumGenesisTxs(cfg.ChainID, admin, block.Public(), ns, cfg.Crypto)
		return cometbft.GenesisState{ChainID: cfg.ChainID, Txs: txs}, err
	}
	if err := cometbft.WriteNetwork(members, "weid-"+cfg.ChainID, genesis, time.Now()); err != nil {
		return "", nil, err
	}
	return adminDID, nodes, nil
}
