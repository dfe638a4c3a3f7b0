package cometbft

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/crypto"
	"github.com/cometbft/cometbft/p2p"
	cmttypes "github.com/cometbft/cometbft/types"
)

// A weid node under CometBFT tells its peers which validator it runs: the
// moniker of its P2P NodeInfo ends in an attestation, "weid:<address>:<sig>",
// the address of its validator key (hex) and that key's signature
// (base64url, unpadded) over attestMessage — the chain id and the node's
// own node id. CometBFT's secret connection authenticates the node id
// (p2p/transport.go refuses a NodeInfo whose id is not the connection
// key's), so a moniker copied to another node does not verify there, and
// only the holder of a validator's key can make a peer count for it
// (quorum). A moniker is ASCII text without tabs (p2p/node_info.go
// Validate): the attestation is, and it leaves the human part readable.

// attestDomain separates attestations from anything else a validator key
// signs: CometBFT's votes and proposals are protobuf-encoded canonical
// messages, none of which starts with these bytes.
const attestDomain = "weid/validator-node/v1\n"

// attestTag starts the attestation, the moniker's last space-separated
// field.
const attestTag = "weid:"

// maxAttestations bounds the verdicts attestations keeps; past it the
// cache starts again (a node has a few dozen peers at most).
const maxAttestations = 4096

// attestMessage is what a node's validator key signs: the node nodeID
// runs this validator on the chain chainID.
func attestMessage(chainID string, nodeID p2p.ID) []byte {
	return []byte(attestDomain + chainID + "\n" + string(nodeID))
}

// attestedMoniker returns moniker followed by the attestation that the
// node nodeID runs the validator of key on the chain chainID.
func attestedMoniker(moniker, chainID string, nodeID p2p.ID, key crypto.PrivKey) (string, error) {
	sig, err := key.Sign(attestMessage(chainID, nodeID))
	if err != nil {
		return "", fmt.Errorf("sign the node's validator attestation: %w", err)
	}
	a := attestTag + key.PubKey().Address().String() + ":" + base64.RawURLEncoding.EncodeToString(sig)
	if moniker = strings.TrimSpace(moniker); moniker == "" {
		return a, nil
	}
	return moniker + " " + a, nil
}

// humanMoniker returns a moniker without its attestation: the name its
// operator gave the node.
func humanMoniker(moniker string) string {
	human, _, _ := splitMoniker(moniker)
	return human
}

// attestation is what a moniker's attestation claims: the validator's
// address (upper-case hex, as cmttypes.Address.String) and its signature;
// ok is false for an attestation that does not parse.
type attestation struct {
	addr string
	sig  []byte
	ok   bool
}

// splitMoniker splits moniker into its human part and its attestation;
// present is false for a moniker without one (a node running an older
// weid).
func splitMoniker(moniker string) (human string, a attestation, present bool) {
	i := strings.LastIndexByte(moniker, ' ')
	last := moniker[i+1:]
	if !strings.HasPrefix(last, attestTag) {
		return moniker, attestation{}, false
	}
	human = strings.TrimSpace(moniker[:max(i, 0)])
	addr, sig, found := strings.Cut(strings.TrimPrefix(last, attestTag), ":")
	if !found {
		return human, attestation{}, true
	}
	rawAddr, errA := hex.DecodeString(addr)
	rawSig, errS := base64.RawURLEncoding.DecodeString(sig)
	if errA != nil || errS != nil || len(rawAddr) != crypto.AddressSize || len(rawSig) == 0 {
		return human, attestation{}, true
	}
	return human, attestation{addr: strings.ToUpper(addr), sig: rawSig, ok: true}, true
}

// attestations verifies the attestations of one chain's peers, each
// (peer id, moniker) once: the moniker names the validator address, and
// the address the key, so the verdict stands for as long as the peer keeps
// its moniker.
type attestations struct {
	chainID string
	mu      sync.Mutex
	verdict map[[2]string]bool // (peer id, moniker) → the attestation verifies
}

func newAttestations(chainID string) *attestations {
	return &attestations{chainID: chainID, verdict: map[[2]string]bool{}}
}

// validator returns the address of the validator of set that p's
// attestation proves p runs ("" for none: an attestation that names a key
// outside set or does not verify); attested is false when p's moniker has
// no attestation.
func (as *attestations) validator(p peer, set map[string]*cmttypes.Validator) (addr string, attested bool) {
	_, a, attested := splitMoniker(p.moniker)
	if !attested || !a.ok || set[a.addr] == nil {
		return "", attested
	}
	k := [2]string{p.id, p.moniker}
	as.mu.Lock()
	defer as.mu.Unlock()
	ok, known := as.verdict[k]
	if !known {
		ok = set[a.addr].PubKey.VerifySignature(attestMessage(as.chainID, p2p.ID(p.id)), a.sig)
		if len(as.verdict) >= maxAttestations {
			clear(as.verdict)
		}
		as.verdict[k] = ok
	}
	if !ok {
		return "", true
	}
	return a.addr, true
}

// attest appends to c's moniker the attestation that the node of nodeKey
// runs the validator of key, and returns the verifier of its peers'
// attestations on the chain of c's genesis.
func attest(c *cmtcfg.Config, nodeKey *p2p.NodeKey, key crypto.PrivKey) (*attestations, error) {
	g, err := cmttypes.GenesisDocFromFile(c.GenesisFile())
	if err != nil {
		return nil, fmt.Errorf("cometbft genesis: %w", err)
	}
	if c.Moniker, err = attestedMoniker(c.Moniker, g.ChainID, nodeKey.ID(), key); err != nil {
		return nil, err
	}
	return newAttestations(g.ChainID), nil
}
