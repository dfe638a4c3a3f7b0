package hsm_test

import (
	"crypto/elliptic"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/hsm"
	"github.com/weidgo/weid/internal/hsmtest"
	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/keys"
)

// tokenTypes are the key types SoftHSM2 2.6 holds (SM2 it cannot).
var tokenTypes = []keys.Type{keys.Ed25519, keys.P256, keys.Secp256k1}

func open(t *testing.T, cfg hsm.Config) *hsm.Module {
	t.Helper()
	m, err := hsm.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// generate makes a key of type typ labelled label on the token of m.
func generate(t *testing.T, m *hsm.Module, typ keys.Type, label string) *keys.PrivateKey {
	t.Helper()
	k, err := m.Generate(typ, label)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestModule_GeneratedKeysSignAsInMemoryKeysAndSurviveARestart(t *testing.T) {
	t.Parallel()
	cfg := hsmtest.Token(t)
	m := open(t, cfg)
	halfP256 := new(big.Int).Rsh(elliptic.P256().Params().N, 1)
	for _, typ := range tokenTypes {
		t.Run(string(typ), func(t *testing.T) {
			k, err := m.Generate(typ, "weid test "+string(typ))
			if err != nil {
				t.Fatal(err)
			}
			if k.Exportable() || k.Type() != typ {
				t.Fatalf("a token key is exportable or of type %s", k.Type())
			}
			uri, ok := hsm.URI(k)
			if !ok || !strings.HasPrefix(uri, "pkcs11:token="+cfg.Token+";") {
				t.Fatalf("URI %q", uri)
			}
			tok, sensitive, extractable, private, err := m.PrivateAttributes(uri)
			if err != nil || !tok || !sensitive || extractable || !private {
				t.Fatalf("private key object: token %v sensitive %v extractable %v private %v (%v)", tok, sensitive, extractable, private, err)
			}
			for i := range 32 {
				msg := []byte(fmt.Sprintf("message %d", i))
				sig, err := k.Sign(msg)
				if err != nil {
					t.Fatal(err)
				}
				if len(sig) != keys.SignatureSize || !k.Public().Verify(msg, sig) {
					t.Fatalf("signature %d does not verify", i)
				}
				if typ == keys.P256 && new(big.Int).SetBytes(sig[32:]).Cmp(halfP256) > 0 {
					t.Fatal("high-S signature")
				}
			}
			// A restart: a new Module finds the key by the URI the keystore keeps.
			m2, err := hsm.Open(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer m2.Close()
			again, err := m2.Key(uri, k.Public())
			if err != nil {
				t.Fatal(err)
			}
			sig, err := again.Sign([]byte("after restart"))
			if err != nil || !k.Public().Verify([]byte("after restart"), sig) {
				t.Fatalf("after a restart: %v", err)
			}
			if _, err := m2.Key(uri, keytest.New(t, typ).Public()); !errors.Is(err, hsm.ErrConfig) {
				t.Fatalf("a recorded key that is not the token's: %v", err)
			}
		})
	}
}

func TestModule_ImportedKeyKeepsItsAddress(t *testing.T) {
	t.Parallel()
	m := open(t, hsmtest.Token(t))
	for _, typ := range tokenTypes {
		mem := keytest.New(t, typ)
		k, err := m.Import(mem, "imported")
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if !k.Public().Equal(mem.Public()) || k.Public().Address() != mem.Public().Address() {
			t.Fatalf("%s: the imported key changed", typ)
		}
		uri, _ := hsm.URI(k)
		_, sensitive, extractable, _, err := m.PrivateAttributes(uri)
		if err != nil || !sensitive || extractable {
			t.Fatalf("%s: imported object sensitive %v extractable %v (%v)", typ, sensitive, extractable, err)
		}
		sig, err := k.Sign([]byte("imported"))
		if err != nil || !mem.Public().Verify([]byte("imported"), sig) {
			t.Fatalf("%s: %v", typ, err)
		}
		if _, err := m.Import(k, "twice"); !errors.Is(err, keys.ErrNotExportable) {
			t.Fatalf("importing a token key: %v", err)
		}
	}
}

func TestModule_KeyTypesTheTokenCannotHold(t *testing.T) {
	t.Parallel()
	m := open(t, hsmtest.Token(t))
	if _, err := m.Generate("SM2", "sm2"); !errors.Is(err, keys.ErrUnsupportedKeyType) {
		t.Fatalf("SM2: %v", err)
	}
}

func TestModule_DestroyForgetsTheKey(t *testing.T) {
	t.Parallel()
	m := open(t, hsmtest.Token(t))
	k := generate(t, m, keys.Ed25519, "doomed")
	uri, _ := hsm.URI(k)
	if err := m.Destroy(uri); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Key(uri, keys.PublicKey{}); !errors.Is(err, hsm.ErrNoObject) {
		t.Fatalf("a destroyed key: %v", err)
	}
}

func TestModule_LostSessionsAreReopened(t *testing.T) {
	t.Parallel()
	m := open(t, hsmtest.Token(t))
	k := generate(t, m, keys.P256, "k")
	if _, err := k.Sign([]byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := m.CloseAllSessions(); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Sign([]byte("two")); err != nil {
		t.Fatalf("after another application closed the sessions: %v", err)
	}
}

// Not parallel: it finalizes the library the other tests of this process use.
func TestModule_AModuleThatWentAwayFailsWith503(t *testing.T) {
	m, err := hsm.Open(hsmtest.Token(t))
	if err != nil {
		t.Fatal(err)
	}
	k := generate(t, m, keys.Ed25519, "k")
	if err := m.FinalizeLibrary(); err != nil {
		t.Fatal(err)
	}
	_, err = k.Sign([]byte("after"))
	e, ok := errs.As(err)
	if !ok || e.Status != http.StatusServiceUnavailable || e.Code != hsm.CodeUnavailable || !hsm.IsUnavailable(err) {
		t.Fatalf("err = %v, want 503 %s", err, hsm.CodeUnavailable)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Sign([]byte("closed")); !hsm.IsUnavailable(err) {
		t.Fatalf("after Close: %v", err)
	}
}

func TestOpen_SaysWhatIsWrong(t *testing.T) {
	t.Parallel()
	cfg := hsmtest.Token(t)
	wrongPIN := filepath.Join(t.TempDir(), "wrong")
	os.WriteFile(wrongPIN, []byte("1111\n"), 0o600)
	notModule := filepath.Join(t.TempDir(), "libnot.so")
	os.WriteFile(notModule, []byte("not an ELF file"), 0o600)
	with := func(f func(*hsm.Config)) hsm.Config { c := cfg; f(&c); return c }
	for _, tc := range []struct {
		name string
		cfg  hsm.Config
		says string
	}{
		{"a file that is not a module", with(func(c *hsm.Config) { c.Module = notModule }), "is not a PKCS#11 module"},
		{"no such file", with(func(c *hsm.Config) { c.Module = "/nonexistent/libp11.so" }), "is not a PKCS#11 module"},
		{"no such token", with(func(c *hsm.Config) { c.Token = "no-such-token" }), "no token labelled \"no-such-token\""},
		{"no token of that serial", with(func(c *hsm.Config) { c.Serial = "no-such-serial" }), "no token labelled \"" + cfg.Token + "\" with serial \"no-such-serial\""},
		{"wrong PIN", with(func(c *hsm.Config) { c.PINFile = wrongPIN }), "wrong PIN"},
		{"no PIN file", with(func(c *hsm.Config) { c.PINFile = "/nonexistent/pin" }), "read the PIN file"},
		{"no PIN", with(func(c *hsm.Config) { c.PINFile = "" }), "no PIN"},
		{"no module", with(func(c *hsm.Config) { c.Module = "" }), "give the module"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := hsm.Open(tc.cfg)
			if err == nil {
				m.Close()
			}
			if !errors.Is(err, hsm.ErrConfig) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("err = %v, want ErrConfig saying %q", err, tc.says)
			}
		})
	}
}
