// Package did implements DID Core 1.0 documents, the did:weid method and a
// resolver for did:weid, did:key, did:jwk and did:web.
package did
