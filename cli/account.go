package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/node"
)

func accountCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "account", Short: "Institution accounts on a node (admin token)"}
	var name, keyType, importKey, passFile string
	var didKey bool
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an account: an API token and custodial DIDs for an institution's backend",
		Long: `Create an institution account on the node at --node, with the admin token
(--token or WEID_TOKEN): the node creates a did:weid (and, with --did-key, a
did:key for verifiers outside the consortium) whose keys it keeps, and an API
token that acts only for this account's DIDs. The token is printed once; the
node keeps only its hash.

With --import-key the DIDs are those of a key the institution brings
instead of a new one: a weid key file, a PEM private key (PKCS#8, encrypted
or not, or SEC 1 "EC PRIVATE KEY"), a private JWK, or a secp256k1 key as
WeIdentity prints it (a decimal or 0x-hex number), so a secp256k1 key keeps
its WeIdentity / FISCO BCOS address. An encrypted file is opened here
(--passphrase-file, WEID_PASSPHRASE or a prompt); the key goes to the node
as a private JWK (use https), which keeps it in its PKCS#11 token if it has
one, else sealed in its keystore.`,
		Example: `  weid account create --name city-university --token "$(cat data/admin.token)"
  weid account create --name city-bank --import-key bank-secp256k1.pem --did-key --token "$(cat data/admin.token)"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var a *node.NewAccount
			var err error
			if importKey != "" {
				a, err = importAccount(cmd, g, name, importKey, passFile, keyType, cmd.Flags().Changed("key-type"), didKey)
			} else {
				a, err = g.client().CreateAccount(cmd.Context(), name, keyType, didKey)
			}
			if err != nil {
				return err
			}
			return printWrite(cmd, g, a.Status, a.TxHash, a, func(w io.Writer) {
				fmt.Fprintf(w, "account %s\nDID %s\n", a.Name, a.DID)
				if a.DIDKey != "" {
					fmt.Fprintf(w, "did:key %s\n", a.DIDKey)
				}
				fmt.Fprintf(w, "token %s\n(shown once: store it in the institution's secret manager)\n", a.Token)
			})
		},
	}
	create.Flags().StringVar(&name, "name", "", "account name: 1 to 64 characters of [a-z0-9._-]")
	create.Flags().StringVar(&keyType, "key-type", "", "key type of the custodial DIDs: Ed25519, P-256, secp256k1 or SM2 (default: the chain's, Ed25519 or SM2 on a gm chain)")
	create.Flags().BoolVar(&didKey, "did-key", false, "also create a custodial did:key")
	create.Flags().StringVar(&importKey, "import-key", "", "bring the DIDs' key: a weid key file, a PEM private key (PKCS#8 or SEC 1), a private JWK, or a WeIdentity secp256k1 number (default: the node makes a new key)")
	create.Flags().StringVar(&passFile, "passphrase-file", "", "with --import-key: file holding the passphrase of an encrypted key (default: WEID_PASSPHRASE or a prompt)")
	list := listCmd(g, "List the node's accounts and the DIDs whose keys it keeps for each", "accounts", (*client.Client).Accounts, func(w io.Writer, a api.Account) {
		fmt.Fprintln(w, strings.Join(append([]string{a.Name, "created " + a.Created}, a.DIDs...), "\t"))
	})
	token := &cobra.Command{
		Use:   "token",
		Short: "Give an account, or the node's admin, a new API token, revoking its others (a token that leaked)",
		Long: `Give the institution account --name a new API token, with the admin token
(--token or WEID_TOKEN): every token the account had stops working as the
new one starts to. The new token is printed once; the node keeps only its
hash. The account's DIDs and keys are unchanged.

--name admin rotates the node's own admin token (no institution account may
be named admin): the node writes the new one to admin.token in its data
directory (mode 0600) and prints it, and every other admin token of that
node, the one given with --token included, stops working in the same write.
Each node of a consortium has its own admin token: rotate each that leaked.`,
		Example: `  weid account token --name city-university --token "$(cat data/admin.token)"
  weid account token --name admin --token "$(cat data/admin.token)"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := g.client().ReplaceAccountToken(cmd.Context(), name)
			if err != nil {
				return err
			}
			return g.print(t, func(w io.Writer) {
				if t.Name == node.AdminOwner {
					fmt.Fprintf(w, "admin token %s\n(also in the node's admin.token; its other admin tokens no longer work)\n", t.Token)
					return
				}
				fmt.Fprintf(w, "account %s\ntoken %s\n(shown once: store it in the institution's secret manager; its other tokens no longer work)\n", t.Name, t.Token)
			})
		},
	}
	token.Flags().StringVar(&name, "name", "", "the account's name, or admin for the node's admin token")
	_ = token.MarkFlagRequired("name")
	cmd.AddCommand(create, list, token)
	return cmd
}
