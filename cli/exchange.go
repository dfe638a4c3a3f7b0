package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"

	"github.com/spf13/cobra"

	"github.com/weidgo/weid/exchange"
	"github.com/weidgo/weid/grants"
	"github.com/weidgo/weid/server"
)

func exchangeCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "exchange",
		Short: "Trusted data exchange: fetch data a grant covers, or serve it as a data holder",
	}
	var grantFile, keyFile, passFile, asDID string
	var claims []string
	fetch := &cobra.Command{
		Use:   "fetch [RESOURCE-URL]",
		Short: "Fetch the data a grant covers from its data holder, as the grantee",
		Long: `Ask the data holder for a nonce, sign a proof of possession (method, URL, body
hash, nonce) with the grantee's DID key, send the grant, and decrypt the
answer (JWE, ECDH-ES) with the same key. RESOURCE-URL defaults to the grant's
resource. Prints the claims released and the access receipt's transaction.`,
		Example: `  weid exchange fetch --grant grant.jwt --key bank.key`,
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			tok, s, err := readGrant(grantFile)
			if err != nil {
				return err
			}
			url := s.Resource
			if len(args) == 1 {
				url = args[0]
			}
			k, d, err := keyAndDID(keyFile, passFile, asDID)
			if err != nil {
				return err
			}
			if d != s.Grantee {
				return fmt.Errorf("the key signs for %s; the grantee is %s", d, s.Grantee)
			}
			kid, err := methodFor(ctx, g.client(), d, k, "authentication")
			if err != nil {
				return err
			}
			data, err := exchange.Fetch(ctx, nil, url, tok, claims, k, kid)
			if err != nil {
				return err
			}
			return g.print(data, func(w io.Writer) {
				enc := jsonIndent(data.Claims)
				fmt.Fprintf(w, "%s\naccess receipt tx %s\n", enc, data.AccessReceipt)
			})
		},
	}
	fetch.Flags().StringVar(&grantFile, "grant", "", "file holding the grant (compact JWS)")
	fetch.Flags().StringVar(&keyFile, "key", "", "key file of the grantee")
	fetch.Flags().StringVar(&passFile, "passphrase-file", "", "file holding the key file's passphrase")
	fetch.Flags().StringVar(&asDID, "did", "", "the grantee DID the key signs for (default: the key file's)")
	fetch.Flags().StringSliceVar(&claims, "claim", nil, "claims to ask for (default: the grant's whole scope)")
	_ = fetch.MarkFlagRequired("grant")
	_ = fetch.MarkFlagRequired("key")

	var dir, backend, holder, listen, publicURL string
	serve := &cobra.Command{
		Use:   "serve",
		Short: "Serve a data holder's data to grantees: POST /v1/exchange/{resource}",
		Long: `Run a data holder's exchange service. Data comes from a directory
(--dir: DIR/RESOURCE/DID.json, a JSON object of claims per grantor) or an HTTP
backend (--backend: GET URL/RESOURCE and URL/RESOURCE?subject=DID). Receipts
and DID documents are read from the node (--node); access receipts are
recorded through it, signed by --holder, a DID of the account whose --token
is given. Grants name resources as PUBLIC-URL/v1/exchange/RESOURCE.
Grant receipts are cached and kept current from the node's event stream
(grant.revoked events, GET /v1/events): a revoked grant is refused as soon as
its event arrives, milliseconds after the revocation commits; while the
stream is down, every request reads the receipt from the node.`,
		Example: `  weid exchange serve --dir exchange-data --holder "$UNI_DID" --token "$UNI_TOKEN" --listen 127.0.0.1:8081`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var p grants.Provider
			switch {
			case dir != "" && backend == "":
				p = grants.DirProvider{Dir: dir}
			case backend != "" && dir == "":
				p = grants.HTTPProvider{URL: backend}
			default:
				return usageErr("cli.usage.dirOrBackend")
			}
			if holder == "" || g.token == "" {
				return usageErr("cli.usage.holderAndToken")
			}
			nc := g.client()
			ledger := exchange.Follow(cmd.Context(), exchange.NodeLedger{Client: nc, Holder: holder}, nc, nil)
			svc := exchange.New(exchange.Config{Ledger: ledger, Provider: p, PublicURL: publicURL})
			h := server.NewExchange(svc)
			slog.SetDefault(slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil)))
			hs := (&server.Server{}).HTTPServer(listen)
			hs.Handler = h
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return listenError(listen, err, serviceListenHint)
			}
			fmt.Fprintf(g.out, "exchange serving on http://%s\n", ln.Addr())
			errc := make(chan error, 1)
			go func() { errc <- hs.Serve(ln) }()
			select {
			case err := <-errc:
				return err
			case <-cmd.Context().Done():
				return hs.Close()
			}
		},
	}
	serve.Flags().StringVar(&dir, "dir", "", "directory of the data: DIR/RESOURCE/DID.json")
	serve.Flags().StringVar(&backend, "backend", "", "HTTP backend of the data")
	serve.Flags().StringVar(&holder, "holder", "", "the data holder's DID (signs access receipts; kept by the node for --token)")
	serve.Flags().StringVar(&listen, "listen", "127.0.0.1:8081", "address to listen on")
	serve.Flags().StringVar(&publicURL, "public-url", "", "URL grantees reach this service at (default: the URL of each request)")
	cmd.AddCommand(fetch, serve)
	return cmd
}

// jsonIndent renders v as indented JSON for text output.
func jsonIndent(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
