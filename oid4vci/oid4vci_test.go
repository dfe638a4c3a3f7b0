package oid4vci

import (
	"errors"
	"strings"
	"testing"
)

func TestWellKnownURL(t *testing.T) {
	for _, c := range []struct{ id, kind, want string }{
		{"https://weid.example/issuers/acme/diploma", WellKnownIssuer, "https://weid.example/.well-known/openid-credential-issuer/issuers/acme/diploma"},
		{"https://weid.example", WellKnownIssuer, "https://weid.example/.well-known/openid-credential-issuer"},
		{"https://weid.example/", WellKnownAuthorizationServer, "https://weid.example/.well-known/oauth-authorization-server"},
		{"http://127.0.0.1:8080/issuers/a/b", WellKnownAuthorizationServer, "http://127.0.0.1:8080/.well-known/oauth-authorization-server/issuers/a/b"},
	} {
		if got, err := WellKnownURL(c.id, c.kind); err != nil || got != c.want {
			t.Errorf("%s: %s %v, want %s", c.id, got, err, c.want)
		}
	}
	for _, bad := range []string{"http://weid.example/x", "ftp://weid.example", "https://weid.example/x?y=1", "/issuers/x"} {
		if _, err := WellKnownURL(bad, WellKnownIssuer); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}

func TestParseOfferURI(t *testing.T) {
	o := &CredentialOffer{CredentialIssuer: "https://weid.example/issuers/acme/diploma", CredentialConfigurationIDs: []string{"diploma"},
		Grants: &Grants{PreAuthorizedCode: &PreAuthorizedCodeGrant{PreAuthorizedCode: "abc"}}}
	link, _ := OfferURI(o)
	got, ref, err := ParseOfferURI(link)
	if err != nil || ref != "" || got.Grants.PreAuthorizedCode.PreAuthorizedCode != "abc" {
		t.Fatalf("by value: %+v %q %v", got, ref, err)
	}
	if _, ref, err := ParseOfferURI(OfferRefURI("https://weid.example/o/1")); err != nil || ref != "https://weid.example/o/1" {
		t.Errorf("by reference: %q %v", ref, err)
	}
	for _, bad := range []string{
		"openid-credential-offer://",
		"openid-credential-offer://?credential_offer_uri=http%3A%2F%2Fevil.example%2Fo",
		"openid-credential-offer://?credential_offer=%7B%22credential_issuer%22%3A%22https%3A%2F%2Fx%22%7D",
		OfferRefURI("https://a.example/o") + "&credential_offer_uri=https%3A%2F%2Fb.example%2Fo",
	} {
		if _, _, err := ParseOfferURI(bad); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}

// TestParseCredentialRequest_RepeatedMemberRefused: a credential request
// naming credential_configuration_id or proofs twice is
// invalid_credential_request naming the member, not issued for the last.
func TestParseCredentialRequest_RepeatedMemberRefused(t *testing.T) {
	for member, body := range map[string]string{
		"credential_configuration_id": `{"credential_configuration_id":"nope","credential_configuration_id":"diploma-sd","proofs":{"jwt":["a.b.c"]}}`,
		"proofs":                      `{"credential_configuration_id":"diploma-sd","proofs":{"jwt":["a.b.c"]},"proofs":{"jwt":["d.e.f"]}}`,
		"jwt":                         `{"credential_configuration_id":"diploma-sd","proofs":{"jwt":["a.b.c"],"jwt":["d.e.f"]}}`,
	} {
		_, err := ParseCredentialRequest([]byte(body))
		var oe *Error
		if !errors.As(err, &oe) || oe.Code != ErrInvalidCredentialRequest || !strings.Contains(oe.Description, `member "`+member+`" appears twice`) {
			t.Errorf("%s twice: %v", member, err)
		}
	}
	if _, err := ParseCredentialRequest([]byte(`{"credential_configuration_id":"diploma-sd","proofs":{"jwt":["a.b.c"]}}`)); err != nil {
		t.Errorf("a plain request: %v", err)
	}
}

// TestParseOffer_RepeatedMemberRefused: an offer naming a member twice
// (two issuers, two codes) is refused, naming it, not read as the last.
func TestParseOffer_RepeatedMemberRefused(t *testing.T) {
	for member, body := range map[string]string{
		"credential_issuer": `{"credential_issuer":"https://weid.example/issuers/a/d","credential_issuer":"https://evil.example/i","credential_configuration_ids":["d"]}`,
		"pre-authorized_code": `{"credential_issuer":"https://weid.example/issuers/a/d","credential_configuration_ids":["d"],` +
			`"grants":{"urn:ietf:params:oauth:grant-type:pre-authorized_code":{"pre-authorized_code":"a","pre-authorized_code":"b"}}}`,
	} {
		if _, err := ParseOffer([]byte(body)); err == nil || !strings.Contains(err.Error(), `"`+member+`" appears twice`) {
			t.Errorf("%s twice: %v, want it refused naming it", member, err)
		}
	}
	if _, err := ParseOffer([]byte(`null`)); err == nil {
		t.Error("an offer null: accepted")
	}
}
