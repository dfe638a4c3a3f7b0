package node

import (
	"errors"
	"net/http"
	"path/filepath"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/hsm"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/keystore"
)

// OpenToken opens the PKCS#11 token cfg names — cfg.PKCS11, with what it
// leaves empty taken from cfg.PKCS11URI — or returns nil when neither is
// set. The node then generates its block key and admin key at genesis, and
// every custodial key afterwards, inside the token, and imports keys into
// it; the keystore records which token object holds each.
//
// With the CometBFT engine the block key and the admin key are shared by
// the validators (InitConsortium writes them into every keystore), so they
// stay sealed in the keystores; custodial keys go into the token.
func OpenToken(cfg Config) (*hsm.Module, error) {
	c := cfg.PKCS11
	if cfg.PKCS11URI != "" {
		u, err := hsm.ParseURI(cfg.PKCS11URI)
		if err != nil {
			return nil, err
		}
		c = fillConfig(c, u)
	}
	if c.IsZero() {
		return nil, nil
	}
	return hsm.Open(c)
}

// fillConfig returns c with its empty fields taken from u.
func fillConfig(c, u hsm.Config) hsm.Config {
	for _, f := range []struct{ dst, src *string }{{&c.Module, &u.Module}, {&c.Token, &u.Token}, {&c.Serial, &u.Serial}} {
		if *f.dst == "" {
			*f.dst = *f.src
		}
	}
	if c.PIN == "" && c.PINFile == "" {
		c.PIN, c.PINFile = u.PIN, u.PINFile
	}
	return c
}

// openKeystore opens the node's keystore, keeping new keys in token if
// there is one.
func openKeystore(cfg Config, token *hsm.Module) (*keystore.Store, error) {
	ks, err := keystore.Open(filepath.Join(cfg.DataDir, "keystore"), cfg.KeystorePassphrase)
	if err != nil {
		return nil, err
	}
	if token != nil {
		ks.UseToken(token)
	}
	return ks, nil
}

func closeKeystore(ks *keystore.Store, token *hsm.Module) error {
	err := ks.Close()
	if token != nil {
		err = errors.Join(err, token.Close())
	}
	return err
}

// newKey makes a key of type t for a custodial DID: in the token if the
// node has one (label names the object for the token's operators), else
// in memory. A type the token cannot hold is 400 did.invalidKeyType; a
// token that fails, 503 keys.unavailable.
func (n *Node) newKey(t keys.Type, label string) (*keys.PrivateKey, error) {
	k, err := n.Keystore.GenerateKey(t, label)
	switch {
	case err == nil:
		return k, nil
	case errors.Is(err, keys.ErrUnsupportedKeyType) || !n.Keystore.HasToken():
		return nil, errs.BadRequest("did.invalidKeyType", "%v", err)
	case hsm.IsUnavailable(err):
		return nil, err
	}
	return nil, errs.Wrap(http.StatusServiceUnavailable, hsm.CodeUnavailable, err)
}

// TokenLabel returns the label of the PKCS#11 token keeping the node's
// keys, or "" if it has none.
func (n *Node) TokenLabel() string {
	if n.token == nil {
		return ""
	}
	return n.token.Token()
}
