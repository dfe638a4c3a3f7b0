package ldproof

import (
	"context"
	"crypto/elliptic"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/mr-tron/base58"

	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/keys"
)

func signer(t testing.TB, kt keys.Type) (*keys.PrivateKey, string) {
	t.Helper()
	k := keytest.New(t, kt)
	mb := k.Public().Multibase()
	return k, "did:key:" + mb + "#" + mb
}

// signFresh signs doc in cryptosuite with a new key of type kt (its
// did:key verification method) and returns the signed document and the
// key.
func signFresh(t testing.TB, doc []byte, cryptosuite string, kt keys.Type) ([]byte, *keys.PrivateKey) {
	t.Helper()
	k, vm := signer(t, kt)
	out, err := Sign(doc, Options{Cryptosuite: cryptosuite, Key: k, VerificationMethod: vm})
	if err != nil {
		t.Fatal(err)
	}
	return out, k
}

func wantCode(t *testing.T, err error, code, mention string) {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || e.Code != code || e.Status/100 != 4 {
		t.Fatalf("err = %v, want *errs.Error %s", err, code)
	}
	if !strings.Contains(e.Detail, mention) {
		t.Errorf("detail %q does not mention %q", e.Detail, mention)
	}
}

func TestSignVerify_RoundTripEverySuite(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		suite string
		kt    keys.Type
		doc   []byte
	}{
		{EdDSARDFC2022, keys.Ed25519, diploma},
		{EdDSAJCS2022, keys.Ed25519, diploma},
		{ECDSARDFC2019, keys.P256, diploma},
		{Ed25519Signature2020, keys.Ed25519, []byte(strings.Replace(string(diploma), `"https://www.w3.org/ns/credentials/examples/v2"]`, `"https://www.w3.org/ns/credentials/examples/v2", "https://w3id.org/security/suites/ed25519-2020/v1"]`, 1))},
	} {
		k, vm := signer(t, tc.kt)
		out, err := Sign(tc.doc, Options{Cryptosuite: tc.suite, Key: k, VerificationMethod: vm, Created: time.Now()})
		if err != nil {
			t.Fatalf("%s: %v", tc.suite, err)
		}
		res, err := Verify(context.Background(), out, didKeyResolver, VerifyOptions{})
		if err != nil || !res.Verified {
			t.Fatalf("%s: %v %+v", tc.suite, err, res)
		}
		// Any change to a claim breaks the proof.
		tampered := []byte(strings.Replace(string(out), "magna cum laude", "summa cum laude", 1))
		res, err = Verify(context.Background(), tampered, didKeyResolver, VerifyOptions{})
		if err != nil || res.Verified || res.Proofs[0].Code != ProofBadSignature {
			t.Errorf("%s: tampered document: %v %+v", tc.suite, err, res)
		}
	}
}

func TestVerify_ECDSAHighSAccepted(t *testing.T) {
	t.Parallel()
	out, _ := signFresh(t, diploma, ECDSARDFC2019, keys.P256)
	var d map[string]any
	_ = json.Unmarshal(out, &d)
	p := d["proof"].(map[string]any)
	sig, _ := base58.Decode(p["proofValue"].(string)[1:])
	s := new(big.Int).SetBytes(sig[32:])
	s.Sub(elliptic.P256().Params().N, s).FillBytes(sig[32:])
	p["proofValue"] = "z" + base58.Encode(sig)
	high, _ := json.Marshal(d)
	res, err := Verify(context.Background(), high, didKeyResolver, VerifyOptions{})
	if err != nil || !res.Verified {
		t.Fatalf("high-S signature: %v %+v", err, res)
	}
}

func TestSign_UnknownContextNamed(t *testing.T) {
	t.Parallel()
	k, vm := signer(t, keys.Ed25519)
	doc := []byte(`{"@context":["https://www.w3.org/ns/credentials/v2","https://evil.example/ctx"],"type":["VerifiableCredential"],"issuer":"did:example:1","credentialSubject":{"id":"did:example:2"}}`)
	_, err := Sign(doc, Options{Cryptosuite: EdDSARDFC2022, Key: k, VerificationMethod: vm})
	wantCode(t, err, CodeUnknownContext, "https://evil.example/ctx")
}

func TestSign_UndefinedTermNamed(t *testing.T) {
	t.Parallel()
	k, vm := signer(t, keys.Ed25519)
	doc := []byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"issuer":"did:example:1","credentialSubject":{"id":"did:example:2","favouriteColour":"blue"}}`)
	_, err := Sign(doc, Options{Cryptosuite: EdDSARDFC2022, Key: k, VerificationMethod: vm})
	wantCode(t, err, CodeUndefinedTerm, "favouriteColour")
	doc = []byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential","NoSuchType"],"issuer":"did:example:1","credentialSubject":{"id":"did:example:2"}}`)
	_, err = Sign(doc, Options{Cryptosuite: EdDSARDFC2022, Key: k, VerificationMethod: vm})
	wantCode(t, err, CodeUndefinedTerm, "NoSuchType")
	// VC 1.1 (its terms are defined in a type-scoped context of
	// VerifiableCredential): the undefined term is statusPurpose, not a
	// term that "type" brings into scope, such as issuer.
	doc11 := []byte(`{"@context":["https://www.w3.org/2018/credentials/v1","https://w3id.org/security/data-integrity/v2"],"type":"VerifiableCredential","issuer":"did:example:1","issuanceDate":"2025-07-01T00:00:00Z","credentialSubject":{"id":"did:example:2"},"credentialStatus":{"type":"https://example.org/#S","statusPurpose":"revocation"}}`)
	_, err = Sign(doc11, Options{Cryptosuite: EdDSARDFC2022, Key: k, VerificationMethod: vm})
	wantCode(t, err, CodeUndefinedTerm, `"statusPurpose"`)
	// JCS does no JSON-LD processing.
	if _, err := Sign(doc, Options{Cryptosuite: EdDSAJCS2022, Key: k, VerificationMethod: vm}); err != nil {
		t.Errorf("eddsa-jcs-2022: %v", err)
	}
}

func TestSign_OptionErrors(t *testing.T) {
	t.Parallel()
	k, vm := signer(t, keys.Ed25519)
	for _, tc := range []struct {
		o    Options
		code string
	}{
		{Options{Cryptosuite: "rsa-2025", Key: k, VerificationMethod: vm}, CodeInvalidOptions},
		{Options{Cryptosuite: ECDSARDFC2019, Key: k, VerificationMethod: vm}, CodeInvalidOptions},
		{Options{Cryptosuite: EdDSARDFC2022, VerificationMethod: vm}, CodeInvalidOptions},
		{Options{Cryptosuite: EdDSARDFC2022, Key: k}, CodeInvalidOptions},
		{Options{Cryptosuite: Ed25519Signature2020, Key: k, VerificationMethod: vm}, CodeInvalidOptions},
		{Options{Cryptosuite: EdDSARDFC2022, Key: k, VerificationMethod: vm, PreviousProof: []string{"urn:x"}}, CodeUnknownPreviousProof},
	} {
		if _, err := Sign(diploma, tc.o); errs.Code(err) != tc.code {
			t.Errorf("%+v: err = %v, want %s", tc.o.Cryptosuite, err, tc.code)
		}
	}
	if _, err := Sign(make([]byte, MaxDocumentBytes+1), Options{Cryptosuite: EdDSARDFC2022, Key: k, VerificationMethod: vm}); errs.Code(err) != CodeTooLarge {
		t.Errorf("large document: %v", err)
	}
}

func TestVerify_AuthenticationChallengeDomain(t *testing.T) {
	t.Parallel()
	k, vm := signer(t, keys.Ed25519)
	vp := []byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiablePresentation"],"holder":"did:example:holder"}`)
	out, err := Sign(vp, Options{Cryptosuite: EdDSARDFC2022, Key: k, VerificationMethod: vm, ProofPurpose: PurposeAuthentication, Challenge: "c-123", Domain: "https://verifier.example"})
	if err != nil {
		t.Fatal(err)
	}
	ok := VerifyOptions{ProofPurpose: PurposeAuthentication, Challenge: "c-123", Domain: "https://verifier.example"}
	if res, err := Verify(context.Background(), out, didKeyResolver, ok); err != nil || !res.Verified {
		t.Fatalf("%v %+v", err, res)
	}
	for _, tc := range []struct {
		o    VerifyOptions
		code string
	}{
		{VerifyOptions{ProofPurpose: PurposeAuthentication, Challenge: "other", Domain: ok.Domain}, ProofChallengeMismatch},
		{VerifyOptions{ProofPurpose: PurposeAuthentication, Challenge: ok.Challenge, Domain: "https://evil.example"}, ProofDomainMismatch},
		{VerifyOptions{}, ProofPurposeMismatch},
	} {
		res, err := Verify(context.Background(), out, didKeyResolver, tc.o)
		if err != nil || res.Verified || res.Proofs[0].Code != tc.code {
			t.Errorf("%+v: %v %+v", tc.o, err, res)
		}
	}
}

func TestVerify_BrokenChain(t *testing.T) {
	t.Parallel()
	k1, vm1 := signer(t, keys.Ed25519)
	k2, vm2 := signer(t, keys.Ed25519)
	one, err := Sign(diploma, Options{Cryptosuite: EdDSARDFC2022, Key: k1, VerificationMethod: vm1, ID: "urn:p1"})
	if err != nil {
		t.Fatal(err)
	}
	two, err := Sign(one, Options{Cryptosuite: EdDSARDFC2022, Key: k2, VerificationMethod: vm2, PreviousProof: []string{"urn:p1"}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Verify(context.Background(), two, didKeyResolver, VerifyOptions{})
	if err != nil || !res.Verified || len(res.Proofs) != 2 {
		t.Fatalf("%v %+v", err, res)
	}
	// The first proof's key no longer resolves: the chained proof fails too.
	revoked := func(ctx context.Context, vm, p string, c time.Time) (keys.PublicKey, error) {
		if vm == vm1 {
			return keys.PublicKey{}, errors.New("revoked")
		}
		return didKeyResolver(ctx, vm, p, c)
	}
	res, err = Verify(context.Background(), two, revoked, VerifyOptions{})
	if err != nil || res.Verified || res.Proofs[0].Code != ProofKeyNotResolved || res.Proofs[1].Code != ProofBrokenChain {
		t.Fatalf("%v %+v", err, res)
	}
	unsecured, proofs, err := Split(two)
	if err != nil || len(proofs) != 2 || strings.Contains(string(unsecured), "proof") {
		t.Fatalf("Split: %s %d %v", unsecured, len(proofs), err)
	}
}

func TestVerify_DocumentErrors(t *testing.T) {
	t.Parallel()
	for doc, code := range map[string]string{
		`{"a":1}`:                      CodeNoProof,
		`[1]`:                          CodeInvalidDocument,
		`{"a":1,"a":2}`:                CodeInvalidDocument,
		`{"proof":"x"}`:                CodeInvalidDocument,
		strings.Repeat("[", 100) + "]": CodeInvalidDocument,
	} {
		if _, err := Verify(context.Background(), []byte(doc), didKeyResolver, VerifyOptions{}); errs.Code(err) != code {
			t.Errorf("%.40s: %v, want %s", doc, err, code)
		}
	}
}

// TestVerify_LegacyEdDSA2022: a proof whose cryptosuite is eddsa-2022,
// the earlier name of eddsa-rdfc-2022 that deployed issuers still write,
// verifies as eddsa-rdfc-2022 (VC DI EdDSA §3.2); Sign does not make one.
func TestVerify_LegacyEdDSA2022(t *testing.T) {
	t.Parallel()
	k, vm := signer(t, keys.Ed25519)
	d, err := decodeDocument(diploma)
	if err != nil {
		t.Fatal(err)
	}
	options := map[string]any{"type": TypeDataIntegrityProof, "cryptosuite": "eddsa-2022", "created": "2024-01-01T00:00:00Z", "verificationMethod": vm, "proofPurpose": PurposeAssertionMethod}
	_, _, hash, err := suites[EdDSARDFC2022].hashData(d, options)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := k.Sign(hash)
	if err != nil {
		t.Fatal(err)
	}
	options["proofValue"] = "z" + base58.Encode(sig)
	d["proof"] = options
	doc, _ := json.Marshal(d)
	res, err := Verify(context.Background(), doc, didKeyResolver, VerifyOptions{})
	if err != nil || !res.Verified || res.Proofs[0].Cryptosuite != "eddsa-2022" {
		t.Fatalf("%v %+v", err, res)
	}
	// Tampered, it fails like any other.
	d["validUntil"] = "2075-01-01T00:00:00Z"
	doc, _ = json.Marshal(d)
	if res, err := Verify(context.Background(), doc, didKeyResolver, VerifyOptions{}); err != nil || res.Verified {
		t.Fatalf("tampered: %v %+v", err, res)
	}
	if _, err := Sign(diploma, Options{Cryptosuite: "eddsa-2022", Key: k, VerificationMethod: vm}); err == nil {
		t.Fatal("Sign made an eddsa-2022 proof")
	}
}
