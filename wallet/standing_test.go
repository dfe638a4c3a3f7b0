package wallet

import (
	"context"
	"testing"
	"time"

	"github.com/weidgo/weid/internal/credtest"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/oid4vp"
)

// twoDiplomas are two SD-JWT diplomas of one issuer, as the wallet holds
// them, and a request for a diploma.
func twoDiplomas(t *testing.T) (*oid4vp.Request, []Stored) {
	t.Helper()
	uni := credtest.Issuer(t, keys.Ed25519)
	holder, err := keys.Generate(keys.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	var held []Stored
	for _, subject := range []string{"did:key:a", "did:key:b"} {
		sc, err := ParseCredential([]byte(sdDiploma(t, uni, subject, holder.Public())))
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, *sc)
	}
	dcql, err := oid4vp.ParseDCQL([]byte(`{"credentials":[{"id":"diploma","format":"dc+sd-jwt","meta":{"vct_values":["UniversityDegreeCredential"]}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	return &oid4vp.Request{DCQL: dcql}, held
}

// A credential known to be revoked (or expired) is not presented while
// another one answers the query; when it alone answers, it is chosen and
// the selection says what is known against it, for the consent screen.
func TestSelectWith_PrefersACredentialInGoodStanding(t *testing.T) {
	req, held := twoDiplomas(t)
	revokedFirst := func(sc *Stored) string {
		if sc.ID == held[0].ID {
			return StandingRevoked
		}
		return ""
	}
	sels, err := SelectWith(req, held, SelectOptions{Standing: revokedFirst})
	if err != nil || len(sels) != 1 || sels[0].Credential.ID != held[1].ID || sels[0].Standing != "" {
		t.Fatalf("with a good one held: %v %+v", err, sels)
	}
	sels, err = SelectWith(req, held[:1], SelectOptions{Standing: revokedFirst})
	if err != nil || len(sels) != 1 || sels[0].Standing != StandingRevoked {
		t.Fatalf("with only the revoked one: %v %+v", err, sels)
	}
	if got := Summarize(req, sels).Presented[0].Standing; got != StandingRevoked {
		t.Errorf("the summary's standing: %q", got)
	}
}

// Standing reads an expiry the wallet can see itself, and the verifier's
// status verdict; it knows nothing against a credential no one answers for.
func TestStanding_ExpiredOrRevoked(t *testing.T) {
	_, held := twoDiplomas(t)
	ctx := context.Background()
	sc := held[0]
	if got := Standing(ctx, nil, &sc, time.Now()); got != "" {
		t.Errorf("no verifier: %q", got)
	}
	if got := Standing(ctx, &localVerifier{revoked: true}, &sc, time.Now()); got != StandingRevoked {
		t.Errorf("revoked: %q", got)
	}
	sc.ValidUntil = "2020-01-01T00:00:00Z"
	if got := Standing(ctx, nil, &sc, time.Now()); got != StandingExpired {
		t.Errorf("expired: %q", got)
	}
}
