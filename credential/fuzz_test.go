package credential_test

import (
	"encoding/base64"
	"encoding/json"
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
	good := issue(f, e, signerOf(uni), diploma(f, uni.DID, "did:example:alice", map[string]any{
		"credentialStatus": map[string]any{"id": "https://uni.example/status/1#2", "type": "BitstringStatusListEntry"},
	}))
	v := e.verifier(e.Now.Add(time.Hour))
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
				if err != nil || j.Verify(uni.Key.Public()) != nil {
					t.Fatalf("verified a token the issuer did not sign: %q", tok)
				}
			}
		}
	})
}

// FuzzVerifyPresentation checks that no input makes VerifyPresentation
// panic, that its checks are complete, and that nothing verifies with a
// holder proof unless the holder signed it.
func FuzzVerifyPresentation(f *testing.F) {
	e := newLedger(f)
	uni := e.issuer(f, keys.Ed25519, "Example University")
	alice := e.User(f, keys.Ed25519)
	tok := issue(f, e, signerOf(uni), diploma(f, uni.DID, alice.DID, nil))
	signed, err := credential.SignPresentationJWT(signerOf(alice), vp(f, "", tok), "c", "d", e.Now)
	if err != nil {
		f.Fatal(err)
	}
	v := e.verifier(e.Now.Add(time.Hour))
	str := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	for _, s := range []string{
		str(signed), string(vp(f, alice.DID, tok)), str(signed + "~"), `{"type":"EnvelopedVerifiablePresentation","id":"data:application/vp+jwt,e30"}`,
		`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":"VerifiablePresentation","verifiableCredential":[{"proof":{}}]}`, `"a.b.c"`, `{}`, `[]`, `null`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		r, err := v.VerifyPresentation(ctx, json.RawMessage(raw), credential.PresentationOptions{Challenge: "c", Domain: "d"})
		if err != nil {
			return
		}
		if len(r.Checks) != len(credential.PresentationCheckNames) {
			t.Fatalf("%d checks: %+v", len(r.Checks), r.Checks)
		}
		for i, c := range r.Checks {
			if c.Name != credential.PresentationCheckNames[i] {
				t.Fatalf("check %d is %s", i, c.Name)
			}
		}
		if r.Verified && raw != str(signed) {
			// Reordered JSON of the same token is fine; anything else that
			// verifies must carry a signature of alice.
			var s string
			if json.Unmarshal([]byte(raw), &s) != nil || s != signed {
				t.Fatalf("verified %q", raw)
			}
		}
	})
}

// FuzzParse checks that no document makes Parse panic (its readers of
// language value objects, typed objects, relatedResource digests), and
// that what it accepts it accepts again once re-encoded.
func FuzzParse(f *testing.F) {
	base := `"@context":["https://www.w3.org/ns/credentials/v2",{"ex":"https://example.org/#ex"}],"type":"VerifiableCredential","issuer":{"id":"did:example:x","name":{"@value":"X","@language":"en","@direction":"ltr"}},"credentialSubject":{"a":1}`
	for _, s := range []string{
		`{` + base + `}`,
		`{` + base + `,"relatedResource":{"id":"https://www.w3.org/ns/credentials/v2","digestSRI":"sha384-AAAA"}}`,
		`{` + base + `,"relatedResource":[{"id":"https://x.example/a","digestMultibase":"uEiA` + strings.Repeat("A", 43) + `"}]}`,
		`{` + base + `,"relatedResource":{"id":"https://x.example/a","digestMultibase":"z` + strings.Repeat("1", 40) + `"}}`,
		`{` + base + `,"evidence":[{"type":"T"},{"type":["A","B"],"id":"urn:x"}],"termsOfUse":{"type":"P"},"refreshService":{"type":"R"}}`,
		`{` + base + `,"name":[{"@value":"a","@language":"zh-Hans-CN"},"b"],"description":{"@value":"d"}}`,
		`{` + base + `,"credentialSchema":{"id":"https://x.example/s","type":["JsonSchema"]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := credential.Parse(b)
		if err != nil {
			return
		}
		again, err := json.Marshal(c.Doc)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := credential.Parse(again); err != nil && len(again) <= credential.MaxCredentialBytes {
			t.Fatalf("accepted %s but not its re-encoding %s: %v", b, again, err)
		}
	})
}
