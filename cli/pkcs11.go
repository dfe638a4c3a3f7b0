package cli

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/weidgo/weid/hsm"
	"github.com/weidgo/weid/node"
)

// pkcs11Flags are weid node start's and init's flags for a PKCS#11 token
// keeping the node's keys.
type pkcs11Flags struct{ module, token, pinFile, uri string }

func (p *pkcs11Flags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&p.module, "pkcs11-module", os.Getenv("WEID_PKCS11_MODULE"), "PKCS#11 library of the hardware module keeping the node's keys, e.g. "+hsm.DefaultModule+" (keys are generated inside the token, not extractable; the keystore records which object)")
	fl.StringVar(&p.token, "pkcs11-token", os.Getenv("WEID_PKCS11_TOKEN"), "with --pkcs11-module: label of the token")
	fl.StringVar(&p.pinFile, "pkcs11-pin-file", os.Getenv("WEID_PKCS11_PIN_FILE"), "with --pkcs11-module: file holding the token's user PIN")
	fl.StringVar(&p.uri, "pkcs11", os.Getenv("WEID_PKCS11"), "the token as an RFC 7512 URI instead, e.g. 'pkcs11:token=weid?module-path="+hsm.DefaultModule+"&pin-source=file:/etc/weid/pin' (the flags above override its parts)")
}

func (p *pkcs11Flags) apply(c *node.Config) {
	c.PKCS11 = hsm.Config{Module: p.module, Token: p.token, PINFile: p.pinFile}
	c.PKCS11URI = p.uri
}
