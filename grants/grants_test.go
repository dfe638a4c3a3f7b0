package grants_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/grants"
	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/keys"
)

func testGrant(t testing.TB) (*keys.PrivateKey, grants.Grant) {
	t.Helper()
	k := keytest.New(t, keys.Ed25519)
	grantor := did.WeidDID("1", k.Public())
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	return k, grants.Grant{ID: "urn:uuid:0b5e3c1a-8f0e-4c55-9a0b-7d1f2a3b4c5d", Grantor: grantor, Grantee: "did:weid:1:0x00000000000000000000000000000000000000aa",
		Resource: "https://university.example/v1/exchange/transcripts", Scope: []string{"degree", "awardedDate"}, Purpose: "mortgage",
		NotBefore: now, Expires: now.Add(24 * time.Hour)}
}

func TestGrant_SignParseRoundTrip(t *testing.T) {
	k, g := testGrant(t)
	tok, err := g.Sign(k, g.Grantor+"#key-1", "https://weid.example")
	if err != nil {
		t.Fatal(err)
	}
	s, err := grants.Parse(tok)
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != g.ID || s.Grantor != g.Grantor || s.Grantee != g.Grantee || !s.NotBefore.Equal(g.NotBefore) || !s.Expires.Equal(g.Expires) || len(s.Scope) != 2 {
		t.Fatalf("parsed %+v, want %+v", s.Grant, g)
	}
	if s.Hash != grants.Hash(tok) || !s.InScope([]string{"degree"}) || s.InScope([]string{"gpa"}) {
		t.Fatal("hash or scope")
	}
	bad := g
	bad.Scope = []string{"degree", "degree"}
	if _, err := bad.Credential("https://weid.example"); err == nil {
		t.Fatal("a scope naming a claim twice was accepted")
	}
}

func TestJWE_RoundTripEd25519AndP256(t *testing.T) {
	for _, typ := range []keys.Type{keys.Ed25519, keys.P256, keys.SM2} {
		k, _ := keys.Generate(typ)
		other, _ := keys.Generate(typ)
		msg := []byte(`{"degree":"Bachelor"}`)
		jwe, err := grants.Encrypt(k.Public(), "did:example:1#key-1", msg)
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		pt, err := grants.Decrypt(k, jwe)
		if err != nil || !bytes.Equal(pt, msg) {
			t.Fatalf("%s: decrypt: %v", typ, err)
		}
		if _, err := grants.Decrypt(other, jwe); err == nil {
			t.Fatalf("%s: another key decrypts", typ)
		}
	}
	k, _ := keys.Generate(keys.Secp256k1)
	if err := grants.CanReceive(k.Public()); err == nil {
		t.Fatal("secp256k1 keys cannot receive ECDH-ES encryption here")
	}
}

func TestProof_Checks(t *testing.T) {
	k, _ := keys.Generate(keys.Ed25519)
	now := time.Now()
	body := []byte(`{"grant":"x"}`)
	tok, err := grants.SignProof(k, "did:weid:1:0x00000000000000000000000000000000000000aa#key-1", "POST", "https://h/v1/exchange/r", body, "n1", now, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	p, err := grants.ParseProof(tok)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.JWS.Verify(k.Public()); err != nil {
		t.Fatal(err)
	}
	if err := p.Check("POST", "https://h/v1/exchange/r", body, now); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"other url":  p.Check("POST", "https://h/v1/exchange/s", body, now),
		"other body": p.Check("POST", "https://h/v1/exchange/r", []byte(`{}`), now),
		"expired":    p.Check("POST", "https://h/v1/exchange/r", body, now.Add(5*time.Minute)),
	} {
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// A key held in a hardware module has no secret to agree a key with: the
// exchange's answer cannot be decrypted with it, and says why.
func TestJWE_HardwareKeyCannotDecrypt(t *testing.T) {
	for _, typ := range []keys.Type{keys.Ed25519, keys.P256} {
		mem, _ := keys.Generate(typ)
		hw, err := keys.NewExternalKey(mem.Public(), signerFunc(mem.Sign))
		if err != nil {
			t.Fatal(err)
		}
		jwe, err := grants.Encrypt(hw.Public(), "did:example:1#key-1", []byte(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := grants.Decrypt(hw, jwe); !errors.Is(err, keys.ErrNotExportable) || !errors.Is(err, grants.ErrNoKeyAgreement) {
			t.Fatalf("%s: %v", typ, err)
		}
	}
}

type signerFunc func([]byte) ([]byte, error)

func (f signerFunc) SignRaw(b []byte) ([]byte, error) { return f(b) }
