package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

func accountCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "account", Short: "Institution accounts on a node (admin token)"}
	var name, keyType string
	var didKey bool
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an account: an API token and custodial DIDs for an institution's backend",
		Long: `Create an institution account on the node at --node, with the admin token
(--token or WEID_TOKEN): the node creates a did:weid (and, with --did-key, a
did:key for verifiers outside the consortium) whose keys it keeps, and an API
token that acts only for this account's DIDs. The token is printed once; the
node keeps only its hash.`,
		Example: `  weid account create --name city-university --token "$(cat data/admin.token)"`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := g.client().CreateAccount(cmd.Context(), name, keyType, didKey)
			if err != nil {
				return err
			}
			return g.print(a, func(w io.Writer) {
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
	list := &cobra.Command{
		Use:   "list",
		Short: "List the node's accounts",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			as, err := g.client().Accounts(cmd.Context())
			if err != nil {
				return err
			}
			return g.print(map[string]any{"accounts": as}, func(w io.Writer) {
				for _, a := range as {
					fmt.Fprintf(w, "%s\tcreated %s\n", a.Name, a.Created)
				}
			})
		},
	}
	cmd.AddCommand(create, list)
	return cmd
}
