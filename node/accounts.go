package node

import (
	"context"
	"errors"
	"net/http"
	"regexp"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/keystore"
)

// NewAccount is api.NewAccount, the wire type, under its old name: the API
// tests of other domains still use it. Remove it once they name api's.
type NewAccount = api.NewAccount

var accountName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// CreateAccount creates an institution account for a backend: an API token,
// a custodial did:weid with a key of type t kept by the node, and, with
// withDIDKey, a custodial did:key for verifiers outside the consortium. The
// token acts only for this account's DIDs.
func (n *Node) CreateAccount(ctx context.Context, name string, t keys.Type, withDIDKey bool) (*api.NewAccount, error) {
	return n.createAccount(ctx, name, withDIDKey, func() (*keys.PrivateKey, error) { return n.newKey(t, "weid "+name) })
}

// createAccount creates account name with a custodial did:weid, and with
// withDIDKey a did:key, whose keys key gives.
func (n *Node) createAccount(ctx context.Context, name string, withDIDKey bool, key func() (*keys.PrivateKey, error)) (*api.NewAccount, error) {
	if !accountName.MatchString(name) || name == AdminOwner {
		return nil, errs.BadRequest("account.invalidName", "account names are 1 to 64 characters of [a-z0-9._-], starting with a letter or digit, and not %q", AdminOwner)
	}
	tok, err := n.Keystore.CreateAccount(name)
	if errors.Is(err, keystore.ErrExists) {
		return nil, errs.New(http.StatusConflict, "account.exists", "an account named %q exists", name)
	}
	if err != nil {
		return nil, err
	}
	acct := &keystore.Account{Name: name}
	k, err := key()
	if err != nil {
		_ = n.Keystore.DeleteAccount(name, tok)
		return nil, err
	}
	d, rc, err := n.createCustodialDIDWithKey(ctx, acct, k)
	if err != nil {
		if rejected(err) { // its DID will never exist: undo the account
			_ = n.Keystore.DeleteAccount(name, tok)
		}
		return nil, err
	}
	out := &api.NewAccount{Name: name, Token: tok, DID: d, TxHash: rc.TxHash, Height: rc.Height, Status: ReceiptStatus(rc)}
	if withDIDKey {
		k, err := key()
		if err != nil {
			return nil, err
		}
		dk := did.KeyDID(k.Public())
		vm := dk + "#" + dk[len("did:key:"):]
		if err := n.Keystore.PutNewKey(vm, name, k); errors.Is(err, keystore.ErrExists) {
			return nil, errs.New(http.StatusConflict, "account.keyExists", "this node already keeps the key of %s", dk)
		} else if err != nil {
			return nil, err
		}
		if err := n.Keystore.SetSigner(dk, vm); err != nil {
			return nil, err
		}
		out.DIDKey = dk
	}
	return out, nil
}

// ReplaceAccountToken gives institution account name a new API token,
// shown once, and revokes its others at the same moment (a token that
// leaked). Named AdminOwner ("admin", which no institution account may be
// named), it rotates the node's admin token (RotateAdminToken), which is
// also written to <data>/admin.token.
func (n *Node) ReplaceAccountToken(name string) (*api.AccountToken, error) {
	var tok string
	var err error
	if name == AdminOwner {
		tok, err = n.RotateAdminToken()
	} else {
		tok, err = n.Keystore.ReplaceTokens(name)
	}
	if errors.Is(err, keystore.ErrNotFound) {
		return nil, errs.New(http.StatusNotFound, "account.notFound", "no account named %q on this node (weid account list)", name)
	}
	if err != nil {
		return nil, err
	}
	return &api.AccountToken{Name: name, Token: tok}, nil
}

// Accounts lists the node's institution accounts (the admin, whose token
// is the node's admin token, is not one), each with the DIDs whose keys it
// keeps.
func (n *Node) Accounts() ([]Account, error) {
	as, err := n.Keystore.Accounts()
	if err != nil {
		return nil, err
	}
	dids, err := n.Keystore.SignerDIDsByOwner()
	if err != nil {
		return nil, err
	}
	for i := range as {
		as[i].DIDs = dids[as[i].Name]
	}
	if as == nil {
		as = []Account{}
	}
	return as, nil
}
