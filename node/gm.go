package node

import (
	"fmt"
	"slices"

	"github.com/weidgo/weid/chain"
	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/errs"
	"github.com/weidgo/weid/keys"
)

// checkFormatKey refuses, before anything is allocated, a Data Integrity
// format the issuer's key cannot sign (an SM2 key has no cryptosuite): the
// 400 names the formats the key can use.
func checkFormatKey(format string, kt keys.Type) error {
	switch format {
	case FormatEdDSAJCS, FormatEdDSARDFC, FormatECDSARDFC, FormatEd25519Signature2020:
		return credential.CheckDataIntegrityKey(format, kt)
	}
	return nil
}

// checkSuiteConfig refuses, before the data directory is touched, a crypto
// suite that is not one and a gm chain asked of a PKCS#11 token: a gm
// chain's node and admin keys are SM2, which has no standard PKCS#11
// mechanism (PKCS#11 3.1 defines none), so no token can hold them.
func checkSuiteConfig(cfg Config) error {
	if cfg.Crypto == "" {
		return nil
	}
	s, err := chain.ParseSuite(cfg.Crypto)
	if err != nil {
		return err
	}
	if s == chain.GM && (!cfg.PKCS11.IsZero() || cfg.PKCS11URI != "") {
		return fmt.Errorf("a gm chain's keys are SM2, which no PKCS#11 token holds (PKCS#11 has no SM2 mechanism): start it without --pkcs11, its keys sealed in the keystore")
	}
	return nil
}

// genesisKeyType is the type of a new chain's node and admin keys: SM2 on a
// gm chain, Ed25519 otherwise. A given admin key must be of it.
func genesisKeyType(crypto string, admin *keys.PrivateKey) (keys.Type, error) {
	s, err := chain.ParseSuite(crypto)
	if err != nil {
		return "", err
	}
	kt := keys.Ed25519
	if s == chain.GM {
		kt = keys.SM2
	}
	if admin != nil && s == chain.GM && admin.Type() != keys.SM2 {
		return "", fmt.Errorf("a gm chain's admin key must be SM2, not %s", admin.Type())
	}
	return kt, nil
}

// checkCrypto refuses a crypto suite asked for an existing chain whose
// genesis chose another: the suite is fixed at genesis.
func checkCrypto(crypto string, l *chain.Ledger) error {
	if crypto == "" {
		return nil
	}
	s, err := chain.ParseSuite(crypto)
	if err != nil {
		return err
	}
	if have := l.Registry().Suite(); have != s {
		return fmt.Errorf("this data directory holds a %s chain; the crypto suite is chosen at genesis (--crypto %s applies only to a new chain)", have.Name(), crypto)
	}
	return nil
}

// Crypto returns the chain's crypto suite name: "standard" or "gm".
func (n *Node) Crypto() string { return n.Ledger.Registry().Suite().Name() }

// ParseKeyType reads the key type of a custodial DID asked for over the
// API: "" is the chain's default (SM2 on a gm chain, else Ed25519), and a
// type this chain does not let sign is refused now (400
// tx.keyTypeNotAllowed), before a key is generated and kept.
func (n *Node) ParseKeyType(s string) (keys.Type, error) {
	reg := n.Ledger.Registry()
	if s == "" && reg.Suite() == chain.GM {
		s = string(keys.SM2)
	}
	kt, err := keys.ParseType(s)
	if err != nil {
		return "", errs.BadRequest("did.invalidKeyType", "%v", err)
	}
	if allowed := reg.AllowedKeyTypes(); allowed != nil && !slices.Contains(allowed, kt) {
		return "", errs.BadRequest("tx.keyTypeNotAllowed", "this %s chain accepts only %s signers, not %s", reg.Suite().Name(), chain.KeyTypeList(allowed), kt)
	}
	return kt, nil
}
