package node

import (
	"context"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/evidence"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/keystore"
)

// SubmitEvidence is SubmitChecked for evidence transactions: besides the
// transaction's signature, it checks the evidence signatures its payload
// carries against the committed state here, in the caller's goroutine, so
// that those checks run in parallel too and the block only re-checks that
// the signers' keys are unchanged. Any other transaction is submitted as
// SubmitChecked would.
func (n *Node) SubmitEvidence(ctx context.Context, tx *chain.Tx, async bool) (chain.Receipt, *chain.Checked, error) {
	return n.submit(ctx, tx, async, func(c *chain.Checked) { evidence.PreVerify(n.Ledger, c.Payload) })
}

// CustodialEvidence signs an evidence transaction of type typ as DID d with
// the key the node keeps for account: build makes the payload, signing the
// evidence signatures it carries as verification method vm with k (which
// must be an assertionMethod key of d for the ledger to accept them).
func (n *Node) CustodialEvidence(ctx context.Context, account *keystore.Account, d, typ string,
	build func(vm string, k *keys.PrivateKey) (chain.Payload, error)) (chain.Receipt, error) {
	vm, k, err := n.SignerKey(account, d)
	if err != nil {
		return chain.Receipt{}, err
	}
	p, err := build(vm, k)
	if err != nil {
		return chain.Receipt{}, err
	}
	if err := p.Validate(); err != nil {
		return chain.Receipt{}, err
	}
	tx, err := SignTx(n.ChainID, vm, k, typ, p)
	if err != nil {
		return chain.Receipt{}, err
	}
	rc, _, err := n.SubmitEvidence(ctx, tx, false)
	return rc, err
}
