// Package credential issues and verifies W3C Verifiable Credentials
// (Verifiable Credentials Data Model v2.0, https://www.w3.org/TR/vc-data-model-2.0/)
// secured as compact JSON Web Signatures, as "Securing Verifiable
// Credentials using JOSE and COSE" (https://www.w3.org/TR/vc-jose-cose/)
// §3.1.1 defines them: the JWS payload is the credential's JSON object
// itself (no "vc" wrapper claim), the protected header carries
// "typ": "vc+jwt", optionally "cty": "vc" (§3.1.3), and "kid", the DID URL of
// the issuer's verification method.
//
// The package is a library; it holds no global mutable state.
//
//   - ParseJWS / SignJWS are the vc+jwt layer over package jose, the
//     strict compact JWS serialization (RFC 7515 §7.1) for the algorithms
//     of weid's keys: EdDSA (RFC 8037) for Ed25519, ES256 (RFC 7518 §3.4)
//     for P-256 and ES256K (RFC 8812 §3.2) for secp256k1.
//   - Parse checks a credential's structure against VC Data Model 2.0 §4
//     (@context §4.3, type §4.5, issuer §4.7, credentialSubject §4.8,
//     validFrom / validUntil §4.9, credentialStatus §4.10,
//     credentialSchema §4.11) within size, depth and length limits, so
//     that hostile input fails with an error, never a panic.
//   - IssueJWT checks and signs a credential for an issuer DID, validating
//     its claims against a weid schema if it names one.
//   - Verifier.VerifyJWT runs named checks (structure, proof,
//     issuerBinding, accreditation, validityPeriod, schema, status) and
//     reports each one.
//   - SignDataIntegrityJCS and Verifier.VerifyDataIntegrity secure a
//     credential with a Data Integrity proof of the eddsa-jcs-2022
//     cryptosuite (Data Integrity EdDSA Cryptosuites v1.0 §3.3) and verify
//     it through the same named checks.
//
// Like WeIdentity's CPTs, a weid credential schema constrains the claims:
// the credentialSubject object (each of them, when there are several), not
// the whole credential.
package credential
