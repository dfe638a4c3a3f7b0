package cli

import (
	"context"
	"fmt"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/client"
)

// genesisSuite returns the crypto suite of the node's chain as its genesis
// block records it (chain.init "crypto"): proofs are checked with the
// chain's own hash, never with one the node's answer claims.
func genesisSuite(ctx context.Context, c *client.Client) (*chain.Suite, error) {
	g0, err := c.Block(ctx, 0)
	if err != nil {
		return nil, err
	}
	s, _, err := chain.GenesisCrypto(g0.Txs)
	if err != nil {
		return nil, fmt.Errorf("genesis block: %w", err)
	}
	return s, nil
}

// hashFileFor hashes a file for evidence on c's chain: SM3 on a 国密 chain
// (the evidence hash is the chain's hash), SHA-256 otherwise.
func hashFileFor(ctx context.Context, c *client.Client, path string) (string, error) {
	suite, err := genesisSuite(ctx, c)
	if err != nil {
		return "", err
	}
	return hashFile(path, suite)
}

// cryptoFlagHelp is the help of --crypto on the commands that make a chain.
const cryptoFlagHelp = `crypto suite of a new chain, fixed at genesis: standard (SHA-256) or gm (国密: SM3 hashes, SM2 node and admin keys, SM2 transaction signers; CometBFT's own keys stay Ed25519); an existing chain keeps its own (default: standard)`
