package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/spf13/cobra"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/authz"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/node"
)

// errKeyOrToken refuses a write that has neither a key file to sign it
// locally nor a token for the node to sign it.
var errKeyOrToken error = saidLater("cli.usage.keyOrToken")

// govFlags selects how a governance transaction is signed: locally with an
// admin's or committee member's key file, or by the node with a token.
type govFlags struct {
	keyFile, passFile, signer string
}

func (f *govFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.keyFile, "key", "", "key file of an admin or committee member (signs locally); without it the node signs for --token")
	cmd.Flags().StringVar(&f.passFile, "passphrase-file", "", "file holding the key file's passphrase")
	cmd.Flags().StringVar(&f.signer, "signer", "", "with --token: the governing DID the node signs as (default: the admin, for the admin token)")
}

// requestBody is the body of a governance or schema request: {"tx": …}
// signed locally with the key file of f, or, without one, the custodial
// fields for the node to sign for the token's account.
func requestBody(cmd *cobra.Command, g *globals, f *govFlags, typ string, payload any, custodial map[string]any) (any, error) {
	if f.keyFile != "" {
		k, kf, err := loadKey(f.keyFile, f.passFile)
		if err != nil {
			return nil, err
		}
		if kf.DID == "" {
			return nil, errors.New("the key file names no DID")
		}
		vm, chainID, err := signer(cmd.Context(), g.client(), kf.DID, k)
		if err != nil {
			return nil, err
		}
		tx, err := node.SignTx(chainID, vm, k, typ, payload)
		if err != nil {
			return nil, err
		}
		return map[string]any{"tx": tx}, nil
	}
	if g.token == "" {
		return nil, errKeyOrToken
	}
	if f.signer != "" {
		custodial["signer"] = f.signer
	}
	return custodial, nil
}

// listCmd is a "list" command printing the items fetch returns: as JSON
// {key: items}, or a line each.
func listCmd[T any](g *globals, short, key string, fetch func(*client.Client, context.Context) ([]T, error), line func(io.Writer, T)) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			items, err := fetch(g.client(), cmd.Context())
			if err != nil {
				return err
			}
			return g.print(map[string]any{key: items}, func(w io.Writer) {
				for _, it := range items {
					line(w, it)
				}
			})
		},
	}
}

// printPage prints a page of a paged list: {key: items, "next": next} as
// JSON, else a line per item and, if there is a next page, the --after
// that asks for it.
func printPage[T any, K comparable](g *globals, key string, items []T, next K, line func(io.Writer, T)) error {
	return g.print(map[string]any{key: items, "next": next}, func(w io.Writer) {
		for _, it := range items {
			line(w, it)
		}
		var zero K
		if next != zero {
			fmt.Fprintf(w, "more: --after %v\n", next)
		}
	})
}

// govTx is a governance request: where it goes, and its transaction both as
// the payload a key file signs locally and as the custodial fields the node
// signs for a token.
type govTx struct {
	method, path, typ string
	payload           any
	custodial         map[string]any
}

// govCmd makes cmd a governance command: it takes the flags of govFlags
// and sends the request tx makes of its arguments.
func govCmd(g *globals, cmd *cobra.Command, tx func(args []string) (*govTx, error)) *cobra.Command {
	var f govFlags
	f.add(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		r, err := tx(args)
		if err != nil {
			return err
		}
		body, err := requestBody(cmd, g, &f, r.typ, r.payload, r.custodial)
		if err != nil {
			return err
		}
		res, err := g.client().Govern(cmd.Context(), r.method, r.path, body)
		if err != nil {
			return err
		}
		return printWrite(cmd, g, res.Status, res.TxHash, res, func(w io.Writer) { fmt.Fprintln(w, txLine(res.TxHash, res.Height, res.Status)) })
	}
	return cmd
}

func issuerCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "issuer", Short: "The trust registry's authority issuers"}
	var name, desc string
	var types []string
	var schemaIDs []uint
	recognize := govCmd(g, &cobra.Command{
		Use:   "recognize DID",
		Short: "Recognize an authority issuer (admin or committee member)",
		Example: `  weid issuer recognize did:weid:1:0x… --name "Example University" --type UniversityDegreeCredential --token "$(cat data/admin.token)"
  weid issuer recognize did:weid:1:0x… --name "Example Bank" --key committee.key`,
		Args: cobra.ExactArgs(1),
	}, func(args []string) (*govTx, error) {
		ids := make([]uint64, len(schemaIDs))
		for i, v := range schemaIDs {
			ids[i] = uint64(v)
		}
		p := &authz.RecognizePayload{DID: args[0], Name: name, Description: desc, Types: types, Schemas: ids}
		if err := p.Validate(); err != nil {
			return nil, err
		}
		return &govTx{http.MethodPost, "/v1/issuers", authz.TxRecognize, p,
			map[string]any{"did": args[0], "name": name, "description": desc, "types": types, "schemas": ids}}, nil
	})
	recognize.Flags().StringVar(&name, "name", "", "the issuer's unique name")
	recognize.Flags().StringVar(&desc, "description", "", "what the issuer is")
	recognize.Flags().StringArrayVar(&types, "type", nil, "a credential type it is accredited for (repeatable)")
	recognize.Flags().UintSliceVar(&schemaIDs, "schema", nil, "a schema id it is accredited for (repeatable)")

	derecognize := govCmd(g, &cobra.Command{
		Use:   "derecognize DID",
		Short: "De-recognize an authority issuer (admin or committee member)",
		Args:  cobra.ExactArgs(1),
	}, func(args []string) (*govTx, error) {
		return &govTx{http.MethodDelete, "/v1/issuers/" + url.PathEscape(args[0]), authz.TxDerecognize,
			&authz.DerecognizePayload{DID: args[0]}, map[string]any{}}, nil
	})

	var after, byName string
	var limit int
	list := &cobra.Command{
		Use:   "list",
		Short: "List authority issuers (paged), or find one by --name",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c := g.client()
			if byName != "" {
				is, err := c.IssuerByName(cmd.Context(), byName)
				if err != nil {
					return err
				}
				return g.print(is, func(w io.Writer) { fmt.Fprintf(w, "%s\t%s\n", is.DID, is.Name) })
			}
			iss, next, err := c.Issuers(cmd.Context(), after, limit)
			if err != nil {
				return err
			}
			return printPage(g, "issuers", iss, next, func(w io.Writer, is api.Issuer) { fmt.Fprintf(w, "%s\t%s\n", is.DID, is.Name) })
		},
	}
	list.Flags().StringVar(&after, "after", "", "start after this DID (from the previous page)")
	list.Flags().IntVar(&limit, "limit", 100, "issuers per page (1 to 1000)")
	list.Flags().StringVar(&byName, "name", "", "find the issuer with this name")

	var typ string
	var schema uint64
	show := &cobra.Command{
		Use:   "show DID",
		Short: "Is DID an authority issuer (for --type / --schema)?",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			is, acc, err := g.client().Issuer(cmd.Context(), args[0], typ, schema)
			if err != nil {
				return err
			}
			return g.print(map[string]any{"issuer": is, "accredited": acc}, func(w io.Writer) {
				fmt.Fprintf(w, "%s is an authority issuer: %s (recognized %s by %s)\n", is.DID, is.Name, is.Recognized, is.RecognizedBy)
				if acc != nil {
					fmt.Fprintf(w, "accredited for the type/schema asked: %v\n", *acc)
				}
			})
		},
	}
	show.Flags().StringVar(&typ, "type", "", "a credential type")
	show.Flags().Uint64Var(&schema, "schema", 0, "a schema id")
	cmd.AddCommand(recognize, derecognize, list, show)
	return cmd
}

func committeeCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "committee", Short: "The consortium's committee (changed by admins)"}
	add := govCmd(g, &cobra.Command{Use: "add DID", Short: "Add a committee member (admin)", Args: cobra.ExactArgs(1)}, func(args []string) (*govTx, error) {
		return &govTx{http.MethodPost, "/v1/committee", authz.TxAddCommittee, &authz.MemberPayload{DID: args[0]}, map[string]any{"did": args[0]}}, nil
	})
	remove := govCmd(g, &cobra.Command{Use: "remove DID", Short: "Remove a committee member (admin)", Args: cobra.ExactArgs(1)}, func(args []string) (*govTx, error) {
		return &govTx{http.MethodDelete, "/v1/committee/" + url.PathEscape(args[0]), authz.TxRemoveCommittee, &authz.MemberPayload{DID: args[0]}, map[string]any{}}, nil
	})
	list := listCmd(g, "List committee members", "members", (*client.Client).Committee, func(w io.Writer, m api.Member) {
		fmt.Fprintf(w, "%s\tadded %s by %s\n", m.DID, m.Added, m.AddedBy)
	})
	cmd.AddCommand(add, remove, list)
	return cmd
}
