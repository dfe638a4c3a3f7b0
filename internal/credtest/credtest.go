// Package credtest makes what the tests of wallets, verifiers and
// benchmarks sign: a did:key issuer (did:key v0.7 §3.1, so no ledger is
// needed to resolve it) and a small W3C VC Data Model 2.0 credential; and
// it reads and forges JWT payloads (Payload, Tampered). It is for tests
// only.
package credtest

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/keys"
)

// Issuer is a new did:key issuer with a key of type kt, signing locally
// with its one verification method.
func Issuer(t testing.TB, kt keys.Type) credential.Signer {
	t.Helper()
	k, err := keys.Generate(kt)
	if err != nil {
		t.Fatal(err)
	}
	d := did.KeyDID(k.Public())
	return credential.Signer{DID: d, VerificationMethod: d + "#" + k.Public().Multibase(), Key: k}
}

// Credential is an unsigned credential of type typ (and id urn:uuid:typ)
// from issuer about subject, with validUntil unless it is "". Its type and
// claim are no context's terms, so it names the undefined-terms context
// last (VC Data Model 2.0 §5.2).
func Credential(issuer, subject, typ, validUntil string) []byte {
	vu := ""
	if validUntil != "" {
		vu = `,"validUntil":"` + validUntil + `"`
	}
	return []byte(`{"@context":["` + credential.ContextV2 + `","` + credential.ContextUndefinedTerms + `"],"id":"urn:uuid:` + typ + `","type":["VerifiableCredential","` + typ + `"],` +
		`"issuer":"` + issuer + `"` + vu + `,"credentialSubject":{"id":"` + subject + `","course":"First aid"}}`)
}

// Payload is the JSON object in the payload of the compact JWS jwt.
func Payload(t testing.TB, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("%q is not a compact JWS", jwt)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// Tampered is the compact JWS jwt with its payload changed by edit and its
// signature kept: a forgery a proof check must catch.
func Tampered(t testing.TB, jwt string, edit func(payload map[string]any)) string {
	t.Helper()
	m := Payload(t, jwt)
	edit(m)
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(jwt, ".")
	parts[1] = base64.RawURLEncoding.EncodeToString(raw)
	return strings.Join(parts, ".")
}
