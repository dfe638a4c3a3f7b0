package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

func readInput(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(io.LimitReader(os.Stdin, 1<<20))
	}
	return os.ReadFile(name)
}

func vcCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "vc", Short: "Issue and verify verifiable credentials (vc+jwt)"}
	issue := &cobra.Command{
		Use:   "issue FILE|-",
		Short: "Issue a VC 2.0 credential as vc+jwt, signed by the node for your account (--token)",
		Long: `Send a credential (JSON, without proof) to the node, which signs it as
vc+jwt with the key it keeps for the credential's issuer DID — a DID of the
account of --token — after checking its claims against its schema. Prints the
compact JWT.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			raw, err := readInput(args[0])
			if err != nil {
				return err
			}
			if !json.Valid(raw) {
				return fmt.Errorf("%s is not JSON", args[0])
			}
			if g.token == "" {
				return errors.New("--token (or WEID_TOKEN) is required: the account whose DID issues")
			}
			jwt, err := g.client().IssueCredential(cmd.Context(), raw)
			if err != nil {
				return err
			}
			return g.print(map[string]string{"jwt": jwt}, func(w io.Writer) { fmt.Fprintln(w, jwt) })
		},
	}
	var requireAcc bool
	verify := &cobra.Command{
		Use:   "verify FILE|-",
		Short: "Verify a vc+jwt credential through the node; every check is printed",
		Long: `Verify a compact vc+jwt (from a file, or - for standard input). Prints
each named check; exits non-zero unless the credential is verified.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			raw, err := readInput(args[0])
			if err != nil {
				return err
			}
			res, err := g.client().VerifyCredential(cmd.Context(), strings.TrimSpace(string(raw)), map[string]any{"requireAccreditation": requireAcc})
			if err != nil {
				return err
			}
			if err := g.print(res, func(w io.Writer) {
				fmt.Fprintf(w, "verified: %v\n", res.Verified)
				for _, c := range res.Checks {
					fmt.Fprintf(w, "  %-15s %-8s %s\n", c.Name, c.Status, c.Detail)
				}
			}); err != nil {
				return err
			}
			if !res.Verified {
				var failed []string
				for _, c := range res.Errors {
					failed = append(failed, c.Name)
				}
				return fmt.Errorf("credential not verified: %s failed", strings.Join(failed, ", "))
			}
			return nil
		},
	}
	verify.Flags().BoolVar(&requireAcc, "require-accreditation", false, "fail unless the issuer is an accredited authority issuer")
	cmd.AddCommand(issue, verify)
	return cmd
}
