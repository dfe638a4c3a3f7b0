// Package credtest makes what the tests of wallets, verifiers and
// benchmarks sign: a did:key issuer (did:key v0.7 §3.1, so no ledger is
// needed to resolve it) and a small W3C VC Data Model 2.0 credential. It
// is for tests only.
package credtest

import (
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
