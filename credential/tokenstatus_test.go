package credential_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/jose"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/sdjwt"
	"github.com/weidgo/weid/status"
)

// tokens is a TokenStatusSource over fixed answers.
type tokens map[string]string

func (s tokens) StatusListToken(_ context.Context, uri string) (string, error) {
	tok, ok := s[uri]
	if !ok {
		return "", errs.New(http.StatusNotFound, "status.notFound", "no token at %s", uri)
	}
	return tok, nil
}

// lstOf is the "lst" of the Status List b (status.EncodeTokenList cannot
// fail: it writes to memory).
func lstOf(b []byte) string {
	lst, _ := status.EncodeTokenList(b)
	return lst
}

// The status check of an SD-JWT VC reads its Token Status List
// (draft-ietf-oauth-status-list-17 §8.3): the status at idx decides, and a
// token that is malformed, of the wrong typ, badly compressed, not the
// issuer's, of another uri, expired or too short fails the check with a
// code and a detail that say which.
func TestTokenStatus_VerifierChecksTheToken(t *testing.T) {
	e := newLedger(t)
	uni := e.issuer(t, keys.Ed25519, "Example University")
	other := e.User(t, keys.Ed25519)
	const uri = "https://node.example/status-lists/rev-1/token"
	const idx = 13 // byte 1, bit 5 (1 bit) or byte 3, bits 2-3 (2 bits)
	opts := credential.IssueOptions{State: e.l, Status: status.ReferenceClaim(idx, uri)}
	tok, err := credential.IssueSDJWT(ctx, signerOf(uni), diploma(t, uni.DID, "did:example:alice", nil), e.Now, opts, []string{"/credentialSubject/degree"}, e.resolver)
	if err != nil {
		t.Fatal(err)
	}
	at := e.Now.Add(time.Hour)
	iat := at.Add(-time.Minute).Unix()
	list := func(bits int, value byte) []byte {
		b := make([]byte, 16)
		bit := idx * bits
		b[bit/8] |= value << (bit % 8)
		return b
	}
	claims := func(mod func(m map[string]any)) map[string]any {
		m := map[string]any{"sub": uri, "iat": iat, "exp": at.Add(time.Hour).Unix(), "ttl": 300, "status_list": map[string]any{"bits": 1, "lst": lstOf(list(1, 0))}}
		if mod != nil {
			mod(m)
		}
		return m
	}
	sign := func(k *keys.PrivateKey, kid, typ string, c any) string {
		b, _ := json.Marshal(c)
		s, err := jose.Sign(k, jose.Header{Typ: typ, Kid: kid}, b)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	good := func(mod func(m map[string]any)) string { return sign(uni.Key, uni.VM(), status.TokenType, claims(mod)) }
	stranger, _ := keys.Generate(keys.Ed25519)
	cases := []struct {
		name, token, status, code, detail string
	}{
		{"valid", good(nil), "passed", credential.ReasonStatusOK, "valid (Token Status List " + uri + " index 13)"},
		{"revoked", good(func(m map[string]any) { m["status_list"] = map[string]any{"bits": 1, "lst": lstOf(list(1, 1))} }), "failed", credential.ReasonStatusRevoked, "0x01 INVALID"},
		{"suspended", good(func(m map[string]any) { m["status_list"] = map[string]any{"bits": 2, "lst": lstOf(list(2, 2))} }), "failed", credential.ReasonStatusSuspended, "0x02 SUSPENDED"},
		{"application-specific value", good(func(m map[string]any) { m["status_list"] = map[string]any{"bits": 2, "lst": lstOf(list(2, 3))} }), "failed", credential.ReasonStatusTokenValue, "the status is 0x03"},
		{"malformed", "not.a.token", "failed", credential.ReasonStatusTokenInvalid, "malformed JWS"},
		{"wrong typ", sign(uni.Key, uni.VM(), "JWT", claims(nil)), "failed", credential.ReasonStatusTokenInvalid, `"typ" must be "statuslist+jwt"`},
		{"bad zlib", good(func(m map[string]any) { m["status_list"] = map[string]any{"bits": 1, "lst": "AAAA"} }), "failed", credential.ReasonStatusTokenInvalid, "not ZLIB"},
		{"index out of range", good(func(m map[string]any) { m["status_list"] = map[string]any{"bits": 8, "lst": lstOf([]byte{0, 0})} }), "failed", credential.ReasonStatusTokenIndex, "index 13 is outside"},
		{"uri mismatch", good(func(m map[string]any) { m["sub"] = "https://node.example/status-lists/other/token" }), "failed", credential.ReasonStatusTokenSubject, "is the token of https://node.example/status-lists/other/token"},
		{"expired", good(func(m map[string]any) { m["exp"] = at.Add(-time.Second).Unix() }), "failed", credential.ReasonStatusTokenExpired, "expired at"},
		{"signed by another DID", sign(other.Key, other.VM(), status.TokenType, claims(nil)), "failed", credential.ReasonStatusTokenSignature, "not by a verification method of the credential's issuer"},
		{"the issuer's kid, another key", sign(stranger, uni.VM(), status.TokenType, claims(nil)), "failed", credential.ReasonStatusTokenSignature, "does not verify"},
	}
	for _, tc := range cases {
		v := e.verifier(at)
		v.TokenStatus = tokens{uri: tc.token}
		r := v.VerifySDJWT(ctx, tok, credential.Policy{})
		c := r.Checks[slicesIndex(r.Checks, credential.CheckStatus)]
		if c.Status != tc.status || c.Code != tc.code || !strings.Contains(c.Detail, tc.detail) {
			t.Errorf("%s: %s %s %q; want %s %s containing %q", tc.name, c.Status, c.Code, c.Detail, tc.status, tc.code, tc.detail)
		}
		if r.Verified != (tc.status == "passed") {
			t.Errorf("%s: verified %v", tc.name, r.Verified)
		}
	}
	// No token to be had: a warning, not a verdict.
	v := e.verifier(at)
	v.TokenStatus = tokens{}
	r := v.VerifySDJWT(ctx, tok, credential.Policy{})
	if c := r.Checks[slicesIndex(r.Checks, credential.CheckStatus)]; c.Status != "warning" || c.Code != credential.ReasonStatusTokenUnavailable || c.Params["uri"] != uri {
		t.Fatalf("no token: %+v", c)
	}
	// Issuing refuses a credentialStatus in an SD-JWT VC and a malformed
	// reference.
	withEntry := diploma(t, uni.DID, "did:example:alice", map[string]any{"credentialStatus": map[string]any{"type": "BitstringStatusListEntry"}})
	if _, err := credential.IssueSDJWT(ctx, signerOf(uni), withEntry, e.Now, credential.IssueOptions{}, nil, nil); err == nil || !strings.Contains(err.Error(), "Token Status List") {
		t.Fatalf("credentialStatus in an SD-JWT VC: %v", err)
	}
	if _, err := credential.IssueSDJWT(ctx, signerOf(uni), diploma(t, uni.DID, "did:example:alice", nil), e.Now, credential.IssueOptions{Status: map[string]any{"status_list": map[string]any{"idx": -1, "uri": uri}}}, nil, nil); err == nil {
		t.Fatal("a malformed status reference was issued")
	}
}

func slicesIndex(checks []credential.Check, name string) int {
	for i, c := range checks {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// revokedEverything is a StatusChecker that finds every entry set.
type revokedEverything struct{}

func (revokedEverything) CheckStatus(_ chain.Reader, _ string, e map[string]any) (credential.StatusOutcome, error) {
	p, _ := e["statusPurpose"].(string)
	return credential.StatusOutcome{Known: true, Purpose: p, Set: true, Where: "test list"}, nil
}

// SD-JWT VCs that weid issued before the Token Status List carry a W3C
// credentialStatus claim: it is still read.
func TestTokenStatus_LegacyCredentialStatusInSDJWTStillRead(t *testing.T) {
	e := newLedger(t)
	uni := e.issuer(t, keys.Ed25519, "Example University")
	claims := map[string]any{
		"iss": uni.DID, "iat": e.Now.Unix(), "nbf": e.Now.Unix(), "vct": "UniversityDegreeCredential", "sub": "did:example:alice", "degree": "BEng",
		"credentialStatus": map[string]any{"type": "BitstringStatusListEntry", "statusPurpose": "revocation", "statusListIndex": "5", "statusListCredential": "https://node.example/status-lists/old"},
	}
	body, _ := json.Marshal(claims)
	tok, err := sdjwt.Issue(uni.Key, uni.VM(), body, sdjwt.IssueOptions{Disclosable: []string{"/degree"}})
	if err != nil {
		t.Fatal(err)
	}
	v := e.verifier(e.Now.Add(time.Hour))
	v.Status = revokedEverything{}
	r := v.VerifySDJWT(ctx, tok, credential.Policy{})
	if c := r.Checks[slicesIndex(r.Checks, credential.CheckStatus)]; c.Status != "failed" || c.Code != credential.ReasonStatusRevoked || r.Verified {
		t.Fatalf("legacy credentialStatus: %+v", c)
	}
}
