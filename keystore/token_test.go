package keystore_test

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/hsm"
	"github.com/weidgo/weid/internal/hsmtest"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/keystore"
)

func openWithToken(t *testing.T, dir string, cfg hsm.Config) (*keystore.Store, *hsm.Module) {
	t.Helper()
	s, err := keystore.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := hsm.Open(cfg)
	if err != nil {
		s.Close()
		t.Fatal(err)
	}
	s.UseToken(m)
	return s, m
}

func TestToken_KeysStayInTheTokenAndAreFoundAfterARestart(t *testing.T) {
	t.Parallel()
	cfg := hsmtest.Token(t)
	dir := t.TempDir()
	s, m := openWithToken(t, dir, cfg)
	want := map[string]keys.PublicKey{}
	for _, typ := range []keys.Type{keys.Ed25519, keys.P256} {
		k, err := s.GenerateKey(typ, "weid test")
		if err != nil {
			t.Fatal(err)
		}
		id := "did:weid:1:0x" + string(typ) + "#key-1"
		if err := s.PutKey(id, "acme", k); err != nil {
			t.Fatal(err)
		}
		if loc, err := s.KeyLocation(id); err != nil || !strings.HasPrefix(loc, "pkcs11:token="+cfg.Token) {
			t.Fatalf("location %q, %v", loc, err)
		}
		want[id] = k.Public()
	}
	s.Close()
	m.Close()

	s, m = openWithToken(t, dir, cfg)
	for id, pub := range want {
		k, owner, err := s.Key(id)
		if err != nil || owner != "acme" || !k.Public().Equal(pub) || k.Exportable() {
			t.Fatalf("%s after a restart: %v %q", id, err, owner)
		}
		sig, err := k.Sign([]byte("block"))
		if err != nil || !pub.Verify([]byte("block"), sig) {
			t.Fatalf("%s signs: %v", id, err)
		}
	}
	s.Close()
	m.Close()

	// Started without its token, the keystore says how to start it.
	s, err := keystore.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for id := range want {
		_, _, err := s.Key(id)
		e, ok := errs.As(err)
		if !ok || e.Status != http.StatusServiceUnavailable || e.Code != "keys.unavailable" || !strings.Contains(err.Error(), "--pkcs11-module") {
			t.Fatalf("without the token: %v", err)
		}
	}
}

func TestToken_ImportedKeyLeavesNoSecretInTheKeystore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, m := openWithToken(t, dir, hsmtest.Token(t))
	defer m.Close()
	mem, _ := keys.Generate(keys.Secp256k1)
	k, err := s.ImportKey(mem, "imported")
	if err != nil {
		t.Fatal(err)
	}
	// One object, two verification methods (an account's did:weid and did:key).
	if err := errors.Join(s.PutKey("a#key-1", "acme", k), s.PutKey("b#z", "acme", k)); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteKey("a#key-1"); err != nil {
		t.Fatal(err)
	}
	if k2, _, err := s.Key("b#z"); err != nil || !k2.Public().Equal(mem.Public()) {
		t.Fatalf("the other record's key after a delete: %v", err)
	}
	uri, _ := s.KeyLocation("b#z")
	if err := s.DeleteKey("b#z"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Key(uri, keys.PublicKey{}); !errors.Is(err, hsm.ErrNoObject) {
		t.Fatalf("the token object after the last delete: %v", err)
	}
	s.Close()
	seed := mem.Seed()
	filepath.Walk(dir, func(path string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			if b, _ := os.ReadFile(path); bytes.Contains(b, seed) {
				t.Errorf("%s holds the imported secret", path)
			}
		}
		return nil
	})
}

func TestPutKey_RefusesAKeyItCannotSealOrName(t *testing.T) {
	t.Parallel()
	s, err := keystore.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mem, _ := keys.Generate(keys.Ed25519)
	ext, _ := keys.NewExternalKey(mem.Public(), signerFunc(mem.Sign))
	if err := s.PutKey("x#key-1", "acme", ext); !errors.Is(err, keys.ErrNotExportable) {
		t.Fatalf("an external key with no token object: %v", err)
	}
	if k, err := s.GenerateKey(keys.P256, "x"); err != nil || !k.Exportable() {
		t.Fatalf("without a token keys are made in memory: %v", err)
	}
}

type signerFunc func([]byte) ([]byte, error)

func (f signerFunc) SignRaw(b []byte) ([]byte, error) { return f(b) }
