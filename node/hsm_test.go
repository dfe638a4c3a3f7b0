package node

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/hsm"
	"github.com/weidgo/weid/internal/hsmtest"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/keystore"
)

func openWithToken(t *testing.T, dir string, token hsm.Config) *Node {
	t.Helper()
	n, err := Open(Config{DataDir: dir, PKCS11: token})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func testCredential(issuer string) json.RawMessage {
	return json.RawMessage(`{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"],"type":["VerifiableCredential","UniversityDegreeCredential"],"issuer":"` + issuer +
		`","credentialSubject":{"id":"did:example:alice","degree":"BSc"}}`)
}

// issueAndVerify issues a credential as d in each format and verifies it.
func issueAndVerify(t *testing.T, n *Node, acct *keystore.Account, d string, formats ...string) {
	t.Helper()
	for _, f := range formats {
		p := IssueProfile{Format: f}
		if f == FormatSDJWT {
			p.Disclosable = []string{"/credentialSubject/degree"}
		}
		is, err := n.IssueCredential(context.Background(), acct, testCredential(d), p, nil, "http://localhost")
		if err != nil {
			t.Fatalf("issue %s as %s: %v", f, d, err)
		}
		raw := is.Document
		if is.Compact != "" {
			raw, _ = json.Marshal(is.Compact)
		}
		res, err := n.Verifier().Verify(context.Background(), raw, credential.Policy{})
		if err != nil || !res.Verified {
			t.Fatalf("%s by %s does not verify: %v %+v", f, d, err, res)
		}
	}
}

func TestNode_PKCS11KeysSignBlocksAndCredentialsAndSurviveRestarts(t *testing.T) {
	t.Parallel()
	token := hsmtest.Token(t)
	dir := t.TempDir()
	n := openWithToken(t, dir, token)
	for _, id := range []string{nodeKeyID, n.AdminDID + "#" + did.FirstKeyFragment} {
		if loc, err := n.Keystore.KeyLocation(id); err != nil || !strings.HasPrefix(loc, "pkcs11:token="+token.Token) {
			t.Fatalf("%s is kept at %q (%v), not in the token", id, loc, err)
		}
	}
	ctx := context.Background()
	ed := mustCreateAccount(t, n, "uni", keys.Ed25519, true)
	p256 := mustCreateAccount(t, n, "bank", keys.P256, false)
	if loc, _ := n.Keystore.KeyLocation(ed.DID + "#" + did.FirstKeyFragment); !strings.HasPrefix(loc, "pkcs11:") {
		t.Fatalf("a custodial key is kept at %q", loc)
	}
	issueAndVerify(t, n, &keystore.Account{Name: "uni"}, ed.DID, FormatVCJWT, FormatSDJWT, FormatEdDSAJCS, FormatEdDSARDFC)
	issueAndVerify(t, n, &keystore.Account{Name: "uni"}, ed.DIDKey, FormatVCJWT)
	issueAndVerify(t, n, &keystore.Account{Name: "bank"}, p256.DID, FormatVCJWT, FormatSDJWT, FormatECDSARDFC)
	if _, err := n.CustodialRotate(ctx, &keystore.Account{Name: "bank"}, p256.DID, "key-2", false); err != nil {
		t.Fatal(err)
	}
	issueAndVerify(t, n, &keystore.Account{Name: "bank"}, p256.DID, FormatVCJWT)
	n.Close()

	// A restart finds every key in the token; the chain audits clean.
	n = openWithToken(t, dir, token)
	mustCreateAccount(t, n, "later", keys.Ed25519, false)
	issueAndVerify(t, n, &keystore.Account{Name: "uni"}, ed.DID, FormatVCJWT)
	if rep, err := n.Ledger.AuditStore(); err != nil {
		t.Fatalf("audit: %v %+v", err, rep)
	}
	n.Close()

	// Without its token the node says how to start it, and writes nothing.
	_, err := Open(Config{DataDir: dir})
	if err == nil || !strings.Contains(err.Error(), "--pkcs11-module") {
		t.Fatalf("started without its token: %v", err)
	}
}

func TestNode_BadPKCS11ConfigurationWritesNothing(t *testing.T) {
	t.Parallel()
	token := hsmtest.Token(t)
	for _, tc := range []struct {
		name string
		cfg  func(*Config)
		says string
	}{
		{"not a module", func(c *Config) { c.PKCS11.Module = "/etc/hostname" }, "is not a PKCS#11 module"},
		{"wrong PIN", func(c *Config) { c.PKCS11.PINFile = ""; c.PKCS11.PIN = "0000" }, "wrong PIN"},
		{"bad URI", func(c *Config) { c.PKCS11 = hsm.Config{}; c.PKCS11URI = "pkcs11:tokn=x" }, "unknown URI attribute"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir() + "/data"
			cfg := Config{DataDir: dir, PKCS11: token}
			tc.cfg(&cfg)
			_, _, err := Init(cfg)
			if !errors.Is(err, hsm.ErrConfig) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("err = %v, want one saying %q", err, tc.says)
			}
			if _, serr := os.Stat(dir); !errors.Is(serr, os.ErrNotExist) {
				t.Fatalf("a failed start wrote %s: %v", dir, serr)
			}
		})
	}
}

// A token that goes away fails the writes that need it with 503
// keys.unavailable: the block is not made, the head does not move, and
// after a restart with the token the same transaction commits.
func TestNode_ATokenThatGoesAwayFailsWritesWith503AndLosesNothing(t *testing.T) {
	t.Parallel()
	token := hsmtest.Token(t)
	dir := t.TempDir()
	n := openWithToken(t, dir, token)
	ctx := context.Background()
	mustCreateAccount(t, n, "uni", keys.Ed25519, false)
	head := n.Ledger.Head()
	n.token.Close() // the module is gone

	// A custodial write fails before its transaction is signed.
	_, err := n.CreateAccount(ctx, "bank", keys.P256, false)
	if e, ok := errs.As(err); !ok || e.Status != http.StatusServiceUnavailable || e.Code != hsm.CodeUnavailable {
		t.Fatalf("custodial write: %v", err)
	}
	// A wallet's signed transaction fails at the block signature.
	wallet, _ := keys.Generate(keys.Ed25519)
	d := did.WeidDID(n.ChainID, wallet.Public())
	tx := mustSign(t, n, d+"#key-1", wallet, did.TxCreate, &did.CreatePayload{DID: d, PublicKeyMultibase: wallet.Public().Multibase()})
	_, err = n.Submit(ctx, tx, false)
	if e, ok := errs.As(err); !ok || e.Status != http.StatusServiceUnavailable || e.Code != hsm.CodeUnavailable {
		t.Fatalf("block signature: %v", err)
	}
	if got := n.Ledger.Head(); got != head {
		t.Fatalf("the head moved from %+v to %+v", head, got)
	}
	if err := n.Ledger.Failed(); err != nil {
		t.Fatalf("a signing failure marked the ledger failed: %v", err)
	}
	n.Close()

	n = openWithToken(t, dir, token)
	defer n.Close()
	if _, err := n.Submit(ctx, tx, false); err != nil {
		t.Fatalf("the same transaction after a restart: %v", err)
	}
	if _, err := n.CreateAccount(ctx, "bank", keys.P256, false); err != nil {
		t.Fatalf("the account after a restart: %v", err)
	}
}

func TestNode_ImportedKeyBecomesTheAccountsDIDAndSignsItsCredentials(t *testing.T) {
	t.Parallel()
	for _, withToken := range []bool{false, true} {
		name := "keystore"
		if withToken {
			name = "token"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var n *Node
			if withToken {
				n = openWithToken(t, t.TempDir(), hsmtest.Token(t))
			} else {
				n = openTest(t, t.TempDir())
			}
			defer n.Close()
			ctx := context.Background()
			for _, typ := range []keys.Type{keys.Secp256k1, keys.P256, keys.Ed25519} {
				mem, _ := keys.Generate(typ)
				jwk, _ := keys.MarshalPrivateJWK(mem)
				k, err := ParseImportKey(jwk)
				if err != nil {
					t.Fatal(err)
				}
				acctName := "migrated-" + strings.ToLower(strings.ReplaceAll(string(typ), "-", ""))
				a, err := n.ImportAccount(ctx, acctName, k, "", true)
				if err != nil {
					t.Fatal(err)
				}
				if a.DID != did.WeidDID(n.ChainID, mem.Public()) || a.DIDKey != did.KeyDID(mem.Public()) {
					t.Fatalf("%s: DIDs %s %s are not the imported key's", typ, a.DID, a.DIDKey)
				}
				loc, _ := n.Keystore.KeyLocation(a.DID + "#" + did.FirstKeyFragment)
				if withToken != strings.HasPrefix(loc, "pkcs11:") {
					t.Fatalf("%s: kept at %q", typ, loc)
				}
				acct := &keystore.Account{Name: acctName}
				issueAndVerify(t, n, acct, a.DID, FormatVCJWT, FormatSDJWT)
				issueAndVerify(t, n, acct, a.DIDKey, FormatVCJWT)
				// The same key again: refused, and nothing is left behind.
				if _, err := n.ImportAccount(ctx, acctName+"-again", k, "", false); errs.Code(err) != "account.keyExists" {
					t.Fatalf("%s imported twice: %v", typ, err)
				}
			}
			accts, _ := n.Keystore.Accounts()
			for _, a := range accts {
				if strings.HasSuffix(a.Name, "-again") {
					t.Fatalf("a refused import left account %s", a.Name)
				}
			}
		})
	}
}

func TestParseImportKey_RefusesClearly(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, raw, says string }{
		{"public JWK", `{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`, "public key only"},
		{"encrypted PEM", `"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAgAAAAAAAAAAAICCAAw\n-----END ENCRYPTED PRIVATE KEY-----\n"`, "decrypts it on the client"},
		{"a number", `42`, "private JWK (an object) or a PEM"},
		{"null", `null`, "private JWK (an object) or a PEM"},
		{"text", `"hello"`, "not a private key"},
	} {
		_, err := ParseImportKey(json.RawMessage(tc.raw))
		if e, ok := errs.As(err); !ok || e.Status != http.StatusBadRequest || e.Code != "account.invalidKey" || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v, want 400 account.invalidKey saying %q", tc.name, err, tc.says)
		}
	}
}

func TestNode_GivenAdminKeyIsImportedIntoTheToken(t *testing.T) {
	t.Parallel()
	admin, _ := keys.Generate(keys.Secp256k1)
	dir := t.TempDir()
	adminDID, _, err := Init(Config{DataDir: dir, PKCS11: hsmtest.Token(t), AdminKey: admin})
	if err != nil {
		t.Fatal(err)
	}
	if adminDID != did.WeidDID("1", admin.Public()) {
		t.Fatalf("admin DID %s is not the given key's", adminDID)
	}
	ks, err := keystore.Open(dir+"/keystore", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ks.Close()
	if loc, err := ks.KeyLocation(adminDID + "#" + did.FirstKeyFragment); err != nil || !strings.HasPrefix(loc, "pkcs11:") {
		t.Fatalf("the admin key is kept at %q (%v)", loc, err)
	}
}
