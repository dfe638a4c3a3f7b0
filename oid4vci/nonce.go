package oid4vci

import ()

// A c_nonce is a single-use token of package onetime scoped to the
// issuer's identifier: stateless until used, remembered until it expires.

// Nonce is the nonce endpoint of the issuer u (§7): a fresh c_nonce for
// key proofs. Nothing is stored until it is used.
func (iss *Issuer) Nonce(u IssuerURL) (*NonceResponse, error) {
	if _, err := iss.instance(u); err != nil {
		return nil, err
	}
	n, _ := iss.nonces.Issue(u.String())
	return &NonceResponse{CNonce: n}, nil
}

// consumeNonce accepts a c_nonce of issuer once, until it expires.
func (iss *Issuer) consumeNonce(issuer, n string) bool {
	_, fresh := iss.nonces.Consume(issuer, n)
	return fresh
}
