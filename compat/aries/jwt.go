package main

import (
	"crypto/ed25519"
	"fmt"
	"io"

	"github.com/hyperledger/aries-framework-go/pkg/doc/util/signature"
	"github.com/hyperledger/aries-framework-go/pkg/doc/verifiable"
	"github.com/hyperledger/aries-framework-go/pkg/kms"
)

// VC Data Model 1.1 credentials as JWTs (§6.3.1): aries's JWTCredClaims
// (iss, sub, jti, nbf, exp and the credential under "vc") signed as a
// compact JWS with EdDSA, and verified by verifiable.ParseCredential with
// aries's default checks — the signature against the key the fetcher gives
// for the issuer and kid, then the decoded credential's VC 1.1 JSON schema
// and JSON-LD validation, as for an embedded proof.

// SignJWT parses an unsigned VC 1.1 credential as Issuer.Sign does and
// returns it as a compact EdDSA JWS whose kid is vm.
func SignJWT(priv ed25519.PrivateKey, vm string, unsigned []byte, loader *strictLoader) (string, error) {
	vc, err := verifiable.ParseCredential(unsigned,
		verifiable.WithDisabledProofCheck(),
		verifiable.WithJSONLDDocumentLoader(loader))
	if err != nil {
		return "", fmt.Errorf("parse credential: %w", err)
	}
	claims, err := vc.JWTClaims(false)
	if err != nil {
		return "", fmt.Errorf("JWT claims: %w", err)
	}
	pub := priv.Public().(ed25519.PublicKey)
	tok, err := claims.MarshalJWS(verifiable.EdDSA, signature.GetEd25519Signer(priv, pub), vm)
	if err != nil {
		return "", fmt.Errorf("sign JWT: %w", err)
	}
	return tok, nil
}

// VerifyJWT parses a compact JWS credential with aries's proof check on,
// against pub whatever kid the header names, and returns nil if it
// verifies and passes aries's credential validation.
func VerifyJWT(pub ed25519.PublicKey, tok []byte, loader *strictLoader) error {
	_, err := verifiable.ParseCredential(tok,
		verifiable.WithPublicKeyFetcher(verifiable.SingleKey(pub, kms.ED25519)),
		verifiable.WithJSONLDDocumentLoader(loader))
	return err
}

// benchVerifyJWT signs n distinct diplomas as EdDSA JWTs (untimed), then
// reports the mean cost of one VerifyJWT (JWS parse + signature + decode +
// schema and JSON-LD validation).
func benchVerifyJWT(w io.Writer, n int, loader *strictLoader) error {
	priv, did, vm := benchIssuer()
	pub := priv.Public().(ed25519.PublicKey)
	toks := make([][]byte, n+1)
	for i := range toks {
		tok, err := SignJWT(priv, vm, diploma(did, i), loader)
		if err != nil {
			return err
		}
		toks[i] = []byte(tok)
	}
	if err := VerifyJWT(pub, toks[n], loader); err != nil { // warm up
		return err
	}
	return measure(w, "BenchmarkAriesVerifyJWTEdDSA", n, func(i int) error {
		return VerifyJWT(pub, toks[i], loader)
	})
}
