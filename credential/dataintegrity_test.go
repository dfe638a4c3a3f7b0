package credential

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/internal/divectors"
	"github.com/weidgo/weid/internal/keytest"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/ldproof"
)

// vectorKey is the key pair of the test vectors: the secret key multibase
// is the multicodec ed25519-priv (0x1300) prefix and the 32-byte seed.
func vectorKey(t testing.TB) *keys.PrivateKey {
	t.Helper()
	var kp struct {
		PublicKeyMultibase  string `json:"publicKeyMultibase"`
		PrivateKeyMultibase string `json:"privateKeyMultibase"`
	}
	if err := json.Unmarshal(divectors.Read(t, "keyPair.json"), &kp); err != nil {
		t.Fatal(err)
	}
	codec, seed, err := keys.DecodeMultikey(kp.PrivateKeyMultibase)
	if err != nil {
		t.Fatal(err)
	}
	if codec != 0x1300 || len(seed) != 32 {
		t.Fatalf("private key multicodec 0x%x with %d bytes, want ed25519-priv 0x1300 with 32", codec, len(seed))
	}
	k, err := keys.PrivateKeyFromSeed(keys.Ed25519, seed)
	if err != nil {
		t.Fatal(err)
	}
	if got := k.Public().Multibase(); got != kp.PublicKeyMultibase {
		t.Fatalf("public key %s, want %s", got, kp.PublicKeyMultibase)
	}
	return k
}

func mustObject(t testing.TB, b []byte) map[string]any {
	t.Helper()
	m, err := decodeObject(b, credentialLimits)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func keyVerifier() *Verifier {
	return &Verifier{
		Resolver: did.NewResolver(map[string]did.MethodResolver{"key": did.KeyMethod{}}),
		Now:      func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) },
	}
}

func diStatuses(r *Result) map[string]string {
	m := map[string]string{}
	for _, c := range r.Checks {
		m[c.Name] = c.Status
	}
	return m
}

func diDump(r *Result) string {
	b, _ := json.MarshalIndent(r.Checks, "", "  ")
	return string(b)
}

func checkResult(t *testing.T, r *Result) {
	t.Helper()
	if len(r.Checks) != len(CheckNames) {
		t.Fatalf("%d checks: %s", len(r.Checks), diDump(r))
	}
	failures := 0
	for i, c := range r.Checks {
		if c.Name != CheckNames[i] {
			t.Fatalf("check %d is %s", i, c.Name)
		}
		if c.Status == StatusFailed {
			failures++
		}
	}
	if r.Verified != (failures == 0) || len(r.Errors) != failures {
		t.Fatalf("verified %v with %d failures", r.Verified, failures)
	}
}

// TestDataIntegrityVectors reproduces the eddsa-jcs-2022 test vectors of
// VC DI EdDSA byte for byte and verifies the vectors' signed credential.
func TestDataIntegrityVectors(t *testing.T) {
	key := vectorKey(t)
	doc := mustObject(t, divectors.Read(t, "unsigned.json"))
	options := mustObject(t, divectors.Read(t, "eddsa-jcs-2022/proofConfigJCS.json"))
	text := func(name string) []byte { return bytes.TrimRight(divectors.Read(t, "eddsa-jcs-2022/"+name), "\r\n") }

	// The hashes and signature are reproduced byte for byte by package
	// ldproof's vector tests; here the signed vector goes through the
	// named checks, and signing it again gives its proofValue.
	_, _, _ = key, doc, options
	signedAgain, err := ldproof.Sign(divectors.Read(t, "unsigned.json"), ldproof.Options{Cryptosuite: CryptosuiteEdDSAJCS2022, Key: key,
		VerificationMethod: options["verificationMethod"].(string), ProofPurpose: ProofPurposeAssertionMethod, Created: mustTime(t, options["created"].(string))})
	if err != nil {
		t.Fatal(err)
	}
	pv, _ := mustObject(t, signedAgain)["proof"].(map[string]any)["proofValue"].(string)
	_ = text
	signed := mustObject(t, divectors.Read(t, "eddsa-jcs-2022/signedJCS.json"))
	if got, _ := signed["proof"].(map[string]any)["proofValue"].(string); got != pv {
		t.Errorf("signed credential's proofValue %s, want %s", got, pv)
	}

	// The signed credential verifies; its issuer is not a DID, so nothing
	// binds it to the key (a warning).
	v := keyVerifier()
	r := v.VerifyDataIntegrity(context.Background(), divectors.Read(t, "eddsa-jcs-2022/signedJCS.json"), Policy{})
	checkResult(t, r)
	st := diStatuses(r)
	if !r.Verified || st[CheckStructure] != StatusPassed || st[CheckProof] != StatusPassed || st[CheckIssuerBinding] != StatusWarning {
		t.Fatalf("vector credential:\n%s", diDump(r))
	}
	t.Logf("vector credential:\n%s", diDump(r))
	r = v.VerifyDataIntegrity(context.Background(), divectors.Read(t, "eddsa-jcs-2022/signedJCS.json"), Policy{RequireBinding: true})
	if r.Verified || diStatuses(r)[CheckIssuerBinding] != StatusFailed {
		t.Fatalf("vector credential under RequireBinding:\n%s", diDump(r))
	}

	// A proof @context that does not begin the document's fails.
	signed["proof"].(map[string]any)["@context"] = []any{"https://www.w3.org/ns/credentials/examples/v2"}
	b, _ := json.Marshal(signed)
	r = v.VerifyDataIntegrity(context.Background(), b, Policy{})
	if st := diStatuses(r); st[CheckProof] != StatusFailed || !strings.Contains(r.Checks[1].Detail, "@context") {
		t.Fatalf("proof @context mismatch:\n%s", diDump(r))
	}
}

type keyIssuer struct {
	key *keys.PrivateKey
	did string
}

func newKeyIssuer(t testing.TB) *keyIssuer {
	t.Helper()
	k := keytest.New(t, keys.Ed25519)
	return &keyIssuer{key: k, did: did.KeyDID(k.Public())}
}

func (k *keyIssuer) vm() string { return k.did + "#" + k.key.Public().Multibase() }

func (k *keyIssuer) signer() Signer {
	return Signer{DID: k.did, VerificationMethod: k.vm(), Key: k.key}
}

func diCredential(t testing.TB, issuer string) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"@context":          []any{ContextV2, "https://www.w3.org/ns/credentials/examples/v2"},
		"id":                "urn:uuid:0b6c3f2e-7d0a-4b1f-9c52-6e8a4d1f2b90",
		"type":              []any{"VerifiableCredential", "ExampleDegreeCredential"},
		"issuer":            issuer,
		"validFrom":         "2025-07-01T00:00:00Z",
		"credentialSubject": map[string]any{"id": "did:example:alice", "degree": "Bachelor of Engineering", "gpa": 3.75},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// forge signs doc with key as verification method vm, bypassing the
// checks of SignDataIntegrityJCS (the issuer need not be the signer).
func forge(t testing.TB, key *keys.PrivateKey, doc json.RawMessage, vm string) json.RawMessage {
	t.Helper()
	b, err := ldproof.Sign(doc, ldproof.Options{Cryptosuite: CryptosuiteEdDSAJCS2022, Key: key, VerificationMethod: vm, ProofPurpose: ProofPurposeAssertionMethod})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func TestDataIntegrityRoundTrip(t *testing.T) {
	ctx := context.Background()
	v := keyVerifier()
	iss := newKeyIssuer(t)
	created := time.Date(2025, 7, 1, 8, 30, 15, 123, time.FixedZone("", 8*3600))
	signed, err := SignDataIntegrityJCS(iss.signer(), diCredential(t, iss.did), created)
	if err != nil {
		t.Fatal(err)
	}
	r := v.VerifyDataIntegrity(ctx, signed, Policy{})
	checkResult(t, r)
	st := diStatuses(r)
	if !r.Verified || st[CheckProof] != StatusPassed || st[CheckIssuerBinding] != StatusPassed || st[CheckValidityPeriod] != StatusPassed || st[CheckStatus] != StatusSkipped {
		t.Fatalf("round trip:\n%s\n%s", diDump(r), signed)
	}
	proof := mustObject(t, signed)["proof"].(map[string]any)
	if proof["created"] != "2025-07-01T00:30:15Z" || proof["type"] != ProofTypeDataIntegrity || proof["cryptosuite"] != CryptosuiteEdDSAJCS2022 ||
		proof["proofPurpose"] != ProofPurposeAssertionMethod || proof["verificationMethod"] != iss.vm() {
		t.Fatalf("proof %v", proof)
	}
	// Without created, and with the members of the document reordered and
	// reformatted: JCS makes the signature independent of both.
	plain, err := SignDataIntegrityJCS(iss.signer(), diCredential(t, iss.did), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := mustObject(t, plain)["proof"].(map[string]any)["created"]; ok {
		t.Fatal("created present")
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, plain, "", "\t"); err != nil {
		t.Fatal(err)
	}
	if r := v.VerifyDataIntegrity(ctx, buf.Bytes(), Policy{}); !r.Verified {
		t.Fatalf("reformatted:\n%s", diDump(r))
	}
	// The document's members keep their order and form; the proof is
	// added last, even after a nested object.
	src := []byte(" {\"@context\": [\"" + ContextV2 + "\", \"" + ContextUndefinedTerms + "\"], \"type\": \"VerifiableCredential\", \"issuer\": \"" + iss.did + "\",\n \"credentialSubject\": {\"n\": 1.50, \"o\": {}}}\n")
	out, err := SignDataIntegrityJCS(iss.signer(), src, created)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte(`{"n": 1.50, "o": {}}`)) || !bytes.HasSuffix(out, []byte("\"}}")) {
		t.Fatalf("signed %s", out)
	}
	if r := v.VerifyDataIntegrity(ctx, out, Policy{}); !r.Verified {
		t.Fatalf("nested last member:\n%s\n%s", diDump(r), out)
	}
	// A proof in a one-element array is accepted.
	d := mustObject(t, signed)
	d["proof"] = []any{d["proof"]}
	b, _ := json.Marshal(d)
	if r := v.VerifyDataIntegrity(ctx, b, Policy{}); !r.Verified {
		t.Fatalf("proof array:\n%s", diDump(r))
	}
}

func TestDataIntegrityFailures(t *testing.T) {
	ctx := context.Background()
	v := keyVerifier()
	iss := newKeyIssuer(t)
	other := newKeyIssuer(t)
	signed, err := SignDataIntegrityJCS(iss.signer(), diCredential(t, iss.did), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	edit := func(f func(d, proof map[string]any)) json.RawMessage {
		d := mustObject(t, signed)
		f(d, d["proof"].(map[string]any))
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		name   string
		doc    json.RawMessage
		check  string
		detail string
	}{
		{"tampered claim", edit(func(d, _ map[string]any) {
			d["credentialSubject"].(map[string]any)["degree"] = "Doctor of Philosophy"
		}), CheckProof, "does not verify"},
		{"tampered number", edit(func(d, _ map[string]any) {
			d["credentialSubject"].(map[string]any)["gpa"] = 4.0
		}), CheckProof, "does not verify"},
		{"tampered created", edit(func(_, p map[string]any) { p["created"] = "2020-01-01T00:00:00Z" }), CheckProof, "does not verify"},
		{"wrong cryptosuite", edit(func(_, p map[string]any) { p["cryptosuite"] = "eddsa-rdfc-2022" }), CheckProof, "eddsa-rdfc-2022 signature does not verify"},
		{"wrong proof type", edit(func(_, p map[string]any) { p["type"] = "Ed25519Signature2020" }), CheckProof, "Ed25519Signature2020 proof with a cryptosuite"},
		{"wrong proof type, no cryptosuite", edit(func(_, p map[string]any) { p["type"] = "Ed25519Signature2020"; delete(p, "cryptosuite") }), CheckProof, "Ed25519Signature2020 signature does not verify"},
		{"wrong purpose", edit(func(_, p map[string]any) { p["proofPurpose"] = "authentication" }), CheckProof, "proofPurpose"},
		{"no proof", edit(func(d, _ map[string]any) { delete(d, "proof") }), CheckProof, "no proof"},
		{"bad proofValue", edit(func(_, p map[string]any) { p["proofValue"] = "u" + p["proofValue"].(string)[1:] }), CheckProof, "multibase"},
		{"short proofValue", edit(func(_, p map[string]any) { p["proofValue"] = "z3yMApqCuCjXDWPrbjfR5mjCPTHqFG8Pux1TxQrEM35jj" }), CheckProof, "64-byte"},
		{"unknown method", edit(func(_, p map[string]any) { p["verificationMethod"] = iss.did + "#nope" }), CheckProof, "is not an assertionMethod"},
		{"other key same method", forge(t, other.key, diCredential(t, iss.did), iss.vm()), CheckProof, "does not verify"},
		{"proof by another key", forge(t, other.key, diCredential(t, iss.did), other.vm()), CheckIssuerBinding, "signed by a key of " + other.did},
		{"unresolvable method", forge(t, other.key, diCredential(t, iss.did), "did:web:example.com#key-1"), CheckProof, "resolving did:web:example.com"},
		{"not JSON", json.RawMessage(`{"proof":`), CheckStructure, "invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := v.VerifyDataIntegrity(ctx, tc.doc, Policy{})
			checkResult(t, r)
			if r.Verified {
				t.Fatalf("verified:\n%s", diDump(r))
			}
			for _, c := range r.Checks {
				if c.Name == tc.check {
					if c.Status != StatusFailed || !strings.Contains(c.Detail, tc.detail) {
						t.Fatalf("%s: %s %q, want failed with %q", c.Name, c.Status, c.Detail, tc.detail)
					}
					return
				}
			}
		})
	}
	// Another key made by "proof by another key" verifies its own proof.
	r := v.VerifyDataIntegrity(ctx, forge(t, other.key, diCredential(t, iss.did), other.vm()), Policy{})
	if diStatuses(r)[CheckProof] != StatusPassed {
		t.Fatalf("forged proof:\n%s", diDump(r))
	}
}

func TestSignDataIntegrityJCSErrors(t *testing.T) {
	iss := newKeyIssuer(t)
	p256 := keytest.New(t, keys.P256)
	pDID := did.KeyDID(p256.Public())
	signed, err := SignDataIntegrityJCS(iss.signer(), diCredential(t, iss.did), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		s    Signer
		doc  json.RawMessage
		code string
	}{
		{"P-256 key", Signer{DID: pDID, VerificationMethod: pDID + "#" + p256.Public().Multibase(), Key: p256}, diCredential(t, pDID), "credential.invalidSigner"},
		{"no key", Signer{DID: iss.did, VerificationMethod: iss.vm()}, diCredential(t, iss.did), "credential.invalidSigner"},
		{"issuer mismatch", iss.signer(), diCredential(t, "did:example:someone"), "credential.issuerMismatch"},
		{"invalid credential", iss.signer(), json.RawMessage(`{"issuer":"x"}`), "credential.invalid"},
		{"already signed", iss.signer(), signed, "credential.invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := SignDataIntegrityJCS(tc.s, tc.doc, time.Time{})
			e, ok := errs.As(err)
			if !ok || e.Code != tc.code {
				t.Fatalf("error %v, want %s", err, tc.code)
			}
		})
	}
}

// FuzzVerifyDataIntegrity checks that no input makes VerifyDataIntegrity
// panic, that the result is complete and consistent, and that only the
// issuer's key makes a credential that verifies and is bound to the
// issuer (a did:key issuer other than iss could only come from a key the
// fuzzer does not have).
func FuzzVerifyDataIntegrity(f *testing.F) {
	// A fixed key: every fuzzing worker must build the same credential.
	k, err := keys.PrivateKeyFromSeed(keys.Ed25519, bytes.Repeat([]byte{7}, 32))
	if err != nil {
		f.Fatal(err)
	}
	iss := &keyIssuer{key: k, did: did.KeyDID(k.Public())}
	good, err := SignDataIntegrityJCS(iss.signer(), diCredential(f, iss.did), time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		f.Fatal(err)
	}
	v := keyVerifier()
	for _, s := range []string{
		string(good), "", "{}", "[]", `{"proof":{}}`, strings.Repeat("[", 70),
		strings.Replace(string(good), "eddsa-jcs-2022", "eddsa-rdfc-2022", 1),
		strings.Replace(string(good), `"proof":{`, `"proof":[{`, 1),
		strings.Replace(string(good), `"proof":{`, `"proof":{"@context":"https://www.w3.org/ns/credentials/v2",`, 1),
		strings.Replace(string(good), `"proof":{`, `"proof":{"@context":[{"@vocab":1e400}],`, 1),
		strings.Replace(string(good), `"gpa":3.75`, `"gpa":3.750`, 1),
		string(divectors.Read(f, "eddsa-jcs-2022/signedJCS.json")),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		for _, p := range []Policy{{}, {RequireAccreditation: true}} {
			r := v.VerifyDataIntegrity(context.Background(), doc, p)
			checkResult(t, r)
			if r.Verified && diStatuses(r)[CheckIssuerBinding] == StatusPassed && !bytes.Equal(doc, good) {
				c, err := Parse(doc)
				if err != nil || c.Issuer != iss.did {
					t.Fatalf("verified a credential the issuer did not sign: %q", doc)
				}
			}
		}
	})
}
