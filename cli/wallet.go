package cli

// weid wallet: a citizen's wallet (package wallet) with flags. The key
// never leaves it: "weid vp create" and "weid wallet present" sign
// presentations locally.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/weidgo/weid/credential"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/wallet"
)

// walletFlagUsage is the usage of every --wallet flag.
const walletFlagUsage = "wallet directory (default $WEID_WALLET, else ~/.weid/wallet)"

// walletDir is the wallet directory: flag if set, else $WEID_WALLET, else
// ~/.weid/wallet.
func walletDir(flag string) string {
	if flag != "" {
		return flag
	}
	if v := os.Getenv("WEID_WALLET"); v != "" {
		return v
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return filepath.Join(".weid", "wallet")
	}
	return filepath.Join(home, ".weid", "wallet")
}

// openWallet opens the wallet of the --wallet flag; its key is unlocked,
// when a command needs it, with the passphrase of --passphrase-file, else
// WEID_PASSPHRASE, else a prompt.
func openWallet(flag, passFile string) (*wallet.Wallet, error) {
	dir := walletDir(flag)
	w, err := wallet.Open(dir)
	if ents, _ := os.ReadDir(dir); errors.Is(err, wallet.ErrNoWallet) && len(ents) > 0 {
		return nil, errors.New(say("cli.wallet.notWallet", "dir", dir)) // which init refuses too
	}
	if errors.Is(err, wallet.ErrNoWallet) {
		return nil, errors.New(say("cli.wallet.none", "dir", dir))
	}
	if err != nil {
		return nil, err
	}
	w.Passphrase = func() ([]byte, error) { return passphrase(passFile, false) }
	return w, nil
}

// findCredential finds a credential of w by id or a unique prefix of it.
func findCredential(w *wallet.Wallet, id string) (*wallet.Stored, error) {
	s, err := w.Find(id)
	if errors.Is(err, wallet.ErrNoCredential) {
		if userLang() == langEN { // the wallet's own account, which says why
			return nil, fmt.Errorf("%w (see weid wallet list)", err)
		}
		return nil, errors.New(say("cli.wallet.noCredential", "id", shown(id)))
	}
	return s, walletWords(err)
}

// walletWords returns err, an error of the wallet's own, said in the
// user's language: a credential already held, an id prefix that names
// several. English keeps the wallet's words; other errors are returned as
// they are.
func walletWords(err error) error {
	if err == nil || userLang() == langEN {
		return err
	}
	var held *wallet.HeldError
	var amb *wallet.AmbiguousError
	var damaged *wallet.DamagedError
	var exists *wallet.ExistsError
	switch {
	case errors.As(err, &held):
		return &saidError{say("cli.wallet.held", "id", held.ID), err}
	case errors.As(err, &amb):
		return &saidError{say("cli.wallet.ambiguous", "prefix", shown(amb.Prefix), "n", strconv.Itoa(amb.N)), err}
	case errors.As(err, &damaged):
		return &saidError{say("cli.wallet.damaged", "path", damaged.Path, "why", fmt.Sprint(damaged.Err)), err}
	case errors.As(err, &exists) && exists.Wallet:
		return &saidError{say("cli.wallet.exists", "dir", exists.Dir), err}
	case errors.As(err, &exists):
		return &saidError{say("cli.wallet.notEmpty", "dir", exists.Dir), err}
	}
	return err
}

// heldPending is err, a refusal to add file; a file of the wallet's
// received/ whose credential the wallet holds is removed from there (a
// receive killed after storing it left it), which err then says.
func heldPending(w *wallet.Wallet, file string, err error) error {
	if !errors.Is(err, wallet.ErrHeld) || !w.DropPending(file) {
		return walletWords(err)
	}
	if userLang() == langEN {
		return fmt.Errorf("%w; removed %s from the wallet's received/", err, file)
	}
	return &saidError{say("cli.wallet.add.droppedPending", "why", walletWords(err).Error(), "file", file), err}
}

func walletCmd(g *globals) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "wallet",
		Short: "A holder's local wallet: its DID key and the credentials it received",
		Long: `A wallet is a directory (--wallet, default $WEID_WALLET or ~/.weid/wallet,
mode 0700) holding the holder's key in an encrypted key file, the holder DID,
and the credentials the holder received, one file each. The key never leaves
the wallet: "weid vp create" and "weid wallet present" sign presentations with it
locally.

Layout: wallet.json (the holder DID and its verification method),
holder.key (the encrypted key, 0600), credentials/<id>.json (each credential
and what the wallet read from it; <id> is the first 12 hex digits of the
SHA-256 of the credential), received/ (an issuer's answer while "weid wallet
receive" checks it, or that it could not store), wallet.lock (locked by a
command adding credentials). A credential file that does not read is named
by list, show and present, which go on without it; nothing is deleted.`,
	}
	cmd.PersistentFlags().StringVar(&dir, "wallet", "", walletFlagUsage)
	cmd.AddCommand(walletInitCmd(g, &dir), walletAddCmd(g, &dir), walletListCmd(g, &dir), walletShowCmd(g, &dir), walletReceiveCmd(g, &dir), walletPresentCmd(g, &dir))
	return cmd
}

func walletInitCmd(g *globals, dir *string) *cobra.Command {
	var typ, holder, keyFile, keyID, passFile string
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create a wallet with a new holder key and its did:key DID, or an existing DID's key",
		Long: `Create a wallet directory (mode 0700). By default it generates a holder key
of --type, stores it encrypted with the passphrase (--passphrase-file, else
WEID_PASSPHRASE, else a prompt) and uses the key's did:key DID as the holder
DID: that needs no ledger.

With --did and --key, the wallet holds a copy of an existing key file (from
"weid key generate") and uses that DID, e.g. a did:weid registered with
"weid did create". Presentations are signed as the DID's authentication
method --key-id (e.g. key-1); without --key-id the DID is resolved through
--node to find the method that holds the key.

Refuses to overwrite an existing wallet.`,
		Example: `  export WEID_PASSPHRASE='a passphrase for the wallet key'
  weid wallet init                                  # ~/.weid/wallet, Ed25519, did:key
  weid wallet init --wallet ./alice --type p-256
  weid wallet init --wallet ./alice --did "$DID" --key alice.key --key-id key-1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			wdir := walletDir(*dir)
			if err := wallet.CheckNew(wdir); err != nil && userLang() == langEN {
				return fmt.Errorf("%w; choose another --wallet", err)
			} else if err != nil {
				return walletWords(err)
			}
			if (holder == "") != (keyFile == "") {
				return usageErr("cli.usage.didAndKey")
			}
			if holder == "" && keyID != "" {
				return usageErr("cli.usage.keyIdNeedsDid")
			}
			var w *wallet.Wallet
			var err error
			if holder == "" {
				w, err = walletInitNew(cmd.Flags().Changed("type"), typ, passFile, wdir)
			} else {
				if cmd.Flags().Changed("type") {
					return usageErr("cli.usage.typeWithKey")
				}
				w, err = walletInitExisting(cmd.Context(), g, wdir, holder, keyFile, keyID, passFile)
			}
			if err != nil {
				return err
			}
			m := w.Meta
			res := map[string]any{"wallet": wdir, "did": m.DID, "verificationMethod": m.VerificationMethod, "keyType": m.KeyType, "publicKeyMultibase": m.PublicKeyMultibase}
			return g.print(res, func(out io.Writer) {
				for _, kv := range [][2]string{{"wallet", wdir}, {"did", m.DID}, {"verificationMethod", m.VerificationMethod}, {"key", string(m.KeyType) + " " + m.PublicKeyMultibase}} {
					fmt.Fprintf(out, "%s %s\n", say("cli.wallet.init."+kv[0]), kv[1])
				}
			})
		},
	}
	cmd.Flags().StringVar(&typ, "type", "Ed25519", "type of a new holder key: Ed25519, P-256, secp256k1 or SM2")
	cmd.Flags().StringVar(&holder, "did", "", "use this existing DID as the holder (with --key)")
	cmd.Flags().StringVar(&keyFile, "key", "", "key file of one of the --did's authentication keys; the wallet keeps a copy")
	cmd.Flags().StringVar(&keyID, "key-id", "", "the key's verification method in --did's document (e.g. key-1); default: resolve --did through --node")
	cmd.Flags().StringVar(&passFile, "passphrase-file", "", "file holding the key passphrase (default: WEID_PASSPHRASE or a prompt)")
	return cmd
}

// walletKeyType reads --type: ed25519, p-256 or secp256k1 in any case, or
// an alias keys.ParseType knows.
func walletKeyType(s string) (keys.Type, error) {
	switch strings.ToLower(s) {
	case "ed25519":
		return keys.Ed25519, nil
	case "p-256", "p256":
		return keys.P256, nil
	case "secp256k1":
		return keys.Secp256k1, nil
	}
	return keys.ParseType(s)
}

// walletInitNew makes a wallet with a new key of type typ and its did:key
// DID.
func walletInitNew(typeSet bool, typ, passFile, dir string) (*wallet.Wallet, error) {
	if typeSet && typ == "" {
		return nil, usageErr("cli.usage.typeEmpty")
	}
	t, err := walletKeyType(typ)
	if err != nil {
		return nil, err
	}
	pass, err := passphrase(passFile, true)
	if err != nil {
		return nil, err
	}
	return wallet.CreateDIDKey(dir, t, pass)
}

// walletInitExisting makes a wallet for an existing DID with a copy of its
// key file, signing as --key-id or as the method resolving finds.
func walletInitExisting(ctx context.Context, g *globals, dir, holder, keyFile, keyID, passFile string) (*wallet.Wallet, error) {
	if _, err := did.ParseDIDURL(holder); err != nil || strings.ContainsAny(holder, "#?/") {
		return nil, usageErr("cli.usage.notADid", "value", strconv.Quote(holder))
	}
	file, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, err
	}
	k, _, err := loadKey(keyFile, passFile)
	if err != nil {
		return nil, err
	}
	vm, err := wallet.HolderMethod(ctx, g.client(), holder, keyID, k.Public())
	if err != nil && keyID == "" {
		return nil, fmt.Errorf("--did and --key: %w (or give --key-id)", err)
	}
	if err != nil {
		return nil, err
	}
	return wallet.Create(dir, holder, vm, k.Public(), file)
}

func walletAddCmd(g *globals, dir *string) *cobra.Command {
	var verify, requireAcc bool
	cmd := &cobra.Command{
		Use:   "add FILE|-",
		Short: "Store a received credential in the wallet",
		Long: `Store a credential (from a file, or - for standard input) in the wallet: a
compact vc+jwt or SD-JWT (dc+sd-jwt), an EnvelopedVerifiableCredential JSON
object of one (kept as its compact token), or a credential object with a Data
Integrity proof. The wallet reads its id, types, issuer, subject and validity
period to index it, without verifying it, and prints the id it is stored
under. A credential already in the wallet is refused, and so is an SD-JWT
it holds with as many disclosures or more; one it holds with fewer (a
presentation's copy, added first) is replaced by this one.

With --verify it first verifies the credential through --node (POST
/credentials/verify) and stores it only if it verifies. A file of the
wallet's received/ (an issuer's answer "weid wallet receive" could not
finish storing) is removed from there once stored.`,
		Example: `  weid wallet add diploma.jwt
  weid vc issue diploma.json --token "$UNI_TOKEN" | weid wallet add - --verify --node http://127.0.0.1:8080`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if requireAcc && !verify {
				return errors.New(say("cli.wallet.add.needVerify"))
			}
			w, err := openWallet(*dir, "")
			if err != nil {
				return err
			}
			raw, err := readInput(args[0])
			if err != nil {
				return err
			}
			sc, err := wallet.ParseCredential(raw)
			if err != nil {
				return &saidError{say("cli.wallet.add.unreadable", "file", args[0], "detail", err.Error()), err}
			}
			if err := w.CanAdd(sc); err != nil {
				return heldPending(w, args[0], err)
			}
			if verify {
				if err := verifyBeforeStoring(cmd.Context(), g, sc, requireAcc); err != nil {
					return err
				}
			}
			replaced, err := w.Add(sc)
			if err != nil {
				return heldPending(w, args[0], err)
			}
			w.DropPending(args[0])
			if replaced != "" {
				fmt.Fprintln(cmd.ErrOrStderr(), say("cli.wallet.add.replaced", "id", replaced))
			}
			return g.print(sc, func(out io.Writer) {
				fmt.Fprintf(out, "%s\n", sc.ID)
			})
		},
	}
	cmd.Flags().BoolVar(&verify, "verify", false, "verify the credential through --node first; refuse it unless it verifies")
	cmd.Flags().BoolVar(&requireAcc, "require-accreditation", false, "with --verify: also require an accredited authority issuer")
	return cmd
}

// verifyBeforeStoring verifies a credential through the node and says why
// it is not stored when it does not verify.
func verifyBeforeStoring(ctx context.Context, g *globals, sc *wallet.Stored, requireAcc bool) error {
	res, err := g.client().VerifyCredential(ctx, sc.Credential, map[string]any{"requireAccreditation": requireAcc})
	if err != nil {
		if userLang() == langEN {
			return fmt.Errorf("verify through %s: %w", g.node, err)
		}
		return &saidError{say("cli.wallet.add.verifyFailed", "node", g.node, "detail", err.Error()), err}
	}
	if v := userVoice(); !v.english() && !res.Verified {
		return errors.New(say("cli.wallet.add.notStored", "why", verdictErr(v, "credential", res.Verdict).Error()))
	}
	if !res.Verified {
		var failed []string
		for _, c := range res.Errors {
			failed = append(failed, c.Name+" ("+c.Detail+")")
		}
		return errors.New(say("cli.wallet.add.notStored", "why", say("cli.wallet.add.failed", "failed", strings.Join(failed, ", "))))
	}
	return nil
}

// mainType is the most specific of types: the last one that is not
// VerifiableCredential.
func mainType(types []string) string {
	for i := len(types) - 1; i >= 0; i-- {
		if types[i] != "VerifiableCredential" {
			return types[i]
		}
	}
	if len(types) > 0 {
		return types[0]
	}
	return "-"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func walletShowCmd(g *globals, dir *string) *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "Show a stored credential and its decoded claims",
		Long: `Show a credential of the wallet (ID as "weid wallet list" prints it, a
unique prefix of it, or its number there, N or #N): what the wallet indexed, the decoded claims (the
credential object, the vc+jwt payload, or the SD-JWT issuer payload and each
disclosure) and the credential as stored. Nothing is verified.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := openWallet(*dir, "")
			if err != nil {
				return err
			}
			sc, err := pickCredential(w, args[0])
			if err != nil {
				return err
			}
			claims, disclosures, err := sc.Claims()
			if err != nil {
				return err
			}
			res := map[string]any{
				"id": sc.ID, "format": sc.Format, "credentialId": sc.CredentialID, "types": sc.Types, "issuer": sc.Issuer,
				"subject": sc.Subject, "issued": sc.Issued, "validFrom": sc.ValidFrom, "validUntil": sc.ValidUntil, "added": sc.Added,
				"claims": claims, "credential": sc.Credential,
			}
			if sc.Format == credential.FormatSDJWT {
				res["disclosures"] = disclosures
			}
			return g.print(res, func(out io.Writer) { printStored(out, sc, claims, disclosures) })
		},
	}
}

// printStored prints what "weid wallet show" shows of a credential, its
// labels in the locale's language and what the issuer wrote shown as
// TerminalText shows it.
func printStored(out io.Writer, sc *wallet.Stored, claims map[string]any, disclosures []wallet.Disclosure) {
	label := func(key string) string { return say("cli.wallet.show." + key) }
	for _, kv := range [][2]string{
		{"id", sc.ID}, {"format", string(sc.Format)}, {"credentialId", sc.CredentialID},
		{"type", strings.Join(sc.Types, ", ")}, {"issuer", sc.Issuer}, {"subject", sc.Subject},
		{"issued", sc.Issued}, {"validFrom", sc.ValidFrom}, {"validUntil", sc.ValidUntil}, {"added", sc.Added},
	} {
		fmt.Fprintf(out, "%s %s\n", pad(label(kv[0]), 14), orDash(shown(kv[1])))
	}
	fmt.Fprintln(out, label("claims"))
	writeIndented(out, claims)
	if sc.Format == credential.FormatSDJWT {
		fmt.Fprintln(out, say("cli.wallet.show.disclosures", "n", strconv.Itoa(len(disclosures))))
		for _, d := range disclosures {
			v, _ := json.Marshal(d.Value)
			name := shown(d.Name)
			if d.ArrayElement {
				name = label("arrayElement")
			}
			fmt.Fprintf(out, "  %s: %s\n", name, wallet.TerminalText(string(v), 0))
		}
	}
	fmt.Fprintln(out, label("credential"))
	var s string
	if json.Unmarshal(sc.Credential, &s) == nil {
		fmt.Fprintf(out, "  %s\n", wallet.TerminalText(s, 0))
	} else {
		writeIndented(out, sc.Credential)
	}
}

// writeIndented writes v as indented JSON, each line indented by two
// spaces and shown as TerminalText shows it (JSON escapes C0 controls but
// not DEL, C1 controls or bidi overrides).
func writeIndented(w io.Writer, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("  ", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(w, "  (%v)\n", err)
		return
	}
	for _, line := range strings.SplitAfter(strings.TrimSuffix(buf.String(), "\n"), "\n") {
		fmt.Fprint(w, "  "+wallet.TerminalText(strings.TrimSuffix(line, "\n"), 0)+"\n")
	}
}
