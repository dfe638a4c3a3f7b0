package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/internal/durable"
	"github.com/weidgo/weid/keys"
)

func keyCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "key", Short: "Manage local key files (a wallet's keys)"}
	var typ, out, chainID, passFile string
	var force bool
	gen := &cobra.Command{
		Use:   "generate",
		Short: "Generate a key pair in an encrypted key file",
		Long: `Generate a key and write it to an encrypted key file (scrypt + AES-256-GCM).
The private key never leaves this file: "weid did" commands sign locally with
it. Prints the did:weid DID the key controls on --chain-id.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := keys.ParseType(typ)
			if err != nil {
				return err
			}
			if err := durable.CheckWritable(out); err != nil {
				return fmt.Errorf("--out: %w", err)
			}
			if _, err := os.Stat(out); err == nil && !force {
				return usageErr("cli.usage.exists", "file", out)
			}
			pass, err := passphrase(passFile, true)
			if err != nil {
				return err
			}
			k, err := keys.Generate(t)
			if err != nil {
				return err
			}
			d := did.WeidDID(chainID, k.Public())
			b, err := keys.EncryptKeyFile(k, d, pass)
			if err != nil {
				return err
			}
			// Whole or not at all; without --force an existing file (one
			// made since the check above) is never touched.
			write := durable.WriteNew
			if force {
				write = durable.Replace
			}
			if err := write(out, b, 0o600); errors.Is(err, fs.ErrExist) {
				return usageErr("cli.usage.exists", "file", out)
			} else if err != nil {
				return err
			}
			res := map[string]string{"file": out, "type": string(t), "did": d, "publicKeyMultibase": k.Public().Multibase(), "didKey": did.KeyDID(k.Public())}
			return g.print(res, func(w io.Writer) {
				fmt.Fprintf(w, "wrote %s (%s)\nDID %s\npublicKeyMultibase %s\n", out, t, d, k.Public().Multibase())
			})
		},
	}
	gen.Flags().StringVar(&typ, "type", "Ed25519", "key type: Ed25519, P-256, secp256k1 or SM2 (国密, for a gm chain)")
	gen.Flags().StringVar(&out, "out", "weid.key", "key file to write")
	gen.Flags().StringVar(&chainID, "chain-id", envOr("WEID_CHAIN_ID", "1"), "chain id of the did:weid DID to print")
	gen.Flags().StringVar(&passFile, "passphrase-file", "", "file holding the passphrase (default: WEID_PASSPHRASE or a prompt)")
	gen.Flags().BoolVar(&force, "force", false, "overwrite an existing file")
	cmd.AddCommand(gen)
	return cmd
}

// loadKey opens a key file.
func loadKey(path, passFile string) (*keys.PrivateKey, *keys.KeyFile, error) {
	if path == "" {
		return nil, nil, usageErr("cli.usage.keyRequired")
	}
	b, err := readFile(path)
	if err != nil {
		return nil, nil, err
	}
	pass, err := passphrase(passFile, false)
	if err != nil {
		return nil, nil, err
	}
	k, kf, err := keys.DecryptKeyFile(b, pass)
	if errors.Is(err, keys.ErrNotKeyFile) {
		return nil, nil, fmt.Errorf("%s is %w; make one with weid key generate", path, err)
	} else if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, kf, nil
}
