package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/txn"
)

func didCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "did", Short: "Create, resolve, update and deactivate DIDs"}
	cmd.AddCommand(didCreateCmd(g), didResolveCmd(g), didUpdateCmd(g), didDeactivateCmd(g))
	return cmd
}

// printDIDResult prints a DID write's result: the DID on the first line
// (what DID=$(weid did create … | head -n1) reads), committed or pending,
// then its transaction (printWrite: a pending one is said on stderr).
func printDIDResult(cmd *cobra.Command, g *globals, r *client.DIDResult) error {
	return printWrite(cmd, g, r.Status, r.TxHash, r, func(w io.Writer) {
		fmt.Fprintf(w, "%s\n%s\n", r.DID, txLine(r.TxHash, r.Height, r.Status))
	})
}

// parseService reads "id,type,endpoint".
func parseService(d, s string) (did.Service, error) {
	parts := strings.SplitN(s, ",", 3)
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return did.Service{}, fmt.Errorf("service %q: want id,type,endpoint", s)
	}
	ep, _ := json.Marshal(parts[2])
	svc := did.Service{ID: d + "#" + strings.TrimPrefix(parts[0], "#"), Type: parts[1], ServiceEndpoint: ep}
	return svc, svc.Validate(d)
}

func didCreateCmd(g *globals) *cobra.Command {
	var keyFile, passFile, keyType string
	var services []string
	var custodial bool
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Register a did:weid DID on the ledger",
		Long: `Register the DID of a local key file (--key), signing the did.create
transaction locally: the key never leaves this machine. With --custodial and
an API token the node generates and keeps the key for the token's account.`,
		Example: `  weid did create --key alice.key
  weid did create --key alice.key --service 'home,LinkedDomains,https://alice.example'
  weid did create --custodial --token "$(cat data/admin.token)"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			c := g.client()
			if custodial {
				if g.token == "" {
					return usageErr("cli.usage.custodialToken")
				}
				r, err := c.CreateCustodialDID(ctx, keyType)
				if err != nil {
					return err
				}
				return printDIDResult(cmd, g, r)
			}
			k, _, err := loadKey(keyFile, passFile)
			if err != nil {
				return err
			}
			st, err := c.Status(ctx)
			if err != nil {
				return err
			}
			d := did.WeidDID(st.ChainID, k.Public())
			p := &did.CreatePayload{DID: d, PublicKeyMultibase: k.Public().Multibase()}
			for _, s := range services {
				svc, err := parseService(d, s)
				if err != nil {
					return err
				}
				p.Service = append(p.Service, svc)
			}
			return sendDIDTx(cmd, g, c.CreateDID, st.ChainID, d+"#"+did.FirstKeyFragment, k, did.TxCreate, p)
		},
	}
	cmd.Flags().StringVar(&keyFile, "key", "", "key file whose DID to register")
	cmd.Flags().StringVar(&passFile, "passphrase-file", "", "file holding the key file's passphrase")
	cmd.Flags().StringArrayVar(&services, "service", nil, "service to include, as id,type,endpoint (repeatable)")
	cmd.Flags().BoolVar(&custodial, "custodial", false, "let the node generate and keep the key (needs a token)")
	cmd.Flags().StringVar(&keyType, "key-type", "", "key type for --custodial: Ed25519, P-256, secp256k1 or SM2 (default: the chain's, Ed25519 or SM2 on a gm chain)")
	return cmd
}

func didResolveCmd(g *globals) *cobra.Command {
	var versionID, versionTime string
	var verify bool
	var anchor anchorFlags
	cmd := &cobra.Command{
		Use:   "resolve DID",
		Short: "Resolve a DID (did:weid, did:key, did:jwk, did:web) through a node",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := did.Options{VersionID: versionID}
			if versionTime != "" {
				t, err := time.Parse(time.RFC3339, versionTime)
				if err != nil {
					return usageErr("cli.usage.versionTime")
				}
				opts.VersionTime = t
			}
			if verify {
				if versionTime != "" {
					return usageErr("cli.usage.verifyVersionTime")
				}
				c := g.client()
				a, err := anchor.anchor(cmd.Context(), c)
				if err != nil {
					return err
				}
				res, v, err := c.ResolveVerified(cmd.Context(), args[0], versionID, a)
				if v != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "proven against block %d (%s; appHash %s), %s\n", v.Height, blockWhen(v.Time, time.Now()), v.AppHash, v.SignedBy)
				}
				if err != nil {
					return fmt.Errorf("verify %s: %w", args[0], staleErr(err))
				}
				return writeResult(g.out, res)
			}
			res, err := g.client().Resolve(cmd.Context(), args[0], opts)
			var ce *client.Error
			if err != nil && !(errors.As(err, &ce) && ce.Status == 410) {
				return err
			}
			return writeResult(g.out, res)
		},
	}
	cmd.Flags().StringVar(&versionID, "version-id", "", "resolve this version")
	cmd.Flags().StringVar(&versionTime, "version-time", "", "resolve the version current at this time (RFC 3339)")
	cmd.Flags().BoolVar(&verify, "verify", false, "did:weid: ask the node for a state proof and check it against --node-key or --trusted-validators instead of trusting the node: the document and metadata are the ledger's state at a block the anchor signed (fails naming what is wrong); prints the block, its time and age (--max-age bounds it)")
	anchor.register(cmd)
	return cmd
}

// signer finds the verification method of did:weid d that key k is, by
// resolving d, and d's chain id: what k signs d's transactions with.
func signer(ctx context.Context, c *client.Client, d string, k *keys.PrivateKey) (vm, chainID string, err error) {
	return weidMethodFor(ctx, c, d, k, "authentication")
}

// weidMethodFor is methodFor of a did:weid, and its chain id.
func weidMethodFor(ctx context.Context, c *client.Client, d string, k *keys.PrivateKey, rels ...string) (vm, chainID string, err error) {
	if vm, err = methodFor(ctx, c, d, k, rels...); err != nil {
		return "", "", err
	}
	chainID, _, err = did.ParseWeid(d)
	return vm, chainID, err
}

func didUpdateCmd(g *globals) *cobra.Command {
	var keyFile, passFile, addService, removeService, addKey, keyID, removeKey, rotateTo, report string
	var rels []string
	var compromised bool
	cmd := &cobra.Command{
		Use:   "update DID",
		Short: "Change a DID document: services and verification methods",
		Long: `Change a DID document with one operation, signed locally by --key (an
authentication key of the DID). Each change makes a new version; older
versions stay resolvable with --version-id.

A key removed or rotated out still verifies the credentials it signed while
it was current (they are checked against the DID as of their issuance).
If it was stolen, say so: --compromised with --remove-key or --rotate-to,
or --report-compromised for a key removed earlier, declares it compromised
on the ledger, and from then on nothing it signed verifies, whatever date it
carries (reissue what it signed), and it can never be added back.`,
		Example: `  weid did update DID --key alice.key --add-service 'home,LinkedDomains,https://alice.example'
  weid did update DID --key alice.key --remove-service home
  weid did update DID --key alice.key --add-key phone.key --key-id key-2
  weid did update DID --key alice.key --remove-key key-2
  weid did update DID --key alice.key --rotate-to alice2.key --key-id key-2
  weid did update DID --key alice2.key --rotate-to alice3.key --key-id key-3 --compromised
  weid did update DID --key alice3.key --report-compromised z6Mk…`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d := args[0]
			ops := 0
			for _, s := range []string{addService, removeService, addKey, removeKey, rotateTo, report} {
				if s != "" {
					ops++
				}
			}
			if ops != 1 {
				return usageErr("cli.usage.oneUpdate")
			}
			if compromised && removeKey == "" && rotateTo == "" {
				return usageErr("cli.usage.compromised")
			}
			return signedUpdate(cmd, g, d, keyFile, passFile, func(vm string) (string, any, error) {
				switch {
				case addService != "":
					svc, err := parseService(d, addService)
					if err != nil {
						return "", nil, err
					}
					return did.TxAddService, &did.AddServicePayload{DID: d, Service: svc}, nil
				case removeService != "":
					return did.TxRemoveService, &did.RemoveServicePayload{DID: d, ID: strings.TrimPrefix(removeService, "#")}, nil
				case removeKey != "":
					return did.TxRemoveMethod, &did.RemoveMethodPayload{DID: d, ID: strings.TrimPrefix(removeKey, "#"), Compromised: compromised}, nil
				case report != "":
					return did.TxReportCompromised, &did.ReportCompromisedPayload{DID: d, PublicKeyMultibase: report}, nil
				default:
					file := addKey + rotateTo
					nk, _, err := loadKey(file, passFile)
					if err != nil {
						return "", nil, err
					}
					if keyID == "" {
						return "", nil, usageErr("cli.usage.keyIdRequired")
					}
					if addKey != "" {
						return did.TxAddMethod, &did.AddMethodPayload{DID: d, ID: keyID, PublicKeyMultibase: nk.Public().Multibase(), Relationships: rels}, nil
					}
					old := vm[strings.IndexByte(vm, '#')+1:]
					return did.TxRotateKey, &did.RotateKeyPayload{DID: d, ID: old, NewID: keyID, PublicKeyMultibase: nk.Public().Multibase(), Compromised: compromised}, nil
				}
			})
		},
	}
	cmd.Flags().StringVar(&keyFile, "key", "", "key file of an authentication key of the DID")
	cmd.Flags().StringVar(&passFile, "passphrase-file", "", "file holding the key files' passphrase")
	cmd.Flags().StringVar(&addService, "add-service", "", "add a service: id,type,endpoint")
	cmd.Flags().StringVar(&removeService, "remove-service", "", "remove the service with this id")
	cmd.Flags().StringVar(&addKey, "add-key", "", "add the key of this key file as a verification method (with --key-id)")
	cmd.Flags().StringVar(&removeKey, "remove-key", "", "remove the verification method with this id")
	cmd.Flags().StringVar(&rotateTo, "rotate-to", "", "replace the signing key by the key of this key file (with --key-id)")
	cmd.Flags().StringVar(&keyID, "key-id", "", "id (fragment) of the new verification method, like key-2")
	cmd.Flags().BoolVar(&compromised, "compromised", false, "with --remove-key or --rotate-to: declare the key removed compromised (nothing it signed verifies any more)")
	cmd.Flags().StringVar(&report, "report-compromised", "", "declare compromised this key (publicKeyMultibase), once the DID's and since removed")
	cmd.Flags().StringSliceVar(&rels, "relationships", nil, "relationships of an added key (default authentication,assertionMethod)")
	return cmd
}

func didDeactivateCmd(g *globals) *cobra.Command {
	var keyFile, passFile string
	cmd := &cobra.Command{
		Use:   "deactivate DID",
		Short: "Deactivate a DID for good",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return signedUpdate(cmd, g, args[0], keyFile, passFile, func(string) (string, any, error) {
				return did.TxDeactivate, &did.DeactivatePayload{DID: args[0]}, nil
			})
		},
	}
	cmd.Flags().StringVar(&keyFile, "key", "", "key file of an authentication key of the DID")
	cmd.Flags().StringVar(&passFile, "passphrase-file", "", "file holding the key file's passphrase")
	return cmd
}

// signedUpdate signs a DID update locally with the key file, as the
// verification method of d that key is, and submits it.
func signedUpdate(cmd *cobra.Command, g *globals, d, keyFile, passFile string, build func(vm string) (typ string, payload any, err error)) error {
	ctx := cmd.Context()
	c := g.client()
	k, _, err := loadKey(keyFile, passFile)
	if err != nil {
		return err
	}
	vm, chainID, err := signer(ctx, c, d, k)
	if err != nil {
		return err
	}
	typ, payload, err := build(vm)
	if err != nil {
		return err
	}
	return sendDIDTx(cmd, g, c.UpdateDID, chainID, vm, k, typ, payload)
}

// sendDIDTx signs a DID transaction of typ with k as vm, a verification
// method of a DID on chainID, sends it with send (Client.CreateDID or
// Client.UpdateDID) and prints the result. The DID is vm's: a node that
// leaves it out of a pending answer (an older one did) still gets it
// printed.
func sendDIDTx(cmd *cobra.Command, g *globals, send func(context.Context, *txn.Tx) (*client.DIDResult, error), chainID, vm string, k *keys.PrivateKey, typ string, payload any) error {
	tx, err := node.SignTx(chainID, vm, k, typ, payload)
	if err != nil {
		return err
	}
	r, err := send(cmd.Context(), tx)
	if err != nil {
		return err
	}
	if r.DID == "" {
		r.DID, _, _ = strings.Cut(vm, "#")
	}
	return printDIDResult(cmd, g, r)
}

// writeResult writes a resolution result: JSON in both output modes.
func writeResult(w io.Writer, res any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(res)
}
