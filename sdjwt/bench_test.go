package sdjwt

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/weidgo/weid/keys"
)

func BenchmarkIssue(b *testing.B) {
	k := fixedKey(b, keys.Ed25519, 1)
	claims := json.RawMessage(`{"vct":"https://example.com/pid","given_name":"Erika","family_name":"Mustermann","email":"erika@example.com","birthdate":"1963-08-12","nationality":"DE"}`)
	o := IssueOptions{Disclosable: []string{"/given_name", "/family_name", "/email", "/birthdate", "/nationality"}}
	for b.Loop() {
		if _, err := Issue(k, "did:example:issuer#k", claims, o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyKeyBinding(b *testing.B) {
	issuer, holder := fixedKey(b, keys.Ed25519, 1), fixedKey(b, keys.Ed25519, 2)
	hk := holder.Public()
	s, err := Issue(issuer, "did:example:issuer#k", json.RawMessage(testClaims), IssueOptions{
		Disclosable: []string{"/given_name", "/family_name", "/email", "/birthdate", "/address/locality"},
		HolderKey:   &hk,
	})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Unix(1_750_000_000, 0)
	kb := &KeyBinding{Key: holder, Audience: "https://verifier.example", Nonce: "n", IssuedAt: now}
	p, err := Present(s, []string{"/given_name", "/email", "/address/locality"}, kb)
	if err != nil {
		b.Fatal(err)
	}
	o := VerifyOptions{RequireKeyBinding: true, Audience: kb.Audience, Nonce: kb.Nonce, Now: now}
	for b.Loop() {
		j, err := Parse(p)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := j.Verify(issuer.Public(), o); err != nil {
			b.Fatal(err)
		}
	}
}
