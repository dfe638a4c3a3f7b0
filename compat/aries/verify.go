package main

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hyperledger/aries-framework-go/pkg/doc/did"
	"github.com/hyperledger/aries-framework-go/pkg/doc/signature/suite"
	"github.com/hyperledger/aries-framework-go/pkg/doc/signature/suite/ed25519signature2020"
	"github.com/hyperledger/aries-framework-go/pkg/doc/verifiable"
	vdrapi "github.com/hyperledger/aries-framework-go/pkg/framework/aries/api/vdr"
	"github.com/hyperledger/aries-framework-go/pkg/vdr/key"
)

// Verifier checks Ed25519Signature2020 proofs on credentials with aries's
// verifiable.ParseCredential, against one pinned key.
type Verifier struct {
	keys   verifiable.PublicKeyFetcher
	suite  *ed25519signature2020.Suite
	loader *strictLoader
}

// NewKeyVerifier returns a Verifier that accepts proofs made by pub, whatever
// verificationMethod they name.
func NewKeyVerifier(pub ed25519.PublicKey, loader *strictLoader) *Verifier {
	return newVerifier(verifiable.SingleKey(pub, "Ed25519VerificationKey2020"), loader)
}

// NewDIDKeyVerifier returns a Verifier that resolves each proof's
// verificationMethod with aries's did:key VDR (locally: the key is in the
// DID) and accepts only verification methods of the DID didKey.
func NewDIDKeyVerifier(didKey string, loader *strictLoader) (*Verifier, error) {
	vdr := key.New()
	if _, err := vdr.Read(didKey); err != nil {
		return nil, fmt.Errorf("--did: %w", err)
	}
	r := verifiable.NewVDRKeyResolver(&pinnedDIDKey{did: didKey, vdr: vdr})
	return newVerifier(r.PublicKeyFetcher(), loader), nil
}

func newVerifier(keys verifiable.PublicKeyFetcher, loader *strictLoader) *Verifier {
	return &Verifier{
		keys:   keys,
		suite:  ed25519signature2020.New(suite.WithVerifier(ed25519signature2020.NewPublicKeyVerifier())),
		loader: loader,
	}
}

// Verify parses signed with aries's proof check on and returns nil if every
// proof on it verifies.
//
// aries treats a credential without a proof as valid and does not look at
// proofPurpose, so Verify first requires at least one proof, each of them
// an Ed25519Signature2020 for assertionMethod; the cryptographic check and
// the credential's JSON schema and JSON-LD validation are aries's.
func (v *Verifier) Verify(signed []byte) error {
	if err := checkProofShape(signed); err != nil {
		return err
	}
	_, err := verifiable.ParseCredential(signed,
		verifiable.WithPublicKeyFetcher(v.keys),
		verifiable.WithEmbeddedSignatureSuites(v.suite),
		verifiable.WithJSONLDDocumentLoader(v.loader))
	return err
}

// checkProofShape requires a proof (an object or a non-empty array of them)
// whose every entry has type Ed25519Signature2020 and proofPurpose
// assertionMethod.
func checkProofShape(signed []byte) error {
	var doc struct {
		Proof json.RawMessage `json:"proof"`
	}
	if err := json.Unmarshal(signed, &doc); err != nil {
		return fmt.Errorf("credential is not a JSON object: %w", err)
	}
	if len(doc.Proof) == 0 || string(doc.Proof) == "null" {
		return errors.New("credential has no proof")
	}
	type proof struct {
		Type         string `json:"type"`
		ProofPurpose string `json:"proofPurpose"`
	}
	var proofs []proof
	if doc.Proof[0] == '[' {
		if err := json.Unmarshal(doc.Proof, &proofs); err != nil {
			return fmt.Errorf("proof: %w", err)
		}
	} else {
		var p proof
		if err := json.Unmarshal(doc.Proof, &p); err != nil {
			return fmt.Errorf("proof: %w", err)
		}
		proofs = []proof{p}
	}
	if len(proofs) == 0 {
		return errors.New("credential has no proof")
	}
	for i, p := range proofs {
		if p.Type != ed25519signature2020.SignatureType {
			return fmt.Errorf("proof %d: type %q, want %s", i, p.Type, ed25519signature2020.SignatureType)
		}
		if p.ProofPurpose != proofPurpose {
			return fmt.Errorf("proof %d: proofPurpose %q, want %s", i, p.ProofPurpose, proofPurpose)
		}
	}
	return nil
}

// pinnedDIDKey resolves one did:key DID with aries's did:key VDR and refuses
// every other DID, so a proof whose verificationMethod belongs to another
// DID fails.
type pinnedDIDKey struct {
	did string
	vdr *key.VDR
}

// Resolve implements the resolver that verifiable.NewVDRKeyResolver takes.
func (p *pinnedDIDKey) Resolve(d string, opts ...vdrapi.DIDMethodOption) (*did.DocResolution, error) {
	if d != p.did {
		return nil, fmt.Errorf("verification method's DID %s is not the expected %s", d, p.did)
	}
	return p.vdr.Read(d, opts...)
}
