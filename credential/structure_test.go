package credential_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/keys"
)

// signed returns a JWS of payload signed by a fresh did:key-less key: the
// structure check runs before any key is looked up.
func signed(t testing.TB, payload string) string {
	t.Helper()
	k, _ := keys.Generate(keys.Ed25519)
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"EdDSA","typ":"vc+jwt","kid":"did:example:x#k"}`))
	p := base64.RawURLEncoding.EncodeToString([]byte(payload))
	sig, _ := k.Sign([]byte(h + "." + p))
	return h + "." + p + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func TestStructureFailures(t *testing.T) {
	e := newLedger(t)
	v := e.verifier(e.Now)
	deep := strings.Repeat("[", 100) + strings.Repeat("]", 100)
	ok := `"@context":["https://www.w3.org/ns/credentials/v2"],"type":"VerifiableCredential","issuer":"did:example:x"`
	long := `[` + strings.Repeat(`1,`, credential.MaxArrayLength) + `1]`
	for name, tok := range map[string]string{
		"empty":             "",
		"garbage":           "not a token at all",
		"three dots":        "a.b.c",
		"huge":              strings.Repeat("A", credential.MaxTokenBytes+1),
		"huge segments":     strings.Repeat("A", credential.MaxTokenBytes/2) + "." + strings.Repeat("A", credential.MaxTokenBytes/2) + ".AA",
		"unicode":           "é.é.é",
		"payload not JSON":  signed(t, `hello`),
		"payload array":     signed(t, `[1,2]`),
		"deep":              signed(t, `{`+ok+`,"credentialSubject":{"x":`+deep+`}}`),
		"deep objects":      signed(t, `{`+ok+`,"credentialSubject":`+strings.Repeat(`{"a":`, 100)+"1"+strings.Repeat("}", 100)+`}`),
		"long array":        signed(t, `{`+ok+`,"credentialSubject":{"x":`+long+`}}`),
		"duplicate issuer":  signed(t, `{`+ok+`,"issuer":"did:example:y","credentialSubject":{"a":1}}`),
		"no subject":        signed(t, `{`+ok+`}`),
		"empty subject":     signed(t, `{`+ok+`,"credentialSubject":{}}`),
		"subject string":    signed(t, `{`+ok+`,"credentialSubject":"alice"}`),
		"subject array str": signed(t, `{`+ok+`,"credentialSubject":[{"a":1},"b"]}`),
		"issuer number":     signed(t, `{"@context":["https://www.w3.org/ns/credentials/v2"],"type":"VerifiableCredential","issuer":7,"credentialSubject":{"a":1}}`),
		"issuer not URL":    signed(t, `{"@context":["https://www.w3.org/ns/credentials/v2"],"type":"VerifiableCredential","issuer":"Example Univ","credentialSubject":{"a":1}}`),
		"issuer bad DID":    signed(t, `{"@context":["https://www.w3.org/ns/credentials/v2"],"type":"VerifiableCredential","issuer":"did:Bad","credentialSubject":{"a":1}}`),
		"issuer object":     signed(t, `{"@context":["https://www.w3.org/ns/credentials/v2"],"type":"VerifiableCredential","issuer":{"name":"x"},"credentialSubject":{"a":1}}`),
		"context string":    signed(t, `{"@context":"https://www.w3.org/ns/credentials/v2","type":"VerifiableCredential","issuer":"did:example:x","credentialSubject":{"a":1}}`),
		"context second":    signed(t, `{"@context":["https://example.org/x","https://www.w3.org/ns/credentials/v2"],"type":"VerifiableCredential","issuer":"did:example:x","credentialSubject":{"a":1}}`),
		"context item num":  signed(t, `{"@context":["https://www.w3.org/ns/credentials/v2",5],"type":"VerifiableCredential","issuer":"did:example:x","credentialSubject":{"a":1}}`),
		"type missing VC":   signed(t, `{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["Diploma"],"issuer":"did:example:x","credentialSubject":{"a":1}}`),
		"type empty":        signed(t, `{"@context":["https://www.w3.org/ns/credentials/v2"],"type":[],"issuer":"did:example:x","credentialSubject":{"a":1}}`),
		"validFrom no zone": signed(t, `{`+ok+`,"credentialSubject":{"a":1},"validFrom":"2026-01-01T00:00:00"}`),
		"validFrom date":    signed(t, `{`+ok+`,"credentialSubject":{"a":1},"validFrom":"2026-01-01"}`),
		"validFrom number":  signed(t, `{`+ok+`,"credentialSubject":{"a":1},"validFrom":1700000000}`),
		"validFrom month13": signed(t, `{`+ok+`,"credentialSubject":{"a":1},"validFrom":"2026-13-01T00:00:00Z"}`),
		"until < from":      signed(t, `{`+ok+`,"credentialSubject":{"a":1},"validFrom":"2026-01-02T00:00:00Z","validUntil":"2026-01-01T00:00:00Z"}`),
		"schema no id":      signed(t, `{`+ok+`,"credentialSubject":{"a":1},"credentialSchema":{"type":"JsonSchema"}}`),
		"schema no type":    signed(t, `{`+ok+`,"credentialSubject":{"a":1},"credentialSchema":{"id":"https://x.example/s"}}`),
		"schema string":     signed(t, `{`+ok+`,"credentialSubject":{"a":1},"credentialSchema":"https://x.example/s"}`),
		"status no type":    signed(t, `{`+ok+`,"credentialSubject":{"a":1},"credentialStatus":{"id":"https://x.example/s#1"}}`),
		"iss mismatch":      signed(t, `{`+ok+`,"credentialSubject":{"a":1},"iss":"did:example:y"}`),
		"exp string":        signed(t, `{`+ok+`,"credentialSubject":{"a":1},"exp":"tomorrow"}`),
		"exp huge":          signed(t, `{`+ok+`,"credentialSubject":{"a":1},"exp":1e300}`),
		"trailing":          signed(t, `{`+ok+`,"credentialSubject":{"a":1}} x`),
	} {
		r := v.VerifyJWT(ctx, tok, credential.Policy{})
		st := statuses(t, r)
		if st[credential.CheckStructure] != failed || r.Verified || r.Credential != nil {
			t.Errorf("%s: structure %s verified %v\n%s", name, st[credential.CheckStructure], r.Verified, dump(r))
			continue
		}
		for _, n := range credential.CheckNames[1:] {
			if st[n] != skipped {
				t.Errorf("%s: %s is %s after a structure failure", name, n, st[n])
			}
		}
		if len(r.Errors) != 1 || r.Errors[0].Detail == "" {
			t.Errorf("%s: errors %+v", name, r.Errors)
		}
	}
	// Well-formed edge cases are accepted by Parse.
	for name, doc := range map[string]string{
		"subject array":   `{` + ok + `,"credentialSubject":[{"a":1},{"b":2}]}`,
		"inline context":  `{"@context":["https://www.w3.org/ns/credentials/v2",{"@vocab":"https://x.example/#"}],"type":"VerifiableCredential","issuer":"https://x.example","credentialSubject":{"a":1}}`,
		"fractional time": `{` + ok + `,"credentialSubject":{"a":1},"validFrom":"2026-01-01T00:00:00.123+08:00"}`,
		"big number":      `{` + ok + `,"credentialSubject":{"a":123456789012345678901234567890}}`,
	} {
		if _, err := credential.Parse([]byte(doc)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := credential.Parse([]byte(`{}`)); !errors.Is(err, credential.ErrInvalid) {
		t.Errorf("Parse({}): %v", err)
	}
}

func TestParseSchemaURL(t *testing.T) {
	for s, want := range map[string][2]uint64{
		"https://weid.example/v1/schemas/2":                {2, 0},
		"http://127.0.0.1:8080/v1/schemas/1000/versions/3": {1000, 3},
	} {
		id, v, ok := credential.ParseSchemaURL(s)
		if !ok || id != want[0] || v != want[1] {
			t.Errorf("%s: %d %d %v", s, id, v, ok)
		}
	}
	for _, s := range []string{
		"https://weid.example/v1/schemas/", "https://weid.example/v1/schemas/0", "https://weid.example/v1/schemas/02",
		"https://weid.example/v1/schemas/2/", "https://weid.example/v1/schemas/2?x=1", "https://weid.example/v1/schemas/2#f",
		"https://weid.example/v1/schemas/2/versions/0", "https://weid.example/v2/schemas/2", "ftp://weid.example/v1/schemas/2",
		"did:example:x", "https://weid.example/v1/schemas/-1", "https://weid.example/v1/schemas/99999999999999999999",
		"https://weid.example/v1/schemas/2/versions/1/x", "/v1/schemas/2",
	} {
		if _, _, ok := credential.ParseSchemaURL(s); ok {
			t.Errorf("%s accepted", s)
		}
	}
}

// TestVerifyCancelled: a cancelled context is the verifier's failure,
// reported in Result.Err, not a property of the credential.
func TestVerifyCancelled(t *testing.T) {
	e := newLedger(t)
	k, _ := keys.Generate(keys.Ed25519)
	id := "did:key:" + k.Public().Multibase()
	tok, err := credential.IssueJWT(credential.Signer{DID: id, VerificationMethod: id + "#" + k.Public().Multibase(), Key: k},
		diploma(t, id, "did:example:a", nil), e.Now, credential.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c, cancel := contextWithCancel()
	cancel()
	r := e.verifier(e.Now.Add(time.Minute)).VerifyJWT(c, tok, credential.Policy{})
	if r.Verified || r.Err == nil {
		t.Fatalf("verified %v err %v\n%s", r.Verified, r.Err, dump(r))
	}
}

func TestParseVC11(t *testing.T) {
	ok := `{"@context":["https://www.w3.org/2018/credentials/v1"],"type":["VerifiableCredential"],"issuer":"did:example:i","issuanceDate":"2026-01-01T00:00:00Z","expirationDate":"2027-01-01T00:00:00Z","credentialSubject":{"name":"A"}}`
	c, err := credential.Parse([]byte(ok))
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != 1 || c.ValidFrom.Year() != 2026 || c.ValidUntil.Year() != 2027 {
		t.Fatalf("%+v", c)
	}
	for name, doc := range map[string]string{
		"no issuanceDate":       `{"@context":["https://www.w3.org/2018/credentials/v1"],"type":["VerifiableCredential"],"issuer":"did:example:i","credentialSubject":{"name":"A"}}`,
		"v2 validFrom":          `{"@context":["https://www.w3.org/2018/credentials/v1"],"type":["VerifiableCredential"],"issuer":"did:example:i","issuanceDate":"2026-01-01T00:00:00Z","validFrom":"2026-01-01T00:00:00Z","credentialSubject":{"name":"A"}}`,
		"expired before issued": `{"@context":["https://www.w3.org/2018/credentials/v1"],"type":["VerifiableCredential"],"issuer":"did:example:i","issuanceDate":"2026-01-01T00:00:00Z","expirationDate":"2025-01-01T00:00:00Z","credentialSubject":{"name":"A"}}`,
	} {
		if _, err := credential.Parse([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// vc+jwt is VC 2.0 only.
	k, _ := keys.Generate(keys.Ed25519)
	if _, err := credential.IssueJWT(credential.Signer{DID: "did:example:i", VerificationMethod: "did:example:i#k", Key: k}, []byte(ok), time.Now(), credential.IssueOptions{}); err == nil {
		t.Error("a VC 1.1 credential was issued as vc+jwt")
	}
}

// TestParseIssuerNullIsNotAbsent: VC DM 2.0 §4.7 — an explicit null issuer
// is a value of the wrong kind, and the error says so rather than calling
// it missing.
func TestParseIssuerNullIsNotAbsent(t *testing.T) {
	base := `{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"credentialSubject":{"id":"did:example:s"}`
	for body, want := range map[string]string{
		base + `,"issuer":null}`: `"issuer" is null`,
		base + `}`:               `no "issuer"`,
	} {
		_, err := credential.Parse([]byte(body))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", body, err, want)
		}
	}
}

// TestParseIssuerDIDSchemeAnyCase: URI schemes are case-insensitive (RFC
// 3986 §3.1), so an issuer "DID:weid:…" names the did scheme, whose
// syntax is lowercase (DID Core 1.0 §3.1): it is an invalid DID, not a
// URL that is not a DID — else a declared issuer instance would sign it
// and verifiers only warn that it "is not a DID", while it reads as
// another party's DID.
func TestParseIssuerDIDSchemeAnyCase(t *testing.T) {
	base := `{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"credentialSubject":{"id":"did:example:s"},"issuer":`
	for _, iss := range []string{"DID:weid:1:0x9b400fbf200040e24c176f75ea6282f4d19f3ed0", "Did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"} {
		_, err := credential.Parse([]byte(base + `"` + iss + `"}`))
		if err == nil || !strings.Contains(err.Error(), "invalid DID") {
			t.Errorf("%s: %v, want an invalid DID", iss, err)
		}
	}
}
