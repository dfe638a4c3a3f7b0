// Package did implements DID Core 1.0 documents, the did:weid identifiers,
// transaction payloads and the changes they make (Apply), and a resolver for
// did:key, did:jwk and did:web to which did/weid adds did:weid. It links no
// ledger: the did:weid registry on the ledger is package did/weid.
package did
