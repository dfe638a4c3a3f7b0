package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
)

// importAccount reads the key file of weid account create --import-key
// (asking for its passphrase only if it is encrypted) and creates the
// account with it. keyType is checked against the key only if given.
func importAccount(cmd *cobra.Command, g *globals, name, file, passFile, keyType string, typeGiven, didKey bool) (*node.NewAccount, error) {
	b, err := readFile(file)
	if err != nil {
		return nil, err
	}
	k, err := keys.ParsePrivateKey(b, nil)
	if errors.Is(err, keys.ErrPassphraseRequired) {
		var pass []byte
		if pass, err = passphrase(passFile, false); err != nil {
			return nil, err
		}
		k, err = keys.ParsePrivateKey(b, pass)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	jwk, err := keys.MarshalPrivateJWK(k)
	if err != nil {
		return nil, err
	}
	if !typeGiven {
		keyType = ""
	}
	return g.client().ImportAccount(cmd.Context(), name, jwk, keyType, didKey)
}
