// Package ldproof secures JSON-LD credentials and presentations with W3C
// Data Integrity proofs (https://www.w3.org/TR/vc-data-integrity/): the
// cryptosuites eddsa-rdfc-2022, eddsa-jcs-2022 and ecdsa-rdfc-2019, and
// Ed25519Signature2020 for VC 1.1 (suite.go), with proof sets and chains
// (Sign, Verify). JSON-LD is expanded in safe mode by json-gold with every
// context embedded (contexts/, loader.go; nothing is fetched), and
// canonicalized by weid's own RDFC-1.0 implementation (rdfc.go).
package ldproof
