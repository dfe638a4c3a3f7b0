// Package did implements DID Core 1.0 documents, the did:weid identifiers,
// transaction payloads and the changes they make (Apply), a resolver for
// did:key, did:jwk and did:web to which did/weid adds did:weid, and the
// choice of a resolution's representation by the HTTP(S) binding's Accept
// header (Negotiate, DID Resolution v1.0 §12.1). It links no ledger: the
// did:weid registry on the ledger is package did/weid.
package did
