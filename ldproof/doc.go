// Package ldproof secures JSON-LD credentials and presentations with W3C
// Data Integrity proofs (https://www.w3.org/TR/vc-data-integrity/).
package ldproof
