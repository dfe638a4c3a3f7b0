package main

import (
	"crypto/ed25519"
	"fmt"
	"time"

	"github.com/hyperledger/aries-framework-go/pkg/doc/signature/jsonld"
	"github.com/hyperledger/aries-framework-go/pkg/doc/signature/suite"
	"github.com/hyperledger/aries-framework-go/pkg/doc/signature/suite/ed25519signature2020"
	"github.com/hyperledger/aries-framework-go/pkg/doc/util/signature"
	"github.com/hyperledger/aries-framework-go/pkg/doc/verifiable"
)

// proofPurpose is the only purpose this program signs or accepts
// (VC Data Model 1.1 §4.7: an issuer's proof is made for assertionMethod).
const proofPurpose = "assertionMethod"

// Issuer signs credentials with an Ed25519 key through aries's VC and
// Linked Data Proof code.
type Issuer struct {
	suite  *ed25519signature2020.Suite
	vm     string
	loader *strictLoader
}

// NewIssuer returns an Issuer whose proofs name vm as their verificationMethod.
func NewIssuer(priv ed25519.PrivateKey, vm string, loader *strictLoader) *Issuer {
	pub := priv.Public().(ed25519.PublicKey)
	return &Issuer{
		suite:  ed25519signature2020.New(suite.WithSigner(signature.GetEd25519Signer(priv, pub))),
		vm:     vm,
		loader: loader,
	}
}

// Sign parses an unsigned VC 1.1 credential with verifiable.ParseCredential
// (aries's default checks: JSON schema and JSON-LD term validation, against
// the embedded contexts) and returns it with an Ed25519Signature2020 proof
// added by Credential.AddLinkedDataProof (URDNA2015 + SHA-256, proofValue in
// multibase base58btc).
func (i *Issuer) Sign(unsigned []byte, created time.Time) ([]byte, error) {
	vc, err := verifiable.ParseCredential(unsigned,
		verifiable.WithDisabledProofCheck(),
		verifiable.WithJSONLDDocumentLoader(i.loader))
	if err != nil {
		return nil, fmt.Errorf("parse credential: %w", err)
	}
	if len(vc.Proofs) != 0 {
		return nil, fmt.Errorf("credential already has %d proof(s)", len(vc.Proofs))
	}

	created = created.UTC()
	err = vc.AddLinkedDataProof(&verifiable.LinkedDataProofContext{
		SignatureType:           ed25519signature2020.SignatureType,
		Suite:                   i.suite,
		SignatureRepresentation: verifiable.SignatureProofValue,
		Created:                 &created,
		VerificationMethod:      i.vm,
		Purpose:                 proofPurpose,
	}, jsonld.WithDocumentLoader(i.loader))
	if err != nil {
		return nil, fmt.Errorf("add Ed25519Signature2020 proof: %w", err)
	}

	out, err := vc.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("marshal signed credential: %w", err)
	}
	return out, nil
}
