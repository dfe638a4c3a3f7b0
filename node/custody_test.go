package node

import (
	"context"
	"testing"

	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/keystore"
)

// A caller who stops waiting does not cost the DID its key: the transaction
// may still commit. It gets the DID with a pending receipt.
func TestCustody_KeyKeptWhenTheCallerStopsWaiting(t *testing.T) {
	n := openTest(t, t.TempDir())
	defer n.Close()
	acct := &keystore.Account{Name: AdminOwner}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d, rc, err := n.CreateCustodialDID(ctx, acct, keys.Ed25519)
	if err != nil || !rc.Pending || rc.TxHash == "" || d == "" {
		t.Fatalf("got %q %+v %v, want the DID with a pending receipt", d, rc, err)
	}
	// Wait for the block, then the DID must be usable.
	res, err := waitResolve(t, n)
	if err != nil {
		t.Fatal(err)
	}
	if res != d {
		t.Fatalf("committed %s, answered %s", res, d)
	}
	if _, _, err := n.SignerKey(acct, res); err != nil {
		t.Fatalf("the committed DID lost its key: %v", err)
	}
}

func waitResolve(t *testing.T, n *Node) (string, error) {
	t.Helper()
	// The only pending tx is the create; closing the engine commits it.
	if err := n.Engine.Close(); err != nil {
		return "", err
	}
	h := n.Ledger.Head()
	b, err := n.Ledger.Block(h.Height)
	if err != nil {
		return "", err
	}
	return b.Txs[len(b.Txs)-1].SignerDID(), nil
}

// Rotating to the current or an existing id is refused and keeps the key.
func TestCustody_RotateToAnExistingIDKeepsTheKey(t *testing.T) {
	n := openTest(t, t.TempDir())
	defer n.Close()
	ctx := context.Background()
	acct := &keystore.Account{Name: AdminOwner}
	d, _, err := n.CreateCustodialDID(ctx, acct, keys.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{did.FirstKeyFragment, "bad id"} {
		if _, err := n.CustodialRotate(ctx, acct, d, id, false); err == nil {
			t.Fatalf("rotate to %q succeeded", id)
		}
		if _, _, err := n.SignerKey(acct, d); err != nil {
			t.Fatalf("after a refused rotation to %q: %v", id, err)
		}
	}
	if _, err := n.CustodialRotate(ctx, acct, d, "", false); err != nil {
		t.Fatal(err)
	}
	if _, err := n.CustodialRotate(ctx, acct, d, "", false); err != nil {
		t.Fatalf("a second rotation in the same second: %v", err)
	}
	if _, err := n.CustodialUpdate(ctx, acct, d, did.TxDeactivate, &did.DeactivatePayload{DID: d}); err != nil {
		t.Fatalf("the DID is still usable after rotations: %v", err)
	}
}
