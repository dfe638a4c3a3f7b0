// Package status keeps W3C Bitstring Status List v1.0 lists
// (https://www.w3.org/TR/vc-bitstring-status-list/) on the ledger, for the
// revocation and suspension of credentials that weid issuers issue.
//
// A list is created by a status.createList transaction and changed by
// status.update transactions, both signed by an authentication key of the
// issuer's did:weid DID: the list's issuer is the signer's DID, and only it
// updates the list. A list has an id (1 to 64 characters of [a-z0-9._-],
// chosen or derived from the creating transaction's hash, unique on the
// ledger), a purpose (revocation or suspension) and a size of 131,072 to
// 2^23 bits, a multiple of 8. A revocation list's bits are only ever set:
// revocation cannot be undone.
//
// Status list credentials (Credential) and credentialStatus entries
// (Entry) refer to a list by a URL whose path ends "/status-lists/{id}";
// the node serves the signed credential there. A Checker reads the status
// of a credential from its entry, from the verifier's own ledger whatever
// host the URL names, caching the bits of each list for as long as its
// version is unchanged. EncodeList and DecodeList implement the list's
// encodedList (GZIP, then multibase base64url), DecodeList with a bound on
// decompression for lists of other systems.
//
// The same lists are also served in a second encoding, the IETF Token
// Status List (draft-ietf-oauth-status-list-17) that SD-JWT VCs refer to
// with their "status" claim: TokenPayload builds a list's Status List
// Token from the same bits (a revocation list as 1 bit per status, 0x01
// INVALID; a suspension list as 2 bits, 0x02 SUSPENDED), ParseToken and
// ParseReference read tokens and claims strictly (token.go).
//
// An Allocator, node-local and off the ledger, hands out unused indices in
// a secret random order, durably, so that no index is given to two
// credentials even across crashes.
//
// State layout (chunk numbers as 4-byte big-endian numbers):
//
//	status/list/<id>               List (JSON): issuer, purpose, size, version, …
//	status/bits/<id>/<chunk>       4096 bytes of the bitstring (the last chunk
//	                               may be shorter); absent: all zeros
//	status/issuer/<issuerDID>/<id> empty: the issuer's lists, for ByIssuer
//
// Bit i of a list is bit i mod 32768 of chunk i / 32768, counted from the
// most significant bit of the chunk's first byte, as in the encodedList.
//
// A Checker plugs into credential verification through an adapter,
// credential.StatusLists (credential/proven.go), which in essence is
//
//	func (a adapter) CheckStatus(st chain.Reader, issuer string, e map[string]any) (credential.StatusOutcome, error) {
//		o, err := a.c.Check(st, issuer, e)
//		return credential.StatusOutcome{Known: o.Known && o.Supported, Purpose: o.Purpose, Set: o.Set, Where: o.Where()}, err
//	}
//
// (this package does not import credential, so that credential may import
// it; the node fills credential.Verifier's status source the same way).
package status
