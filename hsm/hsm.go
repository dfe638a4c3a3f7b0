// Package hsm keeps weid's private keys in a hardware security module
// through PKCS#11 (OASIS PKCS#11 v2.40 and v3.0 Base Specification): it
// opens a module (the library), finds a token by label, logs in with a PIN
// read from a file, generates key pairs inside the token — token objects,
// CKA_SENSITIVE, never CKA_EXTRACTABLE — or imports a key the same way
// (C_CreateObject), finds them again by the RFC 7512 URI the keystore
// records, and signs with them. A key from this package is a
// *keys.PrivateKey (keys.NewExternalKey) whose signatures are exactly
// those of a key held in memory — Ed25519 (CKM_EDDSA, PKCS#11 3.0 §2.3.14)
// raw 64 bytes, ECDSA (CKM_ECDSA over the SHA-256 digest) r‖s made low-S
// by package keys, each verified before use — so ledger transactions,
// block signatures, vc+jwt, SD-JWT and Data Integrity proofs are the same
// and verifiers cannot tell where the key was.
//
// Key types: Ed25519, P-256 and secp256k1 where the module has the curve
// (SoftHSM2 2.6 has all three: it takes any curve its OpenSSL knows). SM2
// has no PKCS#11 mechanism (vendors define their own), so SM2 keys stay in
// the keystore. What a key in a token cannot do: give its secret (key
// files, keys.ErrNotExportable) and decrypt an exchange response (X25519
// needs the Ed25519 secret; ECDH through CKM_ECDH1_DERIVE for P-256 is
// possible but not wired in, since only wallets fetch).
//
// Library: github.com/miekg/pkcs11, the thin cgo binding of PKCS#11 most Go
// projects use, directly. github.com/ThalesGroup/crypto11, built on it, was
// the other choice; it has no EdDSA (no CKK_EC_EDWARDS, no CKM_EDDSA), and
// weid's default key type is Ed25519, and it hands ECDSA signatures back
// in ASN.1 that weid would have to unwrap again. The PKCS#11 3.0 names
// miekg/pkcs11 v1.1.2 lacks (CKK_EC_EDWARDS, CKM_EC_EDWARDS_KEY_PAIR_GEN,
// CKM_EDDSA) are defined here. Without cgo the package builds and Open
// says so.
//
// A module that goes away — the token removed, the library finalized, the
// login lost, all sessions closed by another application — fails the
// signature with a 503 keys.unavailable error (errs.Error), after one
// retry on a fresh session with a fresh login; nothing is signed halfway.
// Configuration mistakes (a path that is not a module, no such token, a
// wrong PIN) are ErrConfig errors naming the step that failed.
package hsm

import (
	"net/http"

	"github.com/weidgo/weid/errs"
)

// CodeUnavailable is the problem code of a signature the module could not
// make (HTTP 503).
const CodeUnavailable = "keys.unavailable"

// DefaultModule is where Debian's softhsm2 package puts SoftHSM2's module.
const DefaultModule = "/usr/lib/softhsm/libsofthsm2.so"

func unavailable(err error) error {
	return errs.Wrap(http.StatusServiceUnavailable, CodeUnavailable, err)
}

func asUnavailable(err error) (*errs.Error, bool) {
	e, ok := errs.As(err)
	return e, ok && e.Code == CodeUnavailable
}

// IsUnavailable reports whether err says the module could not be used.
func IsUnavailable(err error) bool {
	_, ok := asUnavailable(err)
	return ok
}
