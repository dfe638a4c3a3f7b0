package keys

import (
	"crypto/elliptic"
	"math/big"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// Orders of the ECDSA curves' groups.
var (
	orderP256      = elliptic.P256().Params().N
	orderSecp256k1 = secp256k1.Params().N
)

// LowS returns an ECDSA r‖s signature of a key of type t with s replaced
// by n−s when s is in the upper half of the group order n, and any other
// signature (another key type, another length, s already low or out of
// range) unchanged. (r, s) and (r, n−s) verify alike; PublicKey.Verify
// accepts only the low-S form, which weid's ledger requires so that a
// transaction has one hash, but JOSE (RFC 7518 §3.4) and Data Integrity
// (like WebCrypto) do not, and other signers produce high S half the time:
// their verifiers normalize with LowS first.
func LowS(t Type, sig []byte) []byte {
	var n *big.Int
	switch t {
	case P256:
		n = orderP256
	case Secp256k1:
		n = orderSecp256k1
	default:
		return sig
	}
	if len(sig) != SignatureSize {
		return sig
	}
	s := new(big.Int).SetBytes(sig[32:])
	if s.Sign() == 0 || s.Cmp(n) >= 0 || s.Cmp(new(big.Int).Rsh(n, 1)) <= 0 {
		return sig
	}
	out := make([]byte, SignatureSize)
	copy(out, sig[:32])
	s.Sub(n, s).FillBytes(out[32:])
	return out
}
