package node

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/keystore"
	"github.com/weidgo/weid/txn"
)

// NewNonce returns a nonce that is unique within this process and, across
// processes, as unique as the clock (txn.NewNonce).
func NewNonce() uint64 { return txn.NewNonce() }

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

// CreateCustodialDID generates a key of type t, keeps it in the keystore for
// account, and registers its did:weid DID: the DID and its receipt, marked
// Pending if its block did not come in time (the DID is the caller's all
// the same: its key is kept).
func (n *Node) CreateCustodialDID(ctx context.Context, account *keystore.Account, t keys.Type) (string, chain.Receipt, error) {
	k, err := n.newKey(t, "weid "+account.Name)
	if err != nil {
		return "", chain.Receipt{}, err
	}
	return n.createCustodialDIDWithKey(ctx, account, k)
}

// createCustodialDIDWithKey keeps k in the keystore for account and
// registers its did:weid DID.
func (n *Node) createCustodialDIDWithKey(ctx context.Context, account *keystore.Account, k *keys.PrivateKey) (string, chain.Receipt, error) {
	d := did.WeidDID(n.ChainID, k.Public())
	vm := d + "#" + did.FirstKeyFragment
	if err := n.Keystore.PutNewKey(vm, account.Name, k); errors.Is(err, keystore.ErrExists) {
		// Only an imported key can be one the node keeps already.
		return "", chain.Receipt{}, errs.New(http.StatusConflict, "account.keyExists", "this node already keeps the key of %s", d)
	} else if err != nil {
		return "", chain.Receipt{}, err
	}
	if err := n.Keystore.SetSigner(d, vm); err != nil {
		return "", chain.Receipt{}, err
	}
	tx, err := SignTx(n.ChainID, vm, k, did.TxCreate, &did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()})
	if err != nil {
		return "", chain.Receipt{}, err
	}
	r, err := settle(n.Submit(ctx, tx, false))
	if err != nil {
		if rejected(err) {
			_ = n.Keystore.DeleteKey(vm)
		}
		return "", chain.Receipt{}, err
	}
	return d, r, nil
}

// rejected reports whether err says for certain that a transaction will
// never commit (a 4xx from its checks or its block). A pending transaction
// (its caller stopped waiting) or a storage failure may still commit, so
// the keys it needs must be kept.
func rejected(err error) bool {
	e, ok := errs.As(err)
	return ok && e.Status >= 400 && e.Status < 500
}

// CustodialUpdate signs a DID update with the key the node keeps for
// account, and submits it.
func (n *Node) CustodialUpdate(ctx context.Context, account *keystore.Account, d, typ string, payload any) (chain.Receipt, error) {
	vm, k, err := n.SignerKey(account, d)
	if err != nil {
		return chain.Receipt{}, err
	}
	tx, err := SignTx(n.ChainID, vm, k, typ, payload)
	if err != nil {
		return chain.Receipt{}, err
	}
	return n.Submit(ctx, tx, false)
}

// CustodialRotate rotates the key the node keeps for d to a new key of the
// same type, with the new verification method #newID; compromised declares
// the old key compromised (did.CompromisedKey).
func (n *Node) CustodialRotate(ctx context.Context, account *keystore.Account, d, newID string, compromised bool) (chain.Receipt, error) {
	vm, k, err := n.SignerKey(account, d)
	if err != nil {
		return chain.Receipt{}, err
	}
	nk, err := n.newKey(k.Type(), "weid "+account.Name)
	if err != nil {
		return chain.Receipt{}, err
	}
	u, _ := did.ParseDIDURL(vm)
	if newID == "" {
		var rnd [4]byte
		_, _ = rand.Read(rnd[:])
		newID = "key-" + time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(rnd[:])
	}
	if err := (&did.RotateKeyPayload{DID: d, ID: u.Fragment, NewID: newID, PublicKeyMultibase: nk.Public().Multibase()}).Validate(); err != nil {
		return chain.Receipt{}, err
	}
	if newID == u.Fragment {
		return chain.Receipt{}, errs.New(http.StatusConflict, "did.methodExists", "#%s is the current key; rotate to a new id", newID)
	}
	newVM := d + "#" + newID
	if err := n.Keystore.PutNewKey(newVM, account.Name, nk); errors.Is(err, keystore.ErrExists) {
		return chain.Receipt{}, errs.New(http.StatusConflict, "did.methodExists", "the node already keeps a key %s", newVM)
	} else if err != nil {
		return chain.Receipt{}, err
	}
	// Recorded before the transaction, so that a crash between its commit
	// and SetSigner below is repaired by SignerKey.
	if err := n.Keystore.SetPendingSigner(d, newVM); err != nil {
		return chain.Receipt{}, err
	}
	tx, err := SignTx(n.ChainID, vm, k, did.TxRotateKey, &did.RotateKeyPayload{DID: d, ID: u.Fragment, NewID: newID, PublicKeyMultibase: nk.Public().Multibase(), Compromised: compromised})
	if err != nil {
		return chain.Receipt{}, err
	}
	r, err := settle(n.Submit(ctx, tx, false))
	if err != nil {
		if rejected(err) {
			_ = n.Keystore.DeleteKey(newVM)
		}
		return chain.Receipt{}, err
	}
	if r.Pending { // SignerKey moves to newVM once the rotation commits
		return r, nil
	}
	if err := n.Keystore.SetSigner(d, newVM); err != nil {
		return r, errs.Wrap(http.StatusInternalServerError, "keystore.error", err)
	}
	return r, nil
}
