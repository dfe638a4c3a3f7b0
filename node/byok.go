package node

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
)

// ParseImportKey reads the key of an account import as the HTTP API takes
// it: a private JWK (an object), or a string holding a PEM private key
// (PKCS#8 or SEC 1, unencrypted) or a bare secp256k1 scalar — see
// keys.ParsePrivateKey. Encrypted keys and weid key files are opened by
// the client (weid account create --import-key), so no passphrase crosses
// the wire. Errors are 400 account.invalidKey and never echo the key.
func ParseImportKey(raw json.RawMessage) (*keys.PrivateKey, error) {
	var data []byte
	var s string
	switch {
	case len(raw) > 0 && raw[0] == '{':
		data = raw
	case json.Unmarshal(raw, &s) == nil && s != "":
		data = []byte(s)
	default:
		return nil, errs.BadRequest("account.invalidKey", "importKey must be a private JWK (an object) or a PEM private key (a string)")
	}
	k, err := keys.ParsePrivateKey(data, nil)
	switch {
	case errors.Is(err, keys.ErrPassphraseRequired):
		return nil, errs.BadRequest("account.invalidKey", "importKey is encrypted: send it decrypted (weid account create --import-key FILE decrypts it on the client)")
	case err != nil:
		return nil, errs.BadRequest("account.invalidKey", "importKey: %v", err)
	}
	return k, nil
}

// ImportAccount creates an institution account as CreateAccount does, but
// whose custodial did:weid (and, with withDIDKey, did:key) is the key k an
// institution brings: a secp256k1 key keeps its WeIdentity / FISCO BCOS
// address. keyType, if not empty, must name k's type. With a PKCS#11 token
// the key is imported into it (sensitive, not extractable) and the node
// keeps no copy. A key whose DID the node already keeps is 409
// account.keyExists; a DID already on the ledger is 409 did.exists; either
// way nothing is left behind.
func (n *Node) ImportAccount(ctx context.Context, name string, k *keys.PrivateKey, keyType string, withDIDKey bool) (*api.NewAccount, error) {
	if keyType != "" {
		if t, err := keys.ParseType(keyType); err != nil || t != k.Type() {
			return nil, errs.BadRequest("did.invalidKeyType", "importKey is a %s key; keyType says %q", k.Type(), keyType)
		}
	}
	d := did.WeidDID(n.ChainID, k.Public())
	vms := []string{d + "#" + did.FirstKeyFragment}
	if withDIDKey {
		dk := did.KeyDID(k.Public())
		vms = append(vms, dk+"#"+dk[len("did:key:"):])
	}
	for _, vm := range vms {
		if _, err := n.Keystore.KeyLocation(vm); err == nil {
			return nil, errs.New(http.StatusConflict, "account.keyExists", "this node already keeps the key of %s", vm)
		}
	}
	var held *keys.PrivateKey // the key as the keystore keeps it, imported once
	return n.createAccount(ctx, name, withDIDKey, func() (*keys.PrivateKey, error) {
		if held != nil {
			return held, nil
		}
		var err error
		if held, err = n.Keystore.ImportKey(k, "weid "+name); err != nil {
			if _, ok := errs.As(err); !ok {
				err = errs.BadRequest("did.invalidKeyType", "%v", err)
			}
			return nil, err
		}
		return held, nil
	})
}
