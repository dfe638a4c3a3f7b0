package node

import (
	"github.com/weidgo/weid/credential"
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
