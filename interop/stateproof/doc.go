// Package stateproof checks weid's state proofs with a second verifier
// written from the documented format alone (verify.py, Python's hashlib),
// issue 18 item 4. It has only tests (stateproof_test.go), skipped when
// python3 is absent.
package stateproof
