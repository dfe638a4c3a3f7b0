package keystore_test

import (
	"errors"
	"testing"

	"github.com/weidgo/weid/keystore"
)

// TestReplaceTokensWith_OnlyTheGivenTokenOfTheNameRemains: a token made
// by RandomToken works only once stored, and then is the one token of its
// account's name, which needs no account record (the node's admin); the
// tokens of other names are untouched.
func TestReplaceTokensWith_OnlyTheGivenTokenOfTheNameRemains(t *testing.T) {
	s, err := keystore.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	admin := keystore.Account{Name: "admin", Admin: true}
	old1, _ := s.NewToken(admin)
	old2, _ := s.NewToken(admin)
	other, err := s.CreateAccount("city-bank")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := keystore.RandomToken()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(tok); !errors.Is(err, keystore.ErrNotFound) {
		t.Fatalf("a token not stored yet authenticates: %v", err)
	}
	if err := s.ReplaceTokensWith(admin, tok); err != nil {
		t.Fatal(err)
	}
	if a, err := s.Authenticate(tok); err != nil || a.Name != "admin" || !a.Admin {
		t.Fatalf("the new token: %+v, %v", a, err)
	}
	for _, old := range []string{old1, old2} {
		if _, err := s.Authenticate(old); !errors.Is(err, keystore.ErrNotFound) {
			t.Fatalf("an old admin token after the replacement: %v", err)
		}
	}
	if a, err := s.Authenticate(other); err != nil || a.Name != "city-bank" {
		t.Fatalf("another account's token: %+v, %v", a, err)
	}
}
