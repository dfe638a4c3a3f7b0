package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/schemas"
)

func schemaCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "schema", Short: "Credential schemas on the ledger (JSON Schema 2020-12)"}
	var f govFlags
	var id uint64
	var name string
	publish := func(use, short string, update bool) *cobra.Command {
		c := &cobra.Command{
			Use:   use,
			Short: short,
			Long: short + `.

Sign locally with --key (a key file of a DID: an authority issuer or a
governor for ids below 2,000,000), or let the node sign with --token
(as --signer, a DID of the token's account; the admin DID for the admin token).`,
			Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				raw, err := readJSON(args[0])
				if err != nil {
					return err
				}
				var typ, path string
				var p interface{ Validate() error }
				if update {
					if id == 0 {
						return usageErr("cli.usage.idRequired")
					}
					typ, path = schemas.TxUpdate, "/v1/schemas/"+strconv.FormatUint(id, 10)+"/versions"
					p = &schemas.UpdatePayload{ID: id, Schema: raw}
				} else {
					typ, path = schemas.TxRegister, "/v1/schemas"
					p = &schemas.RegisterPayload{ID: id, Name: name, Schema: raw}
				}
				if err := p.Validate(); err != nil {
					return err
				}
				body, err := requestBody(cmd, g, &f, typ, p, map[string]any{"id": id, "name": name, "schema": json.RawMessage(raw)})
				if err != nil {
					return err
				}
				r, err := g.client().PublishSchema(cmd.Context(), path, body)
				if err != nil {
					return err
				}
				return printWrite(cmd, g, r.Status, r.TxHash, r, func(w io.Writer) {
					if r.Status == api.StatusPending { // the ledger numbers the schema at commit
						fmt.Fprintf(w, "schema (its id and version once committed: weid tx show %s)\n%s\n", r.TxHash, txLine(r.TxHash, r.Height, r.Status))
						return
					}
					fmt.Fprintf(w, "schema %d version %d at %s\ntx %s at height %d\n", r.ID, r.Version, r.URL, r.TxHash, r.Height)
				})
			},
		}
		f.add(c)
		c.Flags().Uint64Var(&id, "id", 0, "schema id (register: 0 assigns the next free id of your range)")
		if !update {
			c.Flags().StringVar(&name, "name", "", "a name for the schema")
		}
		return c
	}
	var version uint64
	show := &cobra.Command{
		Use:   "show ID",
		Short: "Show a schema (the latest version, or --version)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("schema id %q is not a number", args[0])
			}
			rec, err := g.client().Schema(cmd.Context(), n, version)
			if err != nil {
				return err
			}
			g.output = "json" // a schema is JSON in both output modes
			return g.print(rec, nil)
		},
	}
	show.Flags().Uint64Var(&version, "version", 0, "version number (default: the latest)")
	var after uint64
	var limit int
	list := &cobra.Command{
		Use:   "list",
		Short: "List schemas",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			recs, next, err := g.client().Schemas(cmd.Context(), after, limit)
			if err != nil {
				return err
			}
			return printPage(g, "schemas", recs, next, func(w io.Writer, r api.SchemaRecord) {
				fmt.Fprintf(w, "%d\tv%d\t%s\t%s\n", r.ID, r.Version, r.Name, r.Publisher)
			})
		},
	}
	list.Flags().Uint64Var(&after, "after", 0, "start after this schema id")
	list.Flags().IntVar(&limit, "limit", 100, "schemas per page")
	cmd.AddCommand(publish("register FILE", "Register a JSON Schema 2020-12 document", false),
		publish("update FILE", "Publish a new version of schema --id", true), show, list)
	return cmd
}
