// Package grants is data authorization: a holder (the grantor) allows an
// institution (the grantee) to use named claims of a resource for a purpose
// until a time; the ledger keeps the grant's receipt and an access receipt
// for each release of data; a data holder serves the data to the grantee,
// encrypted to the grantee's DID key, after checking all of it.
//
// # The grant
//
// A grant is a vc+jwt credential (VC 2.0 secured with JOSE) under the
// system authorization schema (schema 1, registered at genesis): issued by
// the grantor, with the grantee as credentialSubject.id and the claims
// grantor, grantee, resource, scope, purpose, notBefore and expires, its
// validFrom and validUntil equal to notBefore and expires, its id a
// urn:uuid. A credential rather than a bare JWT, because then every weid
// verifier (POST /credentials/verify, weid vc verify) checks it with the
// same named checks as any credential — proof against the grantor's
// assertionMethod key, issuer binding, validity period, the schema — and
// wallets store it as they store any credential. Parse reads it strictly:
// exactly the members of schema 1, one subject, no credentialStatus (the
// ledger's receipt is its status).
//
// The grantor is a did:weid DID, because the receipt is recorded by a
// transaction the grantor signs; the grantee may be any resolvable DID
// (did:weid, did:key, did:jwk).
//
// # Transactions
//
//   - grant.record carries the grant itself. It must be signed by the
//     grantor (403 grant.notGrantor), and Apply verifies the grant's
//     signature against the grantor's assertionMethod key in the state it is
//     applied to (400 grant.badSignature), then records the receipt: the
//     grant's SHA-256 (of its compact JWS), parties, resource, scope,
//     purpose, validity and status. An id recorded twice is 409 grant.exists.
//   - grant.revoke marks a receipt revoked; only its grantor may (403
//     grant.notGrantor). Revocation is final.
//   - grant.access is an access receipt, signed by the data holder: the
//     claims it released under a grant and the SHA-256 of the request's
//     proof of possession. Apply refuses it unless the grant is, at the
//     block's time, recorded, not revoked, within its validity and covers
//     the claims; a request hash is accepted once (409 exchange.replayed),
//     so a replay is refused by the ledger too, whatever the holder
//     remembers.
//
// State: grant/g/<id> (receipt), grant/h/<hash> (id), grant/o/<grantor>/<id>
// and grant/e/<grantee>/<id> (indexes for listing), grant/a/<id>/<seq>
// (access receipts), grant/q/<request hash>.
//
// # Exchange
//
// ParseProof and ParsedProof.Check read a proof of possession (a JWS of
// typ weid-pop+jwt over htm, htu, bh — the body's SHA-256 —, a nonce the
// data holder issued, iat and exp at most MaxProofLifetime apart), Encrypt
// and Decrypt the response (compact JWE, ECDH-ES + A256GCM: to X25519 for an
// Ed25519 key, converted by the birational map of RFC 7748 §4.1, or to the
// P-256 key itself; to an SM2 key, SM2-PKE + SM4GCM, jwe_sm2.go), and
// Provider is where the data comes from (DirProvider,
// HTTPProvider). The response is encrypted to the very key that signed the
// proof: the grantee has just shown it holds its secret, and a did:weid
// document needs no extra keyAgreement method for it.
package grants
