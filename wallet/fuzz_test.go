package wallet

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/internal/credtest"
	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/keys"
)

// FuzzParseCredential: whatever a file holds, reading it as a credential
// fails or yields a credential the wallet can store, whose stored form
// reads back as the same credential (the same id).
func FuzzParseCredential(f *testing.F) {
	k := keytest.New(f, keys.Ed25519)
	c := issue(f, credtest.Issuer(f, keys.Ed25519), "did:example:alice", k.Public())
	for _, s := range []string{c.jwt, c.di, c.sd, `{"@context":"https://www.w3.org/ns/credentials/v2","type":"EnvelopedVerifiableCredential","id":"data:application/vc+jwt,` + c.jwt + `"}`,
		"", "a.b.c", `{"type":"VerifiableCredential"}`, `"x~y~"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := ParseCredential(raw)
		if err != nil {
			return
		}
		if len(s.ID) != IDLen || s.Types == nil {
			t.Fatalf("parsed %+v", s)
		}
		again, err := ParseCredential(s.Credential)
		if err != nil || again.ID != s.ID {
			t.Fatalf("the stored form %s reads back as %+v, %v", s.Credential, again, err)
		}
		if _, _, err := s.Claims(); err != nil {
			t.Fatalf("claims of a parsed credential: %v", err)
		}
	})
}

// FuzzCheckReceived: whatever an issuer sends, the wallet's own checks of
// a received credential refuse it or pass it without panicking, and pass
// none that is not bound to the holder.
func FuzzCheckReceived(f *testing.F) {
	k := keytest.New(f, keys.Ed25519)
	holder := Holder{DID: "did:example:alice", KID: "did:example:alice#k", Key: k}
	c := issue(f, credtest.Issuer(f, keys.Ed25519), holder.DID, k.Public())
	for _, s := range []string{c.jwt, c.di, c.sd, c.sd + "WyJzIiwibiIsInYiXQ~", `"x~y~"`} {
		f.Add([]byte(s), "dc+sd-jwt")
		f.Add([]byte(s), "jwt_vc_json")
	}
	f.Fuzz(func(t *testing.T, raw []byte, format string) {
		s, err := ParseCredential(raw)
		if err != nil {
			return
		}
		if checkReceived(s, format, holder) != nil {
			return
		}
		if s.Format == credential.FormatSDJWT {
			if claims, err := processed(s); err != nil || claims["cnf"] == nil {
				t.Fatalf("an SD-JWT passed without its disclosures matching or a cnf: %v", err)
			}
			return
		}
		claims, _, _ := s.Claims()
		if b, _ := json.Marshal(claims); !strings.Contains(string(b), `"`+holder.DID+`"`) {
			t.Fatalf("passed a credential that does not name the holder: %s", b)
		}
	})
}
