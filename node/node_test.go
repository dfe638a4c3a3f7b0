package node

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
)

func openTest(t *testing.T, dir string) *Node {
	t.Helper()
	n, err := Open(Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// mustCreateAccount creates the institution account name on n, its
// custodial did:weid with a key of type typ (and a did:key with
// withDIDKey), and fails the test if it cannot.
func mustCreateAccount(t *testing.T, n *Node, name string, typ keys.Type, withDIDKey bool) *api.NewAccount {
	t.Helper()
	a, err := n.CreateAccount(context.Background(), name, typ, withDIDKey)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestNode_GenesisCreatesAdminAndToken(t *testing.T) {
	dir := t.TempDir()
	n := openTest(t, dir)
	defer n.Close()
	fi, err := os.Stat(filepath.Join(dir, TokenFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("admin.token mode %v, want 0600", fi.Mode().Perm())
	}
	tok, _ := os.ReadFile(filepath.Join(dir, TokenFile))
	acct, err := n.Keystore.Authenticate(string(tok[:len(tok)-1]))
	if err != nil || !acct.Admin {
		t.Fatalf("admin token does not authenticate: %v", err)
	}
	res, err := n.Resolver.Resolve(context.Background(), n.AdminDID, did.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Document.ID != n.AdminDID {
		t.Fatalf("resolved %s", res.Document.ID)
	}
	if ok, _ := chain.IsAdmin(n.Ledger, n.AdminDID); !ok {
		t.Fatal("admin not recorded")
	}
}

func mustSign(t *testing.T, n *Node, from string, k *keys.PrivateKey, typ string, p any) *chain.Tx {
	t.Helper()
	tx, err := SignTx(n.ChainID, from, k, typ, p)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

func TestNode_DIDLifecycleSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	n := openTest(t, dir)
	for _, kt := range []keys.Type{keys.Ed25519, keys.P256, keys.Secp256k1} {
		k, _ := keys.Generate(kt)
		d := did.WeidDID(n.ChainID, k.Public())
		vm := d + "#key-1"
		if _, err := n.Submit(ctx, mustSign(t, n, vm, k, did.TxCreate, &did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()}), false); err != nil {
			t.Fatalf("%s create: %v", kt, err)
		}
		svc := did.Service{ID: d + "#home", Type: "LinkedDomains", ServiceEndpoint: []byte(`"https://example.org"`)}
		if _, err := n.Submit(ctx, mustSign(t, n, vm, k, did.TxAddService, &did.AddServicePayload{DID: d, Service: svc}), false); err != nil {
			t.Fatalf("add service: %v", err)
		}
		k2, _ := keys.Generate(kt)
		if _, err := n.Submit(ctx, mustSign(t, n, vm, k, did.TxRotateKey, &did.RotateKeyPayload{DID: d, ID: "key-1", NewID: "key-2", PublicKeyMultibase: k2.Public().Multibase()}), false); err != nil {
			t.Fatalf("rotate: %v", err)
		}
		// The old key may no longer sign.
		_, err := n.Submit(ctx, mustSign(t, n, vm, k, did.TxRemoveService, &did.RemoveServicePayload{DID: d, ID: "home"}), false)
		if errs.Code(err) != "tx.unauthorized" {
			t.Fatalf("old key after rotation: got %v, want tx.unauthorized", err)
		}
		res, err := n.Resolver.Resolve(ctx, d, did.Options{VersionID: "2"})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := res.Document.Method(vm); !ok || res.DocumentMetadata.NextVersionID != "3" {
			t.Fatalf("version 2 should have key-1: %+v", res)
		}
		if _, err := n.Submit(ctx, mustSign(t, n, d+"#key-2", k2, did.TxDeactivate, &did.DeactivatePayload{DID: d}), false); err != nil {
			t.Fatalf("deactivate: %v", err)
		}
	}
	head := n.Ledger.Head()
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	n = openTest(t, dir)
	defer n.Close()
	if n.Ledger.Head() != head {
		t.Fatalf("head after restart %+v, want %+v", n.Ledger.Head(), head)
	}
	if _, err := n.Ledger.AuditStore(); err != nil {
		t.Fatalf("audit: %v", err)
	}
}

func TestNode_RejectsBadTransactions(t *testing.T) {
	ctx := context.Background()
	n := openTest(t, t.TempDir())
	defer n.Close()
	k, _ := keys.Generate(keys.Ed25519)
	other, _ := keys.Generate(keys.Ed25519)
	d := did.WeidDID(n.ChainID, k.Public())
	create := &did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()}
	good := mustSign(t, n, d+"#key-1", k, did.TxCreate, create)

	wrongChain, _ := SignTx("2", d+"#key-1", k, did.TxCreate, create)
	badSig := *good
	badSig.Signature = mustSign(t, n, d+"#key-1", other, did.TxCreate, create).Signature
	squat := mustSign(t, n, did.WeidDID(n.ChainID, other.Public())+"#key-1", k, did.TxCreate,
		&did.CreatePayload{DID: did.WeidDID(n.ChainID, other.Public()), PublicKeyMultibase: k.Public().Multibase()})
	unknown := mustSign(t, n, d+"#key-1", k, "did.frobnicate", create)

	cases := []struct {
		name string
		tx   *chain.Tx
		code string
	}{
		{"wrong chain", wrongChain, "tx.wrongChain"},
		{"bad signature", &badSig, "tx.badSignature"},
		{"address not derived from key", squat, "did.addressMismatch"},
		{"unknown type", unknown, "tx.unknownType"},
	}
	for _, c := range cases {
		_, err := n.Submit(ctx, c.tx, false)
		if got := errs.Code(err); got != c.code {
			t.Errorf("%s: got %v, want %s", c.name, err, c.code)
		}
	}
	if _, err := n.Submit(ctx, good, false); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Submit(ctx, good, false); errs.Code(err) != "tx.replay" {
		t.Fatalf("replay: got %v", err)
	}
	// Same nonce, different content: still a replay of the nonce.
	again := &chain.Tx{ChainID: n.ChainID, Type: did.TxAddService, From: d + "#key-1", Nonce: good.Nonce,
		Payload: []byte(`{"did":"` + d + `","service":{"id":"#a","type":"X","serviceEndpoint":"https://a.example"}}`)}
	if err := again.Sign(k); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Submit(ctx, again, false); errs.Code(err) != "tx.replay" {
		t.Fatalf("nonce replay: got %v", err)
	}
	big := make([]byte, chain.MaxTxBytes+1)
	if _, err := n.SubmitRaw(ctx, big, false); errs.Code(err) != "tx.tooLarge" {
		t.Fatalf("oversized: got %v", err)
	}
	if _, err := n.SubmitRaw(ctx, []byte(`{"chainId":1}`), false); errs.Code(err) != "tx.malformed" {
		t.Fatalf("malformed: got %v", err)
	}
	var e *errs.Error
	if _, err := n.SubmitRaw(ctx, []byte(`nope`), false); !errors.As(err, &e) || e.Status != 400 {
		t.Fatalf("garbage: got %v", err)
	}
}
