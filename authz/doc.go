// Package authz keeps the consortium's governance on the ledger: committee
// members, added and removed by an admin, and authority issuers, recognized
// and de-recognized by an admin or a committee member, each with a unique
// name, a description and the credential types and schema ids it is
// accredited for; and the consortium's nodes: validators (whose changes the
// CometBFT engine turns into validator updates) and observer nodes, admitted
// and removed by an admin or a committee member. Every change is a signed
// transaction authorized by the signer's role as the ledger records it,
// never by what an API caller claims.
// (Data-authorization grants and receipts are package grants.)
package authz
