// Package evidence notarizes documents on the ledger: it records the hash
// of a document — SHA-256, or SM3 on a 国密 chain (the chain's suite) — with the signatures of the parties who attest to it,
// as WeIdentity's evidence does, but with every signature verified on the
// ledger and every revocation made by the signer it revokes.
//
// # Hashes and signatures
//
// An evidence is named by the chain's hash of the document (SHA-256; SM3,
// GB/T 32905, on a chain whose genesis chose the gm suite), as 64 lowercase
// hex characters; the ledger cannot see the document, so clients hash it
// (weid evidence create reads the suite from the genesis block). An evidence signature is distinct from the transaction's
// signature, so that a relayer (an institution's backend, say) can submit
// signatures it collected off-chain. It is made by a verification method in
// the assertionMethod relationship of a did:weid DID, over the bytes of
//
//	"weid-evidence-v1:" + signer + ":" + hash
//
// where signer is the method's DID URL (did:weid:1:0x…#key-1) and hash the
// hex hash: binding the DID URL stops a signature from being replayed as
// another DID's (one that listed the same public key) or on another chain.
// Signatures are 64 bytes (Ed25519, ECDSA r‖s low-S, or SM2 r‖s) in unpadded
// base64url. The ledger verifies each one in the transaction's Apply against
// the signer's current, active DID document in the state the transaction is
// applied to; PreVerify lets the submitting goroutine do the expensive part
// first, on the committed state, so that the block only re-checks that the
// key is the same.
//
// # Transactions
//
//   - evidence.create records a hash with its first signature, optional log
//     lines, key–value extras and an optional unique custom key. A hash or a
//     key recorded twice is a conflict (409).
//   - evidence.sign adds another DID's signature (one per DID).
//   - evidence.revoke and evidence.restore mark a signature revoked or valid
//     again; only the DID that signed may (403 otherwise): the transaction's
//     signer DID must be the signature's DID.
//   - evidence.log appends log lines; only a DID with a valid signature on the
//     evidence may.
//   - evidence.batch carries up to MaxBatchItems creates and signatures. It
//     is all or nothing: if one item fails, the transaction fails with that
//     item's error (its index in the detail) and records nothing.
//
// The transaction's signer (an authentication key, as for every transaction)
// is recorded as the submitter of what it adds; log lines are attributed to
// it.
package evidence
