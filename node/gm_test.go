package node

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/hsmtest"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/keystore"
)

// TestNode_GMGenesisAndRestart: Config.Crypto "gm" makes SM2 node and admin
// keys and a chain.init naming gm; custodial DIDs default to SM2 and a
// refused key type is a 400 before any key is kept; an Ed25519 signer is
// refused; a restart keeps the suite, and asking for another suite on the
// existing chain is an error.
func TestNode_GMGenesisAndRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	n, err := Open(Config{DataDir: dir, Crypto: chain.CryptoGM})
	if err != nil {
		t.Fatal(err)
	}
	if n.Crypto() != "gm" {
		t.Fatalf("crypto %s", n.Crypto())
	}
	init, err := chain.InitRecord(n.Ledger)
	if err != nil || init.Crypto != "gm" {
		t.Fatalf("chain.init %+v %v", init, err)
	}
	if pk, err := keys.ParseMultibase(init.NodeKey); err != nil || pk.Type != keys.SM2 {
		t.Fatalf("node key %s: %v", init.NodeKey, err)
	}
	_, admin, _, err := n.CustodialKey(n.AdminDID)
	if err != nil || admin.Type() != keys.SM2 {
		t.Fatalf("admin key: %v", err)
	}
	if kt, err := n.ParseKeyType(""); err != nil || kt != keys.SM2 {
		t.Fatalf("default key type %s %v", kt, err)
	}
	if _, err := n.ParseKeyType("Ed25519"); errs.Code(err) != "tx.keyTypeNotAllowed" {
		t.Fatalf("Ed25519 custodial key: %v", err)
	}
	acct := &keystore.Account{Name: "gm-university"}
	d, _, err := n.CreateCustodialDID(ctx, acct, keys.SM2)
	if err != nil {
		t.Fatal(err)
	}
	res, err := n.Resolver.Resolve(ctx, d, did.Options{})
	if err != nil || !strings.HasPrefix(res.Document.VerificationMethod[0].PublicKeyMultibase, "zEPJ") {
		t.Fatalf("custodial DID %s: %v", d, err)
	}
	ed, _ := keys.Generate(keys.Ed25519)
	edDID := did.WeidDID(n.ChainID, ed.Public())
	_, err = n.Submit(ctx, mustSign(t, n, edDID+"#key-1", ed, did.TxCreate, &did.CreatePayload{DID: edDID, PublicKeyMultibase: ed.Public().Multibase()}), false)
	if e, ok := errs.As(err); !ok || e.Status != 400 || e.Code != "tx.keyTypeNotAllowed" {
		t.Fatalf("Ed25519 signer on a gm chain: %v", err)
	}
	head := n.Ledger.Head()
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(Config{DataDir: dir, Crypto: chain.CryptoStandard}); err == nil || !strings.Contains(err.Error(), "gm chain") {
		t.Fatalf("opening a gm chain as standard: %v", err)
	}
	n, err = Open(Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if n.Crypto() != "gm" || n.Ledger.Head() != head {
		t.Fatalf("after restart: %s %+v", n.Crypto(), n.Ledger.Head())
	}
	if _, err := n.Ledger.AuditStore(); err != nil {
		t.Fatal(err)
	}
	// A standard node refuses a non-SM2 admin key for a gm chain.
	if _, err := Open(Config{DataDir: t.TempDir(), Crypto: chain.CryptoGM, AdminKey: ed}); err == nil || !strings.Contains(err.Error(), "SM2") {
		t.Fatalf("gm chain with an Ed25519 admin key: %v", err)
	}
}

// TestNode_GMCometBFT: a single-validator CometBFT chain made with
// Crypto "gm" hashes with SM3 (InitChain reads the suite from the genesis
// transactions) and commits an SM2 signer's DID.
func TestNode_GMCometBFT(t *testing.T) {
	n, err := Open(Config{DataDir: t.TempDir(), Engine: "cometbft", CometLogLevel: "none", Crypto: chain.CryptoGM})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if n.Crypto() != "gm" {
		t.Fatalf("crypto %s", n.Crypto())
	}
	k, _ := keys.Generate(keys.SM2)
	d := did.WeidDID(n.ChainID, k.Public())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rc, err := n.Submit(ctx, mustSign(t, n, d+"#key-1", k, did.TxCreate, &did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()}), false)
	if err != nil {
		t.Fatal(err)
	}
	p, err := n.Ledger.Tx(rc.TxHash)
	if err != nil {
		t.Fatal(err)
	}
	if err := chain.GM.VerifyTx(p); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Ledger.AuditStore(); err != nil {
		t.Fatal(err)
	}
}

// TestNode_BadSuiteConfigWritesNothing: an unknown crypto suite, or a gm
// chain asked of a PKCS#11 token (whose keys cannot be SM2), is refused
// before the data directory is made, so nothing half-made is left behind.
func TestNode_BadSuiteConfigWritesNothing(t *testing.T) {
	cases := map[string]Config{
		"unknown suite": {Crypto: "bogus"},
		"gm with a URI": {Crypto: chain.CryptoGM, PKCS11URI: "pkcs11:token=weid?module-path=/nonexistent.so&pin-value=1"},
	}
	if _, err := hsmtest.Available(); err == nil {
		cases["gm with a token"] = Config{Crypto: chain.CryptoGM, PKCS11: hsmtest.Token(t)}
	}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			cfg.DataDir = filepath.Join(t.TempDir(), "data")
			_, _, err := Init(cfg)
			if err == nil {
				t.Fatal("accepted")
			}
			if name != "unknown suite" && !strings.Contains(err.Error(), "PKCS#11") {
				t.Fatalf("error does not say why: %v", err)
			}
			if _, serr := os.Stat(cfg.DataDir); !os.IsNotExist(serr) {
				t.Fatalf("%v, but the data directory was made (%v)", err, serr)
			}
		})
	}
}
