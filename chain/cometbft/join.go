package cometbft

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/cometbft/cometbft/crypto"
	"github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
)

// TrustedHeader fetches the latest committed header's height and hash
// from a CometBFT RPC server (tcp://host:port or http://host:port). Trusting
// it is the operator's decision: state sync's light client verifies
// everything else from it.
func TrustedHeader(ctx context.Context, rpc string) (height int64, hash string, err error) {
	c, err := rpchttp.New(rpcURL(rpc))
	if err != nil {
		return 0, "", err
	}
	res, err := c.Commit(ctx, nil)
	if err != nil {
		return 0, "", fmt.Errorf("CometBFT RPC %s: %w", rpc, err)
	}
	if res.SignedHeader.Header == nil || res.SignedHeader.Commit == nil {
		return 0, "", fmt.Errorf("CometBFT RPC %s returned no header", rpc)
	}
	return res.SignedHeader.Header.Height, strings.ToUpper(hex.EncodeToString(res.SignedHeader.Commit.BlockID.Hash)), nil
}

func rpcURL(s string) string {
	if strings.HasPrefix(s, "tcp://") {
		return "http://" + strings.TrimPrefix(s, "tcp://")
	}
	return s
}

// WriteJoiner writes the CometBFT files of a new node that joins an
// existing network: fresh node and validator keys (it votes only once
// governance adds it), the network's genesis file, and s as its settings
// (s.StateSync set to restore a snapshot rather than replay the chain). It
// returns the new node's CometBFT id and validator key.
func WriteJoiner(home string, s Settings, genesisFile string) (nodeID string, pubKey []byte, err error) {
	if IsHome(home) {
		return "", nil, fmt.Errorf("%s already holds a node", home)
	}
	gen, err := os.ReadFile(genesisFile)
	if err != nil {
		return "", nil, err
	}
	c := s.cometConfig(home)
	for _, d := range []string{filepath.Dir(c.GenesisFile()), c.DBDir()} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return "", nil, err
		}
	}
	nk := &p2p.NodeKey{PrivKey: ed25519.GenPrivKey()}
	if err := nk.SaveAs(c.NodeKeyFile()); err != nil {
		return "", nil, err
	}
	pv, err := privval.GenFilePV(c.PrivValidatorKeyFile(), c.PrivValidatorStateFile(), func() (crypto.PrivKey, error) { return ed25519.GenPrivKey(), nil })
	if err != nil {
		return "", nil, err
	}
	pv.Save()
	pub, err := pv.GetPubKey()
	if err != nil {
		return "", nil, err
	}
	if err := os.WriteFile(c.GenesisFile(), gen, 0o600); err != nil {
		return "", nil, err
	}
	if s.StateSync != nil && len(s.StateSync.RPCServers) < 2 {
		return "", nil, errors.New("state sync needs at least two CometBFT RPC servers (the light client's primary and a witness)")
	}
	if err := s.Save(home); err != nil {
		return "", nil, err
	}
	return string(nk.ID()), pub.Bytes(), nil
}
