package credential_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/keys"
)

// FuzzVerifyJWT checks that no token makes VerifyJWT panic, and that the
// result is always complete and consistent.
func FuzzVerifyJWT(f *testing.F) {
	e := newLedger(f)
	uni := e.issuer(f, keys.Ed25519, "Example University")
	good := issue(f, e, uni.signer(), diploma(f, uni.did, "did:example:alice", map[string]any{
		"credentialStatus": map[string]any{"id": "https://uni.example/status/1#2", "type": "BitstringStatusListEntry"},
	}))
	v := e.verifier(e.now.Add(time.Hour))
	v.ClockSkew = time.Minute
	parts := strings.Split(good, ".")
	enc := base64.RawURLEncoding.EncodeToString
	for _, s := range []string{
		good, "", ".", "..", "a.b.c", parts[0] + "." + parts[1] + ".",
		enc([]byte(`{"alg":"none","typ":"vc+jwt"}`)) + "." + parts[1] + ".",
		enc([]byte(`{"alg":"EdDSA","typ":"vc+jwt","kid":"did:key:z6Mk#z6Mk"}`)) + "." + parts[1] + "." + parts[2],
		enc([]byte(`{"alg":"ES256K","typ":"vc+jwt","kid":"did:jwk:eyJrdHkiOiJFQyJ9#0"}`)) + "." + parts[1] + "." + parts[2],
		parts[0] + "." + enc([]byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":"VerifiableCredential","issuer":"did:example:x","credentialSubject":{"a":[[[[1]]]]},"validFrom":"2026-01-01T00:00:00Z","exp":1e12}`)) + "." + parts[2],
		parts[0] + "." + enc([]byte(strings.Repeat("[", 70))) + "." + parts[2],
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		for _, p := range []credential.Policy{{}, {RequireAccreditation: true}} {
			r := v.VerifyJWT(ctx, tok, p)
			if len(r.Checks) != len(credential.CheckNames) {
				t.Fatalf("%d checks", len(r.Checks))
			}
			failures := 0
			for i, c := range r.Checks {
				if c.Name != credential.CheckNames[i] {
					t.Fatalf("check %d is %s", i, c.Name)
				}
				if c.Status == credential.StatusFailed {
					failures++
				}
			}
			if r.Verified != (failures == 0) || len(r.Errors) != failures {
				t.Fatalf("verified %v with %d failures", r.Verified, failures)
			}
			if r.Verified && tok != good {
				// Only the issuer's key can make a token that verifies.
				j, err := credential.ParseJWS(tok)
				if err != nil || j.Verify(uni.key.Public()) != nil {
					t.Fatalf("verified a token the issuer did not sign: %q", tok)
				}
			}
		}
	})
}
