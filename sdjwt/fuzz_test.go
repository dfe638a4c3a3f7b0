package sdjwt

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
)

func fixedKey(t testing.TB, typ keys.Type, b byte) *keys.PrivateKey {
	t.Helper()
	k, err := keys.PrivateKeyFromSeed(typ, bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// FuzzParseVerify runs arbitrary strings through Parse, Verify (with a
// fixed issuer key, so seeds from the corpus verify) and, since Verify
// stops at the signature, the unsigned disclosure processing and Present.
// Nothing may panic; every error must be an *errs.Error.
func FuzzParseVerify(f *testing.F) {
	issuer, holder := fixedKey(f, keys.Ed25519, 1), fixedKey(f, keys.P256, 2)
	hk := holder.Public()
	now := time.Unix(1_750_000_000, 0)
	o := VerifyOptions{Audience: "https://verifier.example", Nonce: "n", Now: now}
	s, err := Issue(issuer, "did:example:issuer#k", json.RawMessage(testClaims), IssueOptions{
		Disclosable: []string{"/given_name", "/address", "/address/locality", "/nationalities/1", "/degrees/0", "/degrees/0/year"},
		HolderKey:   &hk, Decoys: 1,
	})
	if err != nil {
		f.Fatal(err)
	}
	p, err := Present(s, []string{"/address/locality", "/degrees/0/year"}, &KeyBinding{Key: holder, Audience: o.Audience, Nonce: o.Nonce, IssuedAt: now})
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{s, p, "", "~", "a.b.c~", "e30.e30.AA~WyJhIiwiYiIsImMiXQ~", s + "~", p + "~"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		check := func(err error) {
			if err == nil {
				return
			}
			if _, ok := errs.As(err); !ok {
				t.Fatalf("not an *errs.Error: %T %v", err, err)
			}
		}
		j, err := Parse(s)
		check(err)
		if err != nil {
			return
		}
		v, err := j.Verify(issuer.Public(), o)
		check(err)
		if err == nil && v.Claims == nil {
			t.Fatal("verified without claims")
		}
		_, _, err = j.process()
		check(err)
		_, err = Present(s, []string{"/address/locality"}, nil)
		check(err)
	})
}
