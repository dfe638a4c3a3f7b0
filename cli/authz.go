package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/weidgo/weid/api"
	"github.com/weidgo/weid/client"
	"github.com/weidgo/weid/did"
	"github.com/weidgo/weid/grants"
	"github.com/weidgo/weid/internal/durable"
	"github.com/weidgo/weid/keys"
	"github.com/weidgo/weid/node"
	"github.com/weidgo/weid/wallet"
)

// methodFor finds the verification method of d that key k is, in every
// relationship rels names.
func methodFor(ctx context.Context, c *client.Client, d string, k *keys.PrivateKey, rels ...string) (string, error) {
	res, err := c.Resolve(ctx, d, did.Options{})
	if err != nil {
		return "", err
	}
	if res.Document == nil {
		return "", fmt.Errorf("%s resolves to no document", d)
	}
	mb := k.Public().Multibase()
	for _, m := range res.Document.VerificationMethod {
		pk, ok := grants.AuthenticationKey(res.Document, m.ID)
		if m.PublicKeyMultibase != mb && !(ok && pk.Equal(k.Public())) {
			continue
		}
		all := true
		for _, rel := range rels {
			all = all && res.Document.HasRelationship(rel, m.ID)
		}
		if all {
			return m.ID, nil
		}
	}
	return "", fmt.Errorf("the key is not an %s key of %s", strings.Join(rels, " and "), d)
}

// keyAndDID loads a key file and the DID it signs for (--did, else the
// file's).
func keyAndDID(keyFile, passFile, d string) (*keys.PrivateKey, string, error) {
	k, kf, err := loadKey(keyFile, passFile)
	if err != nil {
		return nil, "", err
	}
	if d == "" {
		d = kf.DID
	}
	if d == "" {
		return nil, "", usageErr("cli.usage.keyFileNoDid")
	}
	return k, d, nil
}

// needWeidGrantor refuses, before anything is sent, a grantor d that is
// not a did:weid (the node would refuse it with grant.invalid), saying
// how the holder of keyFile — a wallet's did:key, say — gets one.
func needWeidGrantor(d, keyFile string) error {
	if strings.HasPrefix(d, "did:weid:") {
		return nil
	}
	return fmt.Errorf("%s cannot grant: a grant is recorded on the ledger by a transaction its grantor signs, so the grantor must be a did:weid DID. "+
		"A wallet made by \"weid wallet init\" holds a did:key; register a did:weid for the same key with \"weid did create --key %s\" "+
		"(it prints the DID), then give it here: --key %s --did <that did:weid>", d, keyFile, keyFile)
}

// grantorKey loads a grantor's key file and DID (keyAndDID), refuses a
// grantor that is not a did:weid (needWeidGrantor) and finds the key's
// verification method in every relationship rels names (methodFor).
func grantorKey(ctx context.Context, c *client.Client, keyFile, passFile, asDID string, rels ...string) (*keys.PrivateKey, string, string, error) {
	k, d, err := keyAndDID(keyFile, passFile, asDID)
	if err == nil {
		err = needWeidGrantor(d, keyFile)
	}
	if err != nil {
		return nil, "", "", err
	}
	vm, err := methodFor(ctx, c, d, k, rels...)
	if err != nil {
		return nil, "", "", err
	}
	return k, d, vm, nil
}

// walletGrantor is the key file and DID of the grantor: those of the
// wallet dir (its holder.key, and its DID unless --did gives one) when
// --wallet is given, else --key's and --did's.
func walletGrantor(dir, keyFile, d string) (string, string, error) {
	if dir == "" {
		return keyFile, d, nil
	}
	if keyFile != "" {
		return "", "", usageErr("cli.usage.walletOrKey")
	}
	w, err := openWallet(dir, "")
	if err != nil {
		return "", "", err
	}
	if d == "" {
		d = w.Meta.DID
	}
	return filepath.Join(w.Dir, wallet.KeyFile), d, nil
}

// signedTx signs a transaction of typ with payload as vm, a method of the
// did:weid d, for d's chain and returns it as JSON, as a request's "tx"
// carries it.
func signedTx(d, vm string, k *keys.PrivateKey, typ string, payload any) (json.RawMessage, error) {
	chainID, _, err := did.ParseWeid(d)
	if err != nil {
		return nil, err
	}
	tx, err := node.SignTx(chainID, vm, k, typ, payload)
	if err != nil {
		return nil, err
	}
	return json.Marshal(tx)
}

// readGrant reads a grant file: the grant's compact vc+jwt, as a grantor
// hands it to the grantee, and what it grants.
func readGrant(path string) (string, *grants.Signed, error) {
	raw, err := readFile(path)
	if err != nil {
		return "", nil, err
	}
	tok := strings.TrimSpace(string(raw))
	if err := checkCompact(path, tok); err != nil {
		return "", nil, err
	}
	s, err := grants.Parse(tok)
	if err != nil {
		return "", nil, err
	}
	return tok, s, nil
}

// parseWhen reads an RFC 3339 time or a duration from now.
func parseWhen(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(d).UTC().Truncate(time.Second), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time nor a duration (720h)", s)
	}
	return t.UTC().Truncate(time.Second), nil
}

func authzCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "authz",
		Short: "Data authorization: grant an institution access to your data, with receipts on the ledger",
		Long: `A grant is a vc+jwt credential under system schema 1, signed by the grantor's
DID key: it allows the grantee to use the named claims (scope) of a resource
for a purpose until it expires. Its receipt (hash, parties, validity, status)
is recorded on the ledger by a transaction the grantor signs; only the grantor
revokes it; each release of data is recorded as an access receipt.`,
	}
	var keyFile, passFile, asDID, signer, grantee, resource, purpose, notBefore, expires, out, walletFlag string
	var scope []string
	grant := &cobra.Command{
		Use:   "grant",
		Short: "Grant a DID access to claims of a resource, and record the receipt",
		Example: `  weid authz grant --key alice.key --grantee did:weid:1:0x… --resource https://uni.example/v1/exchange/transcripts \
    --scope degree,awardedDate --purpose "mortgage application" --expires 720h --out grant.jwt`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := needFlags(cmd, "grantee", "resource", "scope", "purpose"); err != nil {
				return err
			}
			ctx := cmd.Context()
			c := g.client()
			now := time.Now().UTC().Truncate(time.Second)
			nb := now
			var err error
			if notBefore != "" {
				if nb, err = parseWhen(notBefore, now); err != nil {
					return err
				}
			}
			exp, err := parseWhen(expires, now)
			if err != nil {
				return err
			}
			// The grant cannot be taken back once recorded: a --out that
			// could never take its token is refused first.
			if out != "" {
				if err := durable.CheckWritable(out); err != nil {
					return fmt.Errorf("--out: %w", err)
				}
			}
			if keyFile, asDID, err = walletGrantor(walletFlag, keyFile, asDID); err != nil {
				return err
			}
			var r *api.GrantReceipt
			var tok string
			if keyFile != "" {
				k, d, vm, err := grantorKey(ctx, c, keyFile, passFile, asDID, "authentication", "assertionMethod")
				if err != nil {
					return err
				}
				id, err := grants.NewID()
				if err != nil {
					return err
				}
				gr := grants.Grant{ID: id, Grantor: d, Grantee: grantee, Resource: resource, Scope: scope, Purpose: purpose, NotBefore: nb, Expires: exp}
				if tok, err = gr.Sign(k, vm, g.node); err != nil {
					return err
				}
				tx, err := signedTx(d, vm, k, grants.TxRecord, &grants.RecordPayload{Grant: tok})
				if err != nil {
					return err
				}
				if r, err = c.RecordGrant(ctx, api.GrantRequest{Signed: api.Signed{Tx: tx}}); err != nil {
					return err
				}
			} else {
				if g.token == "" {
					return errKeyOrToken
				}
				r, err = c.RecordGrant(ctx, api.GrantRequest{Signed: api.Signed{Signer: signer}, Grantee: grantee, Resource: resource, Scope: scope,
					Purpose: purpose, NotBefore: nb.Format(time.RFC3339), Expires: exp.Format(time.RFC3339)})
				if err != nil {
					return err
				}
				tok = r.Grant
			}
			r.Grant = tok
			var werr error
			if out != "" {
				if werr = durable.Replace(out, []byte(tok+"\n"), 0o600); werr != nil {
					// Recorded all the same: print the token, not lose it.
					werr = fmt.Errorf("the grant %s is recorded, but writing %s failed: %w; its token is printed above", r.ID, out, werr)
					out = ""
				}
			}
			return errors.Join(printWrite(cmd, g, r.Status, r.TxHash, r, func(w io.Writer) {
				fmt.Fprintf(w, "grant %s\nhash %s\n%s\n", r.ID, r.Hash, txLine(r.TxHash, r.Height, r.Status))
				if out == "" {
					fmt.Fprintf(w, "token %s\n", tok)
				}
			}), werr)
		},
	}
	grant.Flags().StringVar(&keyFile, "key", "", "key file of the grantor, a did:weid (signs locally; a wallet's holder.key once \"weid did create --key\" registered it, with --did); without it the node signs for --token")
	grant.Flags().StringVar(&walletFlag, "wallet", "", "instead of --key: the wallet whose key and DID (a did:weid, made with weid wallet init --did --key) grant")
	grant.Flags().StringVar(&passFile, "passphrase-file", "", "file holding the key file's passphrase")
	grant.Flags().StringVar(&asDID, "did", "", "with --key or --wallet: the grantor DID the key signs for (default: the key file's, or the wallet's)")
	grant.Flags().StringVar(&signer, "signer", "", "with --token: the account's DID that grants")
	grant.Flags().StringVar(&grantee, "grantee", "", "DID of the party allowed to use the data (a did:weid must be on the ledger: the node refuses one it does not have)")
	grant.Flags().StringVar(&resource, "resource", "", "what the grant covers: a data resource URL (…/v1/exchange/NAME), a credential id or a schema URL")
	grant.Flags().StringSliceVar(&scope, "scope", nil, "claim names the grantee may use (comma-separated)")
	grant.Flags().StringVar(&purpose, "purpose", "", "why the grantee may use the data")
	grant.Flags().StringVar(&notBefore, "not-before", "", "start: RFC 3339 time or a duration from now (default now)")
	grant.Flags().StringVar(&expires, "expires", "720h", "end: RFC 3339 time or a duration from now")
	grant.Flags().StringVar(&out, "out", "", "write the grant (compact JWS) to this file, for the grantee")

	var rKey, rPass, rDID string
	revoke := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a grant (its grantor only)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			c := g.client()
			id := args[0]
			var r *api.GrantReceipt
			if rKey != "" {
				k, d, vm, err := grantorKey(ctx, c, rKey, rPass, rDID, "authentication")
				if err != nil {
					return err
				}
				tx, err := signedTx(d, vm, k, grants.TxRevoke, &grants.RevokePayload{ID: id})
				if err != nil {
					return err
				}
				if r, err = c.RevokeGrant(ctx, id, api.GrantWriteRequest{Signed: api.Signed{Tx: tx}}); err != nil {
					return err
				}
			} else {
				if g.token == "" {
					return errKeyOrToken
				}
				var err error
				if r, err = c.RevokeGrant(ctx, id, api.GrantWriteRequest{}); err != nil {
					return err
				}
			}
			return printWrite(cmd, g, r.Status, r.TxHash, r, func(w io.Writer) { fmt.Fprintf(w, "revoked %s\n%s\n", id, txLine(r.TxHash, r.Height, r.Status)) })
		},
	}
	revoke.Flags().StringVar(&rKey, "key", "", "key file of the grantor")
	revoke.Flags().StringVar(&rPass, "passphrase-file", "", "file holding the key file's passphrase")
	revoke.Flags().StringVar(&rDID, "did", "", "with --key: the grantor DID (default: the key file's)")

	var byGrantor, byGrantee string
	list := &cobra.Command{
		Use:   "list",
		Short: "List the grants of a grantor or a grantee, with their state",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if byGrantor != "" && byGrantee != "" {
				return usageErr("cli.usage.grantorNotBoth")
			}
			if byGrantor == "" && byGrantee == "" {
				return usageErr("cli.usage.grantorOrGrantee")
			}
			var all []api.GrantView
			q := api.GrantQuery{Grantor: byGrantor, Grantee: byGrantee}
			for {
				page, err := g.client().Grants(cmd.Context(), q)
				if err != nil {
					return err
				}
				all = append(all, page.Grants...)
				if page.Next == "" {
					break
				}
				q.After = page.Next
			}
			return g.print(all, func(w io.Writer) {
				for _, v := range all {
					fmt.Fprintf(w, "%s %s %s -> %s %s [%s] until %s, %s\n", v.ID, v.State, v.Grantor, v.Grantee, v.Resource, strings.Join(v.Scope, ","), v.Expires, plural(v.AccessCount, "access", "accesses"))
				}
			})
		},
	}
	list.Flags().StringVar(&byGrantor, "grantor", "", "list the grants this DID made")
	list.Flags().StringVar(&byGrantee, "grantee", "", "list the grants made to this DID")

	verify := &cobra.Command{
		Use:   "verify GRANT-FILE",
		Short: "Check a grant: its signature, its receipt on the ledger, its state, and its access receipts",
		Long: `Parse the grant, verify it as a credential (proof with the grantor's
assertionMethod key, validity period, schema 1), and check that the ledger's
receipt has the same hash and is active. Exits non-zero otherwise.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			c := g.client()
			tok, s, err := readGrant(args[0])
			if err != nil {
				return err
			}
			res, err := c.VerifyCredential(ctx, tok, nil)
			if err != nil {
				return err
			}
			v, err := c.Grant(ctx, s.ID)
			if err != nil {
				return err
			}
			accList, err := c.Accesses(ctx, s.ID, 0)
			if err != nil {
				return err
			}
			acc := accList.Accesses
			problems := []string{}
			if !res.Verified {
				for _, e := range res.Errors {
					problems = append(problems, "credential check "+e.Name+" failed: "+e.Detail)
				}
			}
			if v.Hash != s.Hash {
				problems = append(problems, "the ledger's receipt is for another grant with this id (hash "+v.Hash+")")
			}
			if v.State != grants.StatusActive {
				problems = append(problems, "the grant is "+v.State)
			}
			out := map[string]any{"grant": s.Grant, "hash": s.Hash, "receipt": v, "credential": res, "accesses": acc, "problems": problems}
			err = g.print(out, func(w io.Writer) {
				fmt.Fprintf(w, "grant %s\n%s -> %s\nresource %s\nscope %s\npurpose %s\nvalid %s to %s\n", s.ID, s.Grantor, s.Grantee, s.Resource,
					strings.Join(s.Scope, ","), s.Purpose, s.NotBefore.Format(time.RFC3339), s.Expires.Format(time.RFC3339))
				for _, ch := range res.Checks {
					fmt.Fprintf(w, "check %s: %s\n", ch.Name, ch.Status)
				}
				fmt.Fprintf(w, "receipt %s, recorded at height %d (tx %s), hash %s\n", v.State, v.Recorded.Height, v.Recorded.TxHash, matchWord(v.Hash == s.Hash))
				for _, a := range acc {
					fmt.Fprintf(w, "access %d %s by %s: %s (tx %s)\n", a.Seq, a.Time, a.Holder, strings.Join(a.Claims, ","), a.TxHash)
				}
			})
			if err == nil && len(problems) > 0 {
				err = errors.New(strings.Join(problems, "; "))
			}
			return err
		},
	}
	cmd.AddCommand(grant, revoke, list, verify)
	return cmd
}

func matchWord(ok bool) string {
	if ok {
		return "matches"
	}
	return "DOES NOT MATCH"
}
