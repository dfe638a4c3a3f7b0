package node

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/keystore"
)

// Account is an API account: an institution's backend or the admin. A
// token acts for its account's custodial DIDs only.
type Account = keystore.Account

// Authenticate returns the account an API token belongs to.
func (n *Node) Authenticate(token string) (*Account, error) {
	a, err := n.Keystore.Authenticate(token)
	if errors.Is(err, keystore.ErrNotFound) {
		return nil, errs.New(http.StatusUnauthorized, "auth.invalidToken", "this node does not know the API token: an account and its token live on the node that created them (its keystore), not on the other nodes of a consortium")
	}
	return a, err
}

// A Write is one ledger write as an API caller asks for it, in either of
// the two forms every write endpoint takes: Tx, a transaction the caller
// signed (the key stays with the caller), or the custodial form, in which
// the node signs as Signer, a DID whose key it keeps for Account, the
// payload Build makes.
type Write struct {
	// Type is the transaction type the endpoint takes.
	Type string
	// Async answers once the transaction is in the mempool (status pending).
	Async bool

	// Tx is a client-signed transaction of Type.
	Tx json.RawMessage
	// Check, if set, checks that a signed transaction's decoded payload is
	// for this endpoint (the DID or id its path names).
	Check func(p chain.Payload) error
	// Admit, if set, is this node's own check of the payload of either
	// form against its committed state st, run before it is submitted:
	// what the ledger takes but a caller here most likely did not mean (a
	// grant to a did:weid the ledger does not have). Blocks are not held
	// to it, nor is the raw interface (SubmitRaw, POST /v1/txs).
	Admit func(st chain.Reader, p chain.Payload) error

	// Account is the caller of a custodial write (from its token).
	Account *Account
	// Signer is the DID the node signs as; "" is the admin DID for the
	// admin's account.
	Signer string
	// Build makes the payload of a custodial write, given the verification
	// method and key that sign it (for payloads that carry signatures of
	// their own).
	Build func(vm string, k *keys.PrivateKey) (chain.Payload, error)
}

// Write checks and submits w, returning its receipt and the checked
// transaction, whose decoded payload the caller may use. A write that is
// in the mempool when Write returns (w.Async, or the wait for its block
// ended first) has a receipt marked Pending and no error: the caller
// answers 202 with what it wrote.
func (n *Node) Write(ctx context.Context, w Write) (chain.Receipt, *chain.Checked, error) {
	rc, c, err := n.write(ctx, w)
	rc, err = settle(rc, err)
	return rc, c, err
}

// ReceiptStatus is the API's status of rc: api.StatusPending or
// api.StatusCommitted.
func ReceiptStatus(rc chain.Receipt) string {
	if rc.Pending {
		return api.StatusPending
	}
	return api.StatusCommitted
}

func (n *Node) write(ctx context.Context, w Write) (chain.Receipt, *chain.Checked, error) {
	if len(w.Tx) > 0 {
		tx, err := chain.DecodeTx(w.Tx)
		if err != nil {
			return chain.Receipt{}, nil, err
		}
		if tx.Type != w.Type {
			return chain.Receipt{}, nil, errs.BadRequest("tx.wrongEndpoint", "this endpoint takes %s transactions, not %s (use POST /v1/txs for any type)", w.Type, tx.Type)
		}
		return n.submit(ctx, tx, w.Async, n.admit(w.Check, w.Admit))
	}
	if w.Account == nil {
		return chain.Receipt{}, nil, errs.New(http.StatusUnauthorized, "auth.required", "send a signed transaction in \"tx\", or an API token for the node to sign: Authorization: Bearer <token>")
	}
	signer := w.Signer
	if signer == "" && w.Account.Admin {
		signer = n.AdminDID
	}
	if signer == "" {
		return chain.Receipt{}, nil, errs.BadRequest("request.malformed", "name the DID the node signs as in \"signer\"")
	}
	vm, k, err := n.SignerKey(w.Account, signer)
	if err != nil {
		return chain.Receipt{}, nil, err
	}
	p, err := w.Build(vm, k)
	if err != nil {
		return chain.Receipt{}, nil, err
	}
	if err := p.Validate(); err != nil {
		return chain.Receipt{}, nil, err
	}
	if err := chain.CheckAdmission(p); err != nil {
		return chain.Receipt{}, nil, err
	}
	tx, err := SignTx(n.ChainID, vm, k, w.Type, p)
	if err != nil {
		return chain.Receipt{}, nil, err
	}
	return n.submit(ctx, tx, w.Async, n.admit(nil, w.Admit))
}

// admit returns the check submit runs on a write's decoded payload: check
// (if set), then admit (if set) against the committed state.
func (n *Node) admit(check func(chain.Payload) error, admit func(chain.Reader, chain.Payload) error) func(chain.Payload) error {
	if admit == nil {
		return check
	}
	return func(p chain.Payload) error {
		if check != nil {
			if err := check(p); err != nil {
				return err
			}
		}
		return admit(n.Ledger, p)
	}
}
