package cometbft

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/weidgo/weid/internal/durable"
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
	id, pub, err := writeNodeKeys(c)
	if err != nil {
		return "", nil, err
	}
	if err := durable.Replace(c.GenesisFile(), gen, 0o600); err != nil {
		return "", nil, err
	}
	if s.StateSync != nil && len(s.StateSync.RPCServers) < 2 {
		return "", nil, errors.New("state sync needs at least two CometBFT RPC servers (the light client's primary and a witness)")
	}
	if err := s.Save(home); err != nil {
		return "", nil, err
	}
	return id, pub.Bytes(), nil
}
