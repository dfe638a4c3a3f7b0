package node

import (
	"context"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/keys"
)

// SubmitEvidence is SubmitChecked; the evidence types pre-verify the
// signatures their payloads carry through chain.Handler.PreVerify.
func (n *Node) SubmitEvidence(ctx context.Context, tx *chain.Tx, async bool) (chain.Receipt, *chain.Checked, error) {
	return n.submit(ctx, tx, async, nil)
}

// CustodialEvidence signs an evidence transaction of type typ as DID d with
// the key the node keeps for account (a Write in the custodial form).
func (n *Node) CustodialEvidence(ctx context.Context, account *Account, d, typ string,
	build func(vm string, k *keys.PrivateKey) (chain.Payload, error)) (chain.Receipt, error) {
	rc, _, err := n.Write(ctx, Write{Type: typ, Account: account, Signer: d, Build: build})
	return rc, err
}
