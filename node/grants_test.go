package node

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/grants"
	"github.com/weidgo/weid/keys"
)

// TestGrantRecord_GranteeMustBeOnTheLedger: a grant.record this node is
// asked for through Write, custodial or signed, whose grantee is a did:weid
// this ledger does not have is refused (a typo), naming the DID; a grantee
// of another method is not checked; the raw ledger interface (Submit, POST
// /v1/txs) still takes it, as every block does.
func TestGrantRecord_GranteeMustBeOnTheLedger(t *testing.T) {
	ctx := context.Background()
	n := openTest(t, t.TempDir())
	defer n.Close()
	alice := mustCreateAccount(t, n, "alice", keys.Ed25519, false)
	bank := mustCreateAccount(t, n, "bank", keys.Ed25519, true)
	acct, err := n.Authenticate(alice.Token)
	if err != nil {
		t.Fatal(err)
	}
	ghost := "did:weid:" + n.ChainID + ":0x" + strings.Repeat("0", 40)
	exp := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	custodial := func(grantee string) error {
		req := &api.GrantRequest{Signed: api.Signed{Signer: alice.DID}, Grantee: grantee, Resource: "https://uni.example/v1/exchange/transcripts", Scope: []string{"degree"}, Purpose: "mortgage", Expires: exp}
		wr, err := GrantRecord(req, n.ChainID, "https://node.example", &api.GrantReceipt{})
		if err != nil {
			t.Fatal(err)
		}
		wr.Account = acct
		_, _, err = n.Write(ctx, wr)
		return err
	}
	err = custodial(ghost)
	if e, ok := errs.As(err); !ok || e.Status != 400 || e.Code != "grant.unknownGrantee" || !strings.Contains(e.Detail, ghost) {
		t.Fatalf("custodial grant to a did:weid not on the ledger: %v", err)
	}
	// A did:weid of another chain is on another ledger: not checked here.
	for _, grantee := range []string{bank.DID, bank.DIDKey, "did:weid:" + n.ChainID + "0:0x" + strings.Repeat("0", 40)} {
		if err := custodial(grantee); err != nil {
			t.Fatalf("custodial grant to %s: %v", grantee, err)
		}
	}

	// The signed form, by a citizen who keeps its key.
	k, _ := keys.Generate(keys.Ed25519)
	d := did.WeidDID(n.ChainID, k.Public())
	vm := d + "#key-1"
	if _, err := n.Submit(ctx, mustSign(t, n, vm, k, did.TxCreate, &did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()}), false); err != nil {
		t.Fatal(err)
	}
	signed := func(grantee string) *api.GrantRequest {
		id, _ := grants.NewID()
		g := grants.Grant{ID: id, Grantor: d, Grantee: grantee, Resource: "https://uni.example/v1/exchange/transcripts", Scope: []string{"degree"}, Purpose: "mortgage",
			NotBefore: time.Now().UTC().Truncate(time.Second), Expires: time.Now().Add(time.Hour).UTC().Truncate(time.Second)}
		tok, err := g.Sign(k, vm, "https://node.example")
		if err != nil {
			t.Fatal(err)
		}
		tx := mustSign(t, n, vm, k, grants.TxRecord, &grants.RecordPayload{Grant: tok})
		raw, err := json.Marshal(tx)
		if err != nil {
			t.Fatal(err)
		}
		return &api.GrantRequest{Signed: api.Signed{Tx: raw}}
	}
	write := func(req *api.GrantRequest) error {
		wr, err := GrantRecord(req, n.ChainID, "https://node.example", &api.GrantReceipt{})
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = n.Write(ctx, wr)
		return err
	}
	if err := write(signed(ghost)); errs.Code(err) != "grant.unknownGrantee" {
		t.Fatalf("signed grant to a did:weid not on the ledger: %v", err)
	}
	if err := write(signed(bank.DID)); err != nil {
		t.Fatalf("signed grant to %s: %v", bank.DID, err)
	}
	// The ledger's raw interface is not this node's typo check.
	req := signed(ghost)
	if _, err := n.SubmitRaw(ctx, req.Tx, false); err != nil {
		t.Fatalf("raw grant.record to a did:weid not (yet) on the ledger: %v", err)
	}
}
