package node

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/status"
)

// TestUpdateStatus_UnchangedIsAConflict: a status update that would leave
// the bit as it is (revoke a revoked credential, suspend a suspended one,
// unsuspend an active one) is a 409 status.unchanged naming the entry and
// its state, and writes no transaction.
func TestUpdateStatus_UnchangedIsAConflict(t *testing.T) {
	ctx := context.Background()
	n := openTest(t, t.TempDir())
	defer n.Close()
	uni := mustCreateAccount(t, n, "uni", keys.Ed25519, false)
	acct, err := n.Authenticate(uni.Token)
	if err != nil {
		t.Fatal(err)
	}
	const base = "https://node.example"
	list := func(purpose string) string {
		rc, err := n.CustodialUpdate(ctx, acct, uni.DID, status.TxCreate, &status.CreatePayload{Purpose: purpose})
		if err != nil {
			t.Fatal(err)
		}
		return status.URL(base, status.DerivedID(rc.TxHash))
	}
	rev, susp := list(status.PurposeRevocation), list(status.PurposeSuspension)
	update := func(url, purpose string, set bool) error {
		_, err := n.UpdateStatus(ctx, acct, &api.UpdateStatusRequest{Status: &set, CredentialStatus: &api.StatusEntryUpdate{
			StatusPurpose: purpose, StatusListCredential: url, StatusListIndex: strconv.Itoa(7)}})
		return err
	}
	unchanged := func(what string, err error, state string) {
		t.Helper()
		e, ok := errs.As(err)
		if !ok || e.Status != 409 || e.Code != "status.unchanged" || !strings.Contains(e.Detail, state) || !strings.Contains(e.Detail, "index 7") {
			t.Fatalf("%s: %v, want 409 status.unchanged naming the entry as %s", what, err, state)
		}
	}
	unchanged("unsuspend an active credential", update(susp, status.PurposeSuspension, false), "not suspended")
	if err := update(susp, status.PurposeSuspension, true); err != nil {
		t.Fatal(err)
	}
	unchanged("suspend a suspended credential", update(susp, status.PurposeSuspension, true), "already suspended")
	if err := update(rev, status.PurposeRevocation, true); err != nil {
		t.Fatal(err)
	}
	h := n.Ledger.Head().Height
	unchanged("revoke a revoked credential", update(rev, status.PurposeRevocation, true), "already revoked")
	if got := n.Ledger.Head().Height; got != h {
		t.Fatalf("a refused update wrote a block: height %d, was %d", got, h)
	}
	// Undoing a revocation stays what it was: irreversible.
	if err := update(rev, status.PurposeRevocation, false); errs.Code(err) != "status.irreversible" {
		t.Fatalf("unrevoke: %v", err)
	}
}
