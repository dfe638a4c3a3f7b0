// Package sdjwt implements Selective Disclosure for JWTs (SD-JWT, RFC 9901)
// and the SD-JWT VC profile ("typ": "dc+sd-jwt"), with key binding.
//
// An issuer calls Issue to turn a JSON claims object into an SD-JWT
// <issuer-jwt>~<disclosure>~…~ in which the members and array elements
// named by JSON pointers (RFC 6901) are selectively disclosable; a
// disclosable claim may sit under another (recursive disclosure). A
// holder calls Present to keep only the disclosures that reveal the
// claims it chooses, and to append a key-binding JWT ("typ": "kb+jwt")
// signed with the key the issuer bound in "cnf". A verifier calls Parse,
// resolves the issuer's key from the issuer JWT's "kid" (a DID URL), then
// calls Verify, which checks the issuer signature, every disclosure
// (RFC 9901 §7.1), the key-binding JWT (§7.3), and returns the processed
// claims.
//
// Only "_sd_alg": "sha-256" is supported, and only the signature
// algorithms of package jose (EdDSA, ES256, ES256K, SM2). Holder keys are
// bound only as "cnf": {"jwk": …}. Every input is parsed strictly and
// bounded (MaxBytes, MaxDisclosures); failures a caller must be told about
// are *errs.Error values with codes "sdjwt.*".
package sdjwt
