// Package credential issues and verifies W3C Verifiable Credentials
// (Verifiable Credentials Data Model v2.0, https://www.w3.org/TR/vc-data-model-2.0/,
// and v1.1) and presentations in every securing mechanism weid supports,
// through one pipeline of named checks: vc+jwt ("Securing Verifiable
// Credentials using JOSE and COSE", https://www.w3.org/TR/vc-jose-cose/
// §3.1.1: the JWS payload is the credential's JSON object itself, no "vc"
// wrapper claim; "typ": "vc+jwt", optionally "cty": "vc" (§3.1.3), and
// "kid", the DID URL of the issuer's verification method), VC-JWTs of VC
// 1.1 (vcjwt11.go), SD-JWT VCs (dc+sd-jwt, over package sdjwt; sdjwt.go)
// and Data Integrity proofs (over package ldproof; dataintegrity.go).
// Classify (form.go) tells which form a credential is in and
// Verifier.VerifySecured runs that form's verification. It registers no
// transaction types.
//
// The package is a library; it holds no global mutable state.
//
//   - ParseJWS / SignJWS are the vc+jwt layer over package jose, the
//     strict compact JWS serialization (RFC 7515 §7.1) for the algorithms
//     of weid's keys: EdDSA (RFC 8037) for Ed25519, ES256 (RFC 7518 §3.4)
//     for P-256, ES256K (RFC 8812 §3.2) for secp256k1 and SM2.
//   - Parse checks a credential's structure against VC Data Model 2.0 §4
//     (@context §4.3, type §4.5, issuer §4.7, credentialSubject §4.8,
//     validFrom / validUntil §4.9, credentialStatus §4.10,
//     credentialSchema §4.11) within size, depth and length limits, so
//     that hostile input fails with an error, never a panic.
//   - IssueJWT checks and signs a credential for an issuer DID, validating
//     its claims against a weid schema if it names one.
//   - IssueSDJWT issues an SD-JWT VC; SignDataIntegrity (and
//     SignDataIntegrityJCS) secure a credential with a Data Integrity proof
//     (eddsa-rdfc-2022, eddsa-jcs-2022, ecdsa-rdfc-2019,
//     Ed25519Signature2020).
//   - Verifier.VerifyJWT, VerifySDJWT and VerifyDataIntegrity run the same
//     named checks (CheckNames: structure, proof, issuerBinding,
//     accreditation, validityPeriod, schema, status, relatedResource) and
//     report each one; Verifier.VerifyPresentation verifies presentations
//     (PresentationCheckNames) and the credentials in them.
//   - Batch verifies chunks of credentials with Ed25519 signatures checked
//     at once (package batch drives it); NewProvenVerifier verifies against
//     state read through proofs (proven.go).
//
// Like WeIdentity's CPTs, a weid credential schema constrains the claims:
// the credentialSubject object (each of them, when there are several), not
// the whole credential.
package credential
