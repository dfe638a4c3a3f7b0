package main

import (
	"crypto/ed25519"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/aries-framework-go/pkg/doc/signature/jsonld"
	"github.com/hyperledger/aries-framework-go/pkg/doc/verifiable"
	"github.com/hyperledger/aries-framework-go/pkg/vdr/fingerprint"
)

// The W3C vc-di-eddsa Ed25519Signature2020 vector is a VC Data Model 2.0
// credential. aries v0.3.2 knows only VC 1.1: its default validation (a
// JSON schema requiring the v1 context first) rejects it, so these tests
// turn that validation off and check only aries's canonicalization and
// signature code against the vector.

const (
	vectorDir     = "testdata/vc-di-eddsa/"
	vectorPublic  = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
	vectorPrivate = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
	vectorProof   = "z57Mm1vboMtZiCyJ4aReZsv8co4Re64Y8GEjL1ZARzMbXZgkARFLqFs1P345NpPGG2hgCrS4nNdvJhpwnrNyG3kEF"
	vectorVM      = "did:key:" + vectorPublic + "#" + vectorPublic
)

func readVector(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(vectorDir + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestW3CVector_AriesVerifies(t *testing.T) {
	signed := readVector(t, "signedEdSig.json")
	pub, err := multibaseKey(vectorPublic)
	if err != nil {
		t.Fatal(err)
	}
	v := NewKeyVerifier(pub, loader(t))

	if err := v.Verify(signed); err == nil || !strings.Contains(err.Error(), "credentials/v1") {
		t.Errorf("default (VC 1.1) validation: err = %v, want a rejection of the VC 2.0 context", err)
	}
	_, err = verifiable.ParseCredential(signed, verifiable.WithCredDisableValidation(),
		verifiable.WithPublicKeyFetcher(v.keys),
		verifiable.WithEmbeddedSignatureSuites(v.suite),
		verifiable.WithJSONLDDocumentLoader(v.loader))
	if err != nil {
		t.Errorf("proof check with validation off: %v", err)
	}
}

func TestW3CVector_AriesSignsTheSameProofValue(t *testing.T) {
	raw, code, err := fingerprint.PubKeyFromFingerprint(vectorPrivate)
	if err != nil {
		t.Fatal(err)
	}
	if code != 0x1300 || len(raw) != ed25519.SeedSize { // multicodec ed25519-priv
		t.Fatalf("private key: multicodec 0x%x, %d bytes", code, len(raw))
	}
	l := loader(t)
	iss := NewIssuer(ed25519.NewKeyFromSeed(raw), vectorVM, l)

	// The vector's signed document appends the 2020 suite context to the
	// unsigned one's; sign that document.
	unsigned := strings.Replace(string(readVector(t, "unsigned.json")),
		`"https://www.w3.org/ns/credentials/examples/v2"`,
		`"https://www.w3.org/ns/credentials/examples/v2", "https://w3id.org/security/suites/ed25519-2020/v1"`, 1)
	vc, err := verifiable.ParseCredential([]byte(unsigned),
		verifiable.WithCredDisableValidation(), verifiable.WithDisabledProofCheck(),
		verifiable.WithJSONLDDocumentLoader(l))
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2023, 2, 24, 23, 36, 38, 0, time.UTC)
	err = vc.AddLinkedDataProof(&verifiable.LinkedDataProofContext{
		SignatureType:           "Ed25519Signature2020",
		Suite:                   iss.suite,
		SignatureRepresentation: verifiable.SignatureProofValue,
		Created:                 &created,
		VerificationMethod:      vectorVM,
		Purpose:                 proofPurpose,
	}, jsonld.WithDocumentLoader(l))
	if err != nil {
		t.Fatal(err)
	}
	if got := vc.Proofs[0]["proofValue"]; got != vectorProof {
		t.Errorf("proofValue = %v\nwant        %s", got, vectorProof)
	}
}
